// Part 5: the fleet simulation (bench/fleet.mjs) run three times in one process on the same
// seeded fleet: our memoize() (defaults: 5-minute window + jitter), the SDK's own credential
// memoizer — memoizeIdentityProvider() from @smithy/core, which an S3Client wraps any provider
// without the `memoized` marker in (5-minute window, no jitter) — and ours with jitter off.
// The SDK's memoizer reads Date.now(); the simulation drives it from the same manual clock.
//   node fleet.mjs [instances]
import { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } from "@smithy/core";
import { simulateFleet } from "../fleet.mjs";
import { finish, OURS } from "../lib.mjs";

const instances = Number(process.argv[2] ?? 10_000);
const [memoize, manualClock] = [await OURS.memoize(), await OURS.manualClock()];
if (!memoize || !manualClock) finish({ na: true });

// Only what the parent prints: the Map does not survive JSON.
const slim = (r) => ({
  instances: r.instances,
  refreshes: r.refreshes,
  peakPerSecond: r.peakPerSecond,
  peakAtMs: r.peakAtMs,
  firstMs: r.firstMs,
  lastMs: r.lastMs,
  notRefreshed: r.notRefreshed,
  expiredServed: r.expiredServed,
  sourceCalls: r.sourceCalls,
});
const common = { instances, memoize: memoize.fn, manualClock: manualClock.fn };
const ours = await simulateFleet(common);
const sdk = await simulateFleet({
  ...common,
  wrap: (source) => memoizeIdentityProvider(source, isIdentityExpired, doesIdentityRequireRefresh),
  driveDateNow: true,
});
const oursNoJitter = await simulateFleet({ ...common, jitter: false });
finish({ ours: slim(ours), sdk: slim(sdk), oursNoJitter: slim(oursNoJitter) });
