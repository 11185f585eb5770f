import type { AwsCredentialIdentity } from "@smithy/types";
import { CredentialsError, describeError, redactKeyId } from "../../errors.js";
import { log } from "../../logger.js";
import { withRetry } from "../../retry.js";
import { registerCredential } from "../../scrub-secrets.js";
import type { CredentialLink } from "../http-credentials/credential-link.js";
import { httpRequest, type HttpResponse } from "../http-credentials/http-request.js";
import { HttpTransportError } from "../http-credentials/http-transport-error.js";
import { parseCredentialJson } from "../http-credentials/parse-credential-json.js";
import { CONTAINER_RETRY_BASE_DELAY_MS, CONTAINER_RETRY_MAX_DELAY_MS, type ResolvedContainerOptions } from "./container-options.js";
import { CONTAINER_ENV_VARIABLES } from "./resolve-container-endpoint.js";

// The container link's fetch path, apart from `fromContainer` (which checks the endpoint and
// options when created): loaded at the first fetch, not at `import "env-or-profile"` (issue 13:
// the import within a third of the SDK's).

const LINK: CredentialLink = { source: "container", name: "The container credentials endpoint", badResponseCode: "CONTAINER_BAD_RESPONSE" };

/** A `Code` from an error body short and plain enough to quote. */
const QUOTABLE_CODE = /^[A-Za-z]{1,40}$/;

/** The credentials from `url`, retried while the failure can heal. @internal */
export async function fetchWithRetries(
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
