import { CredentialsError } from "../../errors.js";
import { isLoopbackHostname } from "../http-credentials/is-loopback-hostname.js";

/** The environment variables the container link reads (the AWS SDKs' and CLI's names). */
export const CONTAINER_ENV_VARIABLES: Readonly<{
  /** A path on the ECS credentials host, e.g. `/v2/credentials/<id>` (ECS task roles). */
  relativeUri: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
  /** A whole URL, e.g. `http://169.254.170.23/v1/credentials` (EKS Pod Identity). */
  fullUri: "AWS_CONTAINER_CREDENTIALS_FULL_URI";
  /** A file holding the `Authorization` header value, re-read on every request (EKS rotates it). */
  authorizationTokenFile: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
  /** The `Authorization` header value itself. */
  authorizationToken: "AWS_CONTAINER_AUTHORIZATION_TOKEN";
}> = Object.freeze({
  relativeUri: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  fullUri: "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  authorizationTokenFile: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
  authorizationToken: "AWS_CONTAINER_AUTHORIZATION_TOKEN",
});

/**
 * The ECS container credentials host that `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is relative to
 * (ECS task IAM roles documentation; `http://169.254.170.2` in every AWS SDK).
 */
export const ECS_CONTAINER_HOST = "169.254.170.2";

/**
 * The hosts besides loopback ({@link isLoopbackHostname}) an `http:` `AWS_CONTAINER_CREDENTIALS_FULL_URI`
 * may name, as the WHATWG URL parser writes them: the ECS host and the EKS Pod Identity agent (IPv4
 * and IPv6). The same list as the AWS SDK for JavaScript v3 (`@aws-sdk/credential-provider-http`
 * `checkUrl`) and botocore (`ContainerMetadataFetcher`).
 */
const ALLOWED_HTTP_HOSTS: ReadonlySet<string> = new Set([ECS_CONTAINER_HOST, "169.254.170.23", "[fd00:ec2::23]"]);

/** What the container link would ask, and why; internal to the link and the chain. */
export interface ContainerEndpoint {
  /** The URL asked for credentials. */
  readonly url: string;
  /** The variable it came from. */
  readonly variable: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" | "AWS_CONTAINER_CREDENTIALS_FULL_URI";
  /** Set when both URI variables are set: which one was ignored, and why, for logs and `explain`. */
  readonly note: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The URL the container credentials link would ask, without any I/O (no request, no DNS lookup):
 * - `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` → `http://169.254.170.2<uri>` (it must start with `/`);
 * - else `AWS_CONTAINER_CREDENTIALS_FULL_URI`, when it is `https:`, or `http:` to loopback
 *   (127.0.0.0/8, `::1`, `localhost`), 169.254.170.2, 169.254.170.23 or `fd00:ec2::23`;
 * - neither set (or set to an empty string) → `undefined`.
 *
 * When both are set the relative URI wins, as in every AWS SDK (ECS sets it, and a stray full URI
 * inherited from elsewhere must not redirect a task's credentials); the chain's logger and
 * `env-or-profile explain` say so.
 *
 * The host is decided from the URL as written, never by resolving a name: `169.254.170.2.evil.com`,
 * `127.0.0.1.nip.io` and `localhost.` are refused, as are IPv4-mapped IPv6 forms
 * (`[::ffff:127.0.0.1]`) that are not on the list, URLs with user info (`user@host`), and anything
 * with control characters.
 *
 * @param env - the environment to read. @defaultValue `process.env`
 * @returns the URL, or `undefined` when the link is not configured.
 * @throws CredentialsError (`source: "container"`, `tryNextLink: false`): `CONTAINER_HOST_NOT_ALLOWED`
 *   for a host not on the list, `CONTAINER_CONFIG_INVALID` for a URI that does not parse.
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromContainer, memoize, resolveContainerEndpoint } from "env-or-profile";
 *
 * // Fail at start-up, before any request, when the task's endpoint is not one we would ask.
 * console.log(resolveContainerEndpoint() ?? "no container credentials here");
 * const s3 = new S3Client({ region: "us-east-1", credentials: memoize(fromContainer()) });
 * ```
 */
export function resolveContainerEndpoint(env?: Env): string | undefined {
  return resolveContainerSettings(env ?? process.env)?.url;
}

/**
 * {@link resolveContainerEndpoint} with the variable it came from and the "both are set" note.
 * @internal
 */
export function resolveContainerSettings(env: Env): ContainerEndpoint | undefined {
  if (typeof env !== "object" || env === null) {
    throw new TypeError("Expected `env` to be an object of environment variables");
  }
  const relative = nonEmpty(env[CONTAINER_ENV_VARIABLES.relativeUri]);
  const full = nonEmpty(env[CONTAINER_ENV_VARIABLES.fullUri]);
  if (relative !== undefined) {
    const note =
      full === undefined
        ? undefined
        : `${CONTAINER_ENV_VARIABLES.relativeUri} and ${CONTAINER_ENV_VARIABLES.fullUri} are both set; ` +
          `${CONTAINER_ENV_VARIABLES.relativeUri} wins (as in the AWS SDKs: it is what ECS sets for the task role) and ` +
          `${CONTAINER_ENV_VARIABLES.fullUri} is ignored`;
    return { url: relativeUrl(relative), variable: CONTAINER_ENV_VARIABLES.relativeUri, note };
  }
  if (full !== undefined) {
    return { url: checkFullUri(full), variable: CONTAINER_ENV_VARIABLES.fullUri, note: undefined };
  }
  return undefined;
}

/** Whether either URI variable is set (the link is configured), without checking it. */
export function containerConfigured(env: Env): boolean {
  return nonEmpty(env[CONTAINER_ENV_VARIABLES.relativeUri]) !== undefined || nonEmpty(env[CONTAINER_ENV_VARIABLES.fullUri]) !== undefined;
}

/**
 * Whether `url` (already parsed) may be asked for container credentials: `https:` anywhere, `http:`
 * only to the hosts listed in {@link resolveContainerEndpoint}. Decided from the canonical host text
 * alone; no name is resolved.
 * @internal
 */
export function isAllowedContainerUrl(url: URL): boolean {
  if (url.username !== "" || url.password !== "") {
    return false;
  }
  if (url.protocol === "https:") {
    return url.hostname !== "";
  }
  if (url.protocol !== "http:") {
    return false;
  }
  // The URL parser has already turned every IPv4 spelling into a dotted quad of 0–255.
  return ALLOWED_HTTP_HOSTS.has(url.hostname) || isLoopbackHostname(url.hostname);
}

function relativeUrl(relative: string): string {
  const variable = CONTAINER_ENV_VARIABLES.relativeUri;
  if (CONTROL.test(relative)) {
    throw invalid(`${variable} contains a control character or whitespace`);
  }
  if (!relative.startsWith("/")) {
    // Without the slash, "@evil.example/" would turn http://169.254.170.2 into user info.
    throw invalid(`${variable} must be a path starting with "/" (it is appended to http://${ECS_CONTAINER_HOST}), got ${quote(relative)}`);
  }
  let url: URL;
  try {
    url = new URL(`http://${ECS_CONTAINER_HOST}${relative}`);
  } catch {
    throw invalid(`${variable} is not a valid URL path: ${quote(relative)}`);
  }
  if (url.hostname !== ECS_CONTAINER_HOST || url.port !== "" || url.username !== "" || url.password !== "") {
    throw notAllowed(`${variable} ${quote(relative)} does not stay on http://${ECS_CONTAINER_HOST}`);
  }
  return url.href;
}

