import { coalesce } from "../../sharing/coalesce.js";
import { processSlot } from "../../sharing/process-state.js";

/**
 * What a token request taught us about an endpoint: a session token, or that it works without one
 * (IMDSv1). Either is used from `issuedAt` until `expiresAt`, read on the clock of the provider
 * that learnt it: a provider whose clock reads outside that window (a clock a day ahead or behind)
 * does not use it, so no provider's clock decides for the others.
 */
export type ImdsSession =
  | { readonly kind: "token"; readonly token: string; readonly issuedAt: number; readonly expiresAt: number }
  | { readonly kind: "v1"; readonly issuedAt: number; readonly expiresAt: number };

/**
 * How long an IMDSv1 verdict (the token request refused with 403/404/405, or unanswered while a
 * plain GET worked) is trusted before a token is asked for again, in milliseconds: one minute. Our
 * own number: one refused or slow token request must not keep every provider on unauthenticated
 * IMDSv1 for a token's lifetime (hours); re-asking costs one quick PUT per refresh on a v1-only host.
 */
export const V1_VERDICT_MS = 60_000;

/**
 * How long before its end a cached token stops being used, in milliseconds: a minute, or half the
 * lifetime for tokens shorter than two minutes, so a token is never sent as it expires.
 */
export const TOKEN_SAFETY_MARGIN_MS = 60_000;

/** When a session fetched at `now` for `ttlSeconds` should stop being used. */
export function sessionExpiry(now: number, ttlSeconds: number): number {
  const lifetime = ttlSeconds * 1000;
  return now + lifetime - Math.min(TOKEN_SAFETY_MARGIN_MS, lifetime / 2);
}

/**
 * The process-wide IMDSv2 session cache, one entry per endpoint, shared by every provider (and
 * `readInstanceProfile`) on that endpoint, with one token request in flight at a time.
 *
 * The token is a bearer credential for the instance's metadata: it is held here only, never logged,
 * and this class shows no entries to `util.inspect` or `JSON.stringify`.
 */
export class TokenCache {
  readonly #sessions = new Map<string, ImdsSession>();
  readonly #inflight = new Map<string, Promise<unknown>>();

  /** The session for `endpoint` that is live at `now` (the asking provider's clock), if any. */
  get(endpoint: string, now: number): ImdsSession | undefined {
    const session = this.#sessions.get(endpoint);
    if (session === undefined || now < session.issuedAt) return undefined;
    if (now >= session.expiresAt) {
      this.#sessions.delete(endpoint);
      return undefined;
    }
    return session;
  }

  /** Stores a session for `endpoint`. */
  set(endpoint: string, session: ImdsSession): void {
    this.#sessions.set(endpoint, session);
  }

  /**
   * Forgets `stale` (a token that got a 401, or a v1 verdict that got a 401), unless another
   * caller has already replaced it.
   */
  invalidate(endpoint: string, stale: ImdsSession): void {
    const current = this.#sessions.get(endpoint);
    if (current === undefined) return;
    const same = current.kind === "token" && stale.kind === "token" ? current.token === stale.token : current.kind === stale.kind;
    if (same) this.#sessions.delete(endpoint);
  }

  /**
   * Runs `fetch` unless one is already running under `key`, whose promise is then shared. Callers
   * sharing a key must expect the same result type.
   */
  singleFlight<T>(key: string, fetch: () => Promise<T>): Promise<T> {
    return coalesce(this.#inflight, key, fetch);
  }

  /** Forgets every session and in-flight request (tests). */
  clear(): void {
    this.#sessions.clear();
    this.#inflight.clear();
  }

  toJSON(): Record<string, unknown> {
    return { endpoints: this.#sessions.size };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `TokenCache { endpoints: ${this.#sessions.size} }`;
  }
}

/** The one cache of the process (shared by every copy of the package; emptied by `resetSharedState()`). */
export function sharedTokenCache(): TokenCache {
  return processSlot("imds.tokens", () => new TokenCache(), (cache) => cache.clear());
}
