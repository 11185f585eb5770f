import type { AwsCredentialIdentity } from "@smithy/types";

/**
 * Whether `value` carries a usable key pair (non-empty `accessKeyId` and `secretAccessKey`
 * strings). Every link checks what another component handed it with this, before trusting it.
 */
export function hasKeys(value: unknown): value is AwsCredentialIdentity {
  const candidate = value as Partial<AwsCredentialIdentity> | null | undefined;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate.accessKeyId === "string" &&
    candidate.accessKeyId !== "" &&
    typeof candidate.secretAccessKey === "string" &&
    candidate.secretAccessKey !== ""
  );
}

/** Whether two credentials sign alike: the same access key id, secret and session token. */
export function sameCredential(a: AwsCredentialIdentity, b: AwsCredentialIdentity): boolean {
  return a.accessKeyId === b.accessKeyId && a.secretAccessKey === b.secretAccessKey && a.sessionToken === b.sessionToken;
}
