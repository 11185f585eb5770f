import type { AwsCredentialIdentity } from "@smithy/types";
import type { Clock, Random } from "./clock.js";
import { CredentialsError, describeError, redactKeyId } from "./errors.js";
import { freezeCredential } from "./freeze-credential.js";
import { hasKeys, sameCredential } from "./has-keys.js";
import { log, type Logger } from "./logger.js";
import { DEFAULT_RETRY_OPTIONS, spendRetries, withRetry, type RetryOptions } from "./retry.js";
import { registerCredential } from "./scrub-secrets.js";

/**
 * The pause before trying again after a refresh that failed, or that brought back a credential that
 * is already due for refresh (a source may serve the old keys until it rotates): starts at 5 s,
 * doubles, capped at 1 minute, with "equal jitter" (half fixed, half random) so it is never a
 * tight loop and never synchronised across a fleet.
 */
export const DEFAULT_RETRY_LATER: Readonly<{
  /** The first pause's cap, in ms. */
  baseMs: number;
  /** The largest pause's cap, in ms. */
  maxMs: number;
}> = Object.freeze({ baseMs: 5_000, maxMs: 60_000 });

/** One cached credential and the points of its life. @internal */
export interface CachedCredential {
  /** The credential, frozen: every caller is handed this same read-only object. */
  readonly identity: AwsCredentialIdentity;
  /** The identity as an already-settled promise, so the cached path allocates nothing. */
  readonly settled: Promise<AwsCredentialIdentity>;
  /** Epoch ms of Expiration, or undefined for a credential that never expires. */
  readonly expiresAt: number | undefined;
  /** From here a background refresh starts (E − W − J). */
  readonly refreshAt: number;
  /** From here callers wait for a refresh (E − W). */
  readonly mandatoryAt: number;
}

/** The checked options one {@link CredentialCache} runs with. @internal */
export interface CacheSettings {
  readonly windowMs: number;
  readonly maxStaleMs: number;
  readonly jitter: { readonly fraction: number; readonly maxMs: number } | false;
  /** The `retry` option; `undefined` when none was given (each fetch's own policy, else the default). */
  readonly retry: Required<RetryOptions> | undefined;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger | undefined;
  readonly name: string;
}

/**
 * One attempt at the source (retries are the cache's), and how the source asks to be retried when
 * the cache was given no `retry` of its own.
 * @internal
 */
export interface Fetch {
  (): Promise<AwsCredentialIdentity>;
  readonly retry?: Required<RetryOptions> | undefined;
}

/**
 * The one refresh cache of env-or-profile, one decision per method (after aws-sdk-go-v2's
 * `CredentialsCache`): {@link retrieve} (the hot path), {@link retrieveSlowly} (which phase of the
 * credential's life we are in), {@link advisoryRefresh} (background, callers keep the cached
 * credential), {@link mandatoryRefresh} (callers wait; bounded grace on failure), {@link refresh}
 * (single-flight), {@link fetchEntry} (the one retry layer, and the checks) and {@link backOff}.
 *
 * It is told *how* to fetch on each call rather than holding a source: a cache shared by many
 * providers (one per sharing key) is refreshed with the newest reading of the world that led a
 * provider to it, which by the key's definition gives the same identity.
 * @internal
 */
export class CredentialCache {
  readonly settings: CacheSettings;
  #current: CachedCredential | undefined;
  #inflight: Promise<CachedCredential> | undefined;
  /** No refresh attempt before this time (set after a failure or an unchanged credential). */
  #nextAttemptAt = 0;
  #setbacks = 0;
  /** The last refresh's failure, while it is the latest outcome; undefined after a success. */
  #lastFailure: { error: unknown } | undefined;
  /** Bumped by invalidate(): a fetch begun before it must not write its result back. */
  #generation = 0;
  /**
   * How far ahead of ours the clock of the service using these credentials is (never negative):
   * a credential is treated as expiring this much earlier (see {@link noteClockOffset}).
   */
  #skewMs = 0;

