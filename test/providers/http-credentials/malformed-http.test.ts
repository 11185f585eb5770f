/*
 * Issue 12 item 3, at the root: a response that breaks Node's HTTP parser gives an `HPE_*` error
 * whose `rawPacket` is the bytes received — for a credentials endpoint, the credentials. Neither
 * the transport's error nor anything reachable from it (its whole `cause` chain, every own
 * property, enumerable or not, symbols included) may hold those bytes.
 */
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { httpRequest } from "../../../src/providers/http-credentials/http-request.js";
import { HttpTransportError } from "../../../src/providers/http-credentials/http-transport-error.js";
import { fromImds } from "../../../src/providers/imds/from-imds.js";
import { resetSharedState } from "../../../src/sharing/process-state.js";
import { expectClean } from "../../helpers/leak-check.js";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY-MALFORMED-SECRET";
const TOKEN = "IQoJb3JpZ2luX2VjEMALFORMED-SESSION-TOKEN-xyz";
const BODY = JSON.stringify({
  Code: "Success",
  Type: "AWS-HMAC",
  AccessKeyId: "ASIAMALFORMED0000001",
  SecretAccessKey: SECRET,
  Token: TOKEN,
  Expiration: "2099-01-01T00:00:00Z",
});

/**
 * Every string and every byte buffer (decoded) held anywhere under `root`: own properties,
 * enumerable or not, symbol-keyed too, through the whole `cause` chain. Getters are not run.
 * `expectClean` renders with `inspect`/`JSON`, which show a Buffer as hex or numbers; this does not.
 */
function heldTexts(root: unknown): string[] {
  const texts: string[] = [];
  const seen = new Set<object>();
  const queue: unknown[] = [root];
  while (queue.length > 0) {
    const value = queue.shift();
    if (typeof value === "string") texts.push(value);
    if ((typeof value !== "object" && typeof value !== "function") || value === null || seen.has(value)) continue;
    seen.add(value);
    if (ArrayBuffer.isView(value)) {
      texts.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("latin1"));
      continue;
    }
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor !== undefined && "value" in descriptor) queue.push(descriptor.value);
    }
  }
  return texts;
}

/** Fails when the body or a secret from it is held anywhere under `error`, or shows in any rendering. */
function expectNoBodyBytes(error: unknown): void {
  for (const secret of [SECRET, TOKEN]) {
    expect(heldTexts(error).some((text) => text.includes(secret)), "a secret is held under the error").toBe(false);
  }
  expectClean(error, [SECRET, TOKEN, BODY]);
}

const servers: Server[] = [];
afterEach(async () => {
  resetSharedState();
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

/** A raw TCP server that answers every request with `response`, in one write, then closes. */
async function rawHttp(response: string): Promise<string> {
  const server = createServer((socket) => {
    socket.once("data", () => {
      socket.end(response);
    });
    socket.on("error", () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Answers that Node's parser rejects, each carrying the credentials body in the same packet. */
const BROKEN = {
  "a header with a control character": `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Bad: a\u0001b\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`,
  "two different Content-Lengths": `HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\nContent-Length: 3\r\n\r\n${BODY}`,
  "a non-numeric Content-Length": `HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}x\r\n\r\n${BODY}`,
  "a body where the status line should be": `${BODY}\r\n\r\n`,
  "a broken chunked body": `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${BODY}\r\n0\r\n\r\n`,
};

describe("a response that breaks Node's HTTP parser", () => {
  it.each(Object.entries(BROKEN))("with %s: is a network failure whose error and cause chain hold no body bytes", async (_name, response) => {
    const endpoint = await rawHttp(response);
    const error = await httpRequest({ method: "GET", url: `${endpoint}/creds`, timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpTransportError);
    expect(error).toMatchObject({ failure: "network" });
    expect((error as HttpTransportError).code).toMatch(/^HPE_/);
    expectNoBodyBytes(error);
  });

  it("keeps Node's code and a safe message in the cause", async () => {
    const endpoint = await rawHttp(BROKEN["a header with a control character"]);
    const error = (await httpRequest({ method: "GET", url: `${endpoint}/`, timeoutMs: 2_000 }).catch((e: unknown) => e)) as HttpTransportError;
    const cause = error.cause as Error & { code?: string; rawPacket?: unknown };
    expect(cause.code).toBe(error.code);
    expect(cause.message).toMatch(/^Parse Error/);
    expect(Reflect.ownKeys(cause)).not.toContain("rawPacket");
  });

  it("through fromImds: the CredentialsError and everything under it hold no body bytes", async () => {
    const endpoint = await rawHttp(BROKEN["two different Content-Lengths"]);
    const provider = fromImds({ endpoint, env: {}, timeoutMs: 1_000, roleName: "r" });
    const error = await provider().catch((e: unknown) => e);
    expect(error).toMatchObject({ source: "imds" });
    expectNoBodyBytes(error);
  });
});
