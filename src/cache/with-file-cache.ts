import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { systemClock, type Clock } from "../clock.js";
import { checkKnownOptions } from "../known-options.js";
import type { Logger } from "../logger.js";
import type { FileCacheKey } from "./cache-key-hash.js";

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
   * half its lifetime, whichever is shorter); the provider is
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

/** @internal */
export type Settings = Required<Pick<FileCacheOptions, "refreshWindowMs" | "lockWaitMs" | "staleLockMs" | "clock">> &
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
  // Reading, locking and writing entries (file-cache-slot.ts, its own chunk) loads at the first
  // call: the library's users rarely need a file cache (the CLI does), and it is not part of
  // `import "env-or-profile"`. Bad options still throw here, when created.
  return async () => (await import("./file-cache-slot.js")).resolveThroughFileCache(provider, settings);
}

const FILE_CACHE_OPTION_KEYS: readonly (keyof FileCacheOptions)[] = ["key", "dir", "env", "refreshWindowMs", "lockWaitMs", "staleLockMs", "clock", "logger"];

/** The options with their defaults, checked. @internal */
export function toSettings(options: FileCacheOptions): Settings {
  if (typeof options !== "object" || typeof options.key !== "object" || options.key === null) {
    throw new TypeError("Expected `key` to be an object of the facts that change the answer (role, ExternalId, base identity, …)");
  }
  checkKnownOptions(options, FILE_CACHE_OPTION_KEYS, "withFileCache");
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

