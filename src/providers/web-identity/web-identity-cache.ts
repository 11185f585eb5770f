import type { Clock } from "../../clock.js";
// The keyed, single-flight, clock-driven cache shared by both STS links, from the module below them.
import { DEFAULT_ASSUME_ROLE_CACHE_MAX, SharedAssumeRoleCache } from "../sts/sts-credential-cache.js";
import type { WebIdentityToken } from "./read-web-identity-token.js";
import type { WebIdentitySettings } from "./web-identity-settings.js";

const shared = new WeakMap<Clock, SharedAssumeRoleCache>();

/**
 * The process-wide cache of AssumeRoleWithWebIdentity results for `clock` (one per clock, so a test
 * with its own manual clock never shares entries), bounded like AssumeRole's.
 * @internal
 */
export function sharedWebIdentityCache(clock: Clock): SharedAssumeRoleCache {
  let cache = shared.get(clock);
  if (cache === undefined) {
    cache = new SharedAssumeRoleCache(DEFAULT_ASSUME_ROLE_CACHE_MAX, clock);
    shared.set(clock, cache);
  }
  return cache;
}

/**
 * The cache key: everything that changes the answer. The token enters as its SHA-256 only, so a
 * rotated token file (new contents) is a new entry, and the key — which may be logged or inspected
 * — never holds the token.
 * @internal
 */
export function webIdentityCacheKey(settings: WebIdentitySettings, token: WebIdentityToken): string {
  return JSON.stringify([
    "AssumeRoleWithWebIdentity",
    settings.roleArn,
    settings.roleSessionName,
    settings.durationSeconds ?? null,
    settings.region,
    settings.endpoint ?? null,
    token.sha256,
  ]);
}
