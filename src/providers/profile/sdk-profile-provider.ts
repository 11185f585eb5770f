import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { ProfileSelection } from "./resolve-profile-selection.js";

type CredentialProviders = typeof import("@aws-sdk/credential-providers");
let sdk: Promise<CredentialProviders> | undefined;

/**
 * One of the AWS SDK's own profile providers — `fromSSO`, `fromLoginCredentials`: what they do
 * (cached tokens, their refresh, the portal and sign-in calls) is theirs to get right — loaded on
 * first use (never at import) and set up as every link is: for `profile` in the selection's files,
 * the SDK's parsed-file cache ignored (ours keys on the files' identity), one attempt (retries with
 * jittered backoff belong to memoize), the service at `endpoint` when one is configured.
 * @internal
 */
export async function sdkProfileProvider(
  provider: "fromSSO" | "fromLoginCredentials",
  profile: string,
  selection: Pick<ProfileSelection, "configFile" | "credentialsFile">,
  endpoint: string | undefined,
): Promise<AwsCredentialIdentityProvider> {
  sdk ??= import("@aws-sdk/credential-providers");
  const providers = await sdk;
  return providers[provider]({
    profile,
    configFilepath: selection.configFile,
    filepath: selection.credentialsFile,
    ignoreCache: true,
    clientConfig: { maxAttempts: 1, ...(endpoint === undefined ? {} : { endpoint }) },
  });
}
