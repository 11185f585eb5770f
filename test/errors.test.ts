import { request } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { CredentialsError, redactKeyId } from "../src/errors.js";
import { forgetSecrets, registerCredential, SCRUBBED } from "../src/scrub-secrets.js";
import { expectClean } from "./helpers/leak-check.js";

const SECRET = "errors/SECRET+wJalrXUtnFEMIK7MDENGbPxRf";

/** The bytes of every Buffer / typed array reachable through own properties (which inspect shows only as hex), as text. */
function reachableBytes(root: unknown): string[] {
  const seen = new Set<object>();
  const queue: unknown[] = [root];
  const texts: string[] = [];
  while (queue.length > 0) {
    const value = queue.shift();
    if ((typeof value !== "object" && typeof value !== "function") || value === null || seen.has(value)) continue;
    seen.add(value);
    if (ArrayBuffer.isView(value)) texts.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("latin1"));
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor !== undefined && "value" in descriptor) queue.push(descriptor.value);
    }
  }
  return texts;
}
const TOKEN = "errors-SESSION-TOKEN-IQoJb3JpZ2luX2VjEXAMPLE";

describe("CredentialsError", () => {
  it("defaults to falling through and not retrying", () => {
    const error = new CredentialsError("nope", { source: "env" });
    expect(error).toMatchObject({ name: "CredentialsError", source: "env", code: "PROVIDER_FAILED", tryNextLink: true, retryable: false });
  });

  it("keeps the root cause", () => {
    const cause = new Error("socket hang up");
    expect(new CredentialsError("failed", { source: "imds", cause }).cause).toBe(cause);
  });

  it("is recognised by instanceof across two copies of the package (a Symbol.for brand)", () => {
    const error = new CredentialsError("x", { source: "env" });
    const fromAnotherCopy = Object.create(Error.prototype) as Record<symbol, unknown>;
    fromAnotherCopy[Symbol.for("env-or-profile.CredentialsError")] = true;
    expect(error instanceof CredentialsError).toBe(true);
    expect(fromAnotherCopy instanceof CredentialsError).toBe(true);
    expect(new Error("plain") instanceof CredentialsError).toBe(false);
    expect((null as unknown as object) instanceof CredentialsError).toBe(false);
  });

  it("keeps ordinary instanceof for subclasses: a plain CredentialsError is not an instance of one", () => {
    class NarrowError extends CredentialsError {}
    expect(new CredentialsError("x", { source: "s" }) instanceof NarrowError).toBe(false);
    expect(new NarrowError("x", { source: "s" }) instanceof NarrowError).toBe(true);
    expect(new NarrowError("x", { source: "s" }) instanceof CredentialsError).toBe(true);
  });

  it("serialises to its safe fields and summarises a foreign cause", () => {
    const cause = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED", secretAccessKey: "leak-me-not" });
    const json = JSON.stringify(new CredentialsError("down", { source: "imds", code: "IMDS_UNAVAILABLE", cause }));
    expect(JSON.parse(json)).toEqual({
      name: "CredentialsError",
      code: "IMDS_UNAVAILABLE",
      source: "imds",
      tryNextLink: true,
      retryable: false,
      message: "down",
      cause: { name: "Error", code: "ECONNREFUSED", message: "connect ECONNREFUSED" },
    });
    expect(json).not.toContain("leak-me-not");
  });

  it("shows only safe fields in util.inspect", () => {
    const cause = Object.assign(new Error("x"), { sessionToken: "token-leak-me-not" });
    const text = inspect(new CredentialsError("down", { source: "imds", cause }), { depth: 10, showHidden: true });
    expect(text).toContain("down");
    expect(text).not.toContain("token-leak-me-not");
  });

  it("cuts an access key id to its last four characters", () => {
    expect(redactKeyId("AKIAIOSFODNN7EXAMPLE")).toBe("…MPLE");
  });

  describe("secret-safe by construction", () => {
    afterEach(() => {
      forgetSecrets();
    });

    it("scrubs a known secret a server echoed into the message, everywhere the message shows", () => {
      registerCredential({ secretAccessKey: SECRET, sessionToken: TOKEN });
      const error = new CredentialsError(`STS said: token ${TOKEN} is invalid`, { source: "assume-role" });
      expect(error.message).toBe(`STS said: token ${SCRUBBED} is invalid`);
      expect(JSON.stringify(error)).not.toContain(TOKEN);
      expect(inspect(error, { showHidden: true, depth: 10 })).not.toContain(TOKEN);
      expect(error.stack).not.toContain(TOKEN);
    });

    it("scrubs a known secret in a foreign cause's message and stack, keeping the cause itself", () => {
      registerCredential({ secretAccessKey: SECRET, sessionToken: TOKEN });
      const cause = new Error(`echo: ${SECRET}`);
      const error = new CredentialsError("failed", { source: "imds", cause });
      expect(error.cause).toBe(cause);
      expect(cause.message).toBe(`echo: ${SCRUBBED}`);
      expectClean(error, [SECRET]);
    });

    it("strips every property of a foreign cause but its safe fields: rawPacket, $response, body, symbols, hidden ones", () => {
      const body = `{"SecretAccessKey":"${SECRET}","Token":"${TOKEN}"}`;
      const parserError = Object.assign(new Error("Parse Error: Expected HTTP/"), {
        code: "HPE_INVALID_CONSTANT",
        reason: "Expected HTTP/",
        bytesParsed: 0,
        rawPacket: Buffer.from(body),
        $response: { body },
        body,
        [Symbol("kBody")]: body,
      });
      Object.defineProperty(parserError, "hidden", { value: body, enumerable: false, configurable: true });
      const middle = new Error("request failed", { cause: parserError });
      Object.assign(middle, { $metadata: { httpStatusCode: 500, requestId: "rid-1", headers: { "x-token": TOKEN } } });
      const error = new CredentialsError("IMDS answered garbage", { source: "imds", cause: middle });
      expectClean(error, [SECRET, TOKEN]);
      expect(error.cause).toBe(middle);
      expect((error.cause as Error).cause).toBe(parserError);
      expect(parserError).toMatchObject({ code: "HPE_INVALID_CONSTANT", reason: "Expected HTTP/", bytesParsed: 0 });
      expect(Reflect.ownKeys(parserError).sort()).toEqual(["bytesParsed", "code", "message", "reason", "stack"]);
      expect((middle as unknown as { $metadata: unknown }).$metadata).toEqual({ httpStatusCode: 500, requestId: "rid-1" });
    });

    it("keeps no byte of a response that broke Node's HTTP parser (a real rawPacket), however deep", async () => {
      const body = `{"AccessKeyId":"ASIAPARSER0000000001","SecretAccessKey":"${SECRET}","Token":"${TOKEN}"}`;
      const server = createNetServer((socket) => {
        socket.on("data", () => socket.end(`HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n${body}`));
        socket.on("error", () => undefined);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as AddressInfo;
      const parserError = await new Promise<Error>((resolve) => {
        request({ host: "127.0.0.1", port, path: "/" }, () => undefined).on("error", resolve).end();
      });
      server.close();
      expect(Reflect.ownKeys(parserError)).toContain("rawPacket"); // what Node attaches
      const transport = new Error("IMDS request failed", { cause: parserError });
      const error = new CredentialsError("IMDS sent an unreadable answer", { source: "imds", code: "IMDS_BAD_RESPONSE", cause: transport });
      expectClean(error, [SECRET, TOKEN, body.slice(20, 60)]);
      expect(reachableBytes(error).filter((text) => text.includes(SECRET) || text.includes(TOKEN))).toEqual([]);
      expect((error.cause as Error).cause).toBe(parserError);
      expect(parserError).toHaveProperty("code");
    });

    it("replaces a frozen foreign cause by a clean copy of the same kind", () => {
      const cause = Object.freeze(Object.assign(new TypeError("bad"), { code: "E_BAD", body: `token ${TOKEN}` }));
      const error = new CredentialsError("failed", { source: "container", cause });
      expect(error.cause).toBeInstanceOf(TypeError);
      expect(error.cause).toMatchObject({ message: "bad", code: "E_BAD" });
      expectClean(error, [TOKEN]);
    });

    it("reads a getter on a foreign cause once and keeps only its scrubbed value", () => {
      registerCredential({ sessionToken: TOKEN });
      const cause = new Error("x");
      Object.defineProperty(cause, "message", { get: () => `echo ${TOKEN}`, configurable: true });
      const error = new CredentialsError("failed", { source: "imds", cause });
      expect((error.cause as Error).message).toBe(`echo ${SCRUBBED}`);
      expectClean(error, [TOKEN]);
    });

    it("cleans every error of a chain's `errors` and their causes", () => {
      const inner = Object.assign(new Error("inner"), { rawPacket: Buffer.from(TOKEN) });
      const sdk = Object.assign(new Error("Could not load credentials"), { name: "CredentialsProviderError", tryNextLink: true, cause: inner });
      const error = new CredentialsError("none", { source: "chain", code: "CHAIN_EXHAUSTED", errors: [sdk], cause: sdk });
      expect(error.errors[0]).toBe(sdk);
      expect(error.cause).toBe(sdk);
      expectClean(error, [TOKEN]);
    });

    it("turns a non-Error object cause into its tag and scrubs a string cause", () => {
      registerCredential({ sessionToken: TOKEN });
      expect(new CredentialsError("x", { source: "s", cause: { token: TOKEN } }).cause).toBe("[object Object]");
      expect(new CredentialsError("x", { source: "s", cause: `raw ${TOKEN}` }).cause).toBe(`raw ${SCRUBBED}`);
    });

    it("survives a cyclic cause chain", () => {
      const a = new Error("a");
      const b = new Error("b", { cause: a });
      Object.defineProperty(a, "cause", { value: b, configurable: true, writable: true });
      const error = new CredentialsError("cycle", { source: "s", cause: a });
      expect(error.cause).toBe(a);
      expect(JSON.stringify(error)).toContain("cycle");
    });
  });
});
