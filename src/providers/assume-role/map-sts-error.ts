import { CredentialsError, redactKeyId } from "../../errors.js";

/** What {@link mapStsError} needs to write a useful message. */
export interface StsErrorContext {
  roleArn: string;
  /** Whether an ExternalId was sent (its value is never echoed). */
  externalIdSet: boolean;
  /** The base identity's access key id; shown cut to its last four characters. */
  baseAccessKeyId: string;
  /** Where the request went. */
  endpointLabel: string;
  /** How long a denial is remembered, for the message. */
  negativeCacheMs: number;
}

const SOURCE = "assume-role";

/** STS (and generic AWS) throttling codes. */
const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
  "PriorRequestNotComplete",
]);

/** STS rejected the signature or the base key itself. */
const BASE_REJECTED = new Set([
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "IncompleteSignature",
  "MissingAuthenticationToken",
  "ExpiredToken",
  "ExpiredTokenException",
  "UnrecognizedClientException",
]);

/** 4xx codes that can heal on their own. */
const TRANSIENT_CLIENT = new Set(["RequestExpired", "RequestTimeout", "RequestTimeoutException", "IDPCommunicationError"]);

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

interface SdkErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
}

/**
 * Turns whatever the STS client threw into a {@link CredentialsError} with a stable code:
 *
 * | STS says | code | retryable |
 * | --- | --- | --- |
 * | `AccessDenied` | `STS_ACCESS_DENIED` | no |
 * | `InvalidClientTokenId`, `SignatureDoesNotMatch`, `ExpiredToken`, … | `STS_INVALID_BASE_CREDENTIALS` | no |
 * | `Throttling`, HTTP 429, … | `STS_THROTTLED` | yes |
 * | HTTP 5xx, network errors, timeouts, `RequestExpired` | `STS_ERROR` | yes |
 * | unreadable 2xx body, or no `Credentials` | `STS_BAD_RESPONSE` | no |
 * | any other 4xx (e.g. `ValidationError`) | `STS_ERROR` | no |
 *
 * None of them falls through a chain (`tryNextLink: false`): an AssumeRole step that is configured
 * but broken must not silently hand out another identity. The cause is replaced by a summary (name,
 * code, message, HTTP status, request id) so a raw response body never rides along.
 */
export function mapStsError(error: unknown, context: StsErrorContext): CredentialsError {
  const e = (typeof error === "object" && error !== null ? error : {}) as SdkErrorLike;
  const name = typeof e.name === "string" ? e.name : "Error";
  const code = typeof e.code === "string" ? e.code : undefined;
  const status = typeof e.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : undefined;
  const requestId = typeof e.$metadata?.requestId === "string" ? e.$metadata.requestId : undefined;
  // First line only, capped: an SDK message can go on to quote the response body.
  const rawMessage = ((typeof e.message === "string" ? e.message : safeString(error)).split("\n")[0] ?? "").slice(0, 500);
  const rid = requestId === undefined ? "no request id" : `request id ${requestId}`;
  const role = context.roleArn;
  const cause = summarize(name, code, rawMessage, status, requestId);
  const make = (message: string, errorCode: CredentialsError["code"], retryable: boolean): CredentialsError =>
    new CredentialsError(message, { source: SOURCE, code: errorCode, tryNextLink: false, retryable, cause });

  if (name === "CredentialsProviderError" && rawMessage.startsWith("Invalid response from STS")) {
    return make(`STS answered AssumeRole for ${role} without credentials (${rid}).`, "STS_BAD_RESPONSE", false);
  }
  if (THROTTLING.has(name) || status === 429) {
    return make(`STS throttled AssumeRole for ${role} (${name}, ${rid}); try again later.`, "STS_THROTTLED", true);
  }
  if (name === "AccessDenied" || name === "AccessDeniedException") {
    const seconds = Math.round(context.negativeCacheMs / 1000);
    return make(
      `STS denied AssumeRole for ${role} to base identity ${redactKeyId(context.baseAccessKeyId)} (AccessDenied, ${rid}). ` +
        `Check the role's trust policy — it must trust this identity, and its sts:ExternalId condition must match the ExternalId ` +
        `configured here (${context.externalIdSet ? "one is set" : "none is set"}) — and check that the base identity's policy ` +
        `allows sts:AssumeRole on the role. STS said: ${rawMessage} ` +
        `Not retried${seconds > 0 ? `; remembered for ${seconds} s` : ""}.`,
      "STS_ACCESS_DENIED",
      false,
    );
  }
  if (BASE_REJECTED.has(name)) {
    return make(
      `STS rejected the base credentials (${redactKeyId(context.baseAccessKeyId)}) used to assume ${role}: ${name} (${rid}). ` +
        `The base access key is unknown or expired, or its secret or session token does not match.`,
      "STS_INVALID_BASE_CREDENTIALS",
      false,
    );
  }
  if ((status !== undefined && status >= 500) || e.$fault === "server") {
    return make(`STS failed AssumeRole for ${role} with HTTP ${status ?? "5xx"} ${name} (${rid}); try again later.`, "STS_ERROR", true);
  }
  if ((status !== undefined && status < 400) || /Deserialization error|XML parse error/i.test(rawMessage)) {
    return make(`STS sent an unreadable AssumeRole response for ${role} (HTTP ${status ?? "?"}, ${rid}).`, "STS_BAD_RESPONSE", false);
  }
  if (status !== undefined) {
    return make(
      `STS refused AssumeRole for ${role}: HTTP ${status} ${name}: ${rawMessage} (${rid}).`,
      "STS_ERROR",
      TRANSIENT_CLIENT.has(name),
    );
  }
  if (name === "TimeoutError" || (code !== undefined && NETWORK_CODES.has(code))) {
    return make(
      `Could not reach STS at ${context.endpointLabel} to assume ${role}: ${name}${code === undefined ? "" : ` (${code})`}; try again later.`,
      "STS_ERROR",
      true,
    );
  }
  return make(`AssumeRole for ${role} failed: ${name}${code === undefined ? "" : ` (${code})`}: ${rawMessage}`, "STS_ERROR", false);
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
