import type pRetryFunction from "p-retry";
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
  if (retriesSpent(error)) {
    return false;
  }
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
 * Marks a failure whose retries were spent: the attempts a refresh may make (`retries + 1`) were
 * made. Registered, so two copies of the package agree, and kept on the error itself: a failure
 * carries the fact that it was already retried wherever it travels — into a chain's list of
 * reasons, or wrapped as the cause of a role step's "could not get the base credentials" — so no
 * layer above retries it again, and a refresh makes at most `retries + 1` attempts at its source
 * however deep the chain (a role whose base is another memoized provider included). This is the
 * one rule that keeps retries from multiplying; no layer has to tell another how it retries.
 */
const RETRIES_SPENT: unique symbol = Symbol.for("env-or-profile.retriesSpent") as never;

/** Records on `error` that its retries were spent (see {@link RETRIES_SPENT}). @internal */
export function spendRetries(error: unknown): void {
  if (typeof error === "object" && error !== null && Object.isExtensible(error) && !retriesSpent(error)) {
    Object.defineProperty(error, RETRIES_SPENT, { value: true, enumerable: false });
  }
}

/** Whether `error`, or an error in its `cause` chain, had its retries spent already. @internal */
export function retriesSpent(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
    if ((current as Record<symbol, unknown>)[RETRIES_SPENT] === true) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The delay before retry number `retry` (1-based): full jitter, uniform in `[0, cap)`, where the
 * cap grows by `factor` from `minTimeout` up to `maxTimeout` (AWS Architecture Blog, "Exponential
 * Backoff And Jitter"). Full jitter spreads a fleet's retries the most.
 */
export function fullJitterDelay(retry: number, options: Required<RetryOptions>, random: Random): number {
  // The exponent is capped: past it the cap is maxTimeout anyway, and `0 * factor ** 1024` would
  // be `0 * Infinity`, NaN.
  const exponent = Math.min(Math.max(0, retry - 1), MAX_BACKOFF_EXPONENT);
  const grown = options.minTimeout === 0 ? 0 : options.minTimeout * options.factor ** exponent;
  const cap = Number.isFinite(grown) ? Math.min(options.maxTimeout, grown) : options.maxTimeout;
  const delay = Math.floor(random() * cap);
  return Number.isFinite(delay) && delay > 0 ? Math.min(delay, cap) : 0;
}

/** Past this many doublings every backoff cap is `maxTimeout` (2^64 × 1 ms is beyond any timeout). */
const MAX_BACKOFF_EXPONENT = 64;

/** Options of {@link withRetry}. */
export interface WithRetryOptions {
  retry?: RetryOptions | undefined;
  random?: Random | undefined;
  /** Told before each backoff: which retry is next, the delay, and the failure. */
  onRetry?: ((event: { retry: number; delayMs: number; error: unknown }) => void) | undefined;
  /** Which link is retried, for the error a non-Error rejection becomes. @defaultValue `"credentials"` */
  source?: string | undefined;
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
  const source = options.source ?? "credentials";
  // A rejection that is not an Error (a string, a plain object) becomes a clear CredentialsError
  // before anything sees it: p-retry would turn it into its own TypeError, and callers would
  // otherwise get the raw value.
  const once = async (): Promise<T> => {
    try {
      return await attempt();
    } catch (error) {
      throw asError(error, source);
    }
  };
  if (retry.retries === 0) {
    return once(); // one attempt: nothing for p-retry to do
  }
  const random = options.random ?? defaultRandom;
  // Most refreshes succeed at the first attempt: p-retry is loaded only when one fails with a
  // failure worth retrying (see loadPRetry). p-retry then runs the whole loop from that first
  // failure on, exactly as if it had made the first attempt itself.
  let replay: { error: unknown } | undefined;
  try {
    return await once();
  } catch (error) {
    if (!isRetryable(error)) {
      throw error; // what p-retry does too: shouldRetry says no, the error as it is
    }
    replay = { error };
  }
  // Loaded here, at the first failure worth retrying (see loadPRetry); already loaded, no await.
  const run = pRetry ?? (await loadPRetry());
  return run(async () => {
    if (replay !== undefined) {
      const { error } = replay;
      replay = undefined;
      throw error; // the first attempt's failure, which p-retry handles as its own
    }
    return once();
  }, {
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

type PRetry = typeof pRetryFunction;
let pRetry: PRetry | undefined;
let pRetryLoading: Promise<PRetry> | undefined;

/**
 * p-retry (an external, unbundled ESM dependency), loaded by the first retry instead of at
 * `import "env-or-profile"`: it and is-network-error were ≈ 2–3 ms of an import budgeted at a
 * third of the SDK's (bench/run.mjs, "import"). An `import()` with a literal specifier, so that
 * esbuild, webpack and rollup see it and bundle p-retry (a `createRequire` call they cannot
 * follow left bundles asking node_modules for it at the first retry).
 *
 * Once loaded it is kept in `pRetry`, and every later retry loop starts in the same tick as the
 * failure, as p-retry's own would. Only the first retry of a process awaits the load (module
 * loading, which fake timers do not drive): our test setup calls {@link preloadPRetry} so that
 * tests driving the backoff with `vi.useFakeTimers()` never race it. We chose that over starting
 * the import with every first attempt, which would load p-retry for refreshes that never retry
 * (most of them) and cost every cold start the 2–3 ms the lazy load exists to save.
 */
function loadPRetry(): Promise<PRetry> {
  pRetryLoading ??= import("p-retry").then(
    (module) => (pRetry = module.default),
    (error: unknown) => {
      pRetryLoading = undefined; // a failed load (a broken install) is tried again next time
      throw error;
    },
  );
  return pRetryLoading;
}

/**
 * Loads p-retry now, so that no retry loop waits for it: for tests that drive the backoff with
 * fake timers (see loadPRetry).
 * @internal
 */
export async function preloadPRetry(): Promise<void> {
  await loadPRetry();
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
  // Retrying forever with no pause is a busy loop against a failing source, whatever yields.
  if (resolved.retries === Number.POSITIVE_INFINITY && Math.min(resolved.minTimeout, resolved.maxTimeout) === 0) {
    throw new TypeError(
      `Expected \`retry.minTimeout\` and \`retry.maxTimeout\` to be > 0 with \`retry.retries: Infinity\` (retrying forever without a pause would spin), got ${resolved.minTimeout} and ${resolved.maxTimeout}`,
    );
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

/**
 * A timer-based sleep that fake timers drive. Even a zero delay goes through a timer, so a retry
 * loop always yields to the event loop (timers, I/O) between attempts and can never starve it.
 */
export function sleep(ms: number): Promise<void> {
  // Node clamps delays above 2^31 − 1 ms to 1 ms: cap instead, so a huge backoff stays huge.
  const delay = Number.isFinite(ms) && ms > 0 ? Math.min(ms, 2_147_483_647) : 0;
  return new Promise((resolve) => setTimeout(resolve, delay));
}

/** `error` itself when it is an Error; otherwise a `PROVIDER_FAILED` CredentialsError that says so. */
function asError(error: unknown, source: string): unknown {
  if (error instanceof Error || error instanceof CredentialsError) {
    return error;
  }
  const kind = error === null ? "null" : Array.isArray(error) ? "an array" : typeof error === "object" ? "an object" : `a ${typeof error}`;
  return new CredentialsError(`The ${source} source failed with ${kind} instead of an Error (a provider must reject with an Error)`, {
    source,
    code: "PROVIDER_FAILED",
    tryNextLink: false,
    cause: error,
  });
}
