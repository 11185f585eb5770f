import type http from "node:http";
import { HttpTransportError, scrubNodeError } from "./http-transport-error.js";
import { loadTransport } from "./load-transport.js";
import { startDeadline } from "./start-deadline.js";

/**
 * The largest response body read by default, in bytes: 64 KiB. A credentials document is under
 * 2 KiB; anything far larger is not a credentials endpoint, and is never buffered past this cap.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

/** One request to a credentials endpoint (IMDS, the ECS/EKS container endpoint, IAM Roles Anywhere). */
export interface HttpRequest {
  method: "GET" | "PUT" | "POST";
  /** The full URL, `http:` or `https:`. */
  url: string;
  /** Request headers, e.g. `Authorization` or IMDS's token headers. Values must not contain CR or LF. */
  headers?: Readonly<Record<string, string>>;
  /**
   * The whole request (connect, TLS, headers, body) must finish within this many milliseconds of
   * our process's attention; see `startDeadline` for how a stall of our own event loop is handled.
   */
  timeoutMs: number;
  /** Largest body read; more aborts the request. @defaultValue {@link DEFAULT_MAX_RESPONSE_BYTES} */
  maxBytes?: number;
  /** Extra certificate authorities (PEM) trusted for an `https:` URL. @defaultValue Node's bundled CAs */
  ca?: string;
  /**
   * The request body, sent as UTF-8 with its `Content-Length` (e.g. Roles Anywhere's JSON). It may
   * be signed, so it is sent exactly as given. @defaultValue none: no body
   */
  body?: string;
}

/** An answer of any status. The body is UTF-8 text and may carry secrets: never log it. */
export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const UNREACHABLE = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENETDOWN", "EHOSTDOWN", "EADDRNOTAVAIL"]);

/**
 * Sends one request over `node:http` or `node:https` (loaded on first use): a dedicated agent, so
 * no proxy ever; no redirects followed (a 3xx is returned as is); no `X-Forwarded-For`; one
 * deadline for the whole exchange; and a body cap enforced while streaming (the request is aborted
 * as soon as the cap is passed; nothing more is buffered).
 *
 * Errors never hold body bytes: not in a message, and not in the `cause` chain (Node's parser
 * errors carry the raw bytes they choked on; only a scrubbed copy is kept).
 *
 * @param request - method, URL, headers, deadline, size cap.
 * @returns the status, headers and body, whatever the status.
 * @throws HttpTransportError for refused/unreachable, timeout, reset, malformed HTTP or too-large.
 * @throws TypeError for a URL that is not `http:`/`https:`, or an invalid header value.
 */
export function httpRequest(request: HttpRequest): Promise<HttpResponse> {
  const url = new URL(request.url);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Promise.reject(new TypeError(`Expected an http: or https: URL, got ${url.protocol}`));
  }
  const maxBytes = request.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const what = `${request.method} ${url.pathname}`;
  return new Promise<HttpResponse>((resolve, reject) => {
    let connected = false;
    let settled = false;
    let req: http.ClientRequest;
    const { request: send, agent } = loadTransport(url.protocol as "http:" | "https:", request.ca);
    try {
      req = send({
        agent,
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port),
        path: `${url.pathname}${url.search}`,
        headers: {
          ...request.headers,
          Accept: "*/*",
          ...(request.body === undefined ? {} : { "Content-Length": String(Buffer.byteLength(request.body)) }),
        },
      });
    } catch {
      // Node names the header but not its value; still, keep nothing of it.
      reject(new TypeError(`Invalid request to ${url.origin}: a header name or value is not allowed (e.g. CR or LF)`));
      return;
    }

    const finish = (error: HttpTransportError | undefined, response?: HttpResponse): void => {
      if (settled) return;
      settled = true;
      deadline.cancel();
      if (error !== undefined) {
        req.destroy();
        reject(error);
      } else if (response !== undefined) {
        resolve(response);
      }
    };

    const deadline = startDeadline(request.timeoutMs, (loopStalled) => {
      const state = connected ? "connected" : "not connected";
      finish(
        new HttpTransportError(
          `no answer from ${url.origin} within ${request.timeoutMs} ms (${state}${loopStalled ? "; our event loop was blocked meanwhile" : ""})`,
          "timeout",
          { connected, code: "ETIMEDOUT", loopStalled },
        ),
      );
    });

    req.on("socket", (socket) => {
      if (!socket.connecting) {
        connected = true; // a pooled keep-alive socket: connected already
        return;
      }
      socket.once("connect", () => {
        connected = true;
      });
    });

    req.on("error", (error: unknown) => {
      const cause = scrubNodeError(error);
      const code = cause.code;
      if (code !== undefined && UNREACHABLE.has(code)) {
        finish(new HttpTransportError(`cannot reach ${url.origin} (${code})`, "unreachable", { connected, code, cause }));
      } else if (code?.startsWith("HPE_") === true) {
        finish(new HttpTransportError(`${url.origin} answered the ${what} with malformed HTTP (${code})`, "network", { connected, code, cause }));
      } else {
        finish(new HttpTransportError(`network error talking to ${url.origin} (${code ?? cause.message})`, "network", { connected, code, cause }));
      }
    });

    req.on("response", (res) => {
      readBody(res, maxBytes, what, url.origin, finish);
    });

    if (request.body === undefined) req.end();
    else req.end(request.body, "utf8");
  });
}

/** Streams the body of `res` under the size cap and reports through `finish`. */
function readBody(
  res: http.IncomingMessage,
  maxBytes: number,
  what: string,
  origin: string,
  finish: (error: HttpTransportError | undefined, response?: HttpResponse) => void,
): void {
  const tooLarge = (): HttpTransportError =>
    new HttpTransportError(`the ${what} response body is larger than ${maxBytes} bytes`, "too-large", { connected: true });
  const declared = Number(res.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    finish(tooLarge());
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  res.on("data", (chunk: Buffer) => {
    if (done) return;
    size += chunk.length;
    if (size > maxBytes) {
      done = true;
      chunks.length = 0;
      res.destroy();
      finish(tooLarge());
      return;
    }
    chunks.push(chunk);
  });
  res.on("end", () => {
    done = true;
    finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") });
  });
  res.on("error", (error: unknown) => {
    const cause = scrubNodeError(error);
    finish(new HttpTransportError(`the ${origin} response was cut off (${cause.code ?? cause.message})`, "network", { connected: true, code: cause.code, cause }));
  });
  res.on("close", () => {
    if (!res.complete) {
      finish(new HttpTransportError(`the ${origin} response was cut off`, "network", { connected: true, code: "ECONNRESET" }));
    }
  });
}
