import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

// The HTTP plumbing the IMDS and container credentials emulators share: a loopback server that
// tracks its sockets and timers so close() ends hanging requests, the fault queue, and the fault
// plays that do not depend on the endpoint (reset, a huge body). Internal to src/testing.

/** A loopback HTTP server for an emulator. @internal */
export interface EmulatorServer {
  /** The port, once {@link EmulatorServer.listen} has resolved. */
  readonly port: number;
  /** Listens on `127.0.0.1`, on an ephemeral port. */
  listen(): Promise<void>;
  /** Runs `fn` after `ms` (a real timer), unless the server is closed first. */
  later(ms: number, fn: () => void): void;
  /** Stops the server: clears timers, destroys sockets (ending hanging requests). Idempotent. */
  close(): Promise<void>;
}

/**
 * An HTTP server answering with `handle`, not yet listening; client errors and socket errors are
 * swallowed (fault plays cut connections on purpose).
 * @internal
 */
export function createEmulatorServer(handle: http.RequestListener): EmulatorServer {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  let port = 0;
  const server = http.createServer(handle);
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  });
  server.on("clientError", (_error, socket) => socket.destroy());
  return {
    get port(): number {
      return port;
    },
    async listen(): Promise<void> {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
          server.off("error", reject);
          resolve();
        });
      });
      port = (server.address() as AddressInfo).port;
    },
    later(ms: number, fn: () => void): void {
      if (closed) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        fn();
      }, ms);
      timers.add(timer);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      await done;
    },
  };
}

/**
 * Injected faults in order: each plays for the requests it matches (its path, or `"*"` for any)
 * until its count runs out.
 * @internal
 */
export class FaultQueue<F> {
  private faults: { path: string; fault: F; remaining: number }[] = [];

  /** Queues `fault` for `times` requests (default: all) to `path` (default: any). */
  push(fault: F, times: number = Number.POSITIVE_INFINITY, path = "*"): void {
    this.faults.push({ path, fault, remaining: times });
  }

  /** The fault the next request to `path` plays, counting it; `undefined` for the normal answer. */
  take(path = "*"): F | undefined {
    const match = this.faults.find((f) => f.path === path) ?? this.faults.find((f) => f.path === "*");
    if (match === undefined) return undefined;
    match.remaining -= 1;
    if (match.remaining <= 0) this.faults = this.faults.filter((f) => f !== match);
    return match.fault;
  }

  /** Removes every fault. */
  clear(): void {
    this.faults = [];
  }
}

/** Ends the request's connection without an answer (a TCP reset where Node can send one). @internal */
export function resetConnection(req: http.IncomingMessage): void {
  const socket = req.socket as Socket & { resetAndDestroy?: () => void };
  if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy();
  else socket.destroy();
}

/** Answers 200 with a 1 MiB body of `x`, streamed without `Content-Length`, minding back-pressure. @internal */
export function sendHugeBody(res: http.ServerResponse, contentType: string): void {
  res.writeHead(200, { "content-type": contentType });
  const chunk = Buffer.alloc(16 * 1024, "x");
  let sent = 0;
  const pump = (): void => {
    while (sent < 64 && !res.destroyed) {
      sent += 1;
      if (!res.write(chunk)) {
        res.once("drain", pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

/**
 * A deterministic fake secret-looking string of `length` characters derived from `seed`: base32
 * capitals (for access key ids) or base64 (for secrets and tokens). Never a real credential.
 * @internal
 */
export function fakeCredentialText(seed: string, length: number, alphabet: "upper" | "base64"): string {
  const digest = createHash("sha256").update(seed).digest();
  const text =
    alphabet === "upper"
      ? Array.from(digest, (byte) => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[byte % 32]).join("")
      : digest.toString("base64").replace(/=+$/, "");
  let out = text;
  while (out.length < length) out += text;
  return out.slice(0, length);
}

/** `2026-01-01T06:00:00Z`: ISO 8601 without milliseconds, as IMDS and ECS write dates. @internal */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
