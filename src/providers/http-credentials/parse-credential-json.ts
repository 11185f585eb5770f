import type { AwsCredentialIdentity } from "@smithy/types";
import { isIsoDateTime, parseIsoDate } from "../../parse-iso-date.js";
import { badResponse, type CredentialLink } from "./credential-link.js";
import { describeValue, parseJsonObject } from "./parse-json-object.js";

/** An AWS account id: twelve digits. */
const ACCOUNT_ID = /^\d{12}$/;
/** An IAM role (or assumed-role) ARN, in any partition. */
const ROLE_ARN = /^arn:aws[a-z-]*:(?:iam|sts)::\d{12}:(?:role|assumed-role)\/[\w+=,.@/-]{1,1024}$/;
/** A `Code` value short and plain enough to quote in a message. */
const QUOTABLE_CODE = /^[A-Za-z]{1,20}$/;

/** How to read one credentials document. */
export interface ParseCredentialJsonOptions {
  /** Whose answer it is: source, name and bad-response code of the errors. */
  link: CredentialLink;
  /** The current time (epoch ms) from the provider's clock: `Expiration` must be after it. */
  nowMs: number;
  /** What the document is, for messages. @defaultValue `"credentials"` */
  what?: string;
  /**
   * `"required"`: `Code` must be `"Success"` (IMDS always sends it). `"optional"`: `Code` may be
   * absent (the ECS/EKS container endpoint), but when present it must be `"Success"`.
   * `Type` and `LastUpdated` are never required.
   * @defaultValue `"required"`
   */
  code?: "required" | "optional";
}

/** A validated credentials document. */
export interface CredentialJson {
  /** The keys, the session token and the expiration; `accountId` when `AccountId` is twelve digits. */
  identity: AwsCredentialIdentity & { expiration: Date };
  /** `RoleArn` when present and shaped like an IAM role ARN (container answers carry it). */
  roleArn?: string;
}

/**
 * Validates the credentials JSON that IMDS and the ECS/EKS container endpoint share:
 * `AccessKeyId`, `SecretAccessKey` and `Token` non-empty strings; `Expiration` an ISO 8601
 * date-time after `nowMs`; `Code` per {@link ParseCredentialJsonOptions.code}. `AccountId` (twelve
 * digits) and `RoleArn` (a role ARN) are kept when well-formed, otherwise left out.
 *
 * Error messages name each field that was wrong and how (missing, empty, a number, …) but never
 * quote a value, since the body carries secrets; every problem is listed at once.
 *
 * @param body - the response text.
 * @param options - the link, the time, and how strict to be about `Code`.
 * @returns the identity (and role ARN).
 * @throws CredentialsError with `options.link.badResponseCode`, `tryNextLink: false`.
 */
export function parseCredentialJson(body: string, options: ParseCredentialJsonOptions): CredentialJson {
  const { link, nowMs } = options;
  const what = options.what ?? "credentials";
  const json = parseJsonObject(body, what, link);
  const problems: string[] = [];

  const code = json["Code"];
  if (code !== "Success" && !(code === undefined && options.code === "optional")) {
    problems.push(
      typeof code === "string" && QUOTABLE_CODE.test(code) ? `Code is "${code}", not "Success"` : `Code is ${describeValue(code)}, not "Success"`,
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
  const expiration = checkExpiration(json["Expiration"], nowMs, problems);

  if (problems.length > 0 || expiration === undefined) {
    throw badResponse(link, `${link.name} returned unusable ${what}: ${problems.join("; ")}`);
  }
  const accountId = json["AccountId"];
  const roleArn = json["RoleArn"];
  return {
    identity: {
      accessKeyId: (accessKeyId as string).trim(),
      secretAccessKey: (secretAccessKey as string).trim(),
      sessionToken: (sessionToken as string).trim(),
      expiration,
      ...(typeof accountId === "string" && ACCOUNT_ID.test(accountId) ? { accountId } : {}),
    },
    ...(typeof roleArn === "string" && ROLE_ARN.test(roleArn) ? { roleArn } : {}),
  };
}

/** The `Expiration` as a Date after `nowMs`, or `undefined` with the problem pushed. */
function checkExpiration(raw: unknown, nowMs: number, problems: string[]): Date | undefined {
  if (typeof raw !== "string" || !isIsoDateTime(raw.trim())) {
    problems.push(`Expiration is ${typeof raw === "string" ? "not an ISO 8601 date-time" : describeValue(raw)}`);
    return undefined;
  }
  const ms = parseIsoDate(raw.trim());
  if (ms === undefined) {
    problems.push("Expiration is not a real date");
    return undefined;
  }
  if (ms <= nowMs) {
    problems.push(`Expiration ${new Date(ms).toISOString()} is not in the future (now ${new Date(nowMs).toISOString()})`);
    return undefined;
  }
  return new Date(ms);
}
