import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { defaultRandom, systemClock, type Clock, type Random } from "./clock.js";
import { CredentialsError, describeError, redactKeyId } from "./errors.js";
import { hasKeys } from "./has-keys.js";
import { log, type Logger } from "./logger.js";
import { registerCredential } from "./scrub-secrets.js";
import { freezeCredential } from "./freeze-credential.js";
import { DEFAULT_RETRY_OPTIONS, RETRIED_OUTSIDE, withRetry, resolveRetryOptions, type RetryOptions } from "./retry.js";

/**
 * The refresh window: a credential is refreshed this long before its Expiration. Five minutes,
 * because AWS makes rotated instance-profile keys available "at least 5 minutes before the
 * expiration of the previous set" (EC2 IAM roles documentation; seed 002), and the AWS SDKs use
 * the same margin.
 */
export const DEFAULT_REFRESH_WINDOW_MS = 5 * 60 * 1000;

/**
 * Jitter defaults: the early (background) refresh starts up to 10 % of the credential's lifetime
 * before the refresh window, capped at 5 minutes, so a fleet whose credentials expire together does
 * not refresh in lockstep. Modelled on aws-sdk-go-v2's `ExpiryWindowJitterFrac`.
 */
export const DEFAULT_JITTER: Readonly<Required<JitterOptions>> = Object.freeze({
  fraction: 0.1,
  maxMs: 5 * 60 * 1000,
});

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

/** How much earlier than the refresh window a background refresh may start. */
export interface JitterOptions {
  /** Fraction of the credential's lifetime. @defaultValue 0.1 */
  fraction?: number;
  /** Upper bound in ms. @defaultValue 300_000 (5 minutes) */
  maxMs?: number;
}

/** Options of {@link memoize}. */
export interface MemoizeOptions {
  /**
   * From `Expiration − refreshWindowMs` on, callers wait for a fresh credential.
   * @defaultValue {@link DEFAULT_REFRESH_WINDOW_MS} (300_000, five minutes)
   */
  refreshWindowMs?: number;
  /** Where time comes from. @defaultValue {@link systemClock} */
  clock?: Clock;
  /** Where jitter comes from. @defaultValue `Math.random` */
  random?: Random;
  /** Retries of one refresh, for failures that can heal. @defaultValue {@link DEFAULT_RETRY_OPTIONS} */
  retry?: RetryOptions;
  /**
   * How much earlier a *background* refresh starts, per credential; `false` for none.
   * @defaultValue {@link DEFAULT_JITTER}
   */
  jitter?: JitterOptions | false;
  /**
   * Bounded grace: after a failed refresh, a still-unexpired credential keeps being served (with a
   * warning) for at most this long past `Expiration − refreshWindowMs`. `0` turns grace off. However
   * long, a credential is **never** served at or after its Expiration.
   * @defaultValue `refreshWindowMs`
   */
  maxStaleMs?: number;
  /** Receives one debug line per decision and a warning when grace is used. */
  logger?: Logger;
  /** A label for logs and errors, e.g. `"imds"`. @defaultValue `"credentials"` */
  name?: string;
}

/**
 * Marks a provider that already retries its own healable failures (every {@link memoize}d one), so
 * a layer above it does not retry them again and multiply the attempts.
 * @internal
 */
export const RETRIES_INSIDE: unique symbol = Symbol.for("env-or-profile.retriesInside");

/** Whether `provider` already retries its own failures (see {@link RETRIES_INSIDE}). */
export function retriesInside(provider: unknown): boolean {
  return typeof provider === "function" && (provider as unknown as Record<symbol, unknown>)[RETRIES_INSIDE] === true;
}

/** A memoized provider: a plain {@link AwsCredentialIdentityProvider} plus cache controls. */
export interface MemoizedProvider extends AwsCredentialIdentityProvider {
  /**
   * Forgets the cached credential; the next call starts a new fetch. A fetch already in flight is
   * not cancelled: its callers get its result, but it is not cached.
   */
  invalidate(): void;
  /**
   * Tells the AWS SDK v3 that this provider caches by itself, so a client does not wrap it in a
   * second cache (`@aws-sdk/core` checks `credentials.memoized`).
   */
  readonly memoized: true;
}

