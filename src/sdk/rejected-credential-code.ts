/**
 * The error codes with which AWS services say "this request's credential is no longer good" — as
 * opposed to "this identity may not do that" (`AccessDenied`) or "slow down" (throttling):
 * - `ExpiredToken` (S3, STS and the other query and XML services), `ExpiredTokenException` (JSON
 *   services such as DynamoDB, and STS's modelled name): the session token has expired;
 * - `InvalidToken` (S3): the session token is malformed or no longer valid;
 * - `TokenRefreshRequired` (S3, EC2): the session token must be refreshed;
 * - `InvalidClientTokenId` (query and JSON services): the access key id is unknown — deleted,
 *   deactivated or replaced;
 * - `UnrecognizedClientException` (JSON services such as DynamoDB): the same for JSON services;
 * - `InvalidAccessKeyId` (S3): S3's name for an unknown access key id — what S3 answers for keys
 *   deactivated and replaced, the case `InvalidClientTokenId` is for elsewhere.
 * @internal
 */
export const REJECTED_CREDENTIAL_CODES: ReadonlySet<string> = new Set([
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidToken",
  "TokenRefreshRequired",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "InvalidAccessKeyId",
]);

/**
 * The code of a service error that rejects the request's credential, or `undefined` for any other
 * error. The SDK surfaces a service's code as the error's `name` in every protocol (XML `<Code>`,
 * query `<Error><Code>`, JSON `__type` after its `#`, or the `x-amzn-ErrorType` header); the XML
 * and query deserializers also keep it as `Code`, and a few hand-written errors carry `code`. All
 * three are read, so an error shaped by another SDK version or a custom client is recognised too.
 * @internal
 */
export function rejectedCredentialCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) {
    return undefined;
  }
  const fields = error as Readonly<Record<string, unknown>>;
  for (const field of ["name", "Code", "code"]) {
    const value = fields[field];
    if (typeof value === "string" && REJECTED_CREDENTIAL_CODES.has(value)) {
      return value;
    }
  }
  return undefined;
}
