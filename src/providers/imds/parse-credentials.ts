import type { AwsCredentialIdentity } from "@smithy/types";
import { isIsoDateTime, parseIsoDate } from "../../parse-iso-date.js";
import { badResponse, describeValue, parseJsonObject } from "./parse-json-object.js";

/** An AWS account id: twelve digits. */
const ACCOUNT_ID = /^\d{12}$/;
/** An IMDS `Code` value short and plain enough to quote in a message. */
const QUOTABLE_CODE = /^[A-Za-z]{1,20}$/;

/**
 * Validates the body of `GET /latest/meta-data/iam/security-credentials/<role>` and turns it into an
 * identity: `Code` must be `"Success"`; `AccessKeyId`, `SecretAccessKey` and `Token` non-empty
 * strings; `Expiration` an ISO 8601 date-time after `nowMs`. `AccountId`, when it is twelve digits,
 * becomes `accountId`; otherwise it is left out.
 *
 * Error messages name the field and describe what was wrong (missing, empty, a number, …) but never
 * quote a value, since the body carries secrets.
 *
 * @param body - the response text.
 * @param nowMs - the current time (epoch ms) from the provider's clock.
 * @param role - the role name, for messages.
 * @throws CredentialsError with code `IMDS_BAD_RESPONSE`.
 */
export function parseImdsCredentials(body: string, nowMs: number, role = "the role"): AwsCredentialIdentity & { expiration: Date } {
  const what = `credentials for ${role}`;
  const json = parseJsonObject(body, what);
  const problems: string[] = [];

  const code = json["Code"];
  if (code !== "Success") {
    problems.push(
      typeof code === "string" && QUOTABLE_CODE.test(code)
        ? `Code is "${code}", not "Success"`
        : `Code is ${describeValue(code)}, not "Success"`,
    );
  }
  const accessKeyId = json["AccessKeyId"];
  const secretAccessKey = json["SecretAccessKey"];
  const sessionToken = json["Token"];
  for (const [name, value] of [
    ["AccessKeyId", accessKeyId],
    ["SecretAccessKey", secretAccessKey],
    ["Token", sessionToken],
  ] as const) {
    if (typeof value !== "string" || value.trim() === "") problems.push(`${name} is ${describeValue(value)}`);
  }
  const rawExpiration = json["Expiration"];
  let expiration: Date | undefined;
  if (typeof rawExpiration !== "string" || !isIsoDateTime(rawExpiration.trim())) {
    problems.push(`Expiration is ${typeof rawExpiration === "string" ? "not an ISO 8601 date-time" : describeValue(rawExpiration)}`);
  } else {
    const ms = parseIsoDate(rawExpiration.trim());
    if (ms === undefined) {
      problems.push("Expiration is not a real date");
    } else if (ms <= nowMs) {
      problems.push(`Expiration ${new Date(ms).toISOString()} is not in the future (now ${new Date(nowMs).toISOString()})`);
    } else {
      expiration = new Date(ms);
    }
  }

  if (problems.length > 0 || expiration === undefined) {
    throw badResponse(`IMDS returned unusable ${what}: ${problems.join("; ")}`);
  }
  const accountId = json["AccountId"];
  return {
    accessKeyId: (accessKeyId as string).trim(),
    secretAccessKey: (secretAccessKey as string).trim(),
    sessionToken: (sessionToken as string).trim(),
    expiration,
    ...(typeof accountId === "string" && ACCOUNT_ID.test(accountId) ? { accountId } : {}),
  };
}