interface Entry {
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

/** The checked options one {@link CredentialCache} runs with. */
interface CacheSettings {
  readonly windowMs: number;
  readonly maxStaleMs: number;
  readonly jitter: Required<JitterOptions> | false;
  readonly retry: Required<RetryOptions>;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger | undefined;
  readonly name: string;
}

/**
 * Wraps any credential provider in a refresh cache that knows about expiry, concurrency and retries.
 *
 * For a credential with Expiration `E`, window `W` and a per-credential jitter `J`:
 * - before `E − W − J` it is served from memory, with no I/O;
 * - from `E − W − J` to `E − W` it is still served at once while **one** background refresh runs;
 * - from `E − W` on callers wait for the single in-flight refresh (a thousand callers, one fetch);
 * - if that refresh fails, a still-valid credential is served with a warning for at most
 *   `maxStaleMs`, and the next attempt waits a jittered backoff — never a tight loop: once grace is
 *   spent (or with `maxStaleMs: 0`), calls during the backoff fail at once with the last failure
 *   instead of each asking the source again;
 * - a credential is never handed out at or after its Expiration, and an already-expired credential
 *   from the source is an error (`CREDENTIALS_EXPIRED`);
 * - a credential without Expiration (static keys) is fetched once for the provider's life;
 * - a refresh retries failures that can heal (see {@link isRetryable}) with full-jitter backoff;
 * - every caller gets the same **frozen** credential object (its `expiration` a read-only `Date`;
 *   a hidden `$source` record takes the AWS SDK's feature marks), so no caller can change what
 *   another sees; copy it to change it.
 *
 * Call with `{ forceRefresh: true }` to fetch now (joining a fetch already in flight), or call
 * `invalidate()` to forget the cached credential.
 *
 * @param provider - the source to cache.
 * @param options - window, clock, retry, jitter, grace and logger.
 * @returns a provider the AWS SDK uses as is (it carries the SDK's `memoized` marker).
 * @throws TypeError when `provider` is not a function or an option is out of range (at call time).
 * @throws CredentialsError whatever the source threw once retries are spent (its `code` kept),
 *   `CREDENTIALS_EXPIRED` when the source handed back an expired credential, or `PROVIDER_FAILED`
 *   when the source rejected with something that is not an `Error`.
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromImds, memoize } from "env-or-profile";
 *
 * const credentials = memoize(fromImds(), { refreshWindowMs: 5 * 60_000 });
 * const s3 = new S3Client({ region: "us-east-1", credentials });
 * ```
 */
export function memoize(provider: AwsCredentialIdentityProvider, options: MemoizeOptions = {}): MemoizedProvider {
  if (typeof provider !== "function") {
    throw new TypeError(`Expected \`provider\` to be a function, got ${typeof provider}`);
  }
  // A function bound to its cache: `memoized`, RETRIES_INSIDE, `invalidate()` and the rejection
  // hook live on callMemoized's prototype, which a bound function inherits — so a provider costs
  // its state and one bound function (no prototype set, no property added per provider).
  return callMemoized.bind(new CredentialCache(provider, resolveSettings(options))) as unknown as MemoizedProvider;
}

/** The body of every memoized provider, bound to its cache. */
function callMemoized(this: CredentialCache, identityProperties?: Record<string, unknown> | typeof PROBE): unknown {
  if (identityProperties === PROBE) {
    return this;
  }
  return this.retrieve(identityProperties);
}

/** @internal The hook behind {@link rejectCredential}. */
const REJECT_CREDENTIAL: unique symbol = Symbol.for("env-or-profile.rejectCredential");

function cacheOf(provider: unknown): CredentialCache {
  const cache =
    typeof provider === "function" && provider !== callMemoized && Object.getPrototypeOf(provider) === MEMOIZED_PROTOTYPE
      ? (provider as (probe: typeof PROBE) => unknown)(PROBE)
      : undefined;
  if (!(cache instanceof CredentialCache)) {
    throw new TypeError("Expected `invalidate` to be called on the memoized provider (provider.invalidate())");
  }
  return cache;
}

/**
 * Tells a memoized provider that a credential it handed out was rejected by the service it was
 * used with (e.g. STS answered `InvalidClientTokenId` for rotated keys): when it is the cached one,
 * it is forgotten, so the next call reads the source again. A provider that is not memoized, or a
 * credential that is no longer the cached one, is left alone; a provider from another copy of the
 * package without this hook is `invalidate()`d.
 * @internal
 */
export function rejectCredential(provider: unknown, identity: AwsCredentialIdentity): void {
  if (typeof provider !== "function") {
    return;
  }
  const hooks = provider as unknown as Record<PropertyKey, unknown>;
  const reject = hooks[REJECT_CREDENTIAL];
  if (typeof reject === "function") {
    (reject as (this: unknown, identity: AwsCredentialIdentity) => void).call(provider, identity);
  } else if (hooks["memoized"] === true && typeof hooks["invalidate"] === "function") {
    (hooks["invalidate"] as (this: unknown) => void).call(provider);
  }
}

/**
 * The state machine behind {@link memoize}, one decision per method (after aws-sdk-go-v2's
 * `CredentialsCache`): {@link retrieve} (the hot path), {@link retrieveSlowly} (which phase of the
 * credential's life we are in), {@link advisoryRefresh} (background, callers keep the cached
 * credential), {@link mandatoryRefresh} (callers wait; bounded grace on failure), {@link refresh}
 * (single-flight), {@link fetch} (retries and checks) and {@link backOff}.
 */
class CredentialCache {
  readonly #provider: AwsCredentialIdentityProvider;
  readonly #settings: CacheSettings;
  #current: Entry | undefined;
  #inflight: Promise<Entry> | undefined;
  /** No refresh attempt before this time (set after a failure or an unchanged credential). */
  #nextAttemptAt = 0;
  #setbacks = 0;
  /** The last refresh's failure, while it is the latest outcome; undefined after a success. */
  #lastFailure: { error: unknown } | undefined;
  /** Bumped by invalidate(): a fetch begun before it must not write its result back. */
  #generation = 0;

