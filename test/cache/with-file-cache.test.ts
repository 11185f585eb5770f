import { chownSync, chmodSync, copyFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { peekFileCache } from "../../src/cache/file-cache-slot.js";
import { withFileCache, type FileCacheOptions } from "../../src/cache/with-file-cache.js";
import { manualClock, type ManualClock } from "../../src/testing/manual-clock.js";
import { forgetSecrets, scrubSecrets } from "../../src/scrub-secrets.js";
import { fakeSource, SECRET, TOKEN } from "../helpers/fake-source.js";

const HOUR = 60 * 60 * 1000;
const MINUTE = 60 * 1000;
const NOBODY = 65534;

let root = "";
let dir = "";
let clock: ManualClock;
let lines: string[];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "eop-file-cache-"));
  dir = join(root, "cache");
  clock = manualClock();
  lines = [];
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function cached(provider: () => Promise<import("@smithy/types").AwsCredentialIdentity>, options: Partial<FileCacheOptions> = {}) {
  return withFileCache(provider, {
    key: { roleArn: "arn:aws:iam::123456789012:role/app", externalId: "tenant-42" },
    dir,
    env: {},
    clock,
    logger: { debug: (line) => lines.push(line), warn: (line) => lines.push(`WARN ${line}`) },
    ...options,
  });
}

/** The one entry file in the cache directory. */
function entryPath(): string {
  const entries = readdirSync(dir).filter((name) => name.endsWith(".json"));
  expect(entries).toHaveLength(1);
  return join(dir, entries[0] ?? "");
}

