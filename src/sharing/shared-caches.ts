import type { LRUCache } from "lru-cache";
import { CredentialCache, type CacheSettings } from "../credential-cache.js";
import { peekProcessSlot, processSlot } from "./process-state.js";

/**
 * How many shared credential caches the process keeps, least recently used first out: a thousand.
 * An app has a handful of sharing keys (one per distinct source and option set, not one per client);
 * a multi-tenant service that assumes a role per tenant has one per tenant, and a thousand keeps
 * the common cyclic pattern — 150 tenants' roles polled in turn, a new provider per request — all
 * shared (a strict LRU bound only hurts a cycle longer than itself). Eviction never changes an
 * answer: a provider keeps the cache it found, and a new provider for an evicted key fetches anew.
 */
export const MAX_SHARED_CACHES = 1_000;

type Caches = LRUCache<string, CredentialCache>;

let lruModule: Promise<typeof import("lru-cache")> | undefined;

/**
 * The process-wide cache for `key`, made with `settings` on first use. lru-cache is loaded on the
 * first shared provider's first call, not at `import "env-or-profile"`.
 * @internal
 */
export async function sharedCache(key: string, settings: CacheSettings): Promise<CredentialCache> {
  lruModule ??= import("lru-cache");
  const { LRUCache } = await lruModule;
  const caches = processSlot<Caches>("shared-caches", () => new LRUCache<string, CredentialCache>({ max: MAX_SHARED_CACHES }), (value) => value.clear());
  let cache = caches.get(key);
  if (cache === undefined) {
    cache = new CredentialCache(settings);
    caches.set(key, cache);
  }
  return cache;
}

/** How many shared caches the process holds now (for tests and diagnostics). @internal */
export function sharedCacheCount(): number {
  return (peekProcessSlot("shared-caches") as Caches | undefined)?.size ?? 0;
}
