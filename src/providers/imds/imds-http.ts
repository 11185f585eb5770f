import type http from "node:http";
import { createRequire } from "node:module";
import { DEFAULT_IMDS_MAX_RESPONSE_BYTES } from "./imds-options.js";

/** One request to IMDS. */
export interface ImdsHttpRequest {
  method: "GET" | "PUT";
  /** The full URL, `http:` only. */
  url: string;
  headers?: Readonly<Record<string, string>>;
  /** The whole request (connect, headers, body) must finish within this many milliseconds. */
  timeoutMs: number;
  /** Largest body read; more aborts the request. @defaultValue {@link DEFAULT_IMDS_MAX_RESPONSE_BYTES} */
  maxBytes?: number;
}

/** An IMDS answer. The body is UTF-8 text and may carry secrets: never log it. */
export interface ImdsHttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Why an IMDS request got no usable answer. */
export type ImdsTransportFailure =
  /** Connection refused, no route, network down: nothing listens there. */
  | "unreachable"
  /** The time ran out. `connected` says whether a TCP connection was made first. */
  | "timeout"
  /** The connection was reset or closed early, or another socket error: may heal. */
  | "network"
  /** The body exceeded `maxBytes`. */
  | "too-large";

/** A transport failure, classified. Its message never contains the body. */
export class ImdsTransportError extends Error {
  readonly failure: ImdsTransportFailure;
  /** Whether a TCP connection was established before the failure. */
  readonly connected: boolean;
  /** The Node error code, e.g. `ECONNREFUSED`, when there is one. */
  readonly code: string | undefined;

  constructor(message: string, failure: ImdsTransportFailure, connected: boolean, code?: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "ImdsTransportError";
    this.failure = failure;
    this.connected = connected;
    this.code = code;
  }
}

const UNREACHABLE = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENETDOWN", "EHOSTDOWN", "EADDRNOTAVAIL"]);

/**
 * A dedicated agent — being ours, never a proxy-aware global one. Plain `http.request` does not
 * read `HTTP_PROXY`; IMDS must never be reached through a proxy (a proxy on the instance would hand
 * the instance's credentials to whoever can talk to it). Keep-alive saves a TCP handshake per
 * request (token, role, credentials); Node's agent `unref`s idle pooled sockets, so they never
 * hold a process open.
 */
let transport: { http: typeof http; agent: http.Agent } | undefined;

/**
 * `node:http` and our agent, loaded on the first IMDS request rather than at import: through
 * `require`, which is synchronous and skips the ESM wrapper a builtin `import()` builds.
 */
function loadTransport(): { http: typeof http; agent: http.Agent } {
  if (transport === undefined) {
    const nodeHttp = createRequire(import.meta.url)("node:http") as typeof http;
    transport = { http: nodeHttp, agent: new nodeHttp.Agent({ keepAlive: true, maxFreeSockets: 2 }) };
  }
  return transport;
}

/**
 * Sends one request to IMDS over `node:http`: no proxy, no redirects followed (a 3xx is returned
 * as is), no `X-Forwarded-For`, one timeout for the whole exchange, and a body cap enforced while
 * streaming (the request is aborted as soon as the cap is passed; nothing more is buffered).
 *
 * @throws ImdsTransportError for refused/unreachable, timeout, reset or too-large.
 */
export function imdsHttp(request: ImdsHttpRequest): Promise<ImdsHttpResponse> {
  const maxBytes = request.maxBytes ?? DEFAULT_IMDS_MAX_RESPONSE_BYTES;
  return new Promise<ImdsHttpResponse>((resolve, reject) => {
    let connected = false;
    let settled = false;
    const url = new URL(request.url);
    const { http, agent } = loadTransport();
    const req = http.request({
      agent,
      method: request.method,
      protocol: "http:",
      hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: url.port === "" ? 80 : Number(url.port),
      path: `${url.pathname}${url.search}`,
      headers: { ...request.headers, Accept: "*/*" },
    });

    const finish = (error: ImdsTransportError | undefined, response?: ImdsHttpResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error !== undefined) {
        req.destroy();
        reject(error);
      } else if (response !== undefined) {
        resolve(response);
      }
    };

    const timer = setTimeout(() => {
      finish(
        new ImdsTransportError(
          `no answer from ${url.origin} within ${request.timeoutMs} ms (${connected ? "connected" : "not connected"})`,
          "timeout",
          connected,
          "ETIMEDOUT",
        ),
      );
    }, request.timeoutMs);

    req.on("socket", (socket) => {
      if (!socket.connecting) {
        connected = true; // a pooled keep-alive socket: connected already
        return;
      }
      socket.once("connect", () => {
        connected = true;
      });
    });

    req.on("error", (error: NodeJS.ErrnoException) => {
      const code = typeof error.code === "string" ? error.code : undefined;
      if (code !== undefined && UNREACHABLE.has(code)) {
        finish(new ImdsTransportError(`cannot reach ${url.origin} (${code})`, "unreachable", connected, code, error));
      } else {
        finish(new ImdsTransportError(`network error talking to ${url.origin} (${code ?? error.message})`, "network", connected, code, error));
      }
    });

    req.on("response", (res) => {
      const tooLarge = (): ImdsTransportError =>
        new ImdsTransportError(
          `the ${request.method} ${url.pathname} response body is larger than ${maxBytes} bytes`,
          "too-large",
          true,
        );
      const declared = Number(res.headers["content-length"]);
      if (Number.isFinite(declared) && declared > maxBytes) {
        res.destroy();
        finish(tooLarge());
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > maxBytes) {
          chunks.length = 0;
          res.destroy();
          finish(tooLarge());
          return;
        }
        chunks.push(chunk);
      });
      res.on("end", () => {
        finish(undefined, {
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        });
      });
      res.on("error", (error: NodeJS.ErrnoException) => {
        finish(new ImdsTransportError(`the ${url.origin} response was cut off (${error.code ?? error.message})`, "network", true, error.code, error));
      });
      res.on("close", () => {
        if (!res.complete) {
          finish(new ImdsTransportError(`the ${url.origin} response was cut off`, "network", true, "ECONNRESET"));
        }
      });
    });

    req.end();
  });
}