  constructor(settings: CacheSettings) {
    this.settings = settings;
  }

  /** The cached credential, if any (whatever its phase). */
  get current(): CachedCredential | undefined {
    return this.#current;
  }

  /** A fresh credential is answered with its stored, settled promise: no `async` frame, no allocation. */
  retrieve(identityProperties: Record<string, unknown> | undefined, fetch: Fetch): Promise<AwsCredentialIdentity> {
    const entry = this.#current;
    if (entry !== undefined && identityProperties?.["forceRefresh"] !== true) {
      if (entry.expiresAt === undefined || this.settings.clock.now() < entry.refreshAt) {
        return entry.settled;
      }
    }
    return this.retrieveSlowly(identityProperties, fetch);
  }

  /** Decides by the cached credential's phase: fresh, early refresh, mandatory refresh, or none. */
  async retrieveSlowly(identityProperties: Record<string, unknown> | undefined, fetch: Fetch): Promise<AwsCredentialIdentity> {
    if (identityProperties?.["forceRefresh"] === true) {
      return (await this.refresh(fetch)).identity;
    }
    const entry = this.#current;
    const now = this.settings.clock.now();
    if (entry === undefined || entry.expiresAt === undefined || now >= entry.expiresAt) {
      return (await this.refresh(fetch)).identity;
    }
    if (now < entry.refreshAt) {
      return entry.identity;
    }
    if (now < entry.mandatoryAt) {
      this.advisoryRefresh(now, fetch);
      return entry.identity;
    }
    return this.mandatoryRefresh(entry, now, fetch);
  }

  /** In the jitter band: one background refresh, unless one runs or we are backing off. */
  advisoryRefresh(now: number, fetch: Fetch): void {
    if (this.#inflight !== undefined || now < this.#nextAttemptAt) {
      return;
    }
    const { logger, name } = this.settings;
    log(logger, "debug", `${name}: starting a background refresh`);
    this.refresh(fetch).catch((error: unknown) => {
      log(logger, "warn", `${name}: background refresh failed (${describeError(error)}); still serving the cached credential`);
    });
  }

  /**
   * From `E − W`: callers wait for a refresh. While backing off, the cached credential is served if
   * the source just returned it again (it is the freshest there is) or a refresh failed within grace;
   * once grace is spent the last failure is thrown at once — the source is not asked on every call.
   */
  async mandatoryRefresh(entry: CachedCredential, now: number, fetch: Fetch): Promise<AwsCredentialIdentity> {
    const { logger, name } = this.settings;
    if (now < this.#nextAttemptAt && this.#inflight === undefined) {
      const failure = this.#lastFailure;
      if (failure === undefined || this.withinGrace(entry, now)) {
        return entry.identity;
      }
      throw failure.error;
    }
    try {
      return (await this.refresh(fetch)).identity;
    } catch (error) {
      if (this.withinGrace(entry, this.settings.clock.now())) {
        log(logger, "warn", `${name}: refresh failed (${describeError(error)}); serving the cached credential (${describeEntry(entry)}) until a refresh succeeds`);
        return entry.identity;
      }
      throw error;
    }
  }

  /** Whether a failed refresh may still be answered with `entry` at time `now`. */
  withinGrace(entry: CachedCredential, now: number): boolean {
    return entry.expiresAt !== undefined && now < entry.expiresAt && now < entry.mandatoryAt + this.settings.maxStaleMs;
  }

  /** Single-flight: every caller joins the one fetch in flight; its outcome updates the state once. */
  refresh(fetch: Fetch): Promise<CachedCredential> {
    if (this.#inflight !== undefined) {
      return this.#inflight;
    }
    const startedIn = this.#generation;
    const previous = this.#current;
    const attempt = this.fetchEntry(fetch).then(
      (entry) => {
        if (startedIn === this.#generation) {
          this.store(entry);
        }
        return entry; // invalidated meanwhile: hand it to those who waited, cache nothing
      },
      (error: unknown) => {
        if (startedIn === this.#generation) {
          this.#lastFailure = { error };
          this.backOff(this.settings.clock.now(), previous);
        }
        throw error;
      },
    );
    this.#inflight = attempt;
    const clear = (): void => {
      if (this.#inflight === attempt) {
        this.#inflight = undefined;
      }
    };
    attempt.then(clear, clear);
    return attempt;
  }

