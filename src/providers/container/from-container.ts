/*
 * Why our own container client rather than the AWS SDK's `fromHttp` / `fromContainerMetadata`:
 * - the same transport and checks as our IMDS link (src/providers/http-credentials/): no proxy, no
 *   redirects, a body cap while streaming, every field of the answer validated (an expired or
 *   half-empty document is an error, not a credential) and nothing of the body in any error;
 * - a refused host is refused before any I/O, with the reason, and without resolving a name;
 * - retries are jittered and bounded (the SDK waits a whole timeout between tries);
 * - providers asking the same endpoint with the same token share one request in flight.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { CredentialsError } from "../../errors.js";
import { log } from "../../logger.js";
import { registerSecret } from "../../scrub-secrets.js";
import { identityOf } from "../../shared-providers.js";
import { readContainerAuthorization } from "./container-authorization.js";
import { resolveContainerOptions, type ContainerOptions } from "./container-options.js";
import { CONTAINER_ENV_VARIABLES } from "./resolve-container-endpoint.js";

export type { ContainerEnv, ContainerOptions } from "./container-options.js";

/**
 * Requests in flight, per clock, URL and `Authorization` value (held only in memory, never shown): many
 * providers for one endpoint — one per SDK client, or 10,000 made at start-up — make one request.
 */
const inflight = new Map<string, Promise<AwsCredentialIdentity & { expiration: Date }>>();

/**
 * The container link: credentials from the ECS task role endpoint
 * (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`, on `http://169.254.170.2`) or a full URI such as the
 * EKS Pod Identity agent's (`AWS_CONTAINER_CREDENTIALS_FULL_URI`), with the `Authorization` header
 * from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read again on every request: EKS rotates it) or
 * `AWS_CONTAINER_AUTHORIZATION_TOKEN`. Which URL is asked, and which hosts are allowed, is
 * {@link resolveContainerEndpoint}'s rule.
 *
 * It does not cache: wrap it in `memoize` (as `envOrProfile` does), which refreshes before
 * `expiration`.
 *
 * Failures are `CredentialsError`s with `source: "container"`:
 * - not configured (`tryNextLink: true`): `CONTAINER_NOT_SET`, without I/O;
 * - configured but broken (`tryNextLink: false`, so a chain never falls through to another
 *   identity such as the node's instance profile): `CONTAINER_HOST_NOT_ALLOWED` and
 *   `CONTAINER_CONFIG_INVALID` (without I/O), `CONTAINER_TOKEN_INVALID` (unreadable, empty or
 *   CR/LF token), `CONTAINER_UNAVAILABLE` (refused, reset; `retryable`), `CONTAINER_TIMEOUT`
 *   (`retryable`), `CONTAINER_HTTP_ERROR` (`retryable` for 5xx and 429), `CONTAINER_BAD_RESPONSE`
 *   (not JSON, a missing field, already expired), `CONTAINER_TOO_LARGE`.
 *
 * @param options - see {@link ContainerOptions}; the environment is read now.
 * @returns a provider resolving to `{ accessKeyId, secretAccessKey, sessionToken, expiration }`
 *   (plus `accountId` when the endpoint gives one).
 * @throws TypeError at once when an option is invalid, e.g. "Expected `timeoutMs` to be …".
 * @throws CredentialsError from the provider (`source: "container"`): `CONTAINER_NOT_SET` (falls
 *   through); `CONTAINER_HOST_NOT_ALLOWED`, `CONTAINER_CONFIG_INVALID`, `CONTAINER_TOKEN_INVALID`,
 *   `CONTAINER_BAD_RESPONSE`, `CONTAINER_TOO_LARGE`, `CONTAINER_HTTP_ERROR` (4xx) — not retryable;
 *   `CONTAINER_UNAVAILABLE`, `CONTAINER_TIMEOUT`, `CONTAINER_HTTP_ERROR` (5xx, 429) — retryable.
 *   None of these but the first falls through a chain.
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromContainer, memoize } from "env-or-profile";
 *
 * // On ECS or EKS Pod Identity: the task's or pod's role, never the node's.
 * const s3 = new S3Client({ region: "us-east-1", credentials: memoize(fromContainer({ timeoutMs: 2_000 })) });
 * ```
 */
export function fromContainer(options: ContainerOptions = {}): AwsCredentialIdentityProvider {
  const config = resolveContainerOptions(options);
  for (const note of config.notes) {
    log(config.logger, "warn", `container: ${note}`);
  }
  return async () => {
    if (config.configError !== undefined) {
      throw config.configError;
    }
    if (config.url === undefined) {
      throw new CredentialsError(`${CONTAINER_ENV_VARIABLES.relativeUri} and ${CONTAINER_ENV_VARIABLES.fullUri} are not set`, {
        source: "container",
        code: "CONTAINER_NOT_SET",
        tryNextLink: true,
      });
    }
    const url = config.url;
    const authorization = await readContainerAuthorization(config.authorization);
    // A server (or proxy) that echoes the token back must not get it into any message we show.
    if (authorization !== undefined) registerSecret(authorization);
    // The clock is part of the key: each provider judges Expiration by its own clock.
    const key = `${identityOf(config.clock)}\n${url}\n${authorization ?? ""}`;
    let shared = inflight.get(key);
    if (shared === undefined) {
      // The request, its retries and the answer's checks (container-fetch.ts, its own chunk) load
      // at the first fetch: only container users need them, and they are not part of
      // `import "env-or-profile"`. Set in the same tick, so callers still share one request.
      shared = import("./container-fetch.js").then(({ fetchWithRetries }) => fetchWithRetries(config, url, authorization));
      inflight.set(key, shared);
      const clear = (): void => {
        if (inflight.get(key) === shared) inflight.delete(key);
      };
      shared.then(clear, clear);
    }
    const identity = await shared;
    return { ...identity, expiration: new Date(identity.expiration.getTime()) };
  };
}

