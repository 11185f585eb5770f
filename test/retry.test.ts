import { describe, expect, it } from "vitest";
import { CredentialsError } from "../src/errors.js";
import { DEFAULT_RETRY_OPTIONS, fullJitterDelay, resolveRetryOptions, withRetry } from "../src/retry.js";

const healable = (): CredentialsError => new CredentialsError("flaky", { source: "test", code: "IMDS_TIMEOUT", retryable: true });

describe("retry options that would freeze the loop (issue 12, item 8)", () => {
  it("rejects retries: Infinity with minTimeout: 0 and factor: 1 with a TypeError naming the options", () => {
    expect(() => resolveRetryOptions({ retries: Number.POSITIVE_INFINITY, minTimeout: 0, factor: 1 })).toThrow(TypeError);
    expect(() => resolveRetryOptions({ retries: Number.POSITIVE_INFINITY, minTimeout: 0, factor: 1 })).toThrow(/retry.minTimeout.*retry.retries: Infinity/);
    expect(() => resolveRetryOptions({ retries: Number.POSITIVE_INFINITY, maxTimeout: 0 })).toThrow(TypeError);
  });

  it("still accepts retrying forever with a pause", () => {
    expect(resolveRetryOptions({ retries: Number.POSITIVE_INFINITY, minTimeout: 10 })).toMatchObject({ retries: Number.POSITIVE_INFINITY, minTimeout: 10 });
  });

  it("yields to the event loop between attempts, even with zero delays: a timer fires while the retries run", async () => {
    let attempts = 0;
    let attemptsWhenTimerFired: number | undefined;
    const timer = setTimeout(() => {
      attemptsWhenTimerFired = attempts;
    }, 5);
    const outcome = await withRetry(
      async () => {
        attempts += 1;
        throw healable();
      },
      { retry: { retries: 100, minTimeout: 0, factor: 1 } },
    ).catch((error: unknown) => error);
    clearTimeout(timer);
    expect(outcome).toMatchObject({ code: "IMDS_TIMEOUT" });
    expect(attempts).toBe(101);
    expect(attemptsWhenTimerFired).toBeDefined();
    expect(attemptsWhenTimerFired).toBeLessThan(101);
  });

  it("never computes a NaN or infinite backoff, however many retries (factor 2, 5,000 retries)", () => {
    for (const minTimeout of [0, 1, 100]) {
      const options = { ...DEFAULT_RETRY_OPTIONS, minTimeout, factor: 2, maxTimeout: 2_000 };
      for (let retry = 1; retry <= 5_000; retry++) {
        const delay = fullJitterDelay(retry, options, () => 0.999);
        expect(Number.isFinite(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(2_000);
      }
    }
    expect(fullJitterDelay(1_100, { ...DEFAULT_RETRY_OPTIONS, minTimeout: 0, factor: 2 }, () => 0.5)).toBe(0);
    expect(fullJitterDelay(1_100, { ...DEFAULT_RETRY_OPTIONS, minTimeout: 100, factor: 2 }, () => 0.5)).toBe(1_000);
  });
});

describe("withRetry", () => {
  it("retries a healable failure and returns the first success", async () => {
    let attempts = 0;
    const value = await withRetry(
      async () => {
        attempts += 1;
        if (attempts < 3) throw healable();
        return "ok";
      },
      { retry: { retries: 2, minTimeout: 1, maxTimeout: 2 } },
    );
    expect(value).toBe("ok");
    expect(attempts).toBe(3);
  });

  it("turns a non-Error rejection into a PROVIDER_FAILED CredentialsError naming the source, not p-retry's TypeError", async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the defect under test: a source rejecting with a non-Error
    const error = await withRetry(() => Promise.reject(42), { retry: { retries: 3, minTimeout: 1 }, source: "imds" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsError);
    expect(error).toMatchObject({ code: "PROVIDER_FAILED", source: "imds", tryNextLink: false, retryable: false, cause: 42 });
  });
});
