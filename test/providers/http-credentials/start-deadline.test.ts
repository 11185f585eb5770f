import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEADLINE_TICK_MS, MAX_STALL_STRETCH, startDeadline } from "../../../src/providers/http-credentials/start-deadline.js";

/** A monotonic clock the test moves: `performance.now()` as the deadline reads it. */
let monotonic = 0;

beforeEach(() => {
  monotonic = 0;
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  vi.stubGlobal("performance", { now: () => monotonic });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** Time passes with the loop free: timers fire on time. */
function run(ms: number): void {
  for (let left = ms; left > 0; left -= 10) {
    const step = Math.min(10, left);
    monotonic += step;
    vi.advanceTimersByTime(step);
  }
}

/** Our own process blocks for `ms`: the time passes, no timer fires until it ends. */
function stall(ms: number): void {
  monotonic += ms;
}

describe("startDeadline", () => {
  it("expires once the budget has passed on a free event loop", () => {
    const expired = vi.fn();
    startDeadline(250, expired);
    run(240);
    expect(expired).not.toHaveBeenCalled();
    run(10);
    expect(expired).toHaveBeenCalledWith(false);
  });

  it("does not expire on a check that fired late because our loop was blocked: the socket gets another tick", () => {
    const expired = vi.fn();
    startDeadline(100, expired);
    stall(1_200); // right after the request: the check is due at 100 ms and runs at 1,200 ms
    vi.advanceTimersByTime(100);
    expect(expired).not.toHaveBeenCalled();
    run(DEADLINE_TICK_MS);
    expect(expired).toHaveBeenCalledWith(true);
  });

  it("does not count a stall against the budget: the rest of it follows the stall in full", () => {
    const expired = vi.fn();
    startDeadline(300, expired);
    run(100);
    stall(1_000);
    vi.advanceTimersByTime(DEADLINE_TICK_MS); // the late check: nothing credited
    run(190);
    expect(expired).not.toHaveBeenCalled();
    run(10);
    expect(expired).toHaveBeenCalledWith(true);
  });

  it("expires after MAX_STALL_STRETCH budgets however often the loop stalls", () => {
    const expired = vi.fn();
    startDeadline(200, expired);
    let ticks = 0;
    while (ticks < 20 && expired.mock.calls.length === 0) {
      stall(500);
      vi.advanceTimersByTime(DEADLINE_TICK_MS);
      ticks += 1;
    }
    expect(expired).toHaveBeenCalledWith(true);
    expect(ticks * DEADLINE_TICK_MS).toBe(MAX_STALL_STRETCH * 200); // every tick credited, none on time
  });

  it("never calls back once cancelled", () => {
    const expired = vi.fn();
    startDeadline(100, expired).cancel();
    run(1_000);
    expect(expired).not.toHaveBeenCalled();
  });

  it("is driven by fake timers alone when performance is not faked", () => {
    vi.unstubAllGlobals();
    const expired = vi.fn();
    startDeadline(300, expired);
    vi.advanceTimersByTime(300);
    expect(expired).toHaveBeenCalledWith(false);
  });
});
