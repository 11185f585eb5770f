import type { AwsCredentialIdentity } from "@smithy/types";
import { CredentialsError, describeError, redactKeyId } from "../../errors.js";
import { log } from "../../logger.js";
import { markCredential } from "../../sdk/credential-marks.js";
import { registerCredential, registerSecret } from "../../scrub-secrets.js";
import { coalesce } from "../../sharing/coalesce.js";
import { processSlot } from "../../sharing/process-state.js";
import type { CredentialLink } from "../http-credentials/credential-link.js";
import { httpRequest, type HttpResponse } from "../http-credentials/http-request.js";
import { HttpTransportError } from "../http-credentials/http-transport-error.js";
import { parseCredentialJson } from "../http-credentials/parse-credential-json.js";
import { readContainerAuthorization, type ContainerAuthorization } from "./container-authorization.js";
import type { CheckedContainerOptions } from "./container-options.js";
import { CONTAINER_ENV_VARIABLES } from "./resolve-container-endpoint.js";

// The container link's fetch path, apart from `fromContainer` (which checks the options when
// created and reads the variables on every call): loaded at the first fetch, not at
// `import "env-or-profile"` (the import within a third of the SDK's).

const LINK: CredentialLink = { source: "container", name: "The container credentials endpoint", badResponseCode: "CONTAINER_BAD_RESPONSE" };

/** A `Code` from an error body short and plain enough to quote. */
const QUOTABLE_CODE = /^[A-Za-z]{1,40}$/;

/** Requests in flight, by URL, `Authorization` value and deadline (held only in memory, never shown). */
function inflight(): Map<string, Promise<unknown>> {
  return processSlot("container.inflight", () => new Map<string, Promise<unknown>>(), (map) => map.clear());
}

/**
 * One attempt at the credentials from `url`: the token read now (EKS rotates it), one GET — shared
 * with every caller asking the same URL with the same token at the same moment — and the answer
 * checked on this caller's clock.
 * @internal
 */
export async function fetchContainerCredentials(
  config: CheckedContainerOptions,
  url: string,
  variable: string | undefined,
  authorizationSource: ContainerAuthorization,
): Promise<AwsCredentialIdentity & { expiration: Date }> {
  const authorization = await readContainerAuthorization(authorizationSource);
  // A server (or proxy) that echoes the token back must not get it into any message we show.
  if (authorization !== undefined) registerSecret(authorization);
  const response = await coalesce(inflight(), `${url}\n${authorization ?? ""}\n${config.timeoutMs}\n${config.ca ?? ""}`, () => send(config, url, variable, authorization));
  if (response.status !== 200) {
    throw httpError(response, url, authorization !== undefined);
  }
  const { identity } = parseCredentialJson(response.body, { link: LINK, nowMs: config.clock.now(), what: `credentials from ${url}`, code: "optional" });
  registerCredential(identity);
  log(config.logger, "debug", `container: credentials ${redactKeyId(identity.accessKeyId)} from ${url} expire at ${identity.expiration.toISOString()}`);
  return markCredential(identity, "CREDENTIALS_HTTP"); // as the SDK's fromHttp
}

async function send(config: CheckedContainerOptions, url: string, variable: string | undefined, authorization: string | undefined): Promise<HttpResponse> {
  try {
    return await httpRequest({
      method: "GET",
      url,
      headers: authorization === undefined ? {} : { Authorization: authorization },
      timeoutMs: config.timeoutMs,
      ...(config.ca === undefined ? {} : { ca: config.ca }),
    });
  } catch (error) {
    throw transportError(error, url, variable);
  }
}

function transportError(error: unknown, url: string, variable: string | undefined): CredentialsError {
  if (!(error instanceof HttpTransportError)) {
    return new CredentialsError(`The request to ${url} could not be made: ${describeError(error)}`, {
      source: "container",
      code: "CONTAINER_CONFIG_INVALID",
      tryNextLink: false,
      cause: error,
    });
  }
  const from = `from ${variable ?? "the container credentials URI"}`;
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
