import { memoize } from "../../../src/memoize.js";
import { describe, expect, it } from "vitest";
import { fromImds } from "../../../src/providers/imds/from-imds.js";
import { V1_VERDICT_MS } from "../../../src/providers/imds/token-cache.js";
import { manualClock } from "../../../src/testing/manual-clock.js";
import { closedPortEndpoint, imdsProvider, rejection, rolePath, ROLE_LIST, TOKEN, useEmulators } from "./helpers.js";

const start = useEmulators();
const ROLE = rolePath("env-or-profile-demo-role");

async function timed<T>(promise: Promise<T>): Promise<{ ms: number; outcome: PromiseSettledResult<T> }> {
  const started = performance.now();
  const [outcome] = await Promise.allSettled([promise]);
  return { ms: performance.now() - started, outcome };
}

describe("IMDSv1 fallback", () => {
  it("uses IMDSv1 when the token request answers 404 (v1-only IMDS)", async () => {
    const imds = await start({ mode: "v1-only" });
    expect(await imdsProvider(imds)()).toEqual(imds.current);
    const gets = imds.log.filter((request) => request.method === "GET");
    expect(gets.every((request) => request.headers["x-aws-ec2-metadata-token"] === undefined)).toBe(true);
  });

  it.each([403, 405])("uses IMDSv1 when the token request answers %i", async (status) => {
    const imds = await start();
    imds.fail(TOKEN, status);
    expect(await imdsProvider(imds)()).toEqual(imds.current);
  });

  it("remembers the IMDSv1 verdict instead of asking for a token on every call", async () => {
    const imds = await start({ mode: "v1-only" });
    const provider = imdsProvider(imds);
    await provider();
    await provider();
    expect(imds.tokenRequests).toBe(1);
  });

  it("uses IMDSv1 within one timeout when the token request is never answered but a plain GET works", async () => {
    const imds = await start();
    imds.fail(TOKEN, "hang");
    const { ms, outcome } = await timed(imdsProvider(imds, { timeoutMs: 300 })());
    expect(outcome).toMatchObject({ status: "fulfilled", value: imds.current });
    expect(ms).toBeLessThan(300 + 250);
  });

  it("reports a token-required IMDS whose token request is never answered as IMDS_TIMEOUT, not a fall-through", async () => {
    const imds = await start({ mode: "token-required" });
    imds.fail(TOKEN, "hang");
    const error = await rejection(imdsProvider(imds, { timeoutMs: 150 })());
    // Not retryable: a hop limit is configuration, and a retry would only pay the timeout again.
    expect(error).toMatchObject({ code: "IMDS_TIMEOUT", tryNextLink: false, retryable: false });
  });

  it("trusts IMDSv1 after one slow token answer only for a minute, then asks for a token again", async () => {
    const clock = manualClock();
    const imds = await start({ clock });
    imds.failOnce(TOKEN, "hang");
    const provider = imdsProvider(imds, { timeoutMs: 200, clock });
    await provider(); // token unanswered, plain GET works: IMDSv1 for now
    await provider();
    expect(imds.tokenRequests).toBe(1);
    clock.advance(V1_VERDICT_MS);
    await provider();
    expect(imds.tokenRequests).toBe(2);
    expect(imds.log.at(-1)?.headers["x-aws-ec2-metadata-token"]).toBeDefined();
  });

  it("refuses IMDSv1 with IMDS_V1_DISABLED when AWS_EC2_METADATA_V1_DISABLED=true", async () => {
    const imds = await start({ mode: "v1-only" });
    const error = await rejection(imdsProvider(imds, { env: { AWS_EC2_METADATA_V1_DISABLED: "true" } })());
    expect(error).toMatchObject({ code: "IMDS_V1_DISABLED", tryNextLink: false });
    expect(error.message).toContain("AWS_EC2_METADATA_V1_DISABLED=true");
    expect(imds.count(ROLE_LIST)).toBe(0);
  });

  it("refuses IMDSv1 with IMDS_V1_DISABLED when allowImdsV1 is false", async () => {
    const imds = await start();
    imds.fail(TOKEN, 403);
    const error = await rejection(imdsProvider(imds, { allowImdsV1: false })());
    expect(error).toMatchObject({ code: "IMDS_V1_DISABLED", tryNextLink: false });
    expect(error.message).toContain("allowImdsV1: false");
  });

  it("lets allowImdsV1: true win over AWS_EC2_METADATA_V1_DISABLED", async () => {
    const imds = await start({ mode: "v1-only" });
    const provider = imdsProvider(imds, { allowImdsV1: true, env: { AWS_EC2_METADATA_V1_DISABLED: "true" } });
    expect(await provider()).toEqual(imds.current);
  });

  it("does not fall back when the token request answers 400", async () => {
    const imds = await start();
    imds.fail(TOKEN, 400);
    const error = await rejection(imdsProvider(imds)());
    expect(error).toMatchObject({ code: "IMDS_HTTP_ERROR", tryNextLink: false, retryable: false });
    expect(imds.count(ROLE_LIST)).toBe(0);
  });

  it("asks for a token again when an IMDSv1 GET starts answering 401", async () => {
    const imds = await start({ mode: "v1-only" });
    const provider = imdsProvider(imds);
    await provider();
    imds.mode = "token-required";
    expect(await provider()).toEqual(imds.current);
    expect(imds.tokenRequests).toBe(2);
  });
});

