import type { AwsCredentialIdentity } from "@smithy/types";
import { defaultRandom, systemClock, type Clock, type Random } from "../../clock.js";

// The keyed, single-flight, clock-driven cache of STS results that both STS links use: AssumeRole
// (src/providers/assume-role) and AssumeRoleWithWebIdentity (src/providers/web-identity). It lives
// below both so that neither reaches into the other's folder; its public names keep the AssumeRole
// spelling of the public API (DESIGN.md) and are re-exported from assume-role/assume-role-cache.ts.

/**
 * Default bound of the shared AssumeRole cache. One entry is a few hundred bytes plus the
 * credential (a session token is about a kilobyte); a thousand distinct (role, base identity,
 * session) combinations is far more than one process assumes, and the bound keeps a process that
 * assumes roles per tenant from growing without limit. A working set larger than the bound
 * degrades gracefully (see {@link AssumeRoleCache}), and each provider also keeps its own last
 * credential, so a provider in steady use never depends on the shared cache to avoid STS.
 */
export const DEFAULT_ASSUME_ROLE_CACHE_MAX = 1000;

/**
 * A bounded, process-wide cache of AssumeRole results shared by every `fromAssumeRole` provider
 * that uses it, so N providers for the same role and base identity make one AssumeRole call, and
 * concurrent first calls share one in-flight request. Create your own with
 * {@link createAssumeRoleCache} to size it or to isolate it; by default providers share one per
 * {@link Clock}.
 *
 * **Eviction.** When full, an expired entry is dropped if one is met first, else a random entry
 * outside the newest eighth (recency is kept: a hit moves an entry to the newest end). Unlike strict LRU, where a working set only slightly larger than the bound misses on
 * every call (each entry is evicted just before it is needed again), the hit rate then falls off
 * smoothly with the working set's size. Each provider additionally keeps its own last credential,
 * so the shared bound limits sharing *between* providers, never a provider's own reuse.
 */
export interface AssumeRoleCache {
  /** Upper bound on entries. */
  readonly max: number;
  /** Entries held now (in-flight, fresh and remembered failures; expired ones until touched). */
  readonly size: number;
  /** Forgets everything (providers' own last credentials too). In-flight requests still settle for their callers. */
  clear(): void;
}

/** Options of {@link createAssumeRoleCache}. */
export interface AssumeRoleCacheOptions {
  /** Upper bound on entries. @defaultValue {@link DEFAULT_ASSUME_ROLE_CACHE_MAX} */
  maxEntries?: number;
  /** Decides when entries expire. @defaultValue {@link systemClock} */
  clock?: Clock;
}

type Entry =
  | { kind: "pending"; promise: Promise<AwsCredentialIdentity> }
  | { kind: "value"; credential: AwsCredentialIdentity; expiresAt: number }
  | { kind: "error"; error: unknown; at: number; until: number };

/** How {@link SharedAssumeRoleCache.resolve} treats the outcome of one fetch. */
export interface ResolveOptions {
  /** The entry is served until `expiration − refreshWindowMs`. */
  refreshWindowMs: number;
  /** How long a failure is remembered, or 0 not to remember it. */
  rememberFailureMs: (error: unknown) => number;
}

/** What {@link SharedAssumeRoleCache.resolve} reports besides the credential. */
export type CacheOutcome = "hit" | "joined" | "fetched" | "remembered-failure";

/** @internal The implementation behind {@link AssumeRoleCache}. */
export class SharedAssumeRoleCache implements AssumeRoleCache {
  /** Insertion order is recency order: a hit re-inserts its key at the newest end. */
  readonly #entries = new Map<string, Entry>();
  readonly #clock: Clock;
  readonly #max: number;
  readonly #random: Random;
  #epoch = 0;

  constructor(maxEntries: number, clock: Clock, random: Random = defaultRandom) {
    this.#clock = clock;
    this.#max = maxEntries;
    this.#random = random;
  }

