import { CredentialsError } from "../../errors.js";

/** IAM role names: 1–64 of letters, digits and `+=,.@_-` (IAM `CreateRole` `RoleName` pattern). */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/**
 * True when `value` is a syntactically valid IAM role name that names itself in a URL path: the
 * IAM pattern allows `.` and `..`, which a URL resolves as "this" and "the parent" directory
 * (`…/security-credentials/..` would ask `…/meta-data/iam/`), so those two are refused.
 */
export function isValidRoleName(value: unknown): boolean {
  return typeof value === "string" && ROLE_NAME.test(value) && value !== "." && value !== "..";
}

/**
 * Reads the role name from the body of `GET /latest/meta-data/iam/security-credentials/`: the first
 * non-empty line, trimmed. An instance profile holds at most one role.
 *
 * @returns the role name, or `undefined` when the list is empty (an instance without a profile).
 * @throws CredentialsError with code `IMDS_BAD_RESPONSE` when the first line is not a role name.
 */
export function parseRoleName(body: string): string | undefined {
  const first = body
    .split(/\r?\n/)
    .map((line) => line.trim())
    .find((line) => line !== "");
  if (first === undefined) return undefined;
  if (!isValidRoleName(first)) {
    throw new CredentialsError(
      `IMDS returned a role list whose first line is not an IAM role name (${first.length} characters)`,
      { source: "imds", code: "IMDS_BAD_RESPONSE", tryNextLink: false },
    );
  }
  return first;
}
