import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CacheLock } from "../../src/cache/cache-lock.js";
import { manualClock } from "../../src/testing/manual-clock.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "eop-lock-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const lock = (ancestors?: ReadonlySet<number>) =>
  new CacheLock(dir, "a".repeat(64), { staleLockMs: 30_000, clock: manualClock(Date.now()), logger: undefined, ...(ancestors === undefined ? {} : { ancestors }) });

describe("the file cache's per-key lock", () => {
  it("is not taken while a live holder on this host has it", () => {
    expect(lock().tryAcquire()).toBe(true);
    expect(lock().tryAcquire()).toBe(false);
  });

  it("is taken over at once when its holder is a process above this one, running it as its credential_process (waiting would wait for ourselves)", () => {
    expect(lock().tryAcquire()).toBe(true); // held by this process, standing in for the parent
    expect(lock(new Set([process.pid])).tryAcquire()).toBe(true);
  });
});