describe("off EC2", () => {
  it("falls through at once with IMDS_UNAVAILABLE when the connection is refused", async () => {
    const endpoint = await closedPortEndpoint();
    const { ms, outcome } = await timed(fromImds({ endpoint, env: {}, timeoutMs: 5_000 })());
    expect(outcome.status).toBe("rejected");
    const error = (outcome as PromiseRejectedResult).reason as Record<string, unknown>;
    expect(error).toMatchObject({ code: "IMDS_UNAVAILABLE", tryNextLink: true, retryable: false });
    expect(ms).toBeLessThan(1_000);
  });

  it("spends one timeout in total when nothing answers, not one per request", async () => {
    const imds = await start();
    imds.fail("*", "hang");
    const { ms, outcome } = await timed(imdsProvider(imds, { timeoutMs: 400 })());
    const error = (outcome as PromiseRejectedResult).reason as Record<string, unknown>;
    expect(error).toMatchObject({ code: "IMDS_TIMEOUT", tryNextLink: true, retryable: false });
    expect(imds.tokenRequests).toBe(1); // the token request and one IMDSv1 try shared the budget
    expect(imds.count(ROLE_LIST)).toBe(1);
    expect(ms).toBeGreaterThanOrEqual(390);
    expect(ms).toBeLessThan(600); // two timeouts would be 800
  });

  it("spends one timeout in total when nothing answers and IMDSv1 is off", async () => {
    const imds = await start();
    imds.fail("*", "hang");
    const { ms } = await timed(imdsProvider(imds, { timeoutMs: 150, allowImdsV1: false })());
    expect(ms).toBeLessThan(150 + 200);
    expect(imds.requestCount).toBe(1);
  });

  it("fails fast without I/O during the cool-down after nothing answered", async () => {
    const imds = await start();
    imds.fail("*", "hang");
    const provider = imdsProvider(imds, { timeoutMs: 150 });
    await rejection(provider());
    const before = imds.requestCount;
    const { ms, outcome } = await timed(provider());
    expect((outcome as PromiseRejectedResult).reason).toMatchObject({ code: "IMDS_UNAVAILABLE", tryNextLink: true, retryable: false });
    expect(ms).toBeLessThan(100);
    expect(imds.requestCount).toBe(before);
  });

  it("shares the cool-down with every provider on the same endpoint", async () => {
    const imds = await start();
    imds.fail("*", "hang");
    await rejection(imdsProvider(imds, { timeoutMs: 150 })());
    const before = imds.requestCount;
    expect((await rejection(imdsProvider(imds, { timeoutMs: 150 })())).code).toBe("IMDS_UNAVAILABLE");
    expect(imds.requestCount).toBe(before);
  });

  it("fails fast without I/O during the cool-down after a refused connection", async () => {
    const endpoint = await closedPortEndpoint();
    const provider = fromImds({ endpoint, env: {} });
    await rejection(provider());
    const error = await rejection(provider());
    expect(error.code).toBe("IMDS_UNAVAILABLE");
    expect(error.message).toContain("not trying again");
  });

  it("tries IMDS again once the jittered 15–30 s cool-down has passed on the clock", async () => {
    const clock = manualClock();
    const imds = await start({ clock });
    imds.fail("*", "hang", { times: 2 });
    const provider = imdsProvider(imds, { clock, timeoutMs: 150, random: () => 0.999 });
    await rejection(provider());
    clock.advance(29_000);
    expect((await rejection(provider())).code).toBe("IMDS_UNAVAILABLE");
    clock.advance(1_000);
    expect(await provider()).toEqual(imds.current);
  });
});

