import type { AwsCredentialIdentity } from "@smithy/types";
import type { LRUCache } from "lru-cache";
import { systemClock, type Clock } from "../../clock.js";

/**
 * Default bound of the shared AssumeRole cache. One entry is a few hundred bytes; a thousand
 * distinct (role, base identity, session) combinations is far more than one process assumes, and
 * the bound keeps a process that assumes roles per tenant from growing without limit.
 */
export const DEFAULT_ASSUME_ROLE_CACHE_MAX = 1000;

/**
 * A bounded, process-wide cache of AssumeRole results shared by every `fromAssumeRole` provider
 * that uses it, so N providers for the same role and base identity make one AssumeRole call, and
 * concurrent first calls share one in-flight request. Create your own with
 * {@link createAssumeRoleCache} to size it or to isolate it; by default providers share one per
 * {@link Clock}.
 */
export interface AssumeRoleCache {
  /** Upper bound on entries (least recently used are evicted first). */
  readonly max: number;
  /** Entries held now (in-flight, fresh and remembered failures; expired ones until touched). */
  readonly size: number;
  /** Forgets everything. In-flight requests still settle for their callers. */
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
  | { kind: "error"; error: unknown; at: number };

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
  /** Created on first use: lru-cache is loaded then, so importing env-or-profile stays cheap. */
  #lru: LRUCache<string, Entry> | undefined;
  readonly #clock: Clock;
  readonly #max: number;

  constructor(maxEntries: number, clock: Clock) {
    this.#clock = clock;
    this.#max = maxEntries;
  }

  async #store(): Promise<LRUCache<string, Entry>> {
    if (this.#lru !== undefined) {
      return this.#lru;
    }
    const { LRUCache: Lru } = await import("lru-cache");
    const clock = this.#clock;
    this.#lru ??= new Lru<string, Entry>({
      max: this.#max,
      // Time comes from our clock, read on every check: lru-cache otherwise captures
      // `performance` at load and debounces reads with a 1 ms timer, which neither a manual
      // clock nor fake timers would move. (A clock reading of 0 would mean "no TTL" to
      // lru-cache; the entries carry their own deadline, checked below, so that cannot keep a
      // stale credential.)
      perf: { now: () => clock.now() },
      ttlResolution: 0,
    });
    return this.#lru;
  }

  get max(): number {
    return this.#max;
  }

  get size(): number {
    return this.#lru?.size ?? 0;
  }

  clear(): void {
    this.#lru?.clear();
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
    // Nothing may await between the lookup and the `pending` entry below: that is what makes
    // concurrent first callers share one fetch.
    const lru = await this.#store();
    const now = this.#clock.now();
    const existing = lru.get(key);
    if (existing !== undefined) {
      switch (existing.kind) {
        case "pending":
          return { credential: await existing.promise, outcome: "joined" };
        // Freshness and remembered failures are judged by the *caller's* window and memory, not
        // by whichever provider stored the entry: providers with different settings share keys.
        case "value":
          if (now < existing.expiresAt - options.refreshWindowMs) {
            return { credential: existing.credential, outcome: "hit" };
          }
          break;
        case "error":
          if (now < existing.at + options.rememberFailureMs(existing.error)) {
            throw existing.error;
          }
          break;
      }
      lru.delete(key);
    }

    const promise = fetch();
    const pending: Entry = { kind: "pending", promise };
    lru.set(key, pending, { ttl: 0 });
    try {
      const credential = await promise;
      if (lru.peek(key) === pending) {
        const expiresAt = credential.expiration === undefined ? Number.NaN : credential.expiration.getTime();
        const now = this.#clock.now();
        if (expiresAt - options.refreshWindowMs > now) {
          // Kept until it expires; each caller decides whether it is still fresh for its window.
          lru.set(key, { kind: "value", credential, expiresAt }, { ttl: Math.ceil(expiresAt - now) });
        } else {
          lru.delete(key);
        }
      }
      return { credential, outcome: "fetched" };
    } catch (error) {
      if (lru.peek(key) === pending) {
        const rememberMs = options.rememberFailureMs(error);
        if (rememberMs > 0) {
          lru.set(key, { kind: "error", error, at: this.#clock.now() }, { ttl: Math.ceil(rememberMs) });
        } else {
          lru.delete(key);
        }
      }
      throw error;
    }
  }
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
