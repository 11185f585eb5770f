/**
 * How often a deadline checks its progress, in milliseconds. Our own number: small enough that a
 * stall of our process shows up as one late check, large enough that a 1 s deadline costs ten
 * timers.
 */
export const DEADLINE_TICK_MS = 100;

/**
 * How late a check may fire before it counts as a stall of our own event loop, in milliseconds.
 * Our own number: timers in a busy but healthy process fire a few milliseconds late; a synchronous
 * block (a big `JSON.parse`, a sync file read, start-up work) shows up as hundreds.
 */
export const STALL_SLACK_MS = 50;

/**
 * However often the loop stalls, a deadline expires once this many times its budget was credited,
 * so a process whose loop is always blocked still gets an answer in bounded time.
 */
export const MAX_STALL_STRETCH = 2;

/** A running deadline. */
export interface Deadline {
  /** Stops it; `onExpire` will not be called. */
  cancel(): void;
}

/** A monotonic milliseconds reading, read at call time so fake timers that fake `performance` move it. */
const monotonicNow = (): number => globalThis.performance.now();

/**
 * Starts a deadline of `timeoutMs` that counts only time our process was listening. It ticks every
 * {@link DEADLINE_TICK_MS}; a tick that fires on time credits its length to the budget, a tick that
 * fires more than {@link STALL_SLACK_MS} late — our own event loop was blocked — credits nothing and
 * never expires the deadline. (The timer phase runs before the socket's I/O, so a late timer would
 * otherwise win against an answer already waiting in the socket.) Whatever the stalls, it expires
 * once {@link MAX_STALL_STRETCH} × `timeoutMs` of ticks have run.
 *
 * Driven by `setTimeout`, so `vi.useFakeTimers()` drives it (with or without faking `performance`).
 *
 * @param timeoutMs - the budget, in milliseconds.
 * @param onExpire - called once when the budget is spent; `loopStalled` says whether a stall was seen.
 */
export function startDeadline(timeoutMs: number, onExpire: (loopStalled: boolean) => void): Deadline {
  let credited = 0; // on-time ticks only
  let ticked = 0; // every tick, for the hard stop
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const schedule = (): void => {
    const delay = Math.max(1, Math.min(DEADLINE_TICK_MS, timeoutMs - credited));
    const scheduledAt = monotonicNow();
    timer = setTimeout(() => {
      const late = monotonicNow() - scheduledAt - delay > STALL_SLACK_MS;
      ticked += delay;
      if (late) stalled = true;
      else credited += delay;
      if (credited >= timeoutMs || ticked >= timeoutMs * MAX_STALL_STRETCH) {
        timer = undefined;
        onExpire(stalled);
        return;
      }
      schedule();
    }, delay);
  };
  schedule();

  return {
    cancel: () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
