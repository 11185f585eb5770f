import pRetry from "p-retry";
import { defaultRandom, type Random } from "./clock.js";
import { CredentialsError } from "./errors.js";

/**
 * How a refresh retries failures that can heal. The names are p-retry's.
 * `{ retries: 0 }` means one attempt and no retry.
 */
export interface RetryOptions {
  /** Retries after the first attempt. @defaultValue {@link DEFAULT_RETRY_OPTIONS}.retries (2) */
  retries?: number;
  /** Cap of the first backoff, in ms. @defaultValue 100 */
  minTimeout?: number;
  /** Cap of any backoff, in ms. @defaultValue 2000 */
  maxTimeout?: number;
  /** Growth of the cap per retry. @defaultValue 2 */
  factor?: number;
}

/**
 * Retry defaults. Three attempts, backoff capped at 100 ms, 200 ms, … 2 s: the SDK's standard retry
 * strategy uses 3 attempts with a 100 ms base and full jitter (smithy `StandardRetryStrategy`),
 * and a credential refresh that is still failing after ~2 s is better reported than hidden.
 */
export const DEFAULT_RETRY_OPTIONS: Readonly<Required<RetryOptions>> = Object.freeze({
  retries: 2,
  minTimeout: 100,
  maxTimeout: 2_000,
  factor: 2,
});

const THROTTLING_NAMES = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "BandwidthLimitExceeded",
  "SlowDown",
  "PriorRequestNotComplete",
  "ProvisionedThroughputExceededException",
  "EC2ThrottledException",
  "RequestThrottled",
]);

const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ECONNREFUSED",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/**
 * Whether trying again may heal `error`: network errors, timeouts, 5xx and throttling do;
 * access denied, a missing role, bad input and bugs do not. Our own errors say it themselves
 * (`retryable`); AWS SDK errors are read by their `$retryable`, HTTP status and name.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof CredentialsError) {
    return error.retryable;
  }
  if (typeof error !== "object" || error === null) {
    return false;
  }
  const e = error as {
    name?: unknown;
    code?: unknown;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  if (e.$retryable) {
    return true;
  }
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === "number" && (status >= 500 || status === 429)) {
    return true;
  }
  if (typeof e.name === "string" && (THROTTLING_NAMES.has(e.name) || e.name === "TimeoutError")) {
    return true;
  }
  return typeof e.code === "string" && TRANSIENT_CODES.has(e.code);
}

/**
 * The delay before retry number `retry` (1-based): full jitter, uniform in `[0, cap)`, where the
 * cap grows by `factor` from `minTimeout` up to `maxTimeout` (AWS Architecture Blog, "Exponential
 * Backoff And Jitter"). Full jitter spreads a fleet's retries the most.
 */
export function fullJitterDelay(retry: number, options: Required<RetryOptions>, random: Random): number {
  const cap = Math.min(options.maxTimeout, options.minTimeout * options.factor ** Math.max(0, retry - 1));
  return Math.floor(random() * cap);
}

/** Options of {@link withRetry}. */
export interface WithRetryOptions {
  retry?: RetryOptions | undefined;
  random?: Random | undefined;
  /** Told before each backoff: which retry is next, the delay, and the failure. */
  onRetry?: ((event: { retry: number; delayMs: number; error: unknown }) => void) | undefined;
}

/**
 * Runs `attempt` and retries it through p-retry while the failure {@link isRetryable}.
 * The backoff is ours (full jitter with our injected `random`) rather than p-retry's `randomize`
 * (which multiplies by `1 + Math.random()`, so never less than the base and not injectable); the
 * sleep is a plain `setTimeout`, so `vi.useFakeTimers()` drives it. It is deliberately *not*
 * `unref`'d: a caller is awaiting it, and a CLI must not exit in the middle of a retry. An idle
 * provider has no timers at all (refreshes start lazily, on a call).
 */
export async function withRetry<T>(attempt: () => Promise<T>, options: WithRetryOptions = {}): Promise<T> {
  const retry = resolveRetryOptions(options.retry);
  if (retry.retries === 0) {
    return attempt(); // one attempt: nothing for p-retry to do
  }
  const random = options.random ?? defaultRandom;
  return pRetry(() => attempt(), {
    retries: retry.retries,
    // p-retry's own delay is switched off: the jittered delay happens in onFailedAttempt.
    minTimeout: 0,
    maxTimeout: 0,
    shouldRetry: ({ error }) => isRetryable(error),
    onFailedAttempt: async ({ error, retriesLeft, retriesConsumed }) => {
      if (retriesLeft <= 0 || !isRetryable(error)) {
        return;
      }
      const delayMs = fullJitterDelay(retriesConsumed + 1, retry, random);
      options.onRetry?.({ retry: retriesConsumed + 1, delayMs, error });
      await sleep(delayMs);
    },
  });
}

/** Fills in defaults and checks the values, with p-retry style messages. */
export function resolveRetryOptions(options: RetryOptions | undefined): Required<RetryOptions> {
  const resolved = { ...DEFAULT_RETRY_OPTIONS, ...definedOnly(options) };
  for (const [name, value] of Object.entries(resolved)) {
    if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
      throw new TypeError(`Expected \`retry.${name}\` to be a number ≥ 0, got ${String(value)}`);
    }
  }
  if (!Number.isInteger(resolved.retries) && resolved.retries !== Number.POSITIVE_INFINITY) {
    throw new TypeError(`Expected \`retry.retries\` to be a whole number, got ${resolved.retries}`);
  }
  // A factor below 1 shrinks the backoff toward zero, and with `retries: Infinity` a failure
  // without I/O would spin the event loop; timeouts must be finite.
  if (resolved.factor < 1) {
    throw new TypeError(`Expected \`retry.factor\` to be a number ≥ 1, got ${resolved.factor}`);
  }
  for (const name of ["minTimeout", "maxTimeout"] as const) {
    if (!Number.isFinite(resolved[name])) {
      throw new TypeError(`Expected \`retry.${name}\` to be a finite number, got ${resolved[name]}`);
    }
  }
  return resolved;
}

function definedOnly(options: RetryOptions | undefined): RetryOptions {
  const out: RetryOptions = {};
  if (options === undefined) {
    return out;
  }
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Expected `retry` to be an object");
  }
  for (const key of ["retries", "minTimeout", "maxTimeout", "factor"] as const) {
    const value = options[key];
    if (value !== undefined) {
      out[key] = value;
    }
  }
  return out;
}

/** A timer-based sleep that fake timers drive. */
export function sleep(ms: number): Promise<void> {
  if (ms <= 0) {
    return Promise.resolve();
  }
  // Node clamps delays above 2^31 − 1 ms to 1 ms: cap instead, so a huge backoff stays huge.
  return new Promise((resolve) => setTimeout(resolve, Math.min(ms, 2_147_483_647)));
}
