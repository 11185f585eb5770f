import type { AwsCredentialIdentity } from "@smithy/types";
import { systemClock } from "../clock.js";
import { log } from "../logger.js";
import { registerCredential } from "../scrub-secrets.js";
import { entryFileName, readEntry } from "./cache-entry.js";
import { cacheKeyHash, readSalt } from "./cache-key-hash.js";
import { defaultFileCacheDir } from "./default-file-cache-dir.js";
import { errorCode, fsModule, inDir, untrustedReason } from "./private-files.js";
import { DEFAULT_FILE_CACHE_REFRESH_WINDOW_MS, FILE_CACHE_ENV, fileCacheDisabled, fileCacheWindowMs, type FileCacheOptions } from "./with-file-cache.js";

/**
 * What the file cache holds for a key, for a person (`env-or-profile status --cache`, `explain
 * --cache`). Never a secret, except `credential` on a hit, which the caller must not print.
 */
export type FileCacheLookup =
  /** The cache is turned off (`ENV_OR_PROFILE_CACHE`), or has no directory it may use. */
  | { state: "off" | "unusable"; why: string; dir?: string }
  /** No entry for this key (yet). */
  | { state: "missing"; dir: string; path?: string }
  /** An entry is there but is not trusted or not sound: `why`. It is replaced on the next fetch. */
  | { state: "ignored"; dir: string; path: string; why: string }
  /** A sound entry, but inside the refresh window: not served. */
  | { state: "stale"; dir: string; path: string; obtainedAtMs: number; expiration: Date; windowMs: number }
  /** A fresh entry: what the cache serves. */
  | { state: "hit"; dir: string; path: string; obtainedAtMs: number; expiration: Date; windowMs: number; credential: AwsCredentialIdentity };

/**
 * Looks up `options.key`'s entry and says what the cache would do with it, without creating,
 * locking, fetching or replacing anything — the same judgement as {@link withFileCache}'s
 * (ownership, permissions, symbolic links, format, key, refresh window).
 */
export function inspectFileCache(options: FileCacheOptions): FileCacheLookup {
  const env = options.env ?? process.env;
  if (fileCacheDisabled(env)) {
    return { state: "off", why: `${FILE_CACHE_ENV}=${env[FILE_CACHE_ENV] ?? ""}` };
  }
  const dir = options.dir ?? defaultFileCacheDir(env);
  if (dir === undefined) {
    return { state: "unusable", why: "no cache directory (no home directory; set ENV_OR_PROFILE_CACHE_DIR)" };
  }
  let salt;
  try {
    const stats = fsModule().lstatSync(dir, { throwIfNoEntry: false });
    if (stats === undefined) {
      return { state: "missing", dir };
    }
    const why = stats.isSymbolicLink() ? "is a symbolic link" : untrustedReason(stats, true);
    if (why !== undefined) {
      return { state: "unusable", dir, why: `${dir} ${why}` };
    }
    salt = readSalt(dir);
  } catch (error) {
    return { state: "unusable", dir, why: `${dir}: ${errorCode(error)}` };
  }
  if (salt === undefined) {
    return { state: "missing", dir };
  }
  const hash = cacheKeyHash(salt, options.key);
  const path = inDir(dir, entryFileName(hash));
  let read;
  try {
    read = readEntry(path, hash);
  } catch (error) {
    read = { kind: "ignored" as const, why: `cannot be read (${errorCode(error)})` };
  }
  if (read.kind === "missing") {
    return { state: "missing", dir, path };
  }
  if (read.kind === "ignored") {
    return { state: "ignored", dir, path, why: read.why };
  }
  const { credential, obtainedAtMs } = read.entry;
  const now = (options.clock ?? systemClock).now();
  const windowMs = fileCacheWindowMs(options.refreshWindowMs ?? DEFAULT_FILE_CACHE_REFRESH_WINDOW_MS, credential.expiration.getTime(), obtainedAtMs, now);
  const found = { dir, path, obtainedAtMs, expiration: credential.expiration, windowMs };
  if (credential.expiration.getTime() - now <= windowMs) {
    return { state: "stale", ...found };
  }
  registerCredential(credential); // read from disk: an SDK error echoing it is scrubbed like any other
  log(options.logger, "debug", `file cache: ${path} is fresh`);
  return { state: "hit", ...found, credential };
}
