/*
 * Why our own container client rather than the AWS SDK's `fromHttp` / `fromContainerMetadata`:
 * - the same transport and checks as our IMDS link (src/providers/http-credentials/): no proxy, no
 *   redirects, a body cap while streaming, every field of the answer validated (an expired or
 *   half-empty document is an error, not a credential) and nothing of the body in any error;
 * - a refused host is refused before any I/O, with the reason, and without resolving a name;
 * - retries (by `memoize`) are jittered and bounded (the SDK waits a whole timeout between tries);
 * - providers asking the same endpoint with the same token at the same moment share one request.
 */
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { CredentialsError } from "../../errors.js";
import { log } from "../../logger.js";
import { identityRef, optionsKey, secretRef } from "../../sharing/key-parts.js";
import { fallsThrough, linkProvider, type Link, type Reading } from "../../sharing/link.js";
import { CONTAINER_RETRY_BASE_DELAY_MS, CONTAINER_RETRY_MAX_DELAY_MS, checkContainerOptions, readContainerEnv, type CheckedContainerOptions, type ContainerOptions } from "./container-options.js";
import { CONTAINER_ENV_VARIABLES } from "./resolve-container-endpoint.js";

export type { ContainerEnv, ContainerOptions } from "./container-options.js";

/**
 * The container link: credentials from the ECS task role endpoint
 * (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`, on `http://169.254.170.2`) or a full URI such as the
 * EKS Pod Identity agent's (`AWS_CONTAINER_CREDENTIALS_FULL_URI`), with the `Authorization` header
 * from `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read again on every request: EKS rotates it) or
 * `AWS_CONTAINER_AUTHORIZATION_TOKEN`. Which URL is asked, and which hosts are allowed, is
 * {@link resolveContainerEndpoint}'s rule.
 *
 * It makes one attempt per call and does not cache: wrap it in `memoize` (as `envOrProfile` does),
 * which refreshes before `expiration` and retries what can heal (`maxAttempts`). Providers asking the
 * same URL with the same token at the same moment share one request; memoized providers that read
 * the same variables share one credential.
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
 * @param options - see {@link ContainerOptions}; checked now, the environment read on every call.
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
  return linkProvider(containerLink(options));
}

/**
 * The container link: what decides its answer is the URL, the token file's path or the token itself
 * (as a number standing for it), and the options. It answers (or stops a chain) when either URI
 * variable is set.
 * @throws TypeError when an option is invalid.
 * @internal
 */
export function containerLink(options: ContainerOptions = {}): Link {
  const checked = checkContainerOptions(options);
  const optionKey = optionsKey({
    timeoutMs: checked.timeoutMs,
    ca: checked.ca,
    clock: identityRef(options.clock),
    logger: identityRef(checked.logger),
  });
  // Each note (both URIs set, both tokens set) is told once per link, not at every reading.
  const told = new Set<string>();
  return {
    name: "container",
    read: () => readContainer(checked, options.env ?? process.env, optionKey, told),
  };
}

function readContainer(checked: CheckedContainerOptions, env: Readonly<Record<string, string | undefined>>, optionKey: string, told: Set<string>): Reading {
  const reading = readContainerEnv(env);
  for (const note of reading.notes) {
    if (told.has(note)) continue;
    told.add(note);
    log(checked.logger, "warn", `container: ${note}`);
  }
  if (reading.configError !== undefined) {
    const error = reading.configError;
    return { key: `container:invalid:${error.message}`, answers: true, fetch: () => Promise.reject(error) };
  }
  const url = reading.url;
  if (url === undefined) {
    return fallsThrough(
      "container:-",
      new CredentialsError(`${CONTAINER_ENV_VARIABLES.relativeUri} and ${CONTAINER_ENV_VARIABLES.fullUri} are not set`, {
        source: "container",
        code: "CONTAINER_NOT_SET",
        tryNextLink: true,
      }),
    );
  }
  const { authorization } = reading;
  const authorizationKey = authorization.kind === "file" ? `file=${JSON.stringify(authorization.path)}` : authorization.kind === "token" ? `token=${secretRef(authorization.token)}` : "none";
  return {
    key: `container:${JSON.stringify(url)};${authorizationKey};${optionKey}`,
    answers: true,
    retry: { retries: checked.maxAttempts - 1, minTimeout: CONTAINER_RETRY_BASE_DELAY_MS, maxTimeout: CONTAINER_RETRY_MAX_DELAY_MS, factor: 2 },
    // The request, the answer's checks and the token read (container-fetch.ts, its own chunk) load
    // at the first fetch: only container users need them.
    fetch: async () => (await import("./container-fetch.js")).fetchContainerCredentials(checked, url, reading.variable, authorization),
  };
}
