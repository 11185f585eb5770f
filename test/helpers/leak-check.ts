/*
 * Shared by the fault matrix, the fuzz tests and the secret-hygiene test: every way a thrown value
 * (and everything it drags along) can be shown, and an assertion that none of them shows a secret.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { expect } from "vitest";
import { CredentialsError } from "../../src/errors.js";

/** Every object reachable from `root` through own properties (enumerable or not, symbols too). */
function reachable(root: unknown, limit = 5_000): object[] {
  const seen = new Set<object>();
  const queue: unknown[] = [root];
  while (queue.length > 0 && seen.size < limit) {
    const value = queue.shift();
    if ((typeof value !== "object" && typeof value !== "function") || value === null || seen.has(value)) continue;
    seen.add(value);
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      // Getters are not run: reading them could have effects; what they return is not stored.
      if (descriptor !== undefined && "value" in descriptor) queue.push(descriptor.value);
    }
  }
  return [...seen];
}

/**
 * Every rendering of `value` and of everything reachable from it (its `cause` chain, `errors`
 * arrays, hidden fields): message, stack, `String()`, `JSON.stringify`, `util.inspect` with
 * `depth: Infinity` and `showHidden`, and every string held in an own property.
 */
export function renderEverything(value: unknown): string[] {
  const texts: string[] = [];
  const add = (label: string, render: () => unknown): void => {
    try {
      const text = render();
      if (typeof text === "string") texts.push(`${label}: ${text}`);
    } catch (error) {
      texts.push(`${label}: <threw ${String(error)}>`);
    }
  };
  for (const node of reachable(value)) {
    // `inspect` shows a Buffer only as hex: read its bytes, or a secret in one (Node's parser
    // errors keep the raw response as `rawPacket`) would pass unseen.
    if (ArrayBuffer.isView(node)) add("bytes", () => Buffer.from(node.buffer, node.byteOffset, node.byteLength).toString("latin1"));
    if (node instanceof Error) {
      add("message", () => node.message);
      add("stack", () => node.stack);
      add("String", () => String(node));
    }
    add("JSON", () => JSON.stringify(node));
    add("inspect", () => inspect(node, { depth: Number.POSITIVE_INFINITY, showHidden: true }));
    add("inspect(plain)", () => inspect(node, { depth: Number.POSITIVE_INFINITY }));
    for (const key of Reflect.ownKeys(node)) {
      const descriptor = Object.getOwnPropertyDescriptor(node, key);
      if (descriptor !== undefined && typeof descriptor.value === "string") texts.push(`.${String(key)}: ${descriptor.value}`);
    }
  }
  return texts;
}

/** Fails, naming the rendering, when any text contains any secret (empty secrets are ignored). */
export function expectNoSecrets(texts: readonly string[], secrets: readonly string[]): void {
  for (const secret of secrets) {
    if (secret === "") continue;
    const leak = texts.find((text) => text.includes(secret));
    expect(leak, `a secret (${secret.length} chars, starting ${JSON.stringify(secret.slice(0, 6))}) leaked into: ${leak?.slice(0, 300) ?? ""}`).toBeUndefined();
  }
}

/** {@link expectNoSecrets} over {@link renderEverything} of `value`. */
export function expectClean(value: unknown, secrets: readonly string[]): void {
  expectNoSecrets(renderEverything(value), secrets);
}

/** What a thrown value must look like everywhere: a CredentialsError or TypeError with a message. */
export function expectWellFormedError(error: unknown): asserts error is Error {
  const ok = error instanceof CredentialsError || error instanceof TypeError;
  expect(ok, `expected a CredentialsError or TypeError, got ${inspect(error).slice(0, 300)}`).toBe(true);
  expect((error as Error).message.trim()).not.toBe("");
}

/** A logger that keeps every line, with its level. */
export function collectingLogger(): { lines: string[]; debug(message: string): void; warn(message: string): void } {
  const lines: string[] = [];
  return {
    lines,
    debug: (message: string) => {
      lines.push(`debug ${message}`);
    },
    warn: (message: string) => {
      lines.push(`warn ${message}`);
    },
  };
}

/** The outcome of a promise that must settle within `limitMs`, and how long it took. */
export type Bounded<T> = { ms: number } & ({ ok: true; value: T } | { ok: false; error: unknown });

/** Awaits `promise`, failing the test when it has not settled within `limitMs`. */
export async function within<T>(limitMs: number, promise: Promise<T>): Promise<Bounded<T>> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    promise.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
    new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), limitMs);
    }),
  ]);
  clearTimeout(timer);
  if (outcome === "late") throw new Error(`did not settle within ${limitMs} ms`);
  return { ms: performance.now() - started, ...outcome };
}

/** A plain loopback HTTP server answering with `handler`; `close()` ends every connection. */
export async function rawServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ endpoint: string; requests: number; close(): Promise<void> }> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
