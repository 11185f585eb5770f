import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { systemClock, type Clock } from "../clock.js";
import { log, type Logger } from "../logger.js";
import { registerCredential } from "../scrub-secrets.js";
import { entryFileName, readEntry, writeEntry } from "./cache-entry.js";
import { cacheKeyHash, loadSalt, readSalt, type FileCacheKey } from "./cache-key-hash.js";
import { CacheLock } from "./cache-lock.js";
import { defaultFileCacheDir } from "./default-file-cache-dir.js";
import { openPrivateDir } from "./open-private-dir.js";
import { errorCode, fsModule, inDir, untrustedReason } from "./private-files.js";

/**
 * Default refresh window of the file cache: an entry is not served once it expires within 5
 * minutes — the margin `memoize` uses (`DEFAULT_REFRESH_WINDOW_MS`), after AWS's "at least 5
 * minutes before the expiration" for rotated instance-profile keys.
 */
export const DEFAULT_FILE_CACHE_REFRESH_WINDOW_MS = 5 * 60 * 1000;

/**
 * Default time a process waits for another one's fetch of the same key before fetching itself:
 * 10 s, the deadline of one STS call (`DEFAULT_STS_TIMEOUT_MS`), the slowest fetch it waits for.
 */
export const DEFAULT_FILE_CACHE_LOCK_WAIT_MS = 10_000;

/**
 * Default age after which a lock whose holder cannot be seen (another host sharing the directory)
 * is taken over: 30 s, three times the longest fetch a holder makes ({@link DEFAULT_FILE_CACHE_LOCK_WAIT_MS}).
 * A holder on this host that has died is taken over at once.
 */
export const DEFAULT_FILE_CACHE_STALE_LOCK_MS = 30_000;

/** Set to `off` (or `0`, `false`, `no`) to turn the file cache off for a process. */
export const FILE_CACHE_ENV = "ENV_OR_PROFILE_CACHE";

/**
 * An entry is never served within this share of its own lifetime before it expires, however long
 * the refresh window: a 15-minute credential under a 20-minute window is still reused for its first
 * half, instead of never.
 */
export const FILE_CACHE_MAX_WINDOW_SHARE = 0.5;

/** How often a waiting process looks for the entry (or a free lock). Internal, not an option. */
const LOCK_POLL_MS = 25;

/** Options of {@link withFileCache}. */
export interface FileCacheOptions {
  /**
   * Everything that changes the answer, as named facts: the role, ExternalId, session name,
   * duration, region, endpoint and — above all — what identifies the base identity (an access key
   * id and a hash of its secret, a profile name and the config file's contents, a container
   * credentials URI…). Two providers with the same key share one entry, so a key that leaves out
   * something that changes the identity hands out another identity's credentials. The facts are
   * never written anywhere: the entry's file name is their HMAC under a random per-directory salt.
   */
  key: FileCacheKey;
  /** The cache directory. @defaultValue {@link defaultFileCacheDir}(`env`) */
  dir?: string;
  /** Where `ENV_OR_PROFILE_CACHE_DIR`, `XDG_CACHE_HOME`, `HOME` and `ENV_OR_PROFILE_CACHE` are read. @defaultValue `process.env` */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * An entry is not served once it expires within this many ms (nor within
   * {@link FILE_CACHE_MAX_WINDOW_SHARE} of its lifetime, whichever is shorter); the provider is
   * called instead. @defaultValue {@link DEFAULT_FILE_CACHE_REFRESH_WINDOW_MS}
   */
  refreshWindowMs?: number;
  /** How long to wait for another process's fetch of the same key. @defaultValue {@link DEFAULT_FILE_CACHE_LOCK_WAIT_MS} */
  lockWaitMs?: number;
  /** Age after which another host's lock is taken over. @defaultValue {@link DEFAULT_FILE_CACHE_STALE_LOCK_MS} */
  staleLockMs?: number;
  /** Where time comes from (expiry decisions and lock ages). @defaultValue `systemClock` */
  clock?: Clock;
  /** Receives one debug line per decision (hit, miss, why an entry was ignored) and a warning when the cache cannot be used. */
  logger?: Logger;
}

type Settings = Required<Pick<FileCacheOptions, "refreshWindowMs" | "lockWaitMs" | "staleLockMs" | "clock">> &
  Pick<FileCacheOptions, "key" | "dir" | "env" | "logger">;

