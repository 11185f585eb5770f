// What both STS links (AssumeRole, AssumeRoleWithWebIdentity) read out of whatever the STS client
// threw, before each maps it to its own codes and hints (assume-role/map-sts-error.ts,
// web-identity/map-sts-error.ts).

/** Transport failures: nothing reached STS, or nothing came back. */
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** How the SDK's deserializer says a body was not the XML it expected. */
const UNREADABLE_BODY = /Deserialization error|XML parse error|char '.' is not expected/i;

interface SdkErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
}

/**
 * The facts of one failed STS call, read defensively (the thrown value may be anything).
 * @internal
 */
export interface StsErrorFacts {
  /** The error's `name` (`"Error"` when it has none). */
  readonly name: string;
  /** `name` without the `Exception` suffix the SDK gives modelled errors (`InvalidIdentityTokenException`). */
  readonly kind: string;
  /** The Node or undici error code (`ECONNRESET`, …), when there is one. */
  readonly code: string | undefined;
  /** The HTTP status STS answered with, when it answered. */
  readonly status: number | undefined;
  /** For messages: `request id …`, or `no request id`. */
  readonly rid: string;
  /** The first line of the message, capped at 500 characters and passed through the link's scrub: an SDK message can go on to quote the response body. */
  readonly message: string;
  /** Whether the SDK marked the failure as the server's. */
  readonly serverFault: boolean;
  /** A secret-free stand-in for the error, to keep as `cause`: name, code, message, HTTP status, request id; no `$response`, no body, no request. */
  readonly cause: Error;
}

/**
 * Reads the facts of an STS failure. `scrub` takes out of the message whatever secret the request
 * carried that STS may echo (the web identity token); the cause carries the scrubbed message only.
 * @internal
 */
export function readStsError(error: unknown, scrub: (line: string) => string = (line) => line): StsErrorFacts {
  const e = (typeof error === "object" && error !== null ? error : {}) as SdkErrorLike;
  const name = typeof e.name === "string" ? e.name : "Error";
  const code = typeof e.code === "string" ? e.code : undefined;
  const status = typeof e.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : undefined;
  const requestId = typeof e.$metadata?.requestId === "string" ? e.$metadata.requestId : undefined;
  const message = scrub(((typeof e.message === "string" ? e.message : safeString(error)).split("\n")[0] ?? "").slice(0, 500));
  return {
    name,
    kind: name.replace(/Exception$/, ""),
    code,
    status,
    rid: requestId === undefined ? "no request id" : `request id ${requestId}`,
    message,
    serverFault: e.$fault === "server",
    cause: summarize(name, code, message, status, requestId),
  };
}

/** Whether STS failed on its side (HTTP 5xx, or an SDK server fault): worth trying again. @internal */
export function isStsServerFailure(facts: StsErrorFacts): boolean {
  return (facts.status !== undefined && facts.status >= 500) || facts.serverFault;
}

/** Whether STS answered with a body the SDK could not read (a 2xx/3xx, or a deserializer error). @internal */
export function isStsUnreadableAnswer(facts: StsErrorFacts): boolean {
  return (facts.status !== undefined && facts.status < 400) || UNREADABLE_BODY.test(facts.message);
}

/** Whether the call never got an answer: a timeout or a transport error (no HTTP status). @internal */
export function isStsUnreachable(facts: StsErrorFacts): boolean {
  return facts.name === "TimeoutError" || (facts.code !== undefined && NETWORK_CODES.has(facts.code));
}

/** ` (CODE)` when the failure has a Node/undici code, else nothing: for messages. @internal */
export function codeSuffix(facts: StsErrorFacts): string {
  return facts.code === undefined ? "" : ` (${facts.code})`;
}

/** A secret-free stand-in for an SDK error: no `$response`, no body, no request. */
function summarize(name: string, code: string | undefined, message: string, status: number | undefined, requestId: string | undefined): Error {
  const summary = new Error(message);
  summary.name = name;
  Object.assign(summary, {
    ...(code === undefined ? {} : { code }),
    $metadata: { ...(status === undefined ? {} : { httpStatusCode: status }), ...(requestId === undefined ? {} : { requestId }) },
  });
  // The stack would point into SDK internals of a different call; keep only the headline.
  summary.stack = `${name}: ${message}`;
  return summary;
}

/** `String(value)`, but never throwing (a null-prototype object or a throwing `toString`). */
function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
