import type { AssumeRoleWithWebIdentityCommandOutput } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import { freezeCredential } from "../../freeze-credential.js";
import { registerCredential } from "../../scrub-secrets.js";
import { markCredential } from "../../sdk/credential-marks.js";
import { optionsKey } from "../../sharing/key-parts.js";
import { completeStsCredential } from "../sts/sts-client-config.js";
import type { StsLocation } from "../sts/sts-location.js";
import { sendSts } from "../sts/sts-transport.js";
import { mapWebIdentityStsError } from "./map-sts-error.js";
import type { WebIdentityToken } from "./read-web-identity-token.js";
import type { WebIdentitySettings } from "./web-identity-settings.js";

const SOURCE = "web-identity";

/**
 * One AssumeRoleWithWebIdentity (unsigned: the token is the proof of identity, so the client is
 * given no credentials and resolves none). Identical concurrent exchanges (same token, role and
 * location) are sent once.
 * @internal
 */
export async function exchangeWebIdentityToken(settings: WebIdentitySettings, location: StsLocation, token: WebIdentityToken): Promise<AwsCredentialIdentity> {
  const params = {
    RoleArn: settings.roleArn,
    RoleSessionName: settings.roleSessionName,
    WebIdentityToken: token.token,
    ...(settings.durationSeconds === undefined ? {} : { DurationSeconds: settings.durationSeconds }),
    ...(settings.policy === undefined ? {} : { Policy: settings.policy }),
    ...(settings.policyArns === undefined ? {} : { PolicyArns: settings.policyArns.map((arn) => ({ arn })) }),
  };
  let output: AssumeRoleWithWebIdentityCommandOutput;
  try {
    output = await sendSts({
      source: SOURCE,
      location,
      timeoutMs: settings.timeoutMs,
      signing: undefined,
      requestKey: `AssumeRoleWithWebIdentity ${optionsKey({ ...params, WebIdentityToken: token.sha256 })}`,
      send: (client, { AssumeRoleWithWebIdentityCommand }, abortSignal) => client.send(new AssumeRoleWithWebIdentityCommand(params), { abortSignal }),
    });
  } catch (error) {
    throw mapWebIdentityStsError(error, {
      roleArn: settings.roleArn,
      tokenFile: settings.webIdentityTokenFile,
      endpointLabel: location.label,
      token: token.token,
    });
  }
  const fields = completeStsCredential(output.Credentials, "AssumeRoleWithWebIdentity", settings.roleArn, SOURCE);
  // As the SDK's role assumer marks what AssumeRoleWithWebIdentity returns (it has an account id).
  const credential = markCredential({ ...fields, accountId: settings.accountId }, "RESOLVED_ACCOUNT_ID", "CREDENTIALS_STS_ASSUME_ROLE_WEB_ID");
  registerCredential(credential);
  return freezeCredential(credential);
}