  constructor(provider: AwsCredentialIdentityProvider, settings: CacheSettings) {
    this.#provider = provider;
    this.#settings = settings;
  }

  /** A fresh credential is answered with its stored, settled promise: no `async` frame, no allocation. */
  retrieve(identityProperties: Record<string, unknown> | undefined): Promise<AwsCredentialIdentity> {
    const entry = this.#current;
    if (entry !== undefined && identityProperties?.["forceRefresh"] !== true) {
      if (entry.expiresAt === undefined || this.#settings.clock.now() < entry.refreshAt) {
        return entry.settled;
      }
    }
    return this.retrieveSlowly(identityProperties);
  }

  /** Decides by the cached credential's phase: fresh, early refresh, mandatory refresh, or none. */
  async retrieveSlowly(identityProperties: Record<string, unknown> | undefined): Promise<AwsCredentialIdentity> {
    if (identityProperties?.["forceRefresh"] === true) {
      return (await this.refresh()).identity;
    }
    const entry = this.#current;
    const now = this.#settings.clock.now();
    if (entry === undefined || entry.expiresAt === undefined || now >= entry.expiresAt) {
      return (await this.refresh()).identity;
    }
    if (now < entry.refreshAt) {
      return entry.identity;
    }
    if (now < entry.mandatoryAt) {
      this.advisoryRefresh(now);
      return entry.identity;
    }
    return this.mandatoryRefresh(entry, now);
  }

  /** In the jitter band: one background refresh, unless one runs or we are backing off. */
  advisoryRefresh(now: number): void {
    if (this.#inflight !== undefined || now < this.#nextAttemptAt) {
      return;
    }
    const { logger, name } = this.#settings;
    log(logger, "debug", `${name}: starting a background refresh`);
    this.refresh().catch((error: unknown) => {
      log(logger, "warn", `${name}: background refresh failed (${describeError(error)}); still serving the cached credential`);
    });
  }

