import { CredentialsError, type CredentialsErrorCode } from "../../errors.js";

/**
 * Which link is reading an answer, so the shared checks report in that link's own terms: IMDS
 * keeps `source: "imds"` and `IMDS_BAD_RESPONSE`, the container link its `CONTAINER_*` code.
 *
 * @example
 * ```ts
 * import type { CredentialLink } from "./credential-link.js";
 *
 * const IMDS_LINK: CredentialLink = { source: "imds", name: "IMDS", badResponseCode: "IMDS_BAD_RESPONSE" };
 * ```
 */
export interface CredentialLink {
  /** `CredentialsError.source` of the errors raised, e.g. `"imds"`, `"container"`. */
  readonly source: string;
  /** How messages name the server, as a sentence's subject, e.g. `"IMDS"`. */
  readonly name: string;
  /** The code for "it answered, but not usably". */
  readonly badResponseCode: CredentialsErrorCode;
}

/**
 * A `CredentialsError` with the link's bad-response code: the server answered, but not usably.
 * Configured but broken, so the chain stops (`tryNextLink: false`); not retryable.
 *
 * @param link - whose answer it was.
 * @param message - what was wrong; must not quote the body.
 */
export function badResponse(link: CredentialLink, message: string): CredentialsError {
  return new CredentialsError(message, { source: link.source, code: link.badResponseCode, tryNextLink: false, retryable: false });
}
