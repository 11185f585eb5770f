import { afterEach, describe, expect, it, vi } from "vitest";
import type { StsFault } from "../../../src/testing/sts-emulator.js";
import { collectingLogger, rawServer } from "../../helpers/leak-check.js";
import { memoize } from "../../../src/memoize.js";
import { fromWebIdentity } from "../../../src/providers/web-identity/from-web-identity.js";
import { ROLE, useWorld } from "./web-identity-fixtures.js";
import { failure } from "../../helpers/credentials-failure.js";

const world = useWorld();
afterEach(() => {
  vi.useRealTimers();
});

describe("fromWebIdentity: what STS says, mapped", () => {
  it("AccessDenied: not retried, names the role and points at the trust policy", async () => {
    world.sts.injectFault({ kind: "access-denied" }, Number.POSITIVE_INFINITY);
    const error = await failure(world.provider()());
    expect(error).toMatchObject({ code: "STS_ACCESS_DENIED", tryNextLink: false, retryable: false, source: "web-identity" });
    expect(error.message).toContain(ROLE);
    expect(error.message).toContain("trust policy");
    expect(error.message).toContain("sts:AssumeRoleWithWebIdentity");
    expect(world.sts.webIdentityCalls).toBe(1);
  });

  it("a storm of concurrent callers of a denied role makes one request; a later call asks again (a fixed trust policy is seen at once)", async () => {
    world.sts.injectFault({ kind: "access-denied" }, Number.POSITIVE_INFINITY);
    const provider = world.provider();
    const errors = await Promise.all(Array.from({ length: 5 }, () => failure(provider())));
    expect(errors.every((error) => error.code === "STS_ACCESS_DENIED")).toBe(true);
    expect(world.sts.webIdentityCalls).toBe(1);
    await failure(world.provider()());
    expect(world.sts.webIdentityCalls).toBe(2);
  });

  it("InvalidIdentityToken: WEB_IDENTITY_TOKEN_INVALID, not retried, names the token file", async () => {
    world.sts.injectFault({ kind: "invalid-identity-token" }, Number.POSITIVE_INFINITY);
    const error = await failure(world.provider()());
    expect(error).toMatchObject({ code: "WEB_IDENTITY_TOKEN_INVALID", tryNextLink: false, retryable: false });
    expect(error.message).toContain(world.token.tokenFile);
    expect(world.sts.webIdentityCalls).toBe(1);
  });

  it("a token STS does not accept at all is WEB_IDENTITY_TOKEN_INVALID too", async () => {
    world.token.write("eyJ.not-the-expected-token.sig");
    expect((await failure(world.provider()())).code).toBe("WEB_IDENTITY_TOKEN_INVALID");
  });

  it("ExpiredToken: WEB_IDENTITY_TOKEN_EXPIRED, says the token file is stale", async () => {
    world.sts.injectFault({ kind: "expired-token" }, Number.POSITIVE_INFINITY);
    const error = await failure(world.provider()());
    expect(error).toMatchObject({ code: "WEB_IDENTITY_TOKEN_EXPIRED", tryNextLink: false, retryable: false });
    expect(error.message).toContain("stale");
    expect(error.message).toContain(world.token.tokenFile);
  });

  it("IDPRejectedClaim: WEB_IDENTITY_IDP_REJECTED, not retried", async () => {
    world.sts.injectFault({ kind: "idp-rejected-claim" }, Number.POSITIVE_INFINITY);
    const error = await failure(world.provider()());
    expect(error).toMatchObject({ code: "WEB_IDENTITY_IDP_REJECTED", retryable: false });
    expect(world.sts.webIdentityCalls).toBe(1);
  });

  it("IDPCommunicationError: WEB_IDENTITY_IDP_ERROR, retryable, retried up to maxAttempts", async () => {
    world.sts.injectFault({ kind: "idp-communication-error" }, Number.POSITIVE_INFINITY);
    const error = await failure(world.provider()());
    expect(error).toMatchObject({ code: "WEB_IDENTITY_IDP_ERROR", tryNextLink: false, retryable: true });
    expect(world.sts.webIdentityCalls).toBe(3);
  });

  it("Throttling: STS_THROTTLED, retryable", async () => {
    world.sts.injectFault({ kind: "throttling" }, Number.POSITIVE_INFINITY);
    const error = await failure(world.provider({ maxAttempts: 1 })());
    expect(error).toMatchObject({ code: "STS_THROTTLED", retryable: true });
  });

  it("5xx: STS_ERROR, retryable", async () => {
    for (const status of [500, 503]) {
      world.sts.clearFaults();
      world.sts.injectFault({ kind: "server-error", status }, Number.POSITIVE_INFINITY);
      const error = await failure(world.provider({ maxAttempts: 1, roleSessionName: `s-${status}` })());
      expect(error, String(status)).toMatchObject({ code: "STS_ERROR", retryable: true });
      expect(error.message).toContain(String(status));
    }
  });

  it.each<[StsFault["kind"], StsFault]>([
    ["malformed", { kind: "malformed" }],
    ["missing-credentials", { kind: "missing-credentials" }],
  ])("an answer without usable credentials (%s): STS_BAD_RESPONSE, not retried", async (_, fault) => {
    world.sts.injectFault(fault, Number.POSITIVE_INFINITY);
    const error = await failure(world.provider()());
    expect(error).toMatchObject({ code: "STS_BAD_RESPONSE", retryable: false });
    expect(world.sts.webIdentityCalls).toBe(1);
  });

  it("a 4xx STS does not explain (ValidationError): STS_ERROR, not retried", async () => {
    const server = await rawServer((_req, res) => {
      res.writeHead(400, { "content-type": "text/xml" });
      res.end(
        `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>ValidationError</Code>` +
          `<Message>1 validation error detected</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
      );
    });
    try {
      const error = await failure(world.provider({ endpoint: server.endpoint })());
      expect(error).toMatchObject({ code: "STS_ERROR", retryable: false });
      expect(error.message).toContain("ValidationError");
      expect(server.requests).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("a closed port: STS_ERROR, retryable, naming the endpoint", async () => {
    const server = await rawServer(() => undefined);
    const endpoint = server.endpoint;
    await server.close();
    const error = await failure(world.provider({ endpoint, maxAttempts: 1 })());
    expect(error).toMatchObject({ code: "STS_ERROR", retryable: true });
    expect(error.message).toContain(endpoint);
  });

  it("an STS that never answers: STS_ERROR (timeout) at the deadline, retryable", async () => {
    world.sts.injectFault({ kind: "hang" }, Number.POSITIVE_INFINITY);
    const started = performance.now();
    const error = await failure(world.provider({ timeoutMs: 150, maxAttempts: 1 })());
    expect(error).toMatchObject({ code: "STS_ERROR", retryable: true });
    expect(error.message).toMatch(/Timeout|within 150 ms/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("an STS that trickles its answer forever is cut off by the deadline on the whole call", async () => {
    const server = await rawServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/xml" });
      const timer = setInterval(() => res.write(" "), 20);
      res.on("close", () => clearInterval(timer));
    });
    try {
      const error = await failure(world.provider({ endpoint: server.endpoint, timeoutMs: 200, maxAttempts: 1 })());
      expect(error).toMatchObject({ code: "STS_ERROR", retryable: true });
    } finally {
      await server.close();
    }
  });
});

describe("fromWebIdentity: retries", () => {
  /** Drives fake timers while real loopback I/O makes progress, until `promise` settles. */
  async function drive<T>(promise: Promise<T>): Promise<T> {
    let settled = false;
    void promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let i = 0; i < 2_000 && !settled; i++) {
      await vi.advanceTimersByTimeAsync(5);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return promise;
  }

  it("retries what can heal with full-jitter backoff on fake timers, then succeeds", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    world.sts.injectFault({ kind: "idp-communication-error" });
    world.sts.injectFault({ kind: "server-error", status: 503 });
    const logger = collectingLogger();
    const provider = memoize(fromWebIdentity({ env: world.env(), clock: world.clock }), { clock: world.clock, random: () => 0.5, logger });
    const credential = await drive(provider());
    expect(credential.accessKeyId).toBe(world.sts.issued[0]?.accessKeyId);
    expect(world.sts.webIdentityCalls).toBe(3);
    // Full jitter: half of the 100 ms cap, then half of the 200 ms cap.
    expect(logger.lines.filter((line) => line.includes("attempt"))).toEqual([
      expect.stringMatching(/attempt 1 failed .*retrying in 50 ms/),
      expect.stringMatching(/attempt 2 failed .*retrying in 100 ms/),
    ]);
  });

  it("does not wait before retrying when the backoff draw is 0 (no real sleeping in the other tests)", async () => {
    world.sts.injectFault({ kind: "throttling" }, 2);
    await world.provider()();
    expect(world.sts.webIdentityCalls).toBe(3);
  });

  it("does not retry what cannot heal", async () => {
    world.sts.injectFault({ kind: "access-denied" });
    await failure(world.provider({ maxAttempts: 5 })());
    expect(world.sts.webIdentityCalls).toBe(1);
  });

  it("makes exactly maxAttempts attempts", async () => {
    world.sts.injectFault({ kind: "server-error" }, Number.POSITIVE_INFINITY);
    await failure(world.provider({ maxAttempts: 5 })());
    expect(world.sts.webIdentityCalls).toBe(5);
  });

  it("does not remember a retryable failure: the next call tries again", async () => {
    world.sts.injectFault({ kind: "server-error" }, 1);
    const provider = world.provider({ maxAttempts: 1 });
    await failure(provider());
    expect((await provider()).accessKeyId).toBe(world.sts.issued[0]?.accessKeyId);
  });
});
