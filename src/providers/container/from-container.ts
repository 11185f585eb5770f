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
import { CredentialsError, describeError, redactKeyId } from "../../errors.js";
import { log } from "../../logger.js";
import { withRetry } from "../../retry.js";
import { registerCredential, registerSecret } from "../../scrub-secrets.js";
import { identityOf } from "../../shared-providers.js";
import type { CredentialLink } from "../http-credentials/credential-link.js";
import { httpRequest, type HttpResponse } from "../http-credentials/http-request.js";
import { HttpTransportError } from "../http-credentials/http-transport-error.js";
import { parseCredentialJson } from "../http-credentials/parse-credential-json.js";
import { readContainerAuthorization } from "./container-authorization.js";
import {
  CONTAINER_RETRY_BASE_DELAY_MS,
  CONTAINER_RETRY_MAX_DELAY_MS,
  resolveContainerOptions,
  type ContainerOptions,
  type ResolvedContainerOptions,
} from "./container-options.js";
import { CONTAINER_ENV_VARIABLES } from "./resolve-container-endpoint.js";

export type { ContainerEnv, ContainerOptions } from "./container-options.js";

const LINK: CredentialLink = { source: "container", name: "The container credentials endpoint", badResponseCode: "CONTAINER_BAD_RESPONSE" };

/** A `Code` from an error body short and plain enough to quote. */
const QUOTABLE_CODE = /^[A-Za-z]{1,40}$/;

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
      shared = fetchWithRetries(config, url, authorization);
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

async function fetchWithRetries(
  config: ResolvedContainerOptions,
  url: string,
  authorization: string | undefined,
): Promise<AwsCredentialIdentity & { expiration: Date }> {
  const identity = await withRetry(() => fetchOnce(config, url, authorization), {
    retry: { retries: config.maxAttempts - 1, minTimeout: CONTAINER_RETRY_BASE_DELAY_MS, maxTimeout: CONTAINER_RETRY_MAX_DELAY_MS, factor: 2 },
    random: config.random,
    onRetry: ({ retry, delayMs, error }) =>
      log(config.logger, "debug", `container: attempt ${retry} failed (${describeError(error)}); retrying in ${delayMs} ms`),
  });
  log(config.logger, "debug", `container: credentials ${redactKeyId(identity.accessKeyId)} from ${url} expire at ${identity.expiration.toISOString()}`);
  return identity;
}

async function fetchOnce(
  config: ResolvedContainerOptions,
  url: string,
  authorization: string | undefined,
): Promise<AwsCredentialIdentity & { expiration: Date }> {
  let response: HttpResponse;
  try {
    response = await httpRequest({
      method: "GET",
      url,
      headers: authorization === undefined ? {} : { Authorization: authorization },
      timeoutMs: config.timeoutMs,
      ...(config.ca === undefined ? {} : { ca: config.ca }),
    });
  } catch (error) {
    throw transportError(error, url, config);
  }
  if (response.status !== 200) {
    throw httpError(response, url, authorization !== undefined);
  }
  const { identity } = parseCredentialJson(response.body, { link: LINK, nowMs: config.clock.now(), what: `credentials from ${url}`, code: "optional" });
  registerCredential(identity);
  return identity;
}

function transportError(error: unknown, url: string, config: ResolvedContainerOptions): CredentialsError {
  if (!(error instanceof HttpTransportError)) {
    return new CredentialsError(`The request to ${url} could not be made: ${describeError(error)}`, {
      source: "container",
      code: "CONTAINER_CONFIG_INVALID",
      tryNextLink: false,
      cause: error,
    });
  }
  const from = `from ${config.variable ?? "the container credentials URI"}`;
  switch (error.failure) {
    case "timeout":
      return new CredentialsError(`The container credentials endpoint ${url} (${from}) did not answer: ${error.message}`, {
        source: "container",
        code: "CONTAINER_TIMEOUT",
        tryNextLink: false,
        retryable: true,
        cause: error,
      });
    case "too-large":
      return new CredentialsError(`The container credentials endpoint ${url} sent too much: ${error.message}`, {
        source: "container",
        code: "CONTAINER_TOO_LARGE",
        tryNextLink: false,
        cause: error,
      });
    case "unreachable":
    case "network":
      return new CredentialsError(
        `The container credentials endpoint ${url} (${from}) is configured but could not be reached: ${error.message}; not falling back to another identity`,
        { source: "container", code: "CONTAINER_UNAVAILABLE", tryNextLink: false, retryable: true, cause: error },
      );
  }
}

function httpError(response: HttpResponse, url: string, sentAuthorization: boolean): CredentialsError {
  const status = response.status;
  const code = serverCode(response.body);
  const said = code === undefined ? "" : ` (${code})`;
  let why: string;
  if (status === 401 || status === 403) {
    why = sentAuthorization
      ? `refused the authorization token (HTTP ${status}${said}); is ${CONTAINER_ENV_VARIABLES.authorizationTokenFile} the pod's current token?`
      : `asks for authorization (HTTP ${status}${said}), and neither ${CONTAINER_ENV_VARIABLES.authorizationTokenFile} nor ${CONTAINER_ENV_VARIABLES.authorizationToken} is set`;
  } else if (status >= 300 && status < 400) {
    why = `answered with a redirect (HTTP ${status}), which is never followed for credentials`;
  } else if (status === 404) {
    why = `has no credentials at this path (HTTP 404${said})`;
  } else if (status === 429) {
    why = `is throttling (HTTP 429${said})`;
  } else {
    why = `answered HTTP ${status}${said}`;
  }
  return new CredentialsError(`The container credentials endpoint ${url} ${why}`, {
    source: "container",
    code: "CONTAINER_HTTP_ERROR",
    tryNextLink: false,
    retryable: status >= 500 || status === 429,
  });
}

/** The `Code` of a JSON error body, when it is a plain word; never any other server text. */
function serverCode(body: string): string | undefined {
  if (body.length > 4096) return undefined;
  try {
    const value = JSON.parse(body) as unknown;
    const code = typeof value === "object" && value !== null ? (value as Record<string, unknown>)["Code"] : undefined;
    return typeof code === "string" && QUOTABLE_CODE.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}