  /** Caches a fetched credential; one already due for refresh postpones the next attempt. */
  store(entry: CachedCredential): void {
    const { clock, logger, name } = this.settings;
    this.#current = entry;
    this.#lastFailure = undefined;
    const now = clock.now();
    if (now >= entry.refreshAt) {
      // The source handed back a credential that is already due: not an error (sources rotate
      // "at least five minutes" early, so an early refresh can see the old keys), but wait a
      // little before asking again rather than asking on every call.
      this.backOff(now, entry);
      log(logger, "debug", `${name}: source returned a credential already due for refresh (${describeEntry(entry)}); next attempt in ${Math.round(this.#nextAttemptAt - now)} ms`);
    } else {
      this.#setbacks = 0;
      this.#nextAttemptAt = 0;
      log(logger, "debug", `${name}: cached ${describeEntry(entry)}`);
    }
  }

  /**
   * One refresh: the source's attempts with retries (the only retry layer), then the checks; the
   * credential is frozen and made known to the scrubber. A failure leaves marked as retried
   * (`spendRetries`), so nothing above retries it again.
   */
  async fetchEntry(fetch: Fetch): Promise<CachedCredential> {
    const { random, clock, logger, name } = this.settings;
    let identity: AwsCredentialIdentity;
    try {
      identity = await withRetry(fetch, {
        retry: this.settings.retry ?? fetch.retry ?? DEFAULT_RETRY_OPTIONS,
        random,
        source: name,
        onRetry: ({ retry: n, delayMs, error }) =>
          log(logger, "debug", `${name}: attempt ${n} failed (${describeError(error)}); retrying in ${delayMs} ms`),
      });
    } catch (error) {
      spendRetries(error);
      throw error;
    }
    const fetchedAt = clock.now();
    // What the service (whose clock may be ahead) will make of it: already expired there is expired.
    checkIdentity(identity, name, fetchedAt + this.#skewMs);
    // Every credential we hand out is known to the scrubber, so a server echoing it is caught.
    registerCredential(identity);
    return this.toEntry(freezeCredential(identity), fetchedAt);
  }

  toEntry(identity: AwsCredentialIdentity, fetchedAt: number): CachedCredential {
    const settled = Promise.resolve(identity);
    const expiration = identity.expiration?.getTime();
    const expiresAt = expiration === undefined ? undefined : expiration - this.#skewMs;
    if (expiresAt === undefined) {
      return { identity, settled, expiresAt, refreshAt: Number.POSITIVE_INFINITY, mandatoryAt: Number.POSITIVE_INFINITY };
    }
    const { windowMs, jitter, random } = this.settings;
    const mandatoryAt = expiresAt - windowMs;
    const lifetime = Math.max(0, expiresAt - fetchedAt);
    const jitterMs = jitter ? random() * Math.min(jitter.fraction * lifetime, jitter.maxMs) : 0;
    return { identity, settled, expiresAt, refreshAt: mandatoryAt - jitterMs, mandatoryAt };
  }

  /**
   * The pause before the next attempt: equal jitter, doubling from {@link DEFAULT_RETRY_LATER}.baseMs
   * to its maxMs. A setback in the background phase never postpones the point where callers wait.
   */
  backOff(now: number, entry: CachedCredential | undefined): void {
    this.#setbacks = Math.min(this.#setbacks + 1, 32);
    const cap = Math.min(DEFAULT_RETRY_LATER.maxMs, DEFAULT_RETRY_LATER.baseMs * 2 ** (this.#setbacks - 1));
    let delay = cap / 2 + (this.settings.random() * cap) / 2;
    if (entry !== undefined && now < entry.mandatoryAt) {
      delay = Math.min(delay, entry.mandatoryAt - now);
    }
    this.#nextAttemptAt = now + delay;
  }

  /** Forgets the cached credential; a fetch in flight still answers its callers but is not kept. */
  invalidate(): void {
    this.#generation += 1;
    this.#inflight = undefined;
    this.#current = undefined;
    this.#nextAttemptAt = 0;
    this.#setbacks = 0;
    this.#lastFailure = undefined;
  }

  /**
   * Notes that the service these credentials are used with keeps a clock `offsetMs` ahead of ours
   * (a client plugin measures it from the service's `Date` header): credentials are then treated as
   * expiring that much earlier — refreshed, waited for and refused earlier, never later. Each note
   * replaces the last; 0 (or a negative offset: our clock ahead) withdraws it. The cached
   * credential's points in time move by the change.
   */
  noteClockOffset(offsetMs: number): void {
    const skewMs = Number.isFinite(offsetMs) && offsetMs > 0 ? offsetMs : 0;
    const change = skewMs - this.#skewMs;
    this.#skewMs = skewMs;
    const entry = this.#current;
    if (change !== 0 && entry !== undefined && entry.expiresAt !== undefined) {
      this.#current = { ...entry, expiresAt: entry.expiresAt - change, refreshAt: entry.refreshAt - change, mandatoryAt: entry.mandatoryAt - change };
    }
  }

  /** Forgets the cached credential when it is `identity` (same keys): it was rejected where it was used. */
  reject(identity: AwsCredentialIdentity): boolean {
    const cached = this.#current?.identity;
    if (cached !== undefined && sameCredential(cached, identity)) {
      log(this.settings.logger, "debug", `${this.settings.name}: ${redactKeyId(cached.accessKeyId)} was rejected where it was used; the next call reads the source again`);
      this.invalidate();
      return true;
    }
    return false;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.settings.name, cached: this.#current === undefined ? "none" : describeEntry(this.#current) };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `CredentialCache { ${this.settings.name}: ${this.#current === undefined ? "nothing cached" : describeEntry(this.#current)} }`;
  }
}

/** Rejects a malformed or already-expired credential from a source, without echoing it. */
function checkIdentity(identity: unknown, name: string, now: number): asserts identity is AwsCredentialIdentity {
  if (!hasKeys(identity)) {
    throw new CredentialsError(`The ${name} source returned no usable credential (accessKeyId and secretAccessKey must be non-empty strings)`, {
      source: name,
      code: "PROVIDER_FAILED",
      tryNextLink: false,
    });
  }
  if (identity.expiration !== undefined) {
    const expiresAt = identity.expiration instanceof Date ? identity.expiration.getTime() : Number.NaN;
    if (Number.isNaN(expiresAt)) {
      throw new CredentialsError(`The ${name} source returned a credential whose expiration is not a valid Date`, {
        source: name,
        code: "PROVIDER_FAILED",
        tryNextLink: false,
      });
    }
    if (expiresAt <= now) {
      throw new CredentialsError(
        `The ${name} source returned a credential (${redactKeyId(identity.accessKeyId)}) that expired at ${new Date(expiresAt).toISOString()}, ${Math.round((now - expiresAt) / 1000)} s ago; an expired credential is never handed out`,
        { source: name, code: "CREDENTIALS_EXPIRED", tryNextLink: false },
      );
    }
  }
}

function describeEntry(entry: CachedCredential): string {
  const key = redactKeyId(entry.identity.accessKeyId);
  if (entry.expiresAt === undefined) {
    return `${key}, no expiration`;
  }
  return `${key}, expires ${new Date(entry.expiresAt).toISOString()}, background refresh from ${new Date(entry.refreshAt).toISOString()}, mandatory from ${new Date(entry.mandatoryAt).toISOString()}`;
}