describe("withFileCache", () => {
  it("fetches once and serves the written entry to the next process-like caller", async () => {
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const first = await cached(source.provider)();
    const second = await cached(source.provider)();
    expect(source.calls).toBe(1);
    expect(second).toEqual(first);
    expect(second.expiration).toBeInstanceOf(Date);
  });

  it("keeps the directory 0700 and every file in it 0600, readable by nobody but the owner", async () => {
    await cached(fakeSource(clock, { lifetimeMs: HOUR }).provider)();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const names = readdirSync(dir);
    expect(names.length).toBeGreaterThanOrEqual(2); // the salt and the entry; the lock is gone
    for (const name of names) {
      const stats = lstatSync(join(dir, name));
      expect(stats.isFile()).toBe(true);
      expect(stats.mode & 0o777).toBe(0o600);
    }
  });

  it("creates the directory 0700 even under a permissive umask", async () => {
    const previous = process.umask(0o000);
    try {
      await cached(fakeSource(clock, { lifetimeMs: HOUR }).provider)();
    } finally {
      process.umask(previous);
    }
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(entryPath()).mode & 0o777).toBe(0o600);
  });

  it("names entries by a keyed hash: no key fact and no secret in any file name", async () => {
    await cached(fakeSource(clock, { lifetimeMs: HOUR }).provider)();
    for (const name of readdirSync(dir)) {
      expect(name).toMatch(/^([0-9a-f]{64}\.json|key-salt)$/);
      expect(name).not.toContain("tenant-42");
    }
  });

  it("gives another key another entry, and never the first key's credential", async () => {
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const a = await cached(source.provider)();
    const b = await cached(source.provider, { key: { roleArn: "arn:aws:iam::123456789012:role/app", externalId: "tenant-43" } })();
    expect(source.calls).toBe(2);
    expect(b.accessKeyId).not.toBe(a.accessKeyId);
  });

  it("serves the entry until the refresh window, then fetches a fresh one", async () => {
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const provider = cached(source.provider, { refreshWindowMs: 20 * MINUTE });
    const first = await provider();
    clock.advance(40 * MINUTE - 1_000);
    expect((await provider()).accessKeyId).toBe(first.accessKeyId);
    clock.advance(1_000);
    const refreshed = await provider();
    expect(source.calls).toBe(2);
    expect(refreshed.accessKeyId).not.toBe(first.accessKeyId);
    expect(lines.some((line) => line.includes("inside the 1200 s refresh window"))).toBe(true);
  });

  it("reuses a credential shorter than twice the window for the first half of its life", async () => {
    const source = fakeSource(clock, { lifetimeMs: 15 * MINUTE });
    const provider = cached(source.provider, { refreshWindowMs: 20 * MINUTE });
    await provider();
    clock.advance(7 * MINUTE);
    await provider();
    expect(source.calls).toBe(1);
    clock.advance(MINUTE);
    await provider();
    expect(source.calls).toBe(2);
  });

  it("applies the whole refresh window to an entry obtained 'later than now' (the clock was set back), never a share of a nonsense lifetime", async () => {
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const provider = cached(source.provider, { refreshWindowMs: 20 * MINUTE });
    await provider();
    const path = entryPath();
    const json = JSON.parse(readFileSync(path, "utf8")) as { obtainedAt: string };
    json.obtainedAt = new Date(clock.now() + 55 * MINUTE).toISOString(); // lifetime "5 min" → a share would be 2.5 min
    writeFileSync(path, JSON.stringify(json), { mode: 0o600 });
    clock.advance(45 * MINUTE); // 15 min left: inside the 20-minute window
    await provider();
    expect(source.calls).toBe(2);
    expect(lines.some((line) => line.includes("inside the 1200 s refresh window"))).toBe(true);
  });

  it("hands out a credential without Expiration but never writes it", async () => {
    const source = fakeSource(clock);
    await cached(source.provider)();
    await cached(source.provider)();
    expect(source.calls).toBe(2);
    expect(readdirSync(dir).filter((name) => name.endsWith(".json"))).toEqual([]);
    expect(lines).toContain("env-or-profile: file cache: not written: the credential has no Expiration");
  });

  it("registers a credential it read from disk with the scrubber, so an echo of it is redacted", async () => {
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const written = await cached(source.provider)();
    forgetSecrets();
    const read = await cached(source.provider)();
    expect(read).toEqual(written);
    expect(scrubSecrets(`server said: ${read.secretAccessKey}`)).not.toContain(read.secretAccessKey);
  });

  it("writes no secret into any log line", async () => {
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    await cached(source.provider)();
    await cached(source.provider)();
    expect(lines.join("\n")).not.toContain(SECRET);
    expect(lines.join("\n")).not.toContain(TOKEN);
    expect(lines.join("\n")).not.toContain("ASIAFAKE");
  });

  it("is off with ENV_OR_PROFILE_CACHE=off: every call fetches, nothing is written", async () => {
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    await cached(source.provider, { env: { ENV_OR_PROFILE_CACHE: "off" } })();
    await cached(source.provider, { env: { ENV_OR_PROFILE_CACHE: "off" } })();
    expect(source.calls).toBe(2);
    expect(() => readdirSync(dir)).toThrow();
  });

  it("takes the directory from ENV_OR_PROFILE_CACHE_DIR", async () => {
    await withFileCache(fakeSource(clock, { lifetimeMs: HOUR }).provider, { key: { a: "b" }, env: { ENV_OR_PROFILE_CACHE_DIR: dir }, clock })();
    expect(readdirSync(dir).some((name) => name.endsWith(".json"))).toBe(true);
  });

  it("does not write, and says so, when the provider fails; the next call fetches again", async () => {
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    source.queue(() => Promise.reject(new Error("STS is down")));
    await expect(cached(source.provider)()).rejects.toThrow("STS is down");
    expect(readdirSync(dir).filter((name) => !name.startsWith("key-salt"))).toEqual([]); // no entry, no lock left
    await cached(source.provider)();
    expect(source.calls).toBe(2);
  });

  it("rejects options that make no sense at call time", () => {
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    expect(() => withFileCache(source.provider, {} as FileCacheOptions)).toThrow(TypeError);
    expect(() => cached(source.provider, { refreshWindowMs: -1 })).toThrow(/refreshWindowMs/);
    expect(() => cached(source.provider, { lockWaitMs: Number.NaN })).toThrow(/lockWaitMs/);
  });
});

