import type { AwsCredentialIdentity } from "@smithy/types";
import { describe, expect, it } from "vitest";
import { createAssumeRoleCache, sharedAssumeRoleCache, SharedAssumeRoleCache } from "../../../src/providers/assume-role/assume-role-cache.js";
import { manualClock } from "../../../src/testing/manual-clock.js";

const HOUR = 3_600_000;
const WINDOW = { refreshWindowMs: 300_000, rememberFailureMs: () => 0 };

function credentialUntil(expiresAt: number, id = "ASIAFAKE"): AwsCredentialIdentity {
  return { accessKeyId: id, secretAccessKey: "s", sessionToken: "t", expiration: new Date(expiresAt) };
}

describe("the AssumeRole cache", () => {
  it("keeps 10,000 distinct roles within its bound", async () => {
    const clock = manualClock();
    const cache = new SharedAssumeRoleCache(100, clock);
    let fetches = 0;
    for (let i = 0; i < 10_000; i += 1) {
      await cache.resolve(`role-${i}`, async () => {
        fetches += 1;
        return credentialUntil(clock.now() + HOUR);
      }, WINDOW);
    }
    expect(cache.size).toBe(100);
    expect(fetches).toBe(10_000);
  });

  it("evicts the least recently used role first", async () => {
    const clock = manualClock();
    const cache = new SharedAssumeRoleCache(2, clock);
    const fetch = async () => credentialUntil(clock.now() + HOUR);
    await cache.resolve("a", fetch, WINDOW);
    await cache.resolve("b", fetch, WINDOW);
    await cache.resolve("a", fetch, WINDOW);
    await cache.resolve("c", fetch, WINDOW);
    expect((await cache.resolve("a", fetch, WINDOW)).outcome).toBe("hit");
    expect((await cache.resolve("b", fetch, WINDOW)).outcome).toBe("fetched");
  });

  it("degrades gracefully for a working set larger than its bound: 1,500 keys cycled through 1,000 entries still hit often (strict LRU: never)", async () => {
    const clock = manualClock();
    let state = 7;
    const cache = new SharedAssumeRoleCache(1_000, clock, () => ((state = (state * 48_271) % 2_147_483_647) / 2_147_483_647));
    let fetches = 0;
    const fetch = async () => {
      fetches += 1;
      return credentialUntil(clock.now() + HOUR);
    };
    for (let round = 0; round < 3; round += 1) {
      for (let i = 0; i < 1_500; i += 1) await cache.resolve(`role-${i}`, fetch, WINDOW);
    }
    const lastRounds = fetches - 1_500;
    expect(cache.size).toBeLessThanOrEqual(1_000);
    expect(lastRounds).toBeLessThan(2 * 1_500 * 0.8); // at least a fifth of the calls are hits
  });

  it("drops an expired entry before a live one when full", async () => {
    const clock = manualClock();
    const cache = new SharedAssumeRoleCache(4, clock, () => 0.99); // a random pick would be the third entry
    await cache.resolve("short", async () => credentialUntil(clock.now() + 400_000), WINDOW);
    for (const key of ["long-1", "long-2", "long-3"]) await cache.resolve(key, async () => credentialUntil(clock.now() + HOUR), WINDOW);
    clock.advance(500_000);
    await cache.resolve("new", async () => credentialUntil(clock.now() + HOUR), WINDOW);
    for (const key of ["long-1", "long-2", "long-3", "new"]) {
      expect((await cache.resolve(key, async () => credentialUntil(clock.now() + HOUR), WINDOW)).outcome).toBe("hit");
    }
  });

  it("runs one fetch for ten thousand concurrent callers of one key", async () => {
    const cache = new SharedAssumeRoleCache(1000, manualClock());
    let fetches = 0;
    const clockNow = Date.UTC(2026, 0, 1);
    const fetch = async () => {
      fetches += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return credentialUntil(clockNow + HOUR);
    };
    await Promise.all(Array.from({ length: 10_000 }, () => cache.resolve("k", fetch, WINDOW)));
    expect(fetches).toBe(1);
  });

  it("does not keep a credential that is already inside the refresh window", async () => {
    const clock = manualClock();
    const cache = new SharedAssumeRoleCache(1000, clock);
    await cache.resolve("k", async () => credentialUntil(clock.now() + 200_000), WINDOW);
    expect(cache.size).toBe(0);
  });

  it("forgets a failure that is not to be remembered", async () => {
    const cache = new SharedAssumeRoleCache(1000, manualClock());
    await expect(cache.resolve("k", () => Promise.reject(new Error("boom")), WINDOW)).rejects.toThrow("boom");
    expect(cache.size).toBe(0);
  });

  it("expires entries by its clock even when the clock reads 1 ms", async () => {
    const clock = manualClock(1);
    const cache = new SharedAssumeRoleCache(1000, clock);
    await cache.resolve("k", async () => credentialUntil(clock.now() + HOUR), WINDOW);
    clock.advance(HOUR - 300_000);
    expect((await cache.resolve("k", async () => credentialUntil(clock.now() + HOUR), WINDOW)).outcome).toBe("fetched");
  });

  it("is shared per clock, so separate manual clocks never share entries", () => {
    const a = manualClock();
    const b = manualClock();
    expect(sharedAssumeRoleCache(a)).toBe(sharedAssumeRoleCache(a));
    expect(sharedAssumeRoleCache(a)).not.toBe(sharedAssumeRoleCache(b));
  });

  it.each([0, -1, 1.5, Number.NaN])("rejects maxEntries %s with a TypeError", (maxEntries) => {
    expect(() => createAssumeRoleCache({ maxEntries })).toThrow(TypeError);
  });
});
