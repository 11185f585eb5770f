import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { memoize, type MemoizeOptions } from "../../../src/memoize.js";
import { fromContainer } from "../../../src/providers/container/from-container.js";
import { startContainerEmulator, type ContainerEmulator, type ContainerEmulatorOptions } from "../../../src/testing/container-emulator.js";
import { manualClock } from "../../../src/testing/manual-clock.js";
import { collectingLogger, expectClean, rawServer } from "../../helpers/leak-check.js";
import { failure } from "../../helpers/credentials-failure.js";

const FULL = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
const RELATIVE = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
const TOKEN = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
const TOKEN_FILE = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
const noJitter = (): number => 0;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});
const dir = mkdtempSync(join(tmpdir(), "container-token-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
function tokenFile(content: string): string {
  const path = join(dir, `token-${files++}`);
  writeFileSync(path, content);
  return path;
}

async function emulator(options: ContainerEmulatorOptions = {}): Promise<ContainerEmulator> {
  const started = await startContainerEmulator(options);
  closers.push(() => started.close());
  return started;
}

describe("fromContainer: where it asks", () => {
  it("falls through with CONTAINER_NOT_SET, without I/O, when neither URI variable is set", async () => {
    const error = await failure(fromContainer({ env: {} })());
    expect(error).toMatchObject({ code: "CONTAINER_NOT_SET", tryNextLink: true, source: "container" });
  });

  it("gets the credentials, account id included, from a full URI", async () => {
    const container = await emulator({ accountId: "123456789012" });
    const identity = await fromContainer({ env: { [FULL]: container.endpoint } })();
    expect(identity).toEqual({
      accessKeyId: container.current.accessKeyId,
      secretAccessKey: container.current.secretAccessKey,
      sessionToken: container.current.sessionToken,
      expiration: container.current.expiration,
      accountId: "123456789012",
    });
    expect(container.log[0]).toMatchObject({ method: "GET", path: container.path });
  });

  it("refuses a host that is not allowed when called, before any request, and stops the chain", async () => {
    const server = await rawServer((_req, res) => res.end("{}"));
    closers.push(() => server.close());
    const port = new URL(server.endpoint).port;
    const provider = fromContainer({ env: { [FULL]: `http://127.0.0.1.nip.io:${port}/creds` } });
    const error = await failure(provider());
    expect(error).toMatchObject({ code: "CONTAINER_HOST_NOT_ALLOWED", tryNextLink: false });
    expect(server.requests).toBe(0);
  });

  it("warns once per provider, at its first call, that the relative URI wins over the full URI", async () => {
    const logger = collectingLogger();
    const provider = fromContainer({ env: { [RELATIVE]: "/v2/credentials/task", [FULL]: "http://127.0.0.1:9/creds" }, logger, timeoutMs: 1 });
    expect(logger.lines).toEqual([]);
    await provider().catch(() => undefined);
    await provider().catch(() => undefined);
    expect(logger.lines.filter((line) => line.startsWith("warn"))).toEqual([
      expect.stringMatching(/AWS_CONTAINER_CREDENTIALS_RELATIVE_URI wins .*AWS_CONTAINER_CREDENTIALS_FULL_URI is ignored/),
    ]);
  });

  it("reads the environment on every call, so a changed variable is seen by the next call", async () => {
    const container = await emulator();
    const other = await emulator();
    const env: Record<string, string> = {};
    const provider = fromContainer({ env });
    expect((await failure(provider())).code).toBe("CONTAINER_NOT_SET");
    env[FULL] = container.endpoint;
    await expect(provider()).resolves.toMatchObject({ accessKeyId: container.current.accessKeyId });
    env[FULL] = other.endpoint;
    await expect(provider()).resolves.toMatchObject({ accessKeyId: other.current.accessKeyId });
  });

  it("rejects invalid options with a TypeError at once", () => {
    expect(() => fromContainer({ timeoutMs: 0 })).toThrow(/Expected `timeoutMs`/);
    expect(() => fromContainer({ maxAttempts: 0 })).toThrow(/Expected `maxAttempts`/);
    expect(() => fromContainer({ env: null as unknown as Record<string, string> })).toThrow(TypeError);
  });
});

describe("fromContainer: authorization", () => {
  it("sends AWS_CONTAINER_AUTHORIZATION_TOKEN as the Authorization header", async () => {
    const container = await emulator({ authorizationToken: "ecs-token-1" });
    await fromContainer({ env: { [FULL]: container.endpoint, [TOKEN]: "ecs-token-1" } })();
    expect(container.log[0]).toMatchObject({ authorization: "ecs-token-1", authorized: true });
  });

  it("re-reads the token file on every request, so a rotated token is sent next time", async () => {
    const path = tokenFile("pod-token-1");
    const container = await emulator({ authorizationToken: "pod-token-1" });
    const provider = fromContainer({ env: { [FULL]: container.endpoint, [TOKEN_FILE]: path } });
    await provider();
    writeFileSync(path, "pod-token-2");
    container.authorizationToken = "pod-token-2";
    await provider();
    expect(container.log.map((entry) => entry.authorization)).toEqual(["pod-token-1", "pod-token-2"]);
    expect(container.credentialRequests).toBe(2);
  });

  it("drops one trailing newline from the token file, as echo writes it", async () => {
    const container = await emulator({ authorizationToken: "pod-token" });
    await fromContainer({ env: { [FULL]: container.endpoint, [TOKEN_FILE]: tokenFile("pod-token\n") } })();
    expect(container.log[0]?.authorization).toBe("pod-token");
  });

  it("prefers the token file over the token variable when both are set, and warns", async () => {
    const logger = collectingLogger();
    const container = await emulator({ authorizationToken: "from-file" });
    await fromContainer({ env: { [FULL]: container.endpoint, [TOKEN_FILE]: tokenFile("from-file"), [TOKEN]: "from-variable" }, logger })();
    expect(container.log[0]?.authorization).toBe("from-file");
    expect(logger.lines).toContainEqual(expect.stringMatching(/^warn .*the file wins/));
  });

  it.each([
    ["a missing file", () => join(dir, "does-not-exist"), /cannot be read \(ENOENT\)/],
    ["a directory", () => dir, /cannot be read \(EISDIR\)/],
    ["an empty file", () => tokenFile(""), /is empty/],
    ["a file with CR/LF inside the token", () => tokenFile("pod-token\r\nX-Injected: yes"), /CR or LF/],
    ["an oversized file", () => tokenFile("x".repeat(20_000)), /larger than a token/],
  ])("stops with CONTAINER_TOKEN_INVALID for %s, without asking the endpoint", async (_what, makePath, message) => {
    const container = await emulator();
    const path = makePath();
    const error = await failure(fromContainer({ env: { [FULL]: container.endpoint, [TOKEN_FILE]: path } })());
    expect(error).toMatchObject({ code: "CONTAINER_TOKEN_INVALID", tryNextLink: false });
    expect(error.message).toMatch(message);
    expect(error.message).toContain(TOKEN_FILE);
    expect(container.requestCount).toBe(0);
  });

  it("refuses a token variable with CR/LF and never shows the token", async () => {
    const container = await emulator();
    const secretToken = "secret-pod-token-123\r\nX-Injected: yes";
    const error = await failure(fromContainer({ env: { [FULL]: container.endpoint, [TOKEN]: secretToken } })());
    expect(error).toMatchObject({ code: "CONTAINER_TOKEN_INVALID" });
    expectClean(error, ["secret-pod-token-123"]);
    expect(container.requestCount).toBe(0);
  });

  it("says a missing token is the reason for a 401", async () => {
    const container = await emulator({ authorizationToken: "needed" });
    const error = await failure(fromContainer({ env: { [FULL]: container.endpoint } })());
    expect(error).toMatchObject({ code: "CONTAINER_HTTP_ERROR", retryable: false, tryNextLink: false });
    expect(error.message).toMatch(/asks for authorization \(HTTP 401 \(Unauthorized\)\), and neither AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE/);
    expect(container.requestCount).toBe(1);
  });

  it("says the token was refused for a 403, without retrying or showing the token", async () => {
    const container = await emulator({ authorizationToken: "right-token" });
    const error = await failure(fromContainer({ env: { [FULL]: container.endpoint, [TOKEN]: "wrong-token-value" } })());
    expect(error.message).toMatch(/refused the authorization token \(HTTP 403 \(AccessDenied\)\)/);
    expectClean(error, ["wrong-token-value"]);
    expect(container.requestCount).toBe(1);
  });
});

describe("fromContainer: faults", () => {
  // Memoized, as users run it: the link makes one attempt per call; memoize retries (maxAttempts).
  const provider = (container: ContainerEmulator, extra: Parameters<typeof fromContainer>[0] = {}, memo: MemoizeOptions = {}) =>
    memoize(fromContainer({ env: { [FULL]: container.endpoint }, ...extra }), { random: noJitter, ...memo });

  it("retries a 500 with backoff and gets the credentials on the third attempt", async () => {
    const container = await emulator();
    container.fail(500, { times: 2 });
    await expect(provider(container)()).resolves.toMatchObject({ accessKeyId: container.current.accessKeyId });
    expect(container.requestCount).toBe(3);
  });

  it("gives up after maxAttempts on a lasting 503 with a retryable CONTAINER_HTTP_ERROR", async () => {
    const container = await emulator();
    container.fail(503);
    const error = await failure(provider(container, { maxAttempts: 2 })());
    expect(error).toMatchObject({ code: "CONTAINER_HTTP_ERROR", retryable: true, tryNextLink: false });
    expect(error.message).toContain("HTTP 503");
    expect(container.requestCount).toBe(2);
  });

  it("retries a 429 (throttling)", async () => {
    const container = await emulator();
    container.failOnce(429);
    await expect(provider(container)()).resolves.toMatchObject({ accessKeyId: container.current.accessKeyId });
    expect(container.requestCount).toBe(2);
  });

  it("does not retry a 404", async () => {
    const container = await emulator();
    container.fail(404);
    const error = await failure(provider(container)());
    expect(error).toMatchObject({ code: "CONTAINER_HTTP_ERROR", retryable: false });
    expect(error.message).toContain("no credentials at this path");
    expect(container.requestCount).toBe(1);
  });

  it("does not follow a redirect", async () => {
    const container = await emulator();
    const elsewhere = await emulator();
    container.fail({ status: 302, headers: { location: elsewhere.endpoint }, body: "" });
    const error = await failure(provider(container, { maxAttempts: 1 })());
    expect(error.message).toContain("redirect (HTTP 302), which is never followed");
    expect(elsewhere.requestCount).toBe(0);
  });

  it("times out a hanging endpoint within its timeout and says so (retryable)", async () => {
    const container = await emulator();
    container.fail("hang");
    const started = performance.now();
    const error = await failure(provider(container, { timeoutMs: 200, maxAttempts: 1 })());
    expect(error).toMatchObject({ code: "CONTAINER_TIMEOUT", retryable: true, tryNextLink: false });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("backs off between attempts by full jitter from the injected randomness, and logs each retry", async () => {
    const container = await emulator();
    container.fail(500, { times: 2 });
    const logger = collectingLogger();
    await provider(container, {}, { random: () => 0.5, logger })();
    expect(logger.lines.filter((line) => line.includes("retrying in"))).toEqual([
      expect.stringMatching(/attempt 1 failed \(CONTAINER_HTTP_ERROR: .*HTTP 500.*\); retrying in 25 ms/),
      expect.stringMatching(/attempt 2 failed .*; retrying in 50 ms/),
    ]);
  });

  it("times out on fake timers: a hanging endpoint fails once the fake clock passes the 1 s default", async () => {
    const container = await emulator();
    container.fail("hang");
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const outcome = provider(container, { maxAttempts: 1 })().catch((e: unknown) => e);
      await vi.waitFor(() => expect(container.requestCount).toBe(1), { interval: 5, timeout: 2_000 });
      await vi.advanceTimersByTimeAsync(999);
      await vi.advanceTimersByTimeAsync(200);
      expect(await outcome).toMatchObject({ code: "CONTAINER_TIMEOUT", retryable: true });
    } finally {
      vi.useRealTimers();
    }
  });

  it("retries a reset connection", async () => {
    const container = await emulator();
    container.failOnce("reset");
    await expect(provider(container)()).resolves.toMatchObject({ accessKeyId: container.current.accessKeyId });
  });

  it("reports a refused connection as CONTAINER_UNAVAILABLE and never falls through to another identity", async () => {
    const error = await failure(fromContainer({ env: { [FULL]: "http://127.0.0.1:9/creds" }, maxAttempts: 1 })());
    expect(error).toMatchObject({ code: "CONTAINER_UNAVAILABLE", tryNextLink: false, retryable: true });
    expect(error.message).toContain("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  });

  it("rejects a body that is not JSON without echoing the secrets it carries", async () => {
    const container = await emulator();
    container.fail("bad-json");
    const error = await failure(provider(container)());
    expect(error).toMatchObject({ code: "CONTAINER_BAD_RESPONSE", retryable: false, tryNextLink: false });
    expectClean(error, [container.current.secretAccessKey, container.current.sessionToken]);
    expect(container.requestCount).toBe(1);
  });

  it("rejects a huge body with CONTAINER_TOO_LARGE", async () => {
    const container = await emulator();
    container.fail("huge");
    await expect(provider(container)()).rejects.toMatchObject({ code: "CONTAINER_TOO_LARGE", retryable: false });
  });

  it("rejects already-expired credentials", async () => {
    const container = await emulator();
    container.fail("expired");
    const error = await failure(provider(container)());
    expect(error).toMatchObject({ code: "CONTAINER_BAD_RESPONSE" });
    expect(error.message).toMatch(/Expiration .* is not in the future/);
    expectClean(error, [container.current.secretAccessKey, container.current.sessionToken]);
  });

  it("names every missing field", async () => {
    const container = await emulator();
    container.fail("missing-fields");
    const error = await failure(provider(container)());
    expect(error.message).toMatch(/Token is missing/);
    expect(error.message).toMatch(/Expiration is missing/);
  });

  it("keeps a server's echo of the secrets out of every part of the error", async () => {
    const container = await emulator();
    container.fail("echo-secrets");
    const error = await failure(provider(container, { maxAttempts: 1 })());
    expect(error).toMatchObject({ code: "CONTAINER_HTTP_ERROR", retryable: true });
    expectClean(error, [container.current.secretAccessKey, container.current.sessionToken]);
  });

  it("judges Expiration by its own clock", async () => {
    const clock = manualClock();
    const container = await emulator({ clock, autoRotate: false });
    clock.advance(7 * 60 * 60 * 1000);
    const error = await failure(provider(container, { clock })());
    expect(error.message).toMatch(/not in the future/);
  });
});

describe("fromContainer: many callers", () => {
  it("makes one request for 1,000 concurrent calls across 1,000 providers", async () => {
    const container = await emulator();
    const providers = Array.from({ length: 1_000 }, () => fromContainer({ env: { [FULL]: container.endpoint } }));
    const identities = await Promise.all(providers.map((provider) => provider()));
    expect(new Set(identities.map((identity) => identity.accessKeyId))).toEqual(new Set([container.current.accessKeyId]));
    expect(container.requestCount).toBe(1);
  });

  it("hands each caller its own copy of the identity", async () => {
    const container = await emulator();
    const provider = fromContainer({ env: { [FULL]: container.endpoint } });
    const [a, b] = await Promise.all([provider(), provider()]);
    expect(a).not.toBe(b);
    expect(a?.expiration).not.toBe(b?.expiration);
  });

  it("does not share a request between different tokens", async () => {
    const container = await emulator();
    await Promise.all([
      fromContainer({ env: { [FULL]: container.endpoint, [TOKEN]: "token-a" } })(),
      fromContainer({ env: { [FULL]: container.endpoint, [TOKEN]: "token-b" } })(),
    ]);
    expect(container.log.map((entry) => entry.authorization).sort()).toEqual(["token-a", "token-b"]);
  });
});

describe("fromContainer over https", () => {
  it("accepts any https: host and trusts an extra CA given as `ca`", async () => {
    const fixture = (name: string): string => readFileSync(new URL(`../http-credentials/fixtures/${name}`, import.meta.url), "utf8");
    const expiration = new Date(Date.now() + 60 * 60 * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const server = createHttpsServer({ cert: fixture("loopback-cert.pem"), key: fixture("loopback-key.pem") }, (request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ AccessKeyId: "ASIAHTTPSEXAMPLE0001", SecretAccessKey: "https-secret", Token: "https-token", Expiration: expiration, auth: request.headers.authorization }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/creds`;
    const identity = await fromContainer({ env: { [FULL]: url, [TOKEN]: "tls-token" }, ca: fixture("loopback-cert.pem") })();
    expect(identity).toMatchObject({ accessKeyId: "ASIAHTTPSEXAMPLE0001", sessionToken: "https-token" });
  });

  it("refuses a certificate it does not trust, as a configured-but-broken link", async () => {
    const fixture = (name: string): string => readFileSync(new URL(`../http-credentials/fixtures/${name}`, import.meta.url), "utf8");
    const server = createHttpsServer({ cert: fixture("loopback-cert.pem"), key: fixture("loopback-key.pem") }, (_request, response) => response.end("{}"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/creds`;
    await expect(fromContainer({ env: { [FULL]: url }, maxAttempts: 1 })()).rejects.toMatchObject({ code: "CONTAINER_UNAVAILABLE", tryNextLink: false });
  });
});

describe("fromContainer with an SDK client", () => {
  it("signs S3 requests with the container key and session token", async () => {
    const container = await emulator({ authorizationToken: "pod-token" });
    const headers: IncomingHttpHeaders[] = [];
    const s3 = createServer((request, response) => {
      headers.push(request.headers);
      request.resume();
      response.writeHead(200, { "content-type": "application/xml" });
      response.end('<?xml version="1.0"?><ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>');
    });
    await new Promise<void>((resolve) => s3.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise((resolve) => { s3.closeAllConnections(); s3.close(() => resolve()); }));
    const client = new S3Client({
      region: "us-east-1",
      endpoint: `http://127.0.0.1:${(s3.address() as AddressInfo).port}`,
      forcePathStyle: true,
      credentials: fromContainer({ env: { [FULL]: container.endpoint, [TOKEN]: "pod-token" } }),
    });
    await client.send(new ListBucketsCommand({}));
    client.destroy();
    expect(headers[0]?.authorization).toContain(`Credential=${container.current.accessKeyId}/`);
    expect(headers[0]?.["x-amz-security-token"]).toBe(container.current.sessionToken);
  });
});
