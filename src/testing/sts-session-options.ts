/*
 * The optional parts of an AssumeRole request — session tags, transitive tag keys, source identity,
 * inline and managed session policies, and the MFA device and code — as the STS emulator reads and
 * checks them: the query protocol's form fields (`Tags.member.N.Key`, `TransitiveTagKeys.member.N`,
 * `PolicyArns.member.N.arn`, …), STS's own limits (the AssumeRole API reference), and STS's answers
 * when one is broken. Apart from sts-emulator.ts so a reader finds AssumeRole's options in one place.
 */

/** What the MFA rule of a role demands (see `StsEmulatorRole.mfa`). */
export interface StsEmulatorMfa {
  /** The device whose code is accepted (`SerialNumber`). */
  serialNumber: string;
  /**
   * The code accepted now, or a check of it (`TokenCode`). A code is accepted once per device, as
   * STS refuses a one-time code used before. @defaultValue any six digits
   */
  code?: string | ((code: string) => boolean);
}

/** The session options one AssumeRole request sent, as recorded. */
export interface StsSessionOptions {
  /** `Tags`, by key, in the order sent. */
  tags?: Record<string, string>;
  /** `TransitiveTagKeys`. */
  transitiveTagKeys?: string[];
  /** `SourceIdentity`. */
  sourceIdentity?: string;
  /** `Policy` (the inline session policy, as sent). */
  policy?: string;
  /** `PolicyArns` (each `arn`). */
  policyArns?: string[];
  /** `SerialNumber` (the MFA device). */
  serialNumber?: string;
  /** `TokenCode` (the MFA code; a one-time code, recorded for tests). */
  tokenCode?: string;
}

/** An STS error answer: status, code and message. */
export interface StsRefusal {
  status: number;
  code: string;
  message: string;
}

const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const SOURCE_IDENTITY = /^[\w+=,.@-]{2,64}$/;
const SERIAL_NUMBER = /^[\w+=/:,.@-]{9,256}$/;
const TOKEN_CODE = /^\d{6}$/;
const POLICY_ARN = /^arn:[\w-]+:iam::(\d{12}|aws):policy\/[\x21-\x7e]{1,2000}$/;

/** The session options in an AssumeRole form, as sent (nothing checked yet). */
export function readSessionOptions(form: URLSearchParams): StsSessionOptions {
  const options: StsSessionOptions = {};
  const members = (prefix: string): string[] => {
    const out: string[] = [];
    for (let n = 1; form.has(`${prefix}.member.${n}`) || form.has(`${prefix}.member.${n}.Key`) || form.has(`${prefix}.member.${n}.arn`); n++) {
      out.push(String(n));
    }
    return out;
  };
  const tagMembers = members("Tags");
  if (tagMembers.length > 0 || form.has("Tags")) {
    options.tags = {};
    for (const n of tagMembers) {
      options.tags[form.get(`Tags.member.${n}.Key`) ?? ""] = form.get(`Tags.member.${n}.Value`) ?? "";
    }
  }
  const transitive = members("TransitiveTagKeys");
  if (transitive.length > 0) options.transitiveTagKeys = transitive.map((n) => form.get(`TransitiveTagKeys.member.${n}`) ?? "");
  const arns = members("PolicyArns");
  if (arns.length > 0) options.policyArns = arns.map((n) => form.get(`PolicyArns.member.${n}.arn`) ?? "");
  for (const [field, name] of [
    ["sourceIdentity", "SourceIdentity"],
    ["policy", "Policy"],
    ["serialNumber", "SerialNumber"],
    ["tokenCode", "TokenCode"],
  ] as const) {
    const value = form.get(name);
    if (value !== null) options[field] = value;
  }
  return options;
}

/**
 * STS's checks of the session options, in its order: the shapes and limits first (400
 * `ValidationError`, `InvalidParameterValue`, `MalformedPolicyDocument`,
 * `PackedPolicyTooLarge`), then the role's MFA rule (403 `AccessDenied`: no code where one is
 * required — the trust policy's `aws:MultiFactorAuthPresent` — or a wrong, or used, code).
 * @returns the refusal to answer, or `undefined` when STS would go on.
 */
