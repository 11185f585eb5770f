// Types for fleet.mjs, so the fleet test (test/fleet.test.ts) type-checks under strict TypeScript.
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { memoize as Memoize } from "../src/memoize.js";
import type { manualClock as ManualClock } from "../src/testing/manual-clock.js";

export interface FleetOptions {
  instances?: number;
  lifetimeMs?: number;
  callEveryMs?: number;
  stepMs?: number;
  seed?: number;
  jitter?: false | { fraction?: number; maxMs?: number };
  refreshWindowMs?: number;
  memoize?: typeof Memoize;
  manualClock?: typeof ManualClock;
  /** The memoizer under test instead of ours (e.g. the SDK's `memoizeIdentityProvider`). */
  wrap?: (source: AwsCredentialIdentityProvider, context: { clock: { now(): number }; random: () => number }) => AwsCredentialIdentityProvider;
  /** While simulating, `Date.now()` returns the simulation's clock (for memoizers that read it). */
  driveDateNow?: boolean;
}

export interface FleetResult {
  instances: number;
  expiresAt: number;
  /** Refresh times in ms relative to the shared expiry (negative: before it). */
  refreshes: number[];
  perSecond: Map<number, number>;
  peakPerSecond: number;
  peakAtMs: number;
  firstMs: number;
  lastMs: number;
  notRefreshed: number;
  expiredServed: number;
  sourceCalls: number;
}

export function simulateFleet(options?: FleetOptions): Promise<FleetResult>;
export function formatHistogram(refreshes: number[], options?: { bucketMs?: number; width?: number }): string;