/**
 * Keeps `provider`'s credentials across processes: one JSON file per key in a private directory,
 * so short-lived processes (a `credential_process`, a CLI, a fleet of workers on one host) fetch
 * once per credential lifetime instead of once per run.
 *
 * Each call reads the key's entry and serves it while it is outside the refresh window; otherwise
 * it takes the key's lock, calls `provider` once, writes the new entry and releases the lock.
 * Processes that find the lock taken wait (up to `lockWaitMs`) for that entry instead of calling
 * `provider` themselves, so ten concurrent processes make one fetch. A credential without an
 * Expiration is handed out but never written (it never needs refreshing, and long-term keys have
 * no business in a cache).
 *
 * **Trade-off: the secrets are on disk.** Entries hold the secret access key and session token in
 * plain JSON, protected only by file permissions — as the AWS CLI's own `~/.aws/cli/cache` and
 * tools such as aws-vault's file backend do. Anyone who can read the user's files (root, a backup,
 * a shared home directory) can use those credentials until they expire. The directory is 0700 and
 * every file 0600, written atomically (temporary file, fsync, rename); an entry that is not the
 * user's alone (another owner, group- or other-readable, a symbolic link), that is corrupt or
 * truncated, or that was recorded for another key is ignored (a debug line says why) and replaced.
 * A directory that is not the user's alone is not used at all (a warning says why). Use it where
 * processes are short-lived; a long-lived server needs no file cache — `memoize` is enough.
 *
 * Cache problems never fail a call: when the directory cannot be used, the provider is called.
 * Put `memoize` around the result to avoid a file read on every call in a long-lived process.
 *
 * @param provider - the provider whose credentials are cached (called at most once per call).
 * @param options - the key (required) and cache settings.
 * @returns a provider serving the cached credential while it is fresh.
 * @throws TypeError at call time for a missing key or a negative or non-finite duration.
 * @throws (from the returned provider) whatever `provider` throws; nothing of the cache's own.
 * @example
 * ```ts
 * import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
 * import { fromAssumeRole, memoize, withFileCache } from "env-or-profile";
 *
 * const roleArn = "arn:aws:iam::123456789012:role/partner";
 * const credentials = memoize(
 *   withFileCache(fromAssumeRole({ roleArn, externalId: "tenant-42" }), {
 *     key: { roleArn, externalId: "tenant-42", base: "instance-profile" },
 *   }),
 * );
 * const sts = new STSClient({ region: "us-east-1", credentials });
 * console.log(await sts.send(new GetCallerIdentityCommand({})));
 * ```
 */
export function withFileCache(provider: AwsCredentialIdentityProvider, options: FileCacheOptions): AwsCredentialIdentityProvider {
  if (typeof provider !== "function") {
    throw new TypeError("Expected `provider` to be a credential provider function");
  }
  const settings = toSettings(options);
  return () => resolveThroughFileCache(provider, settings);
}

function toSettings(options: FileCacheOptions): Settings {
  if (typeof options !== "object" || typeof options.key !== "object" || options.key === null) {
    throw new TypeError("Expected `key` to be an object of the facts that change the answer (role, ExternalId, base identity, …)");
  }
  return {
    key: options.key,
    ...(options.dir === undefined ? {} : { dir: options.dir }),
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    refreshWindowMs: duration(options.refreshWindowMs, "refreshWindowMs", DEFAULT_FILE_CACHE_REFRESH_WINDOW_MS),
    lockWaitMs: duration(options.lockWaitMs, "lockWaitMs", DEFAULT_FILE_CACHE_LOCK_WAIT_MS),
    staleLockMs: duration(options.staleLockMs, "staleLockMs", DEFAULT_FILE_CACHE_STALE_LOCK_MS),
    clock: options.clock ?? systemClock,
  };
}

function duration(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`Expected \`${name}\` to be a finite number of milliseconds ≥ 0, got ${String(value)}`);
  }
  return value;
}

/**
 * The refresh window for an entry: the configured one, but at most {@link FILE_CACHE_MAX_WINDOW_SHARE}
 * of the credential's lifetime (expiration − obtainedAt). An `obtainedAt` later than now (the clock
 * was set back, or the file says so) tells nothing about the lifetime, so the whole configured
 * window applies: a lifetime can only be shortened by the facts, never by a bad date.
 */
export function fileCacheWindowMs(refreshWindowMs: number, expirationMs: number, obtainedAtMs: number, nowMs: number): number {
  if (obtainedAtMs > nowMs) {
    return refreshWindowMs;
  }
  return Math.min(refreshWindowMs, Math.max(0, expirationMs - obtainedAtMs) * FILE_CACHE_MAX_WINDOW_SHARE);
}

/** Whether `ENV_OR_PROFILE_CACHE` turns the cache off. */
export function fileCacheDisabled(env: Readonly<Record<string, string | undefined>>): boolean {
  const value = env[FILE_CACHE_ENV]?.trim().toLowerCase();
  return value === "off" || value === "0" || value === "false" || value === "no";
}

async function resolveThroughFileCache(provider: AwsCredentialIdentityProvider, settings: Settings): Promise<AwsCredentialIdentity> {
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
    return salt === undefined ? undefined : new CacheSlot(dir, cacheKeyHash(salt, settings.key), settings).readFresh(false);
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
    return new CacheSlot(dir, cacheKeyHash(loadSalt(dir, settings.logger), settings.key), settings);
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

  constructor(dir: string, hash: string, settings: Settings) {
    this.#dir = dir;
    this.#hash = hash;
    this.#path = inDir(dir, entryFileName(hash));
    this.#settings = settings;
    this.#lock = new CacheLock(dir, hash, { staleLockMs: settings.staleLockMs, clock: settings.clock, logger: settings.logger });
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