  /**
   * From `E − W`: callers wait for a refresh. While backing off, the cached credential is served if
   * the source just returned it again (it is the freshest there is) or a refresh failed within grace;
   * once grace is spent the last failure is thrown at once — the source is not asked on every call.
   */
  async mandatoryRefresh(entry: Entry, now: number): Promise<AwsCredentialIdentity> {
    const { logger, name } = this.#settings;
    if (now < this.#nextAttemptAt && this.#inflight === undefined) {
      const failure = this.#lastFailure;
      if (failure === undefined || this.withinGrace(entry, now)) {
        return entry.identity;
      }
      throw failure.error;
    }
    try {
      return (await this.refresh()).identity;
    } catch (error) {
      if (this.withinGrace(entry, this.#settings.clock.now())) {
        log(logger, "warn", `${name}: refresh failed (${describeError(error)}); serving the cached credential (${describeEntry(entry)}) until a refresh succeeds`);
        return entry.identity;
      }
      throw error;
    }
  }

  /** Whether a failed refresh may still be answered with `entry` at time `now`. */
  withinGrace(entry: Entry, now: number): boolean {
    return entry.expiresAt !== undefined && now < entry.expiresAt && now < entry.mandatoryAt + this.#settings.maxStaleMs;
  }

  /** Single-flight: every caller joins the one fetch in flight; its outcome updates the state once. */
  refresh(): Promise<Entry> {
    if (this.#inflight !== undefined) {
      return this.#inflight;
    }
    const startedIn = this.#generation;
    const previous = this.#current;
    const attempt = this.fetch().then(
      (entry) => {
        if (startedIn === this.#generation) {
          this.store(entry);
        }
        return entry; // invalidated meanwhile: hand it to those who waited, cache nothing
      },
      (error: unknown) => {
        if (startedIn === this.#generation) {
          this.#lastFailure = { error };
          this.backOff(this.#settings.clock.now(), previous);
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
  store(entry: Entry): void {
    const { clock, logger, name } = this.#settings;
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

  /** One fetch from the source, with retries; the result is checked, frozen and made known to the scrubber. */
  async fetch(): Promise<Entry> {
    const { retry, random, clock, logger, name } = this.#settings;
    const provider = this.#provider;
    const identity = await withRetry(() => provider(RETRIED_OUTSIDE), {
      retry,
      random,
      source: name,
      onRetry: ({ retry: n, delayMs, error }) =>
        log(logger, "debug", `${name}: attempt ${n} failed (${describeError(error)}); retrying in ${delayMs} ms`),
    });
    const fetchedAt = clock.now();
    checkIdentity(identity, name, fetchedAt);
    // Every credential we hand out is known to the scrubber, so a server echoing it is caught.
    registerCredential(identity);
    return this.toEntry(freezeCredential(identity), fetchedAt);
  }

  toEntry(identity: AwsCredentialIdentity, fetchedAt: number): Entry {
    const settled = Promise.resolve(identity);
    const expiresAt = identity.expiration?.getTime();
    if (expiresAt === undefined) {
      return { identity, settled, expiresAt, refreshAt: Number.POSITIVE_INFINITY, mandatoryAt: Number.POSITIVE_INFINITY };
    }
    const { windowMs, jitter, random } = this.#settings;
    const mandatoryAt = expiresAt - windowMs;
    const lifetime = Math.max(0, expiresAt - fetchedAt);
    const jitterMs = jitter ? random() * Math.min(jitter.fraction * lifetime, jitter.maxMs) : 0;
    return { identity, settled, expiresAt, refreshAt: mandatoryAt - jitterMs, mandatoryAt };
  }

  /**
   * The pause before the next attempt: equal jitter, doubling from {@link DEFAULT_RETRY_LATER}.baseMs
   * to its maxMs. A setback in the background phase never postpones the point where callers wait.
   */
  backOff(now: number, entry: Entry | undefined): void {
    this.#setbacks = Math.min(this.#setbacks + 1, 32);
    const cap = Math.min(DEFAULT_RETRY_LATER.maxMs, DEFAULT_RETRY_LATER.baseMs * 2 ** (this.#setbacks - 1));
    let delay = cap / 2 + (this.#settings.random() * cap) / 2;
    if (entry !== undefined && now < entry.mandatoryAt) {
      delay = Math.min(delay, entry.mandatoryAt - now);
    }
    this.#nextAttemptAt = now + delay;
  }

  invalidate(): void {
    this.#generation += 1;
    this.#inflight = undefined;
    this.#current = undefined;
    this.#nextAttemptAt = 0;
    this.#setbacks = 0;
    this.#lastFailure = undefined;
  }

  /** Forgets the cached credential when it is `identity` (same keys), see {@link rejectCredential}. */
  reject(identity: AwsCredentialIdentity): void {
    const cached = this.#current?.identity;
    if (
      cached !== undefined &&
      cached.accessKeyId === identity.accessKeyId &&
      cached.secretAccessKey === identity.secretAccessKey &&
      cached.sessionToken === identity.sessionToken
    ) {
      log(this.#settings.logger, "debug", `${this.#settings.name}: ${redactKeyId(cached.accessKeyId)} was rejected where it was used; the next call reads the source again`);
      this.invalidate();
    }
  }
}

/** The prototype of every memoized provider: a function prototype carrying the SDK's marker and the controls. */
const MEMOIZED_PROTOTYPE: object = Object.create(Function.prototype, {
  // Writable, as on the SDK's own providers: the SDK's ESM build (strict code) assigns
  // `credentials.memoized = true`, which throws on an inherited read-only property. The
  // assignment then makes an own property on that one provider; the marker stays true.
  memoized: { value: true, writable: true },
  [RETRIES_INSIDE]: { value: true },
  invalidate: {
    value: function invalidate(this: unknown): void {
      cacheOf(this).invalidate();
    },
  },
  [REJECT_CREDENTIAL]: {
    value: function reject(this: unknown, identity: AwsCredentialIdentity): void {
      cacheOf(this).reject(identity);
    },
  },
}) as object;

/** A deferred provider's state: how to find its target (`resolve(argument)`), and the target once found. */
interface Deferred<A> {
  readonly resolve: (argument: A) => MemoizedProvider;
  readonly argument: A;
  target: MemoizedProvider | undefined;
}

/**
 * A memoized provider that stands for another, `resolve(argument)`, found on first use (a call,
 * `invalidate()` or a rejected credential) and used for the provider's life: creating it costs one
 * closure and a small record (`resolve` is best a module-level function, so no second closure is
 * kept per provider), and every later call goes straight to the target. `envOrProfile()` picks
 * its process-wide shared chain this way on the first call (as the AWS SDK reads its environment
 * then), so creating one reads no environment and builds no sharing key.
 * A `resolve` that throws fails that call (a rejected promise), and the next use tries again.
 * @param resolve - returns the provider to stand for; called once (again only after it threw).
 * @param argument - what `resolve` is called with.
 * @returns a provider carrying the SDK's `memoized` marker, whose `invalidate()` and rejection
 *   hook reach the target.
 * @internal
 */
export function deferMemoized<A>(resolve: (argument: A) => MemoizedProvider, argument: A): MemoizedProvider {
  const state: Deferred<A> = { resolve, argument, target: undefined };
  // A bound function: it holds its state itself and inherits callDeferred's prototype (the
  // marker and the controls), so no prototype is set and no property added per provider.
  return callDeferred.bind(state as Deferred<unknown>) as unknown as MemoizedProvider;
}

/** Asks a deferred provider for its state (see {@link stateOf}); never passed by a caller of ours. */
const PROBE: unique symbol = Symbol("env-or-profile.memoize.probe");

/** The body of every deferred provider, bound to its state. */
function callDeferred(this: Deferred<unknown>, identityProperties?: Record<string, unknown> | typeof PROBE): unknown {
  if (identityProperties === PROBE) {
    return this;
  }
  return (this.target ?? targetOf(this))(identityProperties);
}

/** The target of a deferred provider, found now; when `resolve` throws, a provider rejecting with that (nothing kept). */
function targetOf<A>(state: Deferred<A>): AwsCredentialIdentityProvider {
  try {
    return (state.target = state.resolve(state.argument));
  } catch (error) {
    const reason = error instanceof Error ? error : new TypeError(String(error)); // an options check's TypeError
    return () => Promise.reject(reason);
  }
}

/** The target behind a deferred provider, found now if it was not (`undefined` if it cannot be). */
function deferredTargetOf(provider: unknown): MemoizedProvider | undefined {
  const state = typeof provider === "function" && Object.getPrototypeOf(provider) === DEFERRED_PROTOTYPE && provider !== callDeferred
    ? ((provider as (probe: typeof PROBE) => unknown)(PROBE) as Deferred<unknown>)
    : undefined;
  if (state === undefined) {
    throw new TypeError("Expected `invalidate` to be called on the memoized provider (provider.invalidate())");
  }
  if (state.target === undefined) {
    try {
      state.target = state.resolve(state.argument);
    } catch {
      return undefined;
    }
  }
  return state.target;
}

/** The prototype of every deferred provider: the SDK's marker, and controls that reach the target. */
const DEFERRED_PROTOTYPE: object = Object.create(Function.prototype, {
  memoized: { value: true, writable: true }, // writable: see MEMOIZED_PROTOTYPE
  [RETRIES_INSIDE]: { value: true },
  invalidate: {
    value: function invalidate(this: unknown): void {
      deferredTargetOf(this)?.invalidate();
    },
  },
  [REJECT_CREDENTIAL]: {
    value: function reject(this: unknown, identity: AwsCredentialIdentity): void {
      rejectCredential(deferredTargetOf(this), identity);
    },
  },
}) as object;

Object.setPrototypeOf(callDeferred, DEFERRED_PROTOTYPE);

/**
 * Checks the options {@link memoize} would check (a `TypeError` for a bad one), without making a
 * provider: for a caller that makes its memoized provider later but must fail now.
 * @internal
 */
export function checkMemoizeOptions(options: MemoizeOptions): void {
  resolveSettings(options);
}

Object.setPrototypeOf(callMemoized, MEMOIZED_PROTOTYPE);

/** The settings of every `memoize(provider)` without options (or with only `undefined` ones), made once. */
let defaultSettings: CacheSettings | undefined;

function resolveSettings(options: MemoizeOptions): CacheSettings {
  if (
    options.refreshWindowMs === undefined &&
    options.maxStaleMs === undefined &&
    options.jitter === undefined &&
    options.retry === undefined &&
    options.clock === undefined &&
    options.random === undefined &&
    options.logger === undefined &&
    options.name === undefined
  ) {
    return (defaultSettings ??= computeSettings({}));
  }
  return computeSettings(options);
}

function computeSettings(options: MemoizeOptions): CacheSettings {
  const windowMs = nonNegative("refreshWindowMs", options.refreshWindowMs ?? DEFAULT_REFRESH_WINDOW_MS);
  return {
    windowMs,
    maxStaleMs: nonNegative("maxStaleMs", options.maxStaleMs ?? windowMs),
    jitter: options.jitter === undefined ? DEFAULT_JITTER : resolveJitter(options.jitter),
    retry: options.retry === undefined ? DEFAULT_RETRY_OPTIONS : resolveRetryOptions(options.retry),
    clock: options.clock ?? systemClock,
    random: options.random ?? defaultRandom,
    logger: options.logger,
    name: options.name ?? "credentials",
  };
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

function describeEntry(entry: Entry): string {
  const key = redactKeyId(entry.identity.accessKeyId);
  if (entry.expiresAt === undefined) {
    return `${key}, no expiration`;
  }
  return `${key}, expires ${new Date(entry.expiresAt).toISOString()}, background refresh from ${new Date(entry.refreshAt).toISOString()}, mandatory from ${new Date(entry.mandatoryAt).toISOString()}`;
}

function nonNegative(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`Expected \`${name}\` to be a finite number ≥ 0, got ${String(value)}`);
  }
  return value;
}

function resolveJitter(jitter: JitterOptions | false | undefined): Required<JitterOptions> | false {
  if (jitter === false) {
    return false;
  }
  const fraction = jitter?.fraction ?? DEFAULT_JITTER.fraction;
  const maxMs = jitter?.maxMs ?? DEFAULT_JITTER.maxMs;
  if (typeof fraction !== "number" || !(fraction >= 0 && fraction <= 1)) {
    throw new TypeError(`Expected \`jitter.fraction\` to be a number from 0 to 1, got ${String(fraction)}`);
  }
  return { fraction, maxMs: nonNegative("jitter.maxMs", maxMs) };
}
