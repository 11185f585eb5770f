import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { baseChainLink } from "../base-chain.js";
import { checkLogger } from "../check-runtime-options.js";
import { asMemoized, memoizeLink } from "../memoize.js";
import { linkProvider, type Link } from "../sharing/link.js";
import { assumeRoleLink } from "./assume-role/assume-role-link.js";
import { checkAssumeRoleOptions, roleStsLocation, type AssumeRoleOptions } from "./assume-role/assume-role-options.js";

export { DEFAULT_ASSUME_ROLE_DURATION_SECONDS, type AssumeRoleOptions } from "./assume-role/assume-role-options.js";
export { DEFAULT_STS_TIMEOUT_MS } from "./sts/sts-client-config.js";

/**
 * A provider that assumes an IAM role with STS AssumeRole (optionally with an `ExternalId`), signed
 * by base credentials from `source` (environment, then IMDS, by default).
 *
 * - **Validated up front**: a malformed role ARN, ExternalId, session name, duration, session tag,
 *   policy, region or endpoint option throws a `TypeError` from `fromAssumeRole` itself, before any
 *   request (a malformed `AWS_REGION` / `AWS_ENDPOINT_URL_STS` fails the call with `CONFIG_INVALID`).
 * - **One attempt per call**, with a deadline that aborts the request; identical concurrent requests
 *   are sent once. Wrap it in `memoize` (or use `envOrProfile({ assumeRole })`) to cache the role's
 *   credential until five minutes before it expires and to retry what can heal (throttling, 5xx,
 *   network errors, timeouts): memoized providers for the same role, settings, STS location and base
 *   identity share one credential and one AssumeRole.
 * - **Keyed by the base identity**: the base credentials are read on each reading (a memoized
 *   source costs no request while it is fresh); rotated base keys are another answer.
 * - **Rotated base keys**: when STS rejects the base (`InvalidClientTokenId`, `ExpiredToken`,
 *   `SignatureDoesNotMatch`, …), a memoized source is told to forget it, and the call is made once
 *   more if the source now has different keys (e.g. `AWS_ACCESS_KEY_ID` changed in `process.env`).
 * - **MFA**: with `mfaSerial`, the code comes from `mfaCodeProvider`; without one, `MFA_REQUIRED`
 *   and no request. A refused code is not retried.
 *
 * @param options - the role and how to reach STS; see {@link AssumeRoleOptions}.
 * @returns a provider of the role's temporary credentials (with `accountId` from the role ARN).
 * @throws TypeError from `fromAssumeRole` when an option is invalid (message names the option).
 * @throws CredentialsError from the provider, never falling through a chain (`tryNextLink: false`):
 *   `STS_ACCESS_DENIED` (trust policy / ExternalId / permission; not retryable),
 *   `STS_INVALID_BASE_CREDENTIALS` (STS rejected the base key or its signature; not retryable),
 *   `STS_THROTTLED` (retryable), `STS_ERROR` (5xx, network, timeout, RequestExpired/RequestTimeout:
 *   retryable; other 4xx: not),
 *   `STS_BAD_RESPONSE` (unreadable answer), `STS_SOURCE_FAILED` (the base credentials could not be
 *   had; `retryable` as the base's failure, unless the base's own `memoize` retried it already),
 *   `MFA_REQUIRED` (no `mfaCodeProvider`, or no six-digit code from it; no request), `CONFIG_INVALID`.
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromAssumeRole, memoize } from "env-or-profile";
 *
 * const s3 = new S3Client({
 *   region: "eu-west-1",
 *   credentials: memoize(
 *     fromAssumeRole({
 *       roleArn: "arn:aws:iam::123456789012:role/deploy",
 *       externalId: "tenant-42",
 *     }),
 *   ),
 * });
 * ```
 */
export function fromAssumeRole(options: AssumeRoleOptions): AwsCredentialIdentityProvider {
  const role = checkAssumeRoleOptions(options);
  checkLogger(options.logger);
  // The step itself (its base's cache, its STS location) is put together at the first reading: a
  // provider made per client or per request, and perhaps never called, costs only its checks.
  let step: Link | undefined;
  const makeStep = (): Link => {
    const { clock, logger } = options;
    const common = { ...(clock === undefined ? {} : { clock }), ...(logger === undefined ? {} : { logger }) };
    const source =
      options.source === undefined
        ? // The default base: envOrProfile()'s chain, memoized and shared with every envOrProfile() that reads the same world.
          memoizeLink(() => baseChainLink({ profile: {}, webIdentity: {}, container: {}, ...common }), common, "env-or-profile-or-web-identity-or-container-or-imds")
        : asMemoized(options.source);
    return assumeRoleLink(role.settings, {
      source,
      location: roleStsLocation(role, options.env ?? process.env),
      mfaCodeProvider: options.mfaCodeProvider,
      logger,
    });
  };
  return linkProvider({ name: "assume-role", read: () => (step ??= makeStep()).read() });
}