describe("reachable but broken", () => {
  it.each([500, 502, 503, 429])("marks a %i answer retryable and stops the chain", async (status) => {
    const imds = await start();
    imds.fail(ROLE, status);
    const error = await rejection(imdsProvider(imds)());
    expect(error).toMatchObject({ code: "IMDS_HTTP_ERROR", tryNextLink: false, retryable: true });
    expect(error.message).toContain(String(status));
  });

  it.each([400, 405])("marks a %i answer not retryable and stops the chain", async (status) => {
    const imds = await start();
    imds.fail(ROLE, status);
    const error = await rejection(imdsProvider(imds)());
    expect(error).toMatchObject({ code: "IMDS_HTTP_ERROR", tryNextLink: false, retryable: false });
  });

  it("lets the chain fall through on a 403 (metadata endpoint turned off or blocked), without retrying", async () => {
    const imds = await start();
    imds.fail(ROLE, 403);
    const error = await rejection(imdsProvider(imds)());
    expect(error).toMatchObject({ code: "IMDS_HTTP_ERROR", tryNextLink: true, retryable: false });
    expect(error.message).toContain("turned off or blocked");
  });

  it("marks a 5xx on the token request retryable", async () => {
    const imds = await start();
    imds.fail(TOKEN, 503);
    expect(await rejection(imdsProvider(imds)())).toMatchObject({ code: "IMDS_HTTP_ERROR", retryable: true, tryNextLink: false });
  });

  it("makes maxAttempts attempts per refresh, under memoize, for retryable answers", async () => {
    const imds = await start();
    imds.fail(ROLE, 500, { times: 2 });
    expect(await memoize(imdsProvider(imds, { maxAttempts: 3 }), { random: () => 0 })()).toEqual(imds.current);
    expect(imds.count(ROLE)).toBe(3);
  });

  it("honours AWS_METADATA_SERVICE_NUM_ATTEMPTS", async () => {
    const imds = await start();
    imds.fail(ROLE, 503, { times: 1 });
    const provider = memoize(imdsProvider(imds, { env: { AWS_METADATA_SERVICE_NUM_ATTEMPTS: "2" } }), { random: () => 0 });
    expect(await provider()).toEqual(imds.current);
    expect(imds.count(ROLE)).toBe(2);
  });

  it("makes one attempt per call on its own; memoize's own retry when no attempts are configured", async () => {
    const imds = await start();
    imds.fail(ROLE, 500, { times: 1 });
    await rejection(imdsProvider(imds)());
    expect(imds.count(ROLE)).toBe(1);
    imds.fail(ROLE, 500, { times: 2 });
    expect(await memoize(imdsProvider(imds), { random: () => 0 })()).toEqual(imds.current);
    expect(imds.count(ROLE)).toBe(4);
  });

  it("does not retry a 4xx answer", async () => {
    const imds = await start();
    imds.fail(ROLE, 403);
    await rejection(memoize(imdsProvider(imds, { maxAttempts: 3 }), { random: () => 0 })());
    expect(imds.count(ROLE)).toBe(1);
  });

  it("retries a reset connection", async () => {
    const imds = await start();
    imds.fail(ROLE, "reset", { times: 1 });
    expect(await memoize(imdsProvider(imds, { maxAttempts: 2 }), { random: () => 0 })()).toEqual(imds.current);
  });

  it("reports a timeout after IMDS has answered before as retryable, without a cool-down", async () => {
    const imds = await start();
    const provider = imdsProvider(imds, { timeoutMs: 150 });
    await provider();
    imds.fail(ROLE, "hang", { times: 1 });
    expect(await rejection(provider())).toMatchObject({ code: "IMDS_TIMEOUT", tryNextLink: false, retryable: true });
    expect(await provider()).toEqual(imds.current);
  });

  it("honours AWS_METADATA_SERVICE_TIMEOUT in seconds", async () => {
    const imds = await start();
    const provider = fromImds({ endpoint: imds.endpoint, env: { AWS_METADATA_SERVICE_TIMEOUT: "0.1" } });
    await provider();
    imds.fail(ROLE, "hang", { times: 1 });
    const { ms } = await timed(provider());
    expect(ms).toBeLessThan(100 + 200);
  });

  it("lets timeoutMs win over AWS_METADATA_SERVICE_TIMEOUT", async () => {
    const imds = await start();
    const provider = fromImds({ endpoint: imds.endpoint, timeoutMs: 100, env: { AWS_METADATA_SERVICE_TIMEOUT: "30" } });
    await provider();
    imds.fail(ROLE, "drip", { times: 1 });
    const { ms } = await timed(provider());
    expect(ms).toBeLessThan(100 + 200);
  });
});