function checkFullUri(full: string): string {
  const variable = CONTAINER_ENV_VARIABLES.fullUri;
  if (CONTROL.test(full)) {
    throw invalid(`${variable} contains a control character or whitespace`);
  }
  let url: URL;
  try {
    url = new URL(full);
  } catch {
    throw invalid(`${variable} is not a valid URL: ${quote(full)}`);
  }
  if (!isAllowedContainerUrl(url)) {
    const why =
      url.username !== "" || url.password !== ""
        ? "it carries user info (user@host)"
        : url.protocol !== "http:" && url.protocol !== "https:"
          ? `its scheme is ${quote(url.protocol)}`
          : `http: to ${quote(url.hostname)} is not allowed`;
    throw notAllowed(
      `${variable} ${quote(redactUserInfo(url))} is refused before any request: ${why}. It must be https:, or http: to loopback ` +
        `(127.0.0.0/8, [::1], localhost), the ECS host ${ECS_CONTAINER_HOST}, or the EKS Pod Identity host 169.254.170.23 / [fd00:ec2::23]; ` +
        "host names are never resolved to decide",
    );
  }
  return url.href;
}

/** ASCII control characters and whitespace: never in a URI we send (the URL parser would drop some silently). */
const CONTROL = {
  test(text: string): boolean {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code <= 0x20 || code === 0x7f) return true;
    }
    return false;
  },
};

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/** A URI for a message: cut short; URIs are not secrets, but may be long junk. */
function quote(text: string): string {
  const shown = JSON.stringify(text.length > 200 ? `${text.slice(0, 197)}...` : text);
  return shown;
}

/** The URL without its user info (a password in a URL must not reach a message). */
function redactUserInfo(url: URL): string {
  if (url.username === "" && url.password === "") {
    return url.href;
  }
  const copy = new URL(url.href);
  copy.username = "";
  copy.password = "";
  return copy.href.replace("://", "://…@");
}

function invalid(message: string): CredentialsError {
  return new CredentialsError(message, { source: "container", code: "CONTAINER_CONFIG_INVALID", tryNextLink: false });
}

function notAllowed(message: string): CredentialsError {
  return new CredentialsError(message, { source: "container", code: "CONTAINER_HOST_NOT_ALLOWED", tryNextLink: false });
}
