import { AWS_PARTITIONS } from "./aws-partitions.js";

/*
 * STS's own rules for the optional parts of an AssumeRole session (session tags, transitive tag
 * keys, source identity, inline and managed session policies, MFA), checked before any request so a
 * mistake is a clear TypeError naming the option, not an STS ValidationError after a round trip.
 * From the AssumeRole API reference (Tags, TransitiveTagKeys, SourceIdentity, Policy, PolicyArns,
 * SerialNumber, TokenCode) and the IAM session tags guide.
 */

/** At most 50 session tags (STS `Tags`, "Maximum number of 50 items"). */
export const MAX_SESSION_TAGS = 50;
/** A tag key: 1–128 characters of letters, digits, spaces and `_.:/=+-@`. */
export const TAG_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
/** A tag value: 0–256 characters of the same. */
export const TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
/** A source identity: 2–64 characters of `[\w+=,.@-]`, not starting with `aws:`. */
export const SOURCE_IDENTITY_PATTERN = /^[\w+=,.@-]{2,64}$/;
/** The plain text of the inline and managed session policies together may not exceed 2,048 characters. */
export const MAX_POLICY_LENGTH = 2_048;
/** At most 10 managed session policy ARNs (STS `PolicyArns`). */
export const MAX_POLICY_ARNS = 10;
/** A managed policy ARN: `arn:<partition>:iam::<account or aws>:policy/<path/name>`. */
export const POLICY_ARN_PATTERN = new RegExp(`^arn:(${AWS_PARTITIONS.join("|")}):iam::(\\d{12}|aws):policy\\/[\\x21-\\x7e]{1,2000}$`);
/** An MFA device: 9–256 characters of `[\w+=/:,.@-]` (a virtual device's ARN, or a hardware serial). */
export const MFA_SERIAL_PATTERN = /^[\w+=/:,.@-]{9,256}$/;
/** A TOTP code: six digits. */
export const MFA_CODE_PATTERN = /^\d{6}$/;

/** Checked session tags: at most 50, valid keys and values, no two keys differing only in case. @throws TypeError */
export function checkTags(tags: unknown, name = "tags"): Readonly<Record<string, string>> {
  if (typeof tags !== "object" || tags === null || Array.isArray(tags)) {
    throw new TypeError(`Expected \`${name}\` to be an object of tag keys to values, e.g. { team: "data" }`);
  }
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.length > MAX_SESSION_TAGS) {
    throw new TypeError(`Expected \`${name}\` to have at most ${MAX_SESSION_TAGS} tags, got ${entries.length}`);
  }
  const seen = new Map<string, string>();
  for (const [key, value] of entries) {
    if (!TAG_KEY_PATTERN.test(key)) {
      throw new TypeError(`Expected every key of \`${name}\` to be 1–128 letters, digits, spaces or _.:/=+-@, got ${JSON.stringify(key.slice(0, 140))}`);
    }
    if (typeof value !== "string" || !TAG_VALUE_PATTERN.test(value)) {
      throw new TypeError(`Expected \`${name}.${key}\` to be a string of 0–256 letters, digits, spaces or _.:/=+-@`);
    }
    const folded = key.toLowerCase();
    const other = seen.get(folded);
    if (other !== undefined) {
      throw new TypeError(`Expected the keys of \`${name}\` to differ in more than case (STS treats them alike): ${JSON.stringify(other)} and ${JSON.stringify(key)}`);
    }
    seen.set(folded, key);
  }
  return Object.freeze({ ...(tags as Record<string, string>) });
}

/** Checked transitive tag keys: each one of `tags`' keys. @throws TypeError */
export function checkTransitiveTagKeys(keys: unknown, tags: Readonly<Record<string, string>> | undefined, name = "transitiveTagKeys"): readonly string[] {
  if (!Array.isArray(keys) || keys.some((key) => typeof key !== "string")) {
    throw new TypeError(`Expected \`${name}\` to be an array of tag keys`);
  }
  if (keys.length > MAX_SESSION_TAGS) {
    throw new TypeError(`Expected \`${name}\` to have at most ${MAX_SESSION_TAGS} keys, got ${keys.length}`);
  }
  const known = new Set(Object.keys(tags ?? {}).map((key) => key.toLowerCase()));
  for (const key of keys as string[]) {
    if (!known.has(key.toLowerCase())) {
      throw new TypeError(`Expected every key of \`${name}\` to be one of the session tags' keys; ${JSON.stringify(key.slice(0, 140))} is not`);
    }
  }
  return Object.freeze([...(keys as string[])]);
}

/** A checked source identity. @throws TypeError */
export function checkSourceIdentity(value: unknown, name = "sourceIdentity"): string {
  if (typeof value !== "string" || !SOURCE_IDENTITY_PATTERN.test(value) || value.toLowerCase().startsWith("aws:")) {
    throw new TypeError(
      `Expected \`${name}\` to be 2–64 characters of [A-Za-z0-9_+=,.@-] not starting with "aws:", got ${typeof value === "string" ? JSON.stringify(value.slice(0, 80)) : typeof value}`,
    );
  }
  return value;
}

/** A checked inline session policy: a JSON document of at most 2,048 characters. @throws TypeError */
export function checkPolicy(value: unknown, name = "policy"): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new TypeError(`Expected \`${name}\` to be a JSON policy document (a string)`);
  }
  if (value.length > MAX_POLICY_LENGTH) {
    throw new TypeError(`Expected \`${name}\` to be at most ${MAX_POLICY_LENGTH} characters (STS's limit), got ${value.length}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new TypeError(`Expected \`${name}\` to be a JSON policy document; it does not parse as JSON`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new TypeError(`Expected \`${name}\` to be a JSON object (a policy document with "Version" and "Statement")`);
  }
  return value;
}

/** Checked managed session policy ARNs: at most 10. @throws TypeError */
export function checkPolicyArns(value: unknown, name = "policyArns"): readonly string[] {
  if (!Array.isArray(value) || value.some((arn) => typeof arn !== "string")) {
    throw new TypeError(`Expected \`${name}\` to be an array of managed policy ARNs`);
  }
  if (value.length > MAX_POLICY_ARNS) {
    throw new TypeError(`Expected \`${name}\` to have at most ${MAX_POLICY_ARNS} policy ARNs, got ${value.length}`);
  }
  for (const arn of value as string[]) {
    if (!POLICY_ARN_PATTERN.test(arn)) {
      throw new TypeError(`Expected every entry of \`${name}\` to look like arn:aws:iam::aws:policy/ReadOnlyAccess, got ${JSON.stringify(arn.slice(0, 200))}`);
    }
  }
  return Object.freeze([...(value as string[])]);
}

/** A checked MFA device serial number or ARN. @throws TypeError */
export function checkMfaSerial(value: unknown, name = "mfaSerial"): string {
  if (typeof value !== "string" || !MFA_SERIAL_PATTERN.test(value)) {
    throw new TypeError(
      `Expected \`${name}\` to be an MFA device ARN such as arn:aws:iam::123456789012:mfa/alice (9–256 characters of [A-Za-z0-9_+=/:,.@-]), got ${typeof value === "string" ? JSON.stringify(value.slice(0, 80)) : typeof value}`,
    );
  }
  return value;
}