export function checkSessionOptions(
  options: StsSessionOptions,
  mfa: StsEmulatorMfa | undefined,
  usedCodes: Map<string, Set<string>>,
  deniedMessage: string,
): StsRefusal | undefined {
  const invalid = (message: string, code = "ValidationError"): StsRefusal => ({ status: 400, code, message });
  const tags = options.tags ?? {};
  const keys = Object.keys(tags);
  if (keys.length > 50) return invalid(`1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50`);
  for (const key of keys) {
    if (!TAG_KEY.test(key)) return invalid("1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+");
    if (!TAG_VALUE.test(tags[key] ?? "")) return invalid("1 validation error detected: Value at 'tags.1.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");
  }
  if (new Set(keys.map((key) => key.toLowerCase())).size !== keys.length) {
    return invalid("Duplicate tag keys found. Please note that Tag keys are case insensitive.", "InvalidParameterValue");
  }
  const lowerKeys = new Set(keys.map((key) => key.toLowerCase()));
  for (const key of options.transitiveTagKeys ?? []) {
    if (!lowerKeys.has(key.toLowerCase())) return invalid(`The transitive tag key ${key} is not a key of the session tags.`, "InvalidParameterValue");
  }
  if ((options.transitiveTagKeys ?? []).length > 50) return invalid("1 validation error detected: Value at 'transitiveTagKeys' failed to satisfy constraint: Member must have length less than or equal to 50");
  if (options.sourceIdentity !== undefined && (!SOURCE_IDENTITY.test(options.sourceIdentity) || options.sourceIdentity.toLowerCase().startsWith("aws:"))) {
    return invalid("1 validation error detected: Value at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
  }
  if (options.policy !== undefined) {
    if (options.policy.length > 2048) return invalid("1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048");
    try {
      const parsed: unknown = JSON.parse(options.policy);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
    } catch {
      return invalid("The policy is not in the valid JSON format.", "MalformedPolicyDocument");
    }
  }
  const arns = options.policyArns ?? [];
  if (arns.length > 10) return invalid("1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10");
  if (arns.some((arn) => !POLICY_ARN.test(arn))) return invalid("Invalid ARN in PolicyArns.", "InvalidParameterValue");
  if ((options.policy?.length ?? 0) + arns.join("").length + JSON.stringify(tags).length > 2048 * 2) {
    return invalid("Packed size of session policies and session tags exceeds the limit.", "PackedPolicyTooLarge");
  }
  if (options.serialNumber !== undefined && !SERIAL_NUMBER.test(options.serialNumber)) {
    return invalid("1 validation error detected: Value at 'serialNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=/:,.@-]*");
  }
  if (options.tokenCode !== undefined && !TOKEN_CODE.test(options.tokenCode)) {
    return invalid("1 validation error detected: Value at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*");
  }
  if (mfa === undefined) return undefined;
  if (options.serialNumber === undefined || options.tokenCode === undefined) {
    return { status: 403, code: "AccessDenied", message: deniedMessage };
  }
  const used = usedCodes.get(options.serialNumber) ?? new Set<string>();
  const accepted =
    options.serialNumber === mfa.serialNumber &&
    !used.has(options.tokenCode) &&
    (mfa.code === undefined ? true : typeof mfa.code === "string" ? mfa.code === options.tokenCode : mfa.code(options.tokenCode));
  if (!accepted) {
    return { status: 403, code: "AccessDenied", message: "MultiFactorAuthentication failed with invalid MFA one time pass code. " };
  }
  used.add(options.tokenCode);
  usedCodes.set(options.serialNumber, used);
  return undefined;
}

/** The extra `AssumeRoleResult` elements for these options: `SourceIdentity`, `PackedPolicySize`. */
export function sessionResultXml(options: StsSessionOptions, escapeXml: (value: string) => string): string {
  const packed = options.tags !== undefined || options.policy !== undefined || options.policyArns !== undefined;
  return (
    (options.sourceIdentity === undefined ? "" : `    <SourceIdentity>${escapeXml(options.sourceIdentity)}</SourceIdentity>\n`) +
    (packed ? `    <PackedPolicySize>${String(Math.min(100, Math.ceil(((options.policy?.length ?? 0) + JSON.stringify(options.tags ?? {}).length) / 41)))}</PackedPolicySize>\n` : "")
  );
}
