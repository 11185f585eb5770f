import type {
  AssumeRoleWithWebIdentityCommand as AssumeRoleWithWebIdentityCommandType,
  AssumeRoleWithWebIdentityCommandOutput,
  Credentials,
  STSClient as STSClientType,
} from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import { CredentialsError } from "../../errors.js";
import { registerCredential } from "../../scrub-secrets.js";
import { isCompleteStsCredential, stsClientConfig, stsDeadlineError } from "../sts/sts-client-config.js";
import { mapWebIdentityStsError } from "./map-sts-error.js";
import type { WebIdentityToken } from "./read-web-identity-token.js";
import type { WebIdentitySettings } from "./web-identity-settings.js";

// The part of fromWebIdentity that talks to STS, in its own module (and chunk) so that it — and
// the AWS SDK — are loaded on the first AssumeRoleWithWebIdentity, not with env-or-profile.

const SOURCE = "web-identity";

interface StsSdk {
  STSClient: typeof STSClientType;
  AssumeRoleWithWebIdentityCommand: typeof AssumeRoleWithWebIdentityCommandType;
}

let sdk: Promise<StsSdk> | undefined;

/**
 * `@aws-sdk/client-sts`, loaded at the first AssumeRoleWithWebIdentity through an `import()` with a
 * literal specifier (bundlers follow it) of a small CommonJS file that `require`s it: see
 * client-sts.cjs for why not `import("@aws-sdk/client-sts")` itself.
 */
function loadSdk(): Promise<StsSdk> {
  sdk ??= import("./client-sts.cjs").then(
    (module) => module.default,
    (error: unknown) => {
      sdk = undefined; // a failed load is tried again at the next call
      throw new CredentialsError("Could not load @aws-sdk/client-sts (a dependency of env-or-profile) to call STS AssumeRoleWithWebIdentity", {
        source: SOURCE,
        code: "STS_ERROR",
        tryNextLink: false,
        cause: error,
      });
    },
  );
  return sdk;
}

/**
 * One STS client per provider, calling AssumeRoleWithWebIdentity (unsigned: the token is the proof
 * of identity, so the client is given no credentials and resolves none). One attempt per call: our
 * retries are the caller's (with full-jitter backoff, and only for what can heal).
 */
export function createWebIdentityStsCall(
  settings: WebIdentitySettings,
  endpointLabel: string,
): (token: WebIdentityToken) => Promise<AwsCredentialIdentity> {
  let client: STSClientType | undefined;
  return async (token: WebIdentityToken): Promise<AwsCredentialIdentity> => {
    const { STSClient, AssumeRoleWithWebIdentityCommand } = await loadSdk();
    client ??= new STSClient(stsClientConfig(settings));
    const command = new AssumeRoleWithWebIdentityCommand({
      RoleArn: settings.roleArn,
      RoleSessionName: settings.roleSessionName,
      WebIdentityToken: token.token,
      ...(settings.durationSeconds === undefined ? {} : { DurationSeconds: settings.durationSeconds }),
    });
    let output: AssumeRoleWithWebIdentityCommandOutput;
    try {
      output = await withDeadline(client, command, settings.timeoutMs);
    } catch (error) {
      throw mapWebIdentityStsError(error, {
        roleArn: settings.roleArn,
        tokenFile: settings.webIdentityTokenFile,
        endpointLabel,
        negativeCacheMs: settings.negativeCacheMs,
        token: token.token,
      });
    }
    return toCredential(output.Credentials, settings);
  };
}

/**
 * Sends `command` with a deadline on the whole call: the SDK's `requestTimeout` is a socket *idle*
 * timeout, so an endpoint that trickles its answer would never trip it, and every caller sharing the
 * in-flight request would hang. At the deadline the request is aborted (its socket closed).
 */
async function withDeadline(
  client: STSClientType,
  command: AssumeRoleWithWebIdentityCommandType,
  ms: number,
): Promise<AssumeRoleWithWebIdentityCommandOutput> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, ms);
  try {
    return await client.send(command, { abortSignal: controller.signal });
  } catch (error) {
    if (timedOut) {
      throw stsDeadlineError(ms);
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Checks STS's answer and shapes it: all four fields present, `accountId` from the role ARN. */
function toCredential(
  result: Credentials | undefined,
  settings: WebIdentitySettings,
): AwsCredentialIdentity {
  const fields = {
    accessKeyId: result?.AccessKeyId,
    secretAccessKey: result?.SecretAccessKey,
    sessionToken: result?.SessionToken,
    expiration: result?.Expiration,
  };
  if (!isCompleteStsCredential(fields)) {
    registerCredential({ secretAccessKey: fields.secretAccessKey, sessionToken: fields.sessionToken });
    throw new CredentialsError(
      `STS answered AssumeRoleWithWebIdentity for ${settings.roleArn} without a complete credential (access key id, secret, session token and expiration)`,
      { source: SOURCE, code: "STS_BAD_RESPONSE", tryNextLink: false },
    );
  }
  const credential: AwsCredentialIdentity = { ...fields, accountId: settings.accountId };
  registerCredential(credential);
  return credential;
}
