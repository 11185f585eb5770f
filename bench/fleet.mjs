// Fleet simulation (issue 6, item 6): many instances whose credentials all expire at the same
// moment, each with its own memoize()d provider on one shared manual clock, each calling its
// provider every `callEveryMs` of simulated time (at its own phase). Every call that reaches the
// (fake, in-memory) source after the first fetch is a refresh; we record when it happened.
//
// `simulateFleet()` is the reusable core (a test can assert it loosely: no lockstep, peak well
// below everyone at once); `formatHistogram()` draws the text bars the bench prints.
//
// In a test (vitest), inject the functions under test so no build is needed, e.g.:
//   import { memoize } from "../src/memoize.js";
//   import { manualClock } from "../src/testing/manual-clock.js";
//   const r = await simulateFleet({ instances: 2_000, memoize, manualClock });
//   expect(r.notRefreshed).toBe(0); expect(r.expiredServed).toBe(0);
//   expect(r.peakPerSecond).toBeLessThan(r.instances / 20);   // no lockstep
import { seededRandom } from "./lib.mjs";

/**
 * @param {object} [options]
 * @param {number} [options.instances=10000]    simulated instances
 * @param {number} [options.lifetimeMs=3600000] credential lifetime (first credential: from start to the shared expiry)
 * @param {number} [options.callEveryMs=10000]  each instance calls its provider this often (simulated)
 * @param {number} [options.stepMs=1000]        clock resolution of the simulation
 * @param {number} [options.seed=1]             seeds phases and the providers' jitter randomness
 * @param {object|false} [options.jitter]       passed to memoize (`false` = no jitter; undefined = memoize's default)
 * @param {number} [options.refreshWindowMs]    passed to memoize (undefined = its default, 5 min)
 * @param {Function} [options.memoize]          defaults to env-or-profile's
 * @param {Function} [options.manualClock]      defaults to env-or-profile/testing's
 * @param {Function} [options.wrap]             `(source, { clock, random }) => provider`: the memoizer under
 *                                              test instead of ours (e.g. the SDK's memoizeIdentityProvider)
 * @param {boolean} [options.driveDateNow]      while simulating, `Date.now()` returns the simulation's clock
 *                                              (for memoizers that read Date.now(), as the SDK's do)
 * @returns {Promise<{instances:number, expiresAt:number, refreshes:number[], perSecond:Map<number,number>,
 *   peakPerSecond:number, peakAtMs:number, firstMs:number, lastMs:number, notRefreshed:number,
 *   expiredServed:number, sourceCalls:number}>}
 *   refresh times are ms relative to the shared expiry (negative = before it).
 */
export async function simulateFleet(options = {}) {
  const {
    instances = 10_000,
    lifetimeMs = 3_600_000,
    callEveryMs = 10_000,
    stepMs = 1_000,
    seed = 1,
    jitter,
    refreshWindowMs,
  } = options;
  const memoize = options.wrap === undefined ? (options.memoize ?? (await import("env-or-profile")).memoize) : undefined;
  const manualClock = options.manualClock ?? (await import("env-or-profile/testing")).manualClock;

  const random = seededRandom(seed);
  const clock = manualClock();
  const start = clock.now();
  const expiresAt = start + lifetimeMs;
  const refreshes = [];
  let sourceCalls = 0;
  let expiredServed = 0;
  const refreshedOnce = new Uint8Array(instances);
  const realDateNow = Date.now;
  if (options.driveDateNow) Date.now = () => clock.now();
  try {

    const memoOptions = {
      clock,
      random,
      retry: { retries: 0 },
      ...(jitter === undefined ? {} : { jitter }),
      ...(refreshWindowMs === undefined ? {} : { refreshWindowMs }),
    };
    const steps = Math.max(1, Math.round(callEveryMs / stepMs));
    /** providers grouped by the step (within one period) at which their instance calls */
    const byPhase = Array.from({ length: steps }, () => []);

    for (let i = 0; i < instances; i++) {
      let fetched = 0;
      const source = async () => {
        sourceCalls += 1;
        const now = clock.now();
        fetched += 1;
        if (fetched === 1) {
          return { accessKeyId: `ASIAFLEET${i}`, secretAccessKey: "fleet-secret", expiration: new Date(expiresAt) };
        }
        refreshes.push(now - expiresAt);
        refreshedOnce[i] = 1;
        return { accessKeyId: `ASIAFLEET${i}R${fetched}`, secretAccessKey: "fleet-secret", expiration: new Date(now + lifetimeMs) };
      };
      const provider = options.wrap === undefined ? memoize(source, memoOptions) : options.wrap(source, { clock, random });
      byPhase[Math.floor(random() * steps)].push(provider);
    }

    // Everyone fetches at start; the credentials all expire at `expiresAt`.
    await Promise.all(byPhase.flat().map((p) => p()));

    const end = expiresAt + callEveryMs * 2;
    for (let step = 1; start + step * stepMs <= end; step++) {
      clock.set(start + step * stepMs);
      const now = clock.now();
      const group = byPhase[step % steps];
      const pending = [];
      for (const provider of group) pending.push(provider());
      const results = await Promise.allSettled(pending);
      for (const r of results) {
        if (r.status === "fulfilled" && r.value.expiration !== undefined && r.value.expiration.getTime() <= now) expiredServed += 1;
      }
      // Let background refreshes started by this step run before time moves on.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    Date.now = realDateNow;
  }

  const perSecond = new Map();
  for (const t of refreshes) {
    const s = Math.floor(t / 1000);
    perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
  }
  let peakPerSecond = 0;
  let peakAtMs = Number.NaN;
  for (const [s, n] of perSecond) {
    if (n > peakPerSecond) {
      peakPerSecond = n;
      peakAtMs = s * 1000;
    }
  }
  let notRefreshed = 0;
  for (let i = 0; i < instances; i++) if (!refreshedOnce[i]) notRefreshed += 1;
  return {
    instances,
    expiresAt,
    refreshes,
    perSecond,
    peakPerSecond,
    peakAtMs,
    firstMs: refreshes.length ? Math.min(...refreshes) : Number.NaN,
    lastMs: refreshes.length ? Math.max(...refreshes) : Number.NaN,
    notRefreshed,
    expiredServed,
    sourceCalls,
  };
}

/** Text histogram of refresh times (relative to expiry) in `bucketMs` buckets. */
export function formatHistogram(refreshes, { bucketMs = 30_000, width = 40 } = {}) {
  if (refreshes.length === 0) return "(no refreshes)";
  const lo = Math.floor(Math.min(...refreshes) / bucketMs) * bucketMs;
  const hi = Math.floor(Math.max(...refreshes) / bucketMs) * bucketMs;
  const counts = new Map();
  for (const t of refreshes) {
    const b = Math.floor(t / bucketMs) * bucketMs;
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  const max = Math.max(...counts.values());
  const lines = [];
  for (let b = lo; b <= hi; b += bucketMs) {
    const n = counts.get(b) ?? 0;
    const bar = "#".repeat(Math.round((n / max) * width)) || (n > 0 ? "." : "");
    lines.push(`  E${fmtOffset(b)} .. E${fmtOffset(b + bucketMs)}  ${String(n).padStart(6)} ${bar}`);
  }
  return lines.join("\n");
}

function fmtOffset(ms) {
  const sign = ms < 0 ? "−" : "+";
  const s = Math.abs(Math.round(ms / 1000));
  return `${sign}${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}
