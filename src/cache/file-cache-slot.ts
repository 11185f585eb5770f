import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { processChain } from "../providers/process/process-chain.js";
import { log } from "../logger.js";
import { registerCredential } from "../scrub-secrets.js";
import { entryFileName, readEntry, writeEntry } from "./cache-entry.js";
import { cacheKeyHash, loadSalt, readSalt } from "./cache-key-hash.js";
import { CacheLock } from "./cache-lock.js";
import { defaultFileCacheDir } from "./default-file-cache-dir.js";
import { openPrivateDir } from "./open-private-dir.js";
import { errorCode, fsModule, inDir, untrustedReason } from "./private-files.js";
import { FILE_CACHE_ENV, fileCacheDisabled, fileCacheWindowMs, toSettings, type FileCacheOptions, type Settings } from "./with-file-cache.js";

// The file cache's reads, locks and writes, apart from `withFileCache` (which checks the options
// when created): a chunk of its own, loaded at a cached provider's first call and by the CLI, so
// that `import "env-or-profile"` does not load it (issue 13: the import within a third of the SDK's).

/** How often a waiting process looks for the entry (or a free lock). Internal, not an option. */
const LOCK_POLL_MS = 25;

/** A call through the file cache: a fresh entry, else one fetch under the key's lock. @internal */
export async function resolveThroughFileCache(provider: AwsCredentialIdentityProvider, settings: Settings): Promise<AwsCredentialIdentity> {
  const env = settings.env ?? process.env;
  if (fileCacheDisabled(env)) {
    log(settings.logger, "debug", `file cache: off (${FILE_CACHE_ENV}=${env[FILE_CACHE_ENV] ?? ""})`);
    return provider();
  }
  const slot = openSlot(settings, env);
  if (slot === undefined) {
    return provider();
  }
  const hit = slot.readFresh(true);
  if (hit !== undefined) {
    return hit;
  }
  const locked = await slot.waitForLock();
  if (typeof locked === "object") {
    return locked;
  }
  try {
    if (locked) {
      const fetchedMeanwhile = slot.readFresh(false);
      if (fetchedMeanwhile !== undefined) {
        return fetchedMeanwhile;
      }
    }
    const credential = await provider();
    slot.store(credential);
    return credential;
  } finally {
    if (locked) {
      slot.release();
    }
  }
}

/**
 * Reads the key's entry without creating, locking or fetching anything: the credential when a fresh
 * one is there, else `undefined` (also when the directory or salt does not exist yet, or cannot be
 * trusted). For a fast path that must not do more than read a file before deciding to load the
 * whole chain; the full path ({@link withFileCache}) then handles everything else.
 * @throws TypeError for bad options, as {@link withFileCache}.
 */
export function peekFileCache(options: FileCacheOptions): AwsCredentialIdentity | undefined {
  const settings = toSettings(options);
  const env = settings.env ?? process.env;
  const dir = settings.dir ?? defaultFileCacheDir(env);
  if (fileCacheDisabled(env) || dir === undefined) {
    return undefined;
  }
  try {
    const stats = fsModule().lstatSync(dir, { throwIfNoEntry: false });
    if (stats === undefined || stats.isSymbolicLink() || untrustedReason(stats, true) !== undefined) {
      return undefined;
    }
    const salt = readSalt(dir);
    // Quiet on a miss: the full path that follows explains it.
    return salt === undefined ? undefined : new CacheSlot(dir, cacheKeyHash(salt, settings.key), settings, new Set()).readFresh(false);
  } catch {
    return undefined;
  }
}

function openSlot(settings: Settings, env: Readonly<Record<string, string | undefined>>): CacheSlot | undefined {
  const dir = settings.dir ?? defaultFileCacheDir(env);
  if (dir === undefined) {
    log(settings.logger, "warn", "file cache: not used: no cache directory (no home directory; set ENV_OR_PROFILE_CACHE_DIR)");
    return undefined;
  }
  try {
    const why = openPrivateDir(dir);
    if (why !== undefined) {
      log(settings.logger, "warn", `file cache: not using ${dir}: it ${why}`);
      return undefined;
    }
    return new CacheSlot(dir, cacheKeyHash(loadSalt(dir, settings.logger), settings.key), settings, new Set(processChain(env).map((entry) => entry.pid)));
  } catch (error) {
    log(settings.logger, "warn", `file cache: not using ${dir}: ${errorCode(error)}`);
    return undefined;
  }
}

