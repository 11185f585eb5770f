import { afterEach, describe, expect, it, vi } from "vitest";
import { CredentialsError } from "../src/errors.js";
import { memoize } from "../src/memoize.js";
import { manualClock } from "../src/testing/manual-clock.js";
import { fakeSource } from "./helpers/fake-source.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const noJitter = { jitter: false as const };

function throttled(): CredentialsError {
  return new CredentialsError("throttled", { source: "fake", code: "IMDS_HTTP_ERROR", retryable: true, tryNextLink: false });
}

function denied(): CredentialsError {
  return new CredentialsError("denied", { source: "fake", code: "STS_ACCESS_DENIED", retryable: false, tryNextLink: false });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("memoize", () => {
  it("serves the cached credential from memory until five minutes before expiry", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const provider = memoize(source.provider, { clock, ...noJitter });

    const first = await provider();
    clock.advance(HOUR - 5 * MINUTE - 1);
    expect(await provider()).toEqual(first);
    expect(source.calls).toBe(1);
  });

  it("makes callers wait for a fresh credential from five minutes before expiry", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const provider = memoize(source.provider, { clock, ...noJitter });

    const first = await provider();
    clock.advance(HOUR - 5 * MINUTE);
    const second = await provider();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(source.calls).toBe(2);
  });

  it("honours a custom refresh window", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const provider = memoize(source.provider, { clock, refreshWindowMs: 10 * MINUTE, ...noJitter });

    await provider();
    clock.advance(HOUR - 10 * MINUTE);
    await provider();
    expect(source.calls).toBe(2);
  });

  it("starts one background refresh in the jitter band and serves the cached credential meanwhile", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    // random() = 1 → the whole jitter: min(10 % of an hour, 5 min) = 5 min before the window.
    const provider = memoize(source.provider, { clock, random: () => 0.999_999 });

    const first = await provider();
    clock.advance(HOUR - 10 * MINUTE + 1_000);
    const during = await Promise.all([provider(), provider(), provider()]);
    expect(during.every((identity) => identity.accessKeyId === first.accessKeyId)).toBe(true);
    await vi.waitFor(async () => expect((await provider()).accessKeyId).not.toBe(first.accessKeyId));
    expect(source.calls).toBe(2);
  });

  it("spreads the background refresh by a per-credential jitter capped at five minutes", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: 12 * HOUR });
    const provider = memoize(source.provider, { clock, random: () => 0.5 });

    await provider();
    // 10 % of 12 h is 72 min, capped at 5 min; half of it is 2.5 min before the window.
    clock.advance(12 * HOUR - 5 * MINUTE - 2.5 * MINUTE - 1);
    await provider();
    expect(source.calls).toBe(1);
    clock.advance(2);
    await provider();
    await vi.waitFor(() => expect(source.calls).toBe(2));
  });

  it("shares one upstream call among thousands of concurrent callers", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const provider = memoize(source.provider, { clock, ...noJitter });

    const results = await Promise.all(Array.from({ length: 5_000 }, () => provider()));
    expect(source.calls).toBe(1);
    expect(new Set(results.map((identity) => identity.accessKeyId)).size).toBe(1);
  });

  it("shares one upstream call among concurrent callers in the mandatory window", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const provider = memoize(source.provider, { clock, ...noJitter });

    await provider();
    clock.advance(HOUR - MINUTE);
    await Promise.all(Array.from({ length: 5_000 }, () => provider()));
    expect(source.calls).toBe(2);
  });

  it("lets mandatory-window callers join a background refresh already in flight", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    let release: () => void = () => undefined;
    const provider = memoize(source.provider, { clock, random: () => 0.999_999 });

    await provider();
    source.queue(
      () =>
        new Promise((resolve) => {
          release = () => resolve(source.issue(HOUR));
        }),
    );
    clock.advance(HOUR - 8 * MINUTE);
    await provider(); // starts the background refresh, answered from memory
    clock.advance(4 * MINUTE); // now inside the mandatory window
    const waiting = Promise.all(Array.from({ length: 1_000 }, () => provider()));
    await vi.waitFor(() => expect(source.calls).toBe(2)); // the background fetch has reached the source
    release();
    const results = await waiting;
    expect(source.calls).toBe(2);
    expect(new Set(results.map((identity) => identity.accessKeyId)).size).toBe(1);
  });

  it("retries throttling with jittered backoff and succeeds", async () => {
    vi.useFakeTimers();
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    source.queue(async () => {
      throw throttled();
    });
    source.queue(async () => {
      throw throttled();
    });
    const delays: number[] = [];
    const provider = memoize(source.provider, {
      clock,
      random: () => 0.5,
      retry: { retries: 2, minTimeout: 100, maxTimeout: 1_000 },
      logger: { debug: (line) => {
        const match = /retrying in (\d+) ms/.exec(line);
        if (match?.[1] !== undefined) delays.push(Number(match[1]));
      } },
    });

    const pending = provider();
    await vi.runAllTimersAsync();
    await expect(pending).resolves.toHaveProperty("accessKeyId");
    expect(source.calls).toBe(3);
    // Full jitter with random() = 0.5: half of the 100 ms and 200 ms caps.
    expect(delays).toEqual([50, 100]);
  });

  it("fails fast without retrying a failure that cannot heal", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    source.queue(async () => {
      throw denied();
    });
    const provider = memoize(source.provider, { clock });

    await expect(provider()).rejects.toMatchObject({ code: "STS_ACCESS_DENIED" });
    expect(source.calls).toBe(1);
  });

  it("gives up after the configured retries and reports the last failure", async () => {
    vi.useFakeTimers();
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    for (let i = 0; i < 5; i++) {
      source.queue(async () => {
        throw throttled();
      });
    }
    const provider = memoize(source.provider, { clock, retry: { retries: 1 } });

    const pending = provider();
    const assertion = expect(pending).rejects.toMatchObject({ code: "IMDS_HTTP_ERROR" });
    await vi.runAllTimersAsync();
    await assertion;
    expect(source.calls).toBe(2);
  });

  it("makes exactly one attempt with retries: 0", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    source.queue(async () => {
      throw throttled();
    });
    const provider = memoize(source.provider, { clock, retry: { retries: 0 } });

    await expect(provider()).rejects.toMatchObject({ code: "IMDS_HTTP_ERROR" });
    expect(source.calls).toBe(1);
  });

  it("never caches a failed refresh as a success", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    source.queue(async () => {
      throw denied();
    });
    const provider = memoize(source.provider, { clock });

    await expect(provider()).rejects.toThrow("denied");
    await expect(provider()).resolves.toHaveProperty("accessKeyId");
    expect(source.calls).toBe(2);
  });

  it("keeps serving a still-valid credential with a warning when the mandatory refresh fails", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const warnings: string[] = [];
    const provider = memoize(source.provider, { clock, ...noJitter, retry: { retries: 0 }, logger: { warn: (line) => warnings.push(line) } });

    const first = await provider();
    clock.advance(HOUR - 2 * MINUTE);
    source.queue(async () => {
      throw throttled();
    });
    expect(await provider()).toEqual(first);
    expect(warnings.join("\n")).toMatch(/refresh failed .*serving the cached credential/);
  });

  it("backs off after a failed refresh instead of retrying on every call", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const provider = memoize(source.provider, { clock, ...noJitter, retry: { retries: 0 }, random: () => 0 });

    await provider();
    clock.advance(HOUR - 4 * MINUTE);
    for (let i = 0; i < 3; i++) {
      source.queue(async () => {
        throw throttled();
      });
    }
    await provider();
    expect(source.calls).toBe(2);
    for (let i = 0; i < 100; i++) {
      await provider();
    }
    expect(source.calls).toBe(2);
    clock.advance(2_500); // the first setback waits 2.5–5 s; random() = 0 → 2.5 s
    await provider();
    expect(source.calls).toBe(3);
  });

  it("never hands out a credential at or after its Expiration, even with grace", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const provider = memoize(source.provider, { clock, ...noJitter, retry: { retries: 0 } });

    await provider();
    clock.advance(HOUR);
    source.queue(async () => {
      throw throttled();
    });
    await expect(provider()).rejects.toMatchObject({ code: "IMDS_HTTP_ERROR" });
  });

  it("stops serving a stale credential once the bounded grace is spent", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const provider = memoize(source.provider, { clock, ...noJitter, retry: { retries: 0 }, maxStaleMs: MINUTE });

    await provider();
    clock.advance(HOUR - 3 * MINUTE); // two minutes into the window, grace is one minute
    source.queue(async () => {
      throw throttled();
    });
    await expect(provider()).rejects.toMatchObject({ code: "IMDS_HTTP_ERROR" });
  });

  it("treats an already-expired credential from the source as a clear failure", async () => {
    const clock = manualClock();
    const source = fakeSource(clock);
    source.queue(async () => source.issue(-1));
    const provider = memoize(source.provider, { clock });

    const error = await provider().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsError);
    expect(error).toMatchObject({ code: "CREDENTIALS_EXPIRED", tryNextLink: false });
    expect((error as Error).message).toMatch(/expired at .* never handed out/);
  });

  it("does not spin when the source hands back the same credential early", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const provider = memoize(source.provider, { clock, random: () => 0.999_999 });

    const first = await provider();
    const sameAgain = async () => first;
    for (let i = 0; i < 10; i++) source.queue(sameAgain);
    clock.advance(HOUR - 9 * MINUTE); // background band
    for (let i = 0; i < 1_000; i++) {
      expect(await provider()).toEqual(first);
    }
    await vi.waitFor(() => expect(source.calls).toBe(2));
    for (let i = 0; i < 1_000; i++) {
      await provider();
    }
    expect(source.calls).toBe(2);
  });

  it("serves the same credential in the mandatory window without error while the source has not rotated", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const provider = memoize(source.provider, { clock, ...noJitter });

    const first = await provider();
    clock.advance(HOUR - 4 * MINUTE);
    source.queue(async () => first);
    expect(await provider()).toEqual(first);
    expect(await provider()).toEqual(first);
    expect(source.calls).toBe(2);
  });

  it("with grace off, asks a source that keeps returning a due credential once per backoff, not once per call", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: 3 * MINUTE }); // always inside the 5-minute window
    const provider = memoize(source.provider, { clock, maxStaleMs: 0, random: () => 0 });

    for (let i = 0; i < 1_000; i++) {
      await provider();
    }
    expect(source.calls).toBe(1);
    clock.advance(2_500); // the first setback: 2.5 s with random() = 0
    await provider();
    expect(source.calls).toBe(2);
  });

  it("after invalidate(), starts a new fetch and does not cache the one already in flight", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    let release: () => void = () => undefined;
    source.queue(
      () =>
        new Promise((resolve) => {
          release = () => resolve(source.issue(HOUR));
        }),
    );
    const provider = memoize(source.provider, { clock });

    const early = provider();
    await vi.waitFor(() => expect(source.calls).toBe(1));
    provider.invalidate();
    const late = await provider();
    release();
    const stale = await early;
    expect(source.calls).toBe(2);
    expect(late.accessKeyId).not.toBe(stale.accessKeyId);
    expect(await provider()).toEqual(late);
  });

  it("fetches a credential without Expiration once for the provider's life", async () => {
    const clock = manualClock();
    const source = fakeSource(clock);
    const provider = memoize(source.provider, { clock });

    const first = await provider();
    clock.advance(365 * 24 * HOUR);
    expect(await provider()).toEqual(first);
    expect(source.calls).toBe(1);
  });

  it("fetches again on forceRefresh", async () => {
    const clock = manualClock();
    const source = fakeSource(clock);
    const provider = memoize(source.provider, { clock });

    const first = await provider();
    const forced = await provider({ forceRefresh: true });
    expect(forced.accessKeyId).not.toBe(first.accessKeyId);
    expect(await provider()).toEqual(forced);
  });

  it("forgets the cached credential on invalidate()", async () => {
    const clock = manualClock();
    const source = fakeSource(clock);
    const provider = memoize(source.provider, { clock });

    await provider();
    provider.invalidate();
    await provider();
    expect(source.calls).toBe(2);
  });

  it("keeps each provider's cache its own, and invalidate() refuses a function that is not a memoized provider", async () => {
    const clock = manualClock();
    const one = fakeSource(clock);
    const other = fakeSource(clock);
    const a = memoize(one.provider, { clock });
    const b = memoize(other.provider, { clock });
    await Promise.all([a(), b()]);
    a.invalidate();
    await Promise.all([a(), b()]);
    expect([one.calls, other.calls]).toEqual([2, 1]);
    expect(() => a.invalidate.call(async () => ({ accessKeyId: "a", secretAccessKey: "b" }))).toThrow(TypeError);
  });

  it("cannot be told its cache by a caller: a symbol argument is passed to the cache, not answered with it", async () => {
    const clock = manualClock();
    const source = fakeSource(clock);
    const provider = memoize(source.provider, { clock });
    const identity = await (provider as unknown as (p: unknown) => Promise<unknown>)(Symbol("env-or-profile.memoize.probe"));
    expect(identity).toMatchObject({ accessKeyId: expect.any(String) as string });
  });

  it("rejects a source result without keys, without echoing it", async () => {
    const clock = manualClock();
    const provider = memoize(async () => ({ accessKeyId: "", secretAccessKey: "topsecret" }), { clock });

    const error = (await provider().catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: "PROVIDER_FAILED" });
    expect(error.message).not.toContain("topsecret");
  });

  it("carries the AWS SDK's memoized marker so clients do not cache twice", () => {
    const provider = memoize(async () => ({ accessKeyId: "a", secretAccessKey: "b" }));
    expect(provider.memoized).toBe(true);
  });

  it("leaves no unhandled rejection when a background refresh fails", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", listener);
    try {
      const provider = memoize(source.provider, { clock, random: () => 0.999_999, retry: { retries: 0 } });
      await provider();
      source.queue(async () => {
        throw denied();
      });
      clock.advance(HOUR - 8 * MINUTE);
      await provider();
      await vi.waitFor(() => expect(source.calls).toBe(2));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", listener);
    }
  });

  it("rejects bad options with a TypeError that names the option", () => {
    const provider = async () => ({ accessKeyId: "a", secretAccessKey: "b" });
    expect(() => memoize(provider, { refreshWindowMs: -1 })).toThrow(/`refreshWindowMs`/);
    expect(() => memoize(provider, { jitter: { fraction: 2 } })).toThrow(/`jitter.fraction`/);
    expect(() => memoize(provider, { retry: { retries: -1 } })).toThrow(/`retry.retries`/);
    expect(() => memoize(provider, { retry: { factor: 0.5 } })).toThrow(/`retry.factor` to be a number ≥ 1/);
    expect(() => memoize(provider, { retry: { maxTimeout: Number.POSITIVE_INFINITY } })).toThrow(/`retry.maxTimeout` to be a finite number/);
    // @ts-expect-error: a JavaScript caller passing something that is not a provider
    expect(() => memoize("nope")).toThrow(/Expected `provider` to be a function/);
  });

  it("reads time through the injected clock, so vitest fake timers drive it too", async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
    const source = fakeSource({ now: () => Date.now() }, { lifetimeMs: HOUR });
    const provider = memoize(source.provider, { jitter: false });

    await provider();
    vi.advanceTimersByTime(HOUR - 5 * MINUTE);
    await provider();
    expect(source.calls).toBe(2);
  });

  describe("never a tight loop once grace is spent (issue 12, item 6)", () => {
    it("with maxStaleMs: 0, 1,000 calls while the credential is still valid make one fetch per backoff, not 1,000", async () => {
      const clock = manualClock();
      const source = fakeSource(clock, { lifetimeMs: HOUR });
      const provider = memoize(source.provider, { clock, ...noJitter, retry: { retries: 0 }, maxStaleMs: 0, random: () => 0 });

      await provider();
      clock.advance(HOUR - 4 * MINUTE); // inside the window, the credential valid for 4 more minutes
      const failing = async (): Promise<never> => {
        throw throttled();
      };
      for (let i = 0; i < 2_000; i++) source.queue(failing);
      const outcomes = await Promise.all(Array.from({ length: 1_000 }, () => provider().then(() => "served", (e: unknown) => (e as CredentialsError).code)));
      for (let i = 0; i < 1_000; i++) outcomes.push(await provider().then(() => "served", (e: unknown) => (e as CredentialsError).code));
      expect(source.calls).toBe(2);
      expect(new Set(outcomes)).toEqual(new Set(["IMDS_HTTP_ERROR"]));
      clock.advance(2_500); // the first setback: 2.5 s with random() = 0
      await provider().catch(() => undefined);
      expect(source.calls).toBe(3);
    });

    it("once grace is spent, calls during the backoff get the last failure at once instead of each asking the source", async () => {
      const clock = manualClock();
      const source = fakeSource(clock, { lifetimeMs: HOUR });
      const provider = memoize(source.provider, { clock, ...noJitter, retry: { retries: 0 }, maxStaleMs: MINUTE, random: () => 0 });

      await provider();
      clock.advance(HOUR - 5 * MINUTE + 30_000); // in grace
      const failing = async (): Promise<never> => {
        throw throttled();
      };
      for (let i = 0; i < 2_000; i++) source.queue(failing);
      await provider(); // served within grace; backs off 2.5 s
      clock.advance(60_000); // grace spent, credential valid for another 3.5 minutes
      await expect(provider()).rejects.toMatchObject({ code: "IMDS_HTTP_ERROR" });
      const callsAfterFirstFailure = source.calls;
      for (let i = 0; i < 1_000; i++) {
        await expect(provider()).rejects.toMatchObject({ code: "IMDS_HTTP_ERROR" });
      }
      expect(source.calls).toBe(callsAfterFirstFailure);
    });
  });

  describe("what callers are handed (issue 12, item 10)", () => {
    it("turns a non-Error rejection into a clear CredentialsError when it retries", async () => {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the defect under test: a source rejecting with a non-Error
      const provider = memoize(() => Promise.reject("boom"), { retry: { retries: 2, minTimeout: 1, maxTimeout: 2 } });
      const error = await provider().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CredentialsError);
      expect(error).toMatchObject({ code: "PROVIDER_FAILED", tryNextLink: false, source: "credentials", cause: "boom" });
      expect((error as Error).message).toMatch(/failed with a string instead of an Error/);
    });

    it("turns a non-Error rejection into a clear CredentialsError without retries", async () => {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the defect under test: a source rejecting with a non-Error
      const provider = memoize(() => Promise.reject({ reason: "no" }), { retry: { retries: 0 }, name: "custom" });
      const error = await provider().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CredentialsError);
      expect(error).toMatchObject({ code: "PROVIDER_FAILED", source: "custom" });
      expect((error as Error).message).toMatch(/The custom source failed with an object instead of an Error/);
    });

    it("hands every caller a frozen credential: one caller cannot change another's keys or expiration", async () => {
      const clock = manualClock();
      const source = fakeSource(clock, { lifetimeMs: HOUR });
      const provider = memoize(source.provider, { clock, ...noJitter });
      const first = await provider();
      const expiresAt = first.expiration!.getTime();

      expect(() => {
        (first as { accessKeyId: string }).accessKeyId = "changed";
      }).toThrow(TypeError);
      expect(() => first.expiration!.setTime(0)).toThrow(/read-only/);
      expect(() => first.expiration!.setFullYear(1999)).toThrow(/read-only/);

      const second = await provider();
      expect(second.accessKeyId).toBe("ASIAFAKE00000001");
      expect(second.expiration!.getTime()).toBe(expiresAt);
      expect(second.expiration).toBeInstanceOf(Date);
      expect(second.expiration).toEqual(new Date(expiresAt));
      expect(source.calls).toBe(1);
    });

    it("takes the AWS SDK's feature marks in a hidden $source record, so a client can be given it as static credentials", async () => {
      const provider = memoize(async () => ({ accessKeyId: "AKIASTATICEXAMPLE001", secretAccessKey: "static-secret-for-sdk-marks" }));
      const credential = await provider();
      const marks = (credential as { $source?: Record<string, string> }).$source;
      expect(marks).toEqual({});
      marks!["CREDENTIALS_CODE"] = "e"; // what @aws-sdk/core's setCredentialFeature does
      expect(Object.keys(credential)).toEqual(["accessKeyId", "secretAccessKey"]);
      expect(JSON.stringify(credential)).not.toContain("CREDENTIALS_CODE");
    });

    it("does not freeze or change the object its source returned", async () => {
      const mine = { accessKeyId: "AKIASOURCEOWNED00001", secretAccessKey: "source-owned-secret", expiration: new Date(Date.now() + HOUR) };
      const provider = memoize(async () => mine);
      await provider();
      expect(Object.isFrozen(mine)).toBe(false);
      mine.expiration.setTime(0);
      expect((await provider()).expiration!.getTime()).toBeGreaterThan(0);
    });
  });
});