describe("withFileCache ignores, and replaces, an entry that is not the user's alone or not sound", () => {
  /** Writes a good entry, damages it with `damage`, and checks the next call refetches and repairs it. */
  async function expectIgnoredAndReplaced(damage: (path: string) => void, why: RegExp): Promise<void> {
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const first = await cached(source.provider)();
    const path = entryPath();
    damage(path);
    const second = await cached(source.provider)();
    expect(source.calls).toBe(2);
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(lines.some((line) => line.includes(`ignoring ${path}`) && why.test(line))).toBe(true);
    const repaired = lstatSync(path);
    expect(repaired.isFile()).toBe(true);
    expect(repaired.uid).toBe(process.getuid?.());
    expect(repaired.mode & 0o777).toBe(0o600);
    expect((await cached(source.provider)()).accessKeyId).toBe(second.accessKeyId); // and it is served again
  }

  it("a file owned by another user", async () => {
    await expectIgnoredAndReplaced((path) => chownSync(path, NOBODY, NOBODY), /owned by uid 65534/);
  });

  it("a file readable by its group", async () => {
    await expectIgnoredAndReplaced((path) => chmodSync(path, 0o640), /mode 640: group or others/);
  });

  it("a file readable by others", async () => {
    await expectIgnoredAndReplaced((path) => chmodSync(path, 0o604), /mode 604: group or others/);
  });

  it("a symbolic link, even to a sound entry", async () => {
    await expectIgnoredAndReplaced((path) => {
      const elsewhere = join(root, "planted.json");
      copyFileSync(path, elsewhere);
      chmodSync(elsewhere, 0o600);
      rmSync(path);
      symlinkSync(elsewhere, path);
    }, /a symbolic link/);
  });

  it("corrupt JSON", async () => {
    await expectIgnoredAndReplaced((path) => writeFileSync(path, "{not json", { mode: 0o600 }), /not valid JSON/);
  });

  it("a truncated file", async () => {
    await expectIgnoredAndReplaced((path) => writeFileSync(path, readFileSync(path, "utf8").slice(0, 40), { mode: 0o600 }), /not valid JSON/);
  });

  it("valid JSON with a field of the wrong type", async () => {
    await expectIgnoredAndReplaced((path) => {
      const json = JSON.parse(readFileSync(path, "utf8")) as { credential: Record<string, unknown> };
      json.credential["secretAccessKey"] = 42;
      writeFileSync(path, JSON.stringify(json), { mode: 0o600 });
    }, /secretAccessKey missing or not a string/);
  });

  it("an entry obtained at or after its own expiration", async () => {
    await expectIgnoredAndReplaced((path) => {
      const json = JSON.parse(readFileSync(path, "utf8")) as { obtainedAt: string; credential: { expiration: string } };
      json.obtainedAt = new Date(Date.parse(json.credential.expiration) + 1_000).toISOString();
      writeFileSync(path, JSON.stringify(json), { mode: 0o600 });
    }, /obtained at or after its own expiration/);
  });

  it("an entry recorded for another key (copied under this key's name)", async () => {
    const other = fakeSource(clock, { lifetimeMs: HOUR });
    await cached(other.provider, { key: { roleArn: "arn:aws:iam::999999999999:role/other" } })();
    const otherPath = entryPath();
    const otherEntry = readFileSync(otherPath, "utf8");
    rmSync(otherPath);
    await expectIgnoredAndReplaced((path) => writeFileSync(path, otherEntry, { mode: 0o600 }), /recorded for another key/);
  });

  it("a directory at the entry's name is skipped without failing the call", async () => {
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    await cached(source.provider)();
    const path = entryPath();
    rmSync(path);
    mkdirSync(path);
    await expect(cached(source.provider)()).resolves.toHaveProperty("accessKeyId", "ASIAFAKE00000002");
    expect(lines.some((line) => line.includes("not a regular file"))).toBe(true);
  });
});

describe("withFileCache refuses a directory that is not the user's alone", () => {
  it("one open to group or others: not used, a warning, the provider answers, nothing written", async () => {
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    await cached(source.provider)();
    await cached(source.provider)();
    expect(source.calls).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
    expect(lines).toContain(`WARN env-or-profile: file cache: not using ${dir}: it mode 755: group or others have access`);
  });

  it("one owned by another user", async () => {
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, NOBODY, NOBODY);
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    await cached(source.provider)();
    expect(readdirSync(dir)).toEqual([]);
    expect(lines.some((line) => line.startsWith("WARN") && line.includes("owned by uid 65534"))).toBe(true);
  });

  it("a symbolic link to a directory", async () => {
    const real = join(root, "real");
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, dir);
    await cached(fakeSource(clock, { lifetimeMs: HOUR }).provider)();
    expect(readdirSync(real)).toEqual([]);
    expect(lines.some((line) => line.includes("is a symbolic link"))).toBe(true);
  });

  it("replaces a salt file that is not the user's alone (older entries become unreachable, never trusted)", async () => {
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    await cached(source.provider)();
    chmodSync(join(dir, "key-salt"), 0o644);
    await cached(source.provider)();
    expect(source.calls).toBe(2);
    expect(statSync(join(dir, "key-salt")).mode & 0o777).toBe(0o600);
  });
});

