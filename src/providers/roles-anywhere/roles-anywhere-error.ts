import { CredentialsError, type CredentialsErrorCode } from "../../errors.js";

/** `CredentialsError.source` of every Roles Anywhere error. */
export const ROLES_ANYWHERE_SOURCE = "roles-anywhere";

/**
 * A Roles Anywhere `CredentialsError`. Never `tryNextLink`: a configured certificate that fails must
 * never quietly become another identity.
 *
 * @param code - one of the `ROLES_ANYWHERE_*` codes.
 * @param message - for a person; never key bytes, a passphrase or a secret.
 * @param details - whether it can heal, and the cause.
 * @example
 * ```ts
 * import { rolesAnywhereError } from "./roles-anywhere-error.js";
 *
 * throw rolesAnywhereError("ROLES_ANYWHERE_CERTIFICATE_INVALID", 'the certificate file "/etc/pki/host.pem" is empty', { retryable: true });
 * ```
 */
export function rolesAnywhereError(code: CredentialsErrorCode, message: string, details: { retryable?: boolean; cause?: unknown } = {}): CredentialsError {
  return new CredentialsError(message, {
    source: ROLES_ANYWHERE_SOURCE,
    code,
    tryNextLink: false,
    retryable: details.retryable ?? false,
    ...(details.cause === undefined ? {} : { cause: details.cause }),
  });
}