  get max(): number {
    return this.#max;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Bumped by {@link clear}: providers' own last credentials from before it are not served. */
  get epoch(): number {
    return this.#epoch;
  }

  clear(): void {
    this.#entries.clear();
    this.#epoch += 1;
  }

  /**
   * Serves `key` from the cache or runs `fetch` once for every concurrent caller of the same key.
   * A credential is kept until `expiration − refreshWindowMs` (never when it has no expiration or
   * is already inside the window); a failure is kept for `rememberFailureMs(error)` ms.
   */
  async resolve(
    key: string,
    fetch: () => Promise<AwsCredentialIdentity>,
    options: ResolveOptions,
  ): Promise<{ credential: AwsCredentialIdentity; outcome: CacheOutcome }> {
    // Nothing awaits between the lookup and the `pending` entry below: that is what makes
    // concurrent first callers share one fetch.
    const entries = this.#entries;
    const now = this.#clock.now();
    const existing = entries.get(key);
    if (existing !== undefined) {
      switch (existing.kind) {
        case "pending":
          return { credential: await existing.promise, outcome: "joined" };
        // Freshness and remembered failures are judged by the *caller's* window and memory, not
        // by whichever provider stored the entry: providers with different settings share keys.
        case "value":
          if (now < existing.expiresAt - options.refreshWindowMs) {
            this.#touch(key, existing);
            return { credential: existing.credential, outcome: "hit" };
          }
          break;
        case "error":
          if (now < existing.at + options.rememberFailureMs(existing.error)) {
            throw existing.error;
          }
          break;
      }
      entries.delete(key);
    }

    const promise = fetch();
    const pending: Entry = { kind: "pending", promise };
    this.#set(key, pending, now);
    try {
      const credential = await promise;
      if (entries.get(key) === pending) {
        const expiresAt = credential.expiration === undefined ? Number.NaN : credential.expiration.getTime();
        if (expiresAt - options.refreshWindowMs > this.#clock.now()) {
          // Kept until it expires; each caller decides whether it is still fresh for its window.
          entries.set(key, { kind: "value", credential, expiresAt });
        } else {
          entries.delete(key);
        }
      }
      return { credential, outcome: "fetched" };
    } catch (error) {
      if (entries.get(key) === pending) {
        const rememberMs = options.rememberFailureMs(error);
        if (rememberMs > 0) {
          const at = this.#clock.now();
          entries.set(key, { kind: "error", error, at, until: at + rememberMs });
        } else {
          entries.delete(key);
        }
      }
      throw error;
    }
  }

  #touch(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
  }

  #set(key: string, entry: Entry, now: number): void {
    if (this.#entries.size >= this.#max) {
      this.#evictOne(now);
    }
    this.#entries.set(key, entry);
  }

  /**
   * Drops one entry: the first expired one met on the way, else a random one — never among the
   * newest eighth (at least the newest entry), so what was just fetched stays. Strict LRU would
   * always drop the oldest, which is exactly the one a cyclic working set just over the bound
   * needs next; a random victim keeps a steady share of such a set instead.
   */
  #evictOne(now: number): void {
    const size = this.#entries.size;
    const candidates = Math.max(1, size - Math.max(1, Math.floor(size / 8)));
    const pick = Math.min(candidates - 1, Math.floor(this.#random() * candidates));
    let index = 0;
    let victim: string | undefined;
    for (const [key, entry] of this.#entries) {
      if (isExpired(entry, now) || index === pick) {
        victim = key;
        break;
      }
      index += 1;
    }
    if (victim !== undefined) {
      this.#entries.delete(victim);
    }
  }
}

function isExpired(entry: Entry, now: number): boolean {
  return (entry.kind === "value" && now >= entry.expiresAt) || (entry.kind === "error" && now >= entry.until);
}

const shared = new WeakMap<Clock, Map<number, SharedAssumeRoleCache>>();

/**
 * The process-wide cache for `clock` and `maxEntries` (one per pair, so tests with their own
 * manual clock never share entries with each other or with production code).
 */
export function sharedAssumeRoleCache(clock: Clock, maxEntries: number = DEFAULT_ASSUME_ROLE_CACHE_MAX): SharedAssumeRoleCache {
  let bySize = shared.get(clock);
  if (bySize === undefined) {
    bySize = new Map();
    shared.set(clock, bySize);
  }
  let cache = bySize.get(maxEntries);
  if (cache === undefined) {
    cache = new SharedAssumeRoleCache(maxEntries, clock);
    bySize.set(maxEntries, cache);
  }
  return cache;
}

/**
 * Creates a separate AssumeRole cache, e.g. to bound it differently or to keep one tenant's
 * entries apart. Pass it as `cache` to every `fromAssumeRole` that should share it.
 *
 * @param options - the bound and the clock.
 * @throws TypeError when `maxEntries` is not a whole number ≥ 1.
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { createAssumeRoleCache, fromAssumeRole } from "env-or-profile";
 *
 * const cache = createAssumeRoleCache({ maxEntries: 10_000 });
 * const clientFor = (tenant: { roleArn: string; externalId: string }) =>
 *   new S3Client({ region: "eu-west-1", credentials: fromAssumeRole({ ...tenant, cache }) });
 * ```
 */
export function createAssumeRoleCache(options: AssumeRoleCacheOptions = {}): AssumeRoleCache {
  const maxEntries = options.maxEntries ?? DEFAULT_ASSUME_ROLE_CACHE_MAX;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError(`Expected \`maxEntries\` to be a whole number ≥ 1, got ${String(maxEntries)}`);
  }
  return new SharedAssumeRoleCache(maxEntries, options.clock ?? systemClock);
}