/** One key's entry and lock in one directory: the decisions of a cached call, one method each. */
class CacheSlot {
  readonly #dir: string;
  readonly #hash: string;
  readonly #path: string;
  readonly #settings: Settings;
  readonly #lock: CacheLock;

  constructor(dir: string, hash: string, settings: Settings, ancestors: ReadonlySet<number>) {
    this.#dir = dir;
    this.#hash = hash;
    this.#path = inDir(dir, entryFileName(hash));
    this.#settings = settings;
    this.#lock = new CacheLock(dir, hash, { staleLockMs: settings.staleLockMs, clock: settings.clock, logger: settings.logger, ancestors });
  }

  /** The entry's credential when it is ours, for this key, and outside the refresh window. */
  readFresh(explain: boolean): AwsCredentialIdentity | undefined {
    const logger = this.#settings.logger;
    let read;
    try {
      read = readEntry(this.#path, this.#hash);
    } catch (error) {
      read = { kind: "ignored" as const, why: `cannot be read (${errorCode(error)})` };
    }
    if (read.kind !== "ok") {
      if (explain) {
        log(logger, "debug", read.kind === "missing" ? `file cache: no entry ${this.#path}` : `file cache: ignoring ${this.#path}: ${read.why}; it will be replaced`);
      }
      return undefined;
    }
    const { credential, obtainedAtMs } = read.entry;
    const leftMs = credential.expiration.getTime() - this.#settings.clock.now();
    const windowMs = this.#windowMs(credential.expiration.getTime(), obtainedAtMs);
    if (leftMs <= windowMs) {
      if (explain) {
        log(logger, "debug", `file cache: ${this.#path} expires in ${String(Math.round(leftMs / 1000))} s, inside the ${String(Math.round(windowMs / 1000))} s refresh window; fetching a fresh one`);
      }
      return undefined;
    }
    // Read from disk, it never passed through memoize or AssumeRole, which register what they hand
    // out: registered here, so an SDK error echoing it is scrubbed like any other.
    registerCredential(credential);
    log(logger, "debug", `file cache: served ${this.#path} (expires in ${String(Math.round(leftMs / 1000))} s)`);
    return credential;
  }

  /** The refresh window for a credential (see {@link fileCacheWindowMs}). */
  #windowMs(expirationMs: number, obtainedAtMs: number): number {
    return fileCacheWindowMs(this.#settings.refreshWindowMs, expirationMs, obtainedAtMs, this.#settings.clock.now());
  }

  /**
   * Takes the key's lock, or waits until the entry appears or the lock frees up.
   * @returns `true` holding the lock; a credential another process wrote meanwhile; `false` when
   *   the wait ran out or no lock can be made (the caller fetches without it).
   */
  async waitForLock(): Promise<boolean | AwsCredentialIdentity> {
    const logger = this.#settings.logger;
    for (let waitedMs = 0; ; waitedMs += LOCK_POLL_MS) {
      try {
        if (this.#lock.tryAcquire()) {
          return true;
        }
      } catch (error) {
        log(logger, "debug", `file cache: no lock (${errorCode(error)}); fetching without one`);
        return false;
      }
      if (waitedMs >= this.#settings.lockWaitMs) {
        log(logger, "debug", `file cache: waited ${String(waitedMs)} ms for another process's fetch; fetching too`);
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
      const written = this.readFresh(false);
      if (written !== undefined) {
        return written;
      }
    }
  }

  /** Writes a freshly fetched credential, when it is worth keeping; a failure only costs the next run a fetch. */
  store(credential: AwsCredentialIdentity): void {
    const logger = this.#settings.logger;
    const expiration = credential.expiration;
    if (expiration === undefined) {
      log(logger, "debug", "file cache: not written: the credential has no Expiration");
      return;
    }
    const now = this.#settings.clock.now();
    const leftMs = expiration.getTime() - now;
    if (leftMs <= this.#windowMs(expiration.getTime(), now)) {
      log(logger, "debug", `file cache: not written: the credential expires in ${String(Math.round(leftMs / 1000))} s, inside the refresh window`);
      return;
    }
    try {
      writeEntry(this.#dir, this.#hash, { ...credential, expiration }, now);
      log(logger, "debug", `file cache: wrote ${this.#path}`);
    } catch (error) {
      log(logger, "warn", `file cache: could not write ${this.#path}: ${errorCode(error)}`);
    }
  }

  release(): void {
    try {
      this.#lock.release();
    } catch {
      // A lock left behind is taken over as stale; it never blocks for long.
    }
  }
}
