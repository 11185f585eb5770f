/** Why a credentials-endpoint request got no usable answer. */
export type HttpTransportFailure =
  /** Connection refused, no route, network down: nothing listens there. */
  | "unreachable"
  /** The time ran out. `connected` says whether a TCP connection was made first. */
  | "timeout"
  /** The connection was reset or closed early, the answer was not valid HTTP, or another socket error: may heal. */
  | "network"
  /** The body exceeded `maxBytes`. */
  | "too-large";

/**
 * A transport failure, classified. Its message never contains the body, and its `cause` is a
 * scrubbed copy of Node's error (name, code and message only): Node's parser errors carry the raw
 * bytes received (`rawPacket`), which for a credentials endpoint are the credentials.
 */
export class HttpTransportError extends Error {
  /** What kind of failure this was. */
  readonly failure: HttpTransportFailure;
  /** Whether a TCP (and TLS) connection was established before the failure. */
  readonly connected: boolean;
  /** The Node error code, e.g. `ECONNREFUSED` or `HPE_INVALID_HEADER_TOKEN`, when there is one. */
  readonly code: string | undefined;
  /**
   * For a timeout: whether our own event loop was blocked while the deadline ran, so that the
   * server never had the full budget of our attention. Never evidence that nothing listens.
   */
  readonly loopStalled: boolean;

  /**
   * @param message - what went wrong; must not contain body bytes.
   * @param failure - the classification.
   * @param details - the connection state, Node's code, stall flag and an already scrubbed cause.
   */
  constructor(
    message: string,
    failure: HttpTransportFailure,
    details: { connected: boolean; code?: string | undefined; loopStalled?: boolean; cause?: Error | undefined },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "HttpTransportError";
    this.failure = failure;
    this.connected = details.connected;
    this.code = details.code;
    this.loopStalled = details.loopStalled ?? false;
  }
}

/** Node's parser errors (`HPE_*`) describe themselves with a fixed text; these are safe to quote. */
const SAFE_MESSAGE = /^[\w .,:'()/-]{1,200}$/;

/**
 * A copy of a Node socket/HTTP error that keeps only what is safe to show: its `name`, `code`,
 * `syscall` and a message that is a plain phrase (Node's own, e.g. "Parse Error: Invalid header
 * value char" or "connect ECONNREFUSED 127.0.0.1:80"). Everything else — `rawPacket` (the bytes
 * the parser choked on), `bytesParsed`, `reason`, and any other property — is dropped, and the
 * original error is not referenced from the copy.
 */
export function scrubNodeError(error: unknown): Error & { code?: string; syscall?: string } {
  const source = (typeof error === "object" && error !== null ? error : {}) as {
    name?: unknown;
    code?: unknown;
    syscall?: unknown;
    message?: unknown;
  };
  const code = typeof source.code === "string" ? source.code : undefined;
  const message = typeof source.message === "string" && SAFE_MESSAGE.test(source.message) ? source.message : `socket error${code === undefined ? "" : ` ${code}`}`;
  const copy = new Error(message) as Error & { code?: string; syscall?: string };
  copy.name = typeof source.name === "string" && /^\w{1,40}$/.test(source.name) ? source.name : "Error";
  if (code !== undefined) copy.code = code;
  if (typeof source.syscall === "string") copy.syscall = source.syscall;
  return copy;
}
