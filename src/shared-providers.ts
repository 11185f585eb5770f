import type { Clock } from "./clock.js";
import type { MemoizedProvider } from "./memoize.js";

/**
 * How many distinct shared providers one clock keeps. An app makes a handful (one per distinct
 * option set, not one per client); the bound only stops a pathological caller from growing it.
 */
export const MAX_SHARED_PROVIDERS = 256;

// A plain Map kept in least-recently-used order (re-inserted on use, oldest evicted): a handful
// of entries, touched once per provider's first call, needs no cache library.
const registries = new WeakMap<Clock, Map<string, MemoizedProvider>>();
const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;

/**
 * Returns the process-wide provider for `key` on `clock`, creating it once. This is how many
 * `envOrProfile()` instances (one per SDK client is the common pattern) share one fetch and one
 * cached credential: same options, same clock → same memoized provider.
 */
export function sharedProvider(clock: Clock, key: string, create: () => MemoizedProvider): MemoizedProvider {
  let registry = registries.get(clock);
  if (registry === undefined) {
    registry = new Map();
    registries.set(clock, registry);
  }
  let provider = registry.get(key);
  if (provider === undefined) {
    provider = create();
    if (registry.size >= MAX_SHARED_PROVIDERS) {
      const oldest = registry.keys().next();
      if (oldest.done !== true) {
        registry.delete(oldest.value);
      }
    }
  } else {
    registry.delete(key);
  }
  registry.set(key, provider);
  return provider;
}

/**
 * A stable key for an options value: plain data by value, functions and class instances (clocks,
 * loggers, providers) by identity. Callers must not pass secrets: the key holds values in clear
 * (see `credentialFingerprint`).
 */
export function optionsKey(value: unknown): string {
  return stableText(value);
}

function stableText(value: unknown): string {
  if (value === undefined) {
    return "u";
  }
  if (typeof value === "function") {
    return `#${identity(value)}`;
  }
  if (value === null || typeof value !== "object") {
    // bigint and symbol have no JSON form; they never appear in options, but must not collide.
    return typeof value === "bigint" || typeof value === "symbol" ? `${typeof value}:${value.toString()}` : JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map(stableText).join(",")}]`;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    return `#${identity(value)}`;
  }
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${stableText(record[key])}`)
    .join(",")}}`;
}

/**
 * A number standing for `value` itself, not its contents: two objects that look alike (two tenants'
 * empty `env` objects) get different numbers, and one object keeps its number however its contents
 * change. Use it in an {@link optionsKey} for a source whose contents are read later (on every call),
 * where a snapshot of the contents would decide sharing by something that can change.
 */
export function identityOf(value: object): number {
  return identity(value);
}

/** How many distinct secrets {@link secretId} numbers before it starts over (the bound only stops growth). */
const MAX_SECRET_IDS = 1_024;
const secretIds = new Map<string, number>();
let nextSecretId = 1;

/**
 * A number standing for a secret string (an authorization token) in an {@link optionsKey}, so the key
 * tells two secrets apart without holding either. The map lives only in memory; when it is full it
 * starts over, which costs sharing (new numbers, new providers), never correctness.
 */
export function secretId(secret: string): number {
  let id = secretIds.get(secret);
  if (id === undefined) {
    if (secretIds.size >= MAX_SECRET_IDS) secretIds.clear();
    id = nextSecretId++;
    secretIds.set(secret, id);
  }
  return id;
}

function identity(value: object): number {
  let id = objectIds.get(value);
  if (id === undefined) {
    id = nextObjectId++;
    objectIds.set(value, id);
  }
  return id;
}
