import type { Clock } from "../clock.js";

/** A {@link Clock} that moves only when a test says so. */
export interface ManualClock extends Clock {
  /** The current time in epoch milliseconds. */
  now(): number;
  /** Moves the clock forward by `ms` (which must be ≥ 0) and returns the new time. */
  advance(ms: number): number;
  /** Sets the clock to `ms` epoch milliseconds and returns it. */
  set(ms: number): number;
}

/**
 * The default start: 2026-01-01T00:00:00Z. A real epoch time, never 0: caches your tests
 * may drive with this clock (lru-cache among them) treat a reading of 0 as "no TTL".
 */
export const DEFAULT_MANUAL_CLOCK_START_MS = Date.UTC(2026, 0, 1);

/**
 * Creates a clock that only moves when told to, for driving expiry in tests.
 *
 * @param startMs - the starting time in epoch milliseconds. @defaultValue {@link DEFAULT_MANUAL_CLOCK_START_MS}
 * @throws TypeError when `startMs` is not a positive finite number.
 * @example
 * ```ts
 * import { envOrProfile } from "env-or-profile";
 * import { manualClock, startImdsEmulator } from "env-or-profile/testing";
 *
 * const clock = manualClock();
 * const imds = await startImdsEmulator({ clock }); // issues credentials that expire 6 hours later
 * const credentials = envOrProfile({ env: false, imds: { endpoint: imds.endpoint }, clock });
 * const first = await credentials();
 * clock.advance(60 * 60 * 1000); // an hour later: still served from memory, no IMDS request
 * clock.advance(4 * 60 * 60 * 1000 + 56 * 60 * 1000); // 4 minutes before expiry: inside the refresh window
 * const second = await credentials(); // so this call waits for a fresh credential
 * console.log(second.accessKeyId !== first.accessKeyId); // true
 * await imds.close();
 * ```
 */
export function manualClock(startMs: number = DEFAULT_MANUAL_CLOCK_START_MS): ManualClock {
  assertTime("startMs", startMs);
  let current = startMs;
  return {
    now: () => current,
    advance(ms: number): number {
      if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
        throw new TypeError(`Expected \`ms\` to be a finite number ≥ 0, got ${String(ms)}`);
      }
      current += ms;
      return current;
    },
    set(ms: number): number {
      assertTime("ms", ms);
      current = ms;
      return current;
    },
  };
}

function assertTime(name: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`Expected \`${name}\` to be a positive finite epoch time in ms, got ${String(value)}`);
  }
}
