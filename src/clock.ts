/**
 * A source of the current time. Every expiry decision in env-or-profile reads one, so tests can
 * drive expiry with a manual clock (see `manualClock` in `env-or-profile/testing`) or with
 * `vi.useFakeTimers()`, which moves {@link systemClock} because it reads `Date.now()`.
 */
export interface Clock {
  /** The current time in epoch milliseconds. */
  now(): number;
}

/**
 * A source of randomness in `[0, 1)`, used for jitter. Injected so tests can pin it.
 */
export type Random = () => number;

/**
 * The wall clock. It reads `Date.now()` on every call (never a captured reference), so
 * `vi.useFakeTimers()` and `vi.setSystemTime()` move it.
 */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });

/** The default randomness: `Math.random`, read at call time so test spies see it. */
export const defaultRandom: Random = () => Math.random();
