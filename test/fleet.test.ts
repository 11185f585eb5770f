import { describe, expect, it } from "vitest";
import { simulateFleet } from "../bench/fleet.mjs";
import { memoize } from "../src/memoize.js";
import { manualClock } from "../src/testing/manual-clock.js";

// The bench prints the full histogram for 10,000 instances; here a smaller fleet, asserted loosely.
describe("a fleet whose credentials all expire at the same moment", () => {
  it("refreshes spread over the jitter band instead of in lockstep, and nobody is served an expired credential", async () => {
    const fleet = await simulateFleet({ instances: 2_000, memoize, manualClock });
    const lockstep = await simulateFleet({ instances: 2_000, memoize, manualClock, jitter: false });

    expect(fleet.notRefreshed).toBe(0);
    expect(fleet.expiredServed).toBe(0);
    // Without jitter every instance refreshes within one call interval of E − 5 min.
    expect(lockstep.lastMs - lockstep.firstMs).toBeLessThanOrEqual(10_000);
    // With it, refreshes spread over minutes and the peak is a small fraction of the fleet.
    expect(fleet.lastMs - fleet.firstMs).toBeGreaterThan(4 * 60_000);
    expect(fleet.peakPerSecond).toBeLessThan(fleet.instances / 20);
    expect(fleet.peakPerSecond * 5).toBeLessThan(lockstep.peakPerSecond);
  });
});
