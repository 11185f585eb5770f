import type { AwsCredentialIdentity } from "@smithy/types";
import { parseCredentialJson } from "../http-credentials/parse-credential-json.js";
import { IMDS_LINK } from "./imds-link.js";

/**
 * Validates the body of `GET /latest/meta-data/iam/security-credentials/<role>` with the shared
 * credential-JSON checks, IMDS-strict: `Code` must be `"Success"`; `AccessKeyId`,
 * `SecretAccessKey` and `Token` non-empty strings; `Expiration` an ISO 8601 date-time after
 * `nowMs`. `AccountId`, when it is twelve digits, becomes `accountId`; otherwise it is left out.
 * Messages never quote a value.
 *
 * @param body - the response text.
 * @param nowMs - the current time (epoch ms) from the provider's clock.
 * @param role - the role name, for messages.
 * @throws CredentialsError with code `IMDS_BAD_RESPONSE`.
 */
export function parseImdsCredentials(body: string, nowMs: number, role = "the role"): AwsCredentialIdentity & { expiration: Date } {
  return parseCredentialJson(body, { link: IMDS_LINK, nowMs, what: `credentials for ${role}`, code: "required" }).identity;
}
