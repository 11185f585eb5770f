/*
 * Issue 12 item 14: 10,000 distinct providers created at once share one token request, one role
 * discovery and one credential fetch per endpoint and role — and a provider with different rules
 * (IMDSv1 refused) still gets its own, correct answer.
 */
import { describe, expect, it } from "vitest";
import { memoize } from "../../../src/memoize.js";
import { fromImds } from "../../../src/providers/imds/from-imds.js";
import { manualClock } from "../../../src/testing/manual-clock.js";
import { imdsProvider, ROLE_LIST, TOKEN, useEmulators } from "./helpers.js";

const start = useEmulators();
const PROVIDERS = 10_000;

describe("a start-up storm of distinct IMDS providers", () => {
  it("sends at most three requests for 10,000 fromImds() providers called at once, and none fails", async () => {
    const imds = await start();
    const providers = Array.from({ length: PROVIDERS }, () => imdsProvider(imds));
    const results = await Promise.allSettled(providers.map((provider) => provider()));
    expect(results.filter((result) => result.status === "rejected")).toEqual([]);
    expect(imds.requestCount).toBeLessThanOrEqual(3);
  });

  it("sends at most three requests for 10,000 memoize(fromImds()) providers with their own clocks", async () => {
    const imds = await start();
    const providers = Array.from({ length: PROVIDERS }, () => memoize(imdsProvider(imds, { clock: { now: () => Date.now() } })));
    const results = await Promise.allSettled(providers.map((provider) => provider()));
    expect(results.filter((result) => result.status === "rejected")).toEqual([]);
    expect(imds.requestCount).toBeLessThanOrEqual(3);
    expect(results.every((result) => result.status === "fulfilled" && result.value.accessKeyId === imds.current.accessKeyId)).toBe(true);
  });

  it("hands each caller its own identity object", async () => {
    const imds = await start();
    const [a, b] = await Promise.all([imdsProvider(imds)(), imdsProvider(imds)()]);
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
    expect(a.expiration).not.toBe(b.expiration);
  });

  it("shares the cached credential with a memoized provider created later, without I/O (the role was listed within the minute)", async () => {
    const imds = await start();
    await memoize(imdsProvider(imds))();
    const before = imds.requestCount;
    expect(await memoize(imdsProvider(imds))()).toEqual(imds.current);
    expect(imds.requestCount).toBe(before);
  });

  it("asks IMDS again when the same provider calls again (a refresh), and serves rotated keys", async () => {
    const imds = await start();
    const provider = imdsProvider(imds);
    await provider();
    const rotated = imds.rotate();
    expect(await provider()).toEqual(rotated);
    expect(await imdsProvider(imds)()).toEqual(rotated); // and the next newcomer gets the new ones
  });

  it("does not share a cached credential inside its refresh window: a new memoized provider then fetches", async () => {
    const clock = manualClock();
    const imds = await start({ clock, autoRotate: false, expiration: new Date(clock.now() + 60 * 60_000) });
    await memoize(imdsProvider(imds, { clock }), { clock, jitter: false })();
    const before = imds.count(`${ROLE_LIST}${imds.roleName ?? ""}`);
    clock.advance(56 * 60_000);
    await memoize(imdsProvider(imds, { clock }), { clock, jitter: false })();
    expect(imds.count(`${ROLE_LIST}${imds.roleName ?? ""}`)).toBe(before + 1);
  });

  it("gives v1-refusing providers their own token request and error on a v1-only IMDS, amid v1-allowing ones", async () => {
    const imds = await start({ mode: "v1-only" });
    const allowing = Array.from({ length: 2_000 }, () => imdsProvider(imds));
    const refusing = Array.from({ length: 2_000 }, () => imdsProvider(imds, { allowImdsV1: false }));
    const results = await Promise.allSettled([...allowing, ...refusing].map((provider) => provider()));
    expect(results.slice(0, 2_000).every((result) => result.status === "fulfilled")).toBe(true);
    expect(results.slice(2_000).every((result) => result.status === "rejected" && (result.reason as { code?: string }).code === "IMDS_V1_DISABLED")).toBe(true);
    expect(imds.count(TOKEN)).toBe(2);
    expect(imds.requestCount).toBeLessThanOrEqual(4);
  });

  it("never hands credentials fetched over IMDSv1 to a provider that refuses IMDSv1", async () => {
    const imds = await start();
    imds.failOnce(TOKEN, 405);
    await imdsProvider(imds)(); // over IMDSv1
    const strict = await fromImds({ endpoint: imds.endpoint, env: {}, allowImdsV1: false })();
    expect(strict).toEqual(imds.current);
    expect(imds.log.at(-1)?.headers["x-aws-ec2-metadata-token"]).toBeDefined();
  });
});
