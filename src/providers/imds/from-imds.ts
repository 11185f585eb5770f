/*
 * Why our own IMDS client rather than the AWS SDK's `fromInstanceMetadata`
 * (`@smithy/credential-provider-imds`):
 * - it fetches a new IMDSv2 token on every refresh; we cache the token for its life, shared by
 *   every provider on the endpoint, and fetch a new one only when it ends or gets a 401;
 * - off EC2 it pays two full timeouts (token request, then the IMDSv1 try) on every call; we pay
 *   at most one timeout in total, fall through at once on a refused connection, and then fail fast
 *   without I/O for a 15–30 s cool-down;
 * - it accepts a credentials document whose `Code` is not "Success", and `Expiration`s that do not
 *   parse or are already past; we validate every field and say which one was wrong, without ever
 *   echoing the body (it carries secrets).
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { CredentialsError, describeError, redactKeyId } from "../../errors.js";
import { log } from "../../logger.js";
import { endpointState } from "./endpoint-state.js";
import { createImdsClient, type ImdsClient } from "./imds-client.js";
import {
  assertImdsUsable,
  resolveImdsOptions,
  STATIC_STABILITY_JITTER_MS,
  STATIC_STABILITY_MIN_EXTENSION_MS,
  type ImdsOptions,
  type ResolvedImdsOptions,
} from "./imds-options.js";
import { parseImdsCredentials } from "./parse-credentials.js";
import { parseRoleName } from "./parse-role-name.js";

export type { ImdsEnv, ImdsOptions } from "./imds-options.js";

/** Where IMDS lists the instance profile's role, and serves its credentials under the role name. */
export const IMDS_CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials/";

/**
 * The EC2 instance-profile link: credentials from the Instance Metadata Service (IMDS).
 *
 * IMDSv2 first (a session token, cached for its lifetime and shared by every provider on the
 * endpoint), IMDSv1 as a fallback unless turned off. The role name is discovered once and
 * rediscovered only when its path answers 404. Every field of the answer is validated.
 *
 * It does not cache credentials itself: wrap it in `memoize` (as `envOrProfile` does), which
 * refreshes before `expiration`.
 *
 * Failures are `CredentialsError`s with `source: "imds"`:
 * - not on EC2 (`tryNextLink: true`): `IMDS_DISABLED` (`AWS_EC2_METADATA_DISABLED=true`, no I/O),
 *   `IMDS_UNAVAILABLE` (refused, no route, or cooling down after that), `IMDS_TIMEOUT` (nothing
 *   answered), `IMDS_NO_ROLE` (an instance without a profile), `IMDS_HTTP_ERROR` for a 403 (the
 *   metadata endpoint is turned off or blocked);
 * - on EC2 but broken (`tryNextLink: false`): `IMDS_HTTP_ERROR` (`retryable` for 5xx and 429),
 *   `IMDS_BAD_RESPONSE`, `IMDS_TOO_LARGE`, `IMDS_V1_DISABLED`, `IMDS_TIMEOUT` (`retryable` when
 *   IMDS answered before; not for a token request lost to a container's hop limit),
 *   `CONFIG_INVALID` (a bad `AWS_EC2_METADATA_*` / `AWS_METADATA_SERVICE_*` variable).
 *
 * @param options - see {@link ImdsOptions}; the environment is read now, options win over it.
 * @returns a provider resolving to `{ accessKeyId, secretAccessKey, sessionToken, expiration }`
 *   (plus `accountId` when IMDS gives one).
 * @throws TypeError at once when an option is invalid, e.g. "Expected `tokenTtlSeconds` to be …".
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromImds, memoize } from "env-or-profile";
 *
 * const s3 = new S3Client({
 *   region: "eu-west-1",
 *   credentials: memoize(fromImds({ timeoutMs: 500, allowImdsV1: false })),
 * });
 * ```
 */
export function fromImds(options: ImdsOptions = {}): AwsCredentialIdentityProvider {
  const config = resolveImdsOptions(options);
  const { clock, logger } = config;
  let client: ImdsClient | undefined;
  const shared = endpointState(config.endpoint);
  let lastGood: (AwsCredentialIdentity & { expiration: Date }) | undefined;

  const resolve = async (): Promise<AwsCredentialIdentity & { expiration: Date }> => {
    assertImdsUsable(config);
    client ??= createImdsClient(config);

    let role = config.roleName ?? shared.roleName;
    let fresh = false;
    if (role === undefined) {
      role = shared.roleName = await discoverRole(client, config);
      fresh = true;
    }
    for (;;) {
      const response = await client.get(`${IMDS_CREDENTIALS_PATH}${encodeURIComponent(role)}`);
      if (response.status !== 404) {
        return parseImdsCredentials(response.body, clock.now(), `role "${role}"`);
      }
      if (config.roleName !== undefined || fresh) {
        throw new CredentialsError(
          `IMDS at ${config.endpoint} has no credentials for role "${role}" (404)` +
            (config.roleName !== undefined ? "; is it this instance profile's role?" : "; the instance profile is changing?"),
          { source: "imds", code: "IMDS_HTTP_ERROR", tryNextLink: false, retryable: config.roleName === undefined },
        );
      }
      log(logger, "debug", `imds: role "${role}" answered 404; discovering the role again`);
      role = shared.roleName = await discoverRole(client, config);
      fresh = true;
    }
  };

  return async () => {
    try {
      const identity = await resolve();
      lastGood = identity;
      log(
        logger,
        "debug",
        `imds: credentials ${redactKeyId(identity.accessKeyId)} expire at ${identity.expiration.toISOString()}`,
      );
      return identity;
    } catch (error) {
      if (!config.staticStability || lastGood === undefined) throw error;
      const now = clock.now();
      const extension = STATIC_STABILITY_MIN_EXTENSION_MS + Math.floor(config.random() * STATIC_STABILITY_JITTER_MS);
      const expiration = new Date(Math.max(lastGood.expiration.getTime(), now + extension));
      lastGood = { ...lastGood, expiration };
      log(
        logger,
        "warn",
        `imds: refresh failed (${describeError(error)}); serving the previous credentials ` +
          `${redactKeyId(lastGood.accessKeyId)} until ${expiration.toISOString()} (static stability)`,
      );
      return { ...lastGood };
    }
  };
}

async function discoverRole(client: ImdsClient, config: ResolvedImdsOptions): Promise<string> {
  const response = await client.get(IMDS_CREDENTIALS_PATH);
  const role = response.status === 404 ? undefined : parseRoleName(response.body);
  if (role === undefined) {
    throw new CredentialsError(
      `IMDS at ${config.endpoint} lists no role: this instance has no instance profile`,
      { source: "imds", code: "IMDS_NO_ROLE", tryNextLink: true, retryable: false },
    );
  }
  log(config.logger, "debug", `imds: instance profile role is "${role}"`);
  return role;
}
