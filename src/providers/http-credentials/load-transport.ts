import type http from "node:http";
import type https from "node:https";

/** `request` and the agent to use with it, for one protocol. */
export interface Transport {
  readonly request: typeof http.request;
  readonly agent: http.Agent;
}

/**
 * Dedicated agents — being ours, never a proxy-aware global one. Plain `http.request` does not
 * read `HTTP_PROXY`; a credentials endpoint must never be reached through a proxy (a proxy would
 * hand the machine's credentials to whoever can talk to it). Keep-alive saves a TCP (and TLS)
 * handshake per request; Node's agent `unref`s idle pooled sockets, so they never hold a process
 * open.
 */
let plain: Transport | undefined;
let secure: Transport | undefined;
/** One agent per extra trusted CA (tests, private endpoints), so pooled TLS sockets never mix trust. */
const secureWithCa = new Map<string, Transport>();

/**
 * `process.getBuiltinModule` (Node ≥ 20.16; `engines` asks ≥ 20.19): synchronous, no module object,
 * no `import.meta` built on the first request — about 2 ms of a cold first call — and no
 * `createRequire`, which bundlers cannot follow (a builtin needs no bundling: it is always there).
 */
const load = (id: "node:http" | "node:https"): unknown => process.getBuiltinModule(id);

/**
 * The `node:http` or `node:https` transport, loaded on the first request of its kind rather than at
 * import: synchronously (see `load`), skipping the ESM wrapper a builtin `import()` builds. `node:https` (and TLS) is loaded only when an `https:` URL is first asked.
 *
 * @param protocol - `"http:"` or `"https:"`.
 * @param ca - extra certificate authorities (PEM) to trust for `https:`, instead of only Node's.
 */
export function loadTransport(protocol: "http:" | "https:", ca?: string): Transport {
  if (protocol === "http:") {
    if (plain === undefined) {
      const nodeHttp = load("node:http") as typeof http;
      plain = { request: nodeHttp.request, agent: new nodeHttp.Agent({ keepAlive: true, maxFreeSockets: 2 }) };
    }
    return plain;
  }
  if (ca === undefined) {
    secure ??= secureTransport();
    return secure;
  }
  let transport = secureWithCa.get(ca);
  if (transport === undefined) {
    transport = secureTransport(ca);
    secureWithCa.set(ca, transport);
  }
  return transport;
}

function secureTransport(ca?: string): Transport {
  const nodeHttps = load("node:https") as typeof https;
  const agent = new nodeHttps.Agent({ keepAlive: true, maxFreeSockets: 2, ...(ca === undefined ? {} : { ca }) });
  return { request: nodeHttps.request, agent };
}