describe("withFileCache across concurrent callers", () => {
  /** A provider that takes `ms` to answer, like an STS round trip. */
  function slowSource(ms: number) {
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    return {
      source,
      provider: async () => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        return source.provider();
      },
    };
  }

  it("ten callers at once make one fetch and all get its credential", async () => {
    const { source, provider } = slowSource(150);
    const results = await Promise.all(Array.from({ length: 10 }, () => cached(provider)()));
    expect(source.calls).toBe(1);
    expect(new Set(results.map((credential) => credential.accessKeyId)).size).toBe(1);
    expect(readdirSync(dir).some((name) => name.endsWith(".lock"))).toBe(false);
  });

  it("takes over at once a lock whose holder on this host is gone", async () => {
    const { source, provider } = slowSource(0);
    await cached(provider)(); // creates the entry, so we learn the key's hash
    const hash = entryPath().replace(/^.*\/([0-9a-f]{64})\.json$/, "$1");
    rmSync(entryPath());
    writeFileSync(join(dir, `${hash}.lock`), JSON.stringify({ format: "env-or-profile-file-cache-lock/1", pid: 2 ** 22 + 12345, host: hostname(), nonce: "x" }), { mode: 0o600 });
    await cached(provider, { lockWaitMs: 60_000 })();
    expect(source.calls).toBe(2);
    expect(lines.some((line) => line.includes("is gone"))).toBe(true);
  });

  it("takes over another host's lock once it is older than staleLockMs", async () => {
    const { source, provider } = slowSource(0);
    await cached(provider)();
    const hash = entryPath().replace(/^.*\/([0-9a-f]{64})\.json$/, "$1");
    rmSync(entryPath());
    const lock = join(dir, `${hash}.lock`);
    writeFileSync(lock, JSON.stringify({ format: "env-or-profile-file-cache-lock/1", pid: 1, host: "another-host", nonce: "x" }), { mode: 0o600 });
    const old = new Date(clock.now() - 31_000);
    utimesSync(lock, old, old);
    await cached(provider, { lockWaitMs: 60_000 })();
    expect(source.calls).toBe(2);
    expect(lines.some((line) => line.includes("more than 30 s"))).toBe(true);
  });

  it("waits at most lockWaitMs for a live holder, then fetches itself", async () => {
    const { source, provider } = slowSource(0);
    await cached(provider)();
    const hash = entryPath().replace(/^.*\/([0-9a-f]{64})\.json$/, "$1");
    rmSync(entryPath());
    const lock = join(dir, `${hash}.lock`);
    writeFileSync(lock, JSON.stringify({ format: "env-or-profile-file-cache-lock/1", pid: process.pid, host: hostname(), nonce: "x" }), { mode: 0o600 });
    const fresh = new Date(clock.now());
    utimesSync(lock, fresh, fresh);
    await cached(provider, { lockWaitMs: 100 })();
    expect(source.calls).toBe(2);
    expect(lines.some((line) => line.includes("for another process's fetch; fetching too"))).toBe(true);
    expect(readFileSync(lock, "utf8")).toContain('"nonce":"x"'); // someone else's lock is left alone
  });

  it("takes over a lock file that is not the user's alone", async () => {
    const { source, provider } = slowSource(0);
    await cached(provider)();
    const hash = entryPath().replace(/^.*\/([0-9a-f]{64})\.json$/, "$1");
    rmSync(entryPath());
    const lock = join(dir, `${hash}.lock`);
    writeFileSync(lock, "{}", { mode: 0o600 });
    chownSync(lock, NOBODY, NOBODY);
    await cached(provider, { lockWaitMs: 60_000 })();
    expect(source.calls).toBe(2);
    expect(lines.some((line) => line.includes("taking over the lock") && line.includes("owned by uid 65534"))).toBe(true);
  });

  it("never leaves a hard-linked or temporary file behind", async () => {
    const { provider } = slowSource(20);
    await Promise.all(Array.from({ length: 5 }, () => cached(provider)()));
    for (const name of readdirSync(dir)) {
      expect(name.endsWith(".tmp")).toBe(false);
      expect(statSync(join(dir, name)).nlink).toBe(1);
    }
  });
});

describe("peekFileCache (the warm path's read)", () => {
  const options = (): FileCacheOptions => ({ key: { roleArn: "arn:aws:iam::123456789012:role/app", externalId: "tenant-42" }, dir, env: {}, clock });

  it("creates nothing when there is no cache yet", () => {
    expect(peekFileCache(options())).toBeUndefined();
    expect(() => readdirSync(dir)).toThrow();
  });

  it("returns the entry withFileCache wrote while it is fresh, and nothing inside the window", async () => {
    const written = await cached(fakeSource(clock, { lifetimeMs: HOUR }).provider)();
    expect(peekFileCache(options())).toEqual(written);
    clock.advance(HOUR - 4 * MINUTE);
    expect(peekFileCache(options())).toBeUndefined();
  });

  it("trusts no entry in a directory open to others", async () => {
    await cached(fakeSource(clock, { lifetimeMs: HOUR }).provider)();
    chmodSync(dir, 0o755);
    expect(peekFileCache(options())).toBeUndefined();
  });
});
