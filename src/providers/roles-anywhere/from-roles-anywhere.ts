/*
 * Why natively rather than by running AWS's `aws_signing_helper` as a credential_process: one
 * binary less to install and patch on every host, no process spawned per refresh, and the answer
 * goes through the same cache, retries, error codes and secret hygiene as every other source here.
 * What the helper does that we do not (PKCS#11 tokens, TPM keys, PKCS#12 bundles, OS certificate
 * stores, ML-DSA) is refused with an error that names the helper, so those keep using it.
 */
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { linkProvider } from "../../sharing/link.js";
import { rolesAnywhereLink } from "./roles-anywhere-link.js";
import type { RolesAnywhereOptions } from "./roles-anywhere-options.js";

/**
 * IAM Roles Anywhere: temporary credentials of an IAM role for a server outside AWS, in exchange for
 * a request signed with its X.509 certificate's private key (the `CreateSession` API that AWS's
 * `aws_signing_helper credential-process` calls), natively.
 *
 * The options are checked now, without I/O (a `TypeError` naming the option). Each call of the
 * provider makes **one** attempt — read the certificate, key and intermediates (files again every
 * time: cert-manager and ACM Private CA agents renew them in place), check them, sign, `POST`,
 * read the answer — with no cache and no retry: wrap it in `memoize`, which refreshes before the
 * credential expires and retries what is `retryable` (throttling, 5xx, network errors, a timeout)
 * with jittered backoff.
 *
 * **Shared by what it reads.** Memoized, it joins the process-wide cache for what decides its answer:
 * the ARNs, region, endpoint, duration and session name, and the certificate, key and intermediates
 * files by their identity (a `stat`) or inline PEM by its digest. Every memoized provider reading the
 * same certificate, key and ARNs shares one credential and one `CreateSession`; a certificate renewed
 * in place is another answer, fetched at that provider's next refresh point. It is a provider like any
 * other: `fromAssumeRole({ source: fromRolesAnywhere(…) })` assumes a role in another account with it.
 *
 * Checked before any request, each with a message naming the file (or “the PEM given as
 * `certificate`”) and never a key byte: the files can be read and parse; the certificate is within
 * its validity window on `clock`; the key is the certificate's; an encrypted key has its passphrase.
 *
 * Errors are `CredentialsError`s with `source: "roles-anywhere"` and `tryNextLink: false` — a
 * configured certificate that fails never silently becomes another identity:
 * - `ROLES_ANYWHERE_FILE_UNREADABLE`: a file is missing, unreadable, a folder or over 1 MiB;
 * - `ROLES_ANYWHERE_CERTIFICATE_INVALID`: malformed or empty material, a certificate expired or not
 *   yet valid, a key that is not the certificate's, a missing or wrong passphrase, a key Roles
 *   Anywhere does not sign with (retryable only for what a renewal in progress explains: an empty
 *   or cut-short file, a key not matching, a certificate not valid *yet*);
 * - `ROLES_ANYWHERE_UNSUPPORTED`: a PKCS#12 bundle, a TPM key or an ML-DSA key, for `aws_signing_helper`;
 * - `ROLES_ANYWHERE_ACCESS_DENIED`: `AccessDeniedException` (an untrusted CA, a disabled trust anchor
 *   or profile, a role not in the profile); the message names the trust anchor and the profile;
 * - `ROLES_ANYWHERE_THROTTLED` (retryable), `ROLES_ANYWHERE_UNAVAILABLE` (refused, reset; retryable),
 *   `ROLES_ANYWHERE_TIMEOUT` (past `timeoutMs`; retryable);
 * - `ROLES_ANYWHERE_ERROR`: `ValidationException`, `ResourceNotFoundException`, other 4xx (not
 *   retryable), 5xx (retryable);
 * - `ROLES_ANYWHERE_BAD_RESPONSE`: a success whose credential is missing a field, already expired,
 *   not JSON, or too large.
 * The returned secret key and session token never appear in any error, log line, `inspect` or JSON
 * output, even when a server echoes them.
 *
 * @param options - certificate, key, ARNs and the rest; see {@link RolesAnywhereOptions}.
 * @returns a provider resolving to `{ accessKeyId, secretAccessKey, sessionToken, expiration, accountId }`
 *   (the role's account).
 * @throws TypeError at once for an invalid option: a malformed ARN, a profile or role in another
 *   region or partition than the trust anchor, `durationSeconds` outside 900–43200, a session name
 *   STS would refuse, an `http:` endpoint that is not this machine, an unknown option (with a “did
 *   you mean”), a `pkcs11:` URI or TPM `handle:`.
 * @throws CredentialsError from the provider, with the codes above.
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromRolesAnywhere, memoize } from "env-or-profile";
 *
 * // A server outside AWS, with a certificate from the organisation's CA (renewed in place by an agent).
 * const s3 = new S3Client({
 *   region: "eu-west-1",
 *   credentials: memoize(
 *     fromRolesAnywhere({
 *       certificate: "/etc/pki/tls/certs/host.pem",
 *       privateKey: "/etc/pki/tls/private/host.key",
 *       trustAnchorArn: "arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/0b7e1a5c-2f6d-4e8a-9c3b-1d2e3f4a5b6c",
 *       profileArn: "arn:aws:rolesanywhere:eu-west-1:123456789012:profile/6f4943fb-13d4-4242-89c4-be367595c380",
 *       roleArn: "arn:aws:iam::123456789012:role/backup-writer",
 *     }),
 *   ),
 * });
 * ```
 */
export function fromRolesAnywhere(options: RolesAnywhereOptions): AwsCredentialIdentityProvider {
  return linkProvider(rolesAnywhereLink(options));
}
