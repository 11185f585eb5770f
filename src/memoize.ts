import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { checkClock, checkRandom } from "./check-runtime-options.js";
import { defaultRandom, systemClock, type Clock, type Random } from "./clock.js";
import { CredentialCache, type CacheSettings, type Fetch } from "./credential-cache.js";
import type { Logger } from "./logger.js";
import { checkKnownOptions } from "./known-options.js";
import { resolveRetryOptions, type RetryOptions } from "./retry.js";
import { linkOf, type Link } from "./sharing/link.js";
import { SharedProvider } from "./sharing/shared-provider.js";

/**
 * The refresh window: a credential is refreshed this long before its Expiration. Five minutes,
 * because AWS makes rotated instance-profile keys available "at least 5 minutes before the
 * expiration of the previous set" (EC2 IAM roles documentation), and the AWS SDKs use
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

export { DEFAULT_RETRY_LATER } from "./credential-cache.js";

/** How much earlier than the refresh window a background refresh may start. */
export interface JitterOptions {
  /** Fraction of the credential's lifetime. @defaultValue 0.1 */
  fraction?: number;
  /** Upper bound in ms. @defaultValue 300_000 (5 minutes) */
  maxMs?: number;
}

/** The option keys of {@link MemoizeOptions}. */
const MEMOIZE_OPTION_KEYS = ["refreshWindowMs", "clock", "random", "retry", "jitter", "maxStaleMs", "logger", "name"] as const;

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
  /**
   * Retries of one refresh, for failures that can heal.
   * @defaultValue what the link asks for (e.g. `fromImds({ maxAttempts })`), else `DEFAULT_RETRY_OPTIONS` (3 attempts)
   */
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

/** A memoized provider: a plain {@link AwsCredentialIdentityProvider} plus cache controls. */
export interface MemoizedProvider extends AwsCredentialIdentityProvider {
  /**
   * Forgets the cached credential; the next call starts a new fetch. A fetch already in flight is
   * not cancelled: its callers get its result, but it is not cached. A credential shared with other
   * providers (see {@link memoize}) is forgotten for them too: they fetch anew, once.
   */
  invalidate(): void;
  /**
   * Tells the AWS SDK v3 that this provider caches by itself, so a client does not wrap it in a
   * second cache (`@aws-sdk/core` checks `credentials.memoized`). Assignable, as the SDK's own
   * providers' marker is (the SDK's ESM build sets it to `true` in strict code).
   */
  memoized: true;
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
 * - a refresh retries failures that can heal (network errors, timeouts, 5xx, throttling) with
 *   full-jitter backoff;
 * - every caller gets the same **frozen** credential object (its `expiration` a read-only `Date`;
 *   a hidden `$source` record takes the AWS SDK's feature marks), so no caller can change what
 *   another sees; copy it to change it.
 *
 * Call with `{ forceRefresh: true }` to fetch now (joining a fetch already in flight), or call
 * `invalidate()` to forget the cached credential.
 *
 * **Shared by what it reads.** Given one of env-or-profile's links (`fromEnv()`, `fromImds()`,
 * `fromAssumeRole()`, `chain()` of them, …), the cache is process-wide: every memoized provider
 * whose link reads the same world now (the same environment values, files, endpoints, base
 * identity) and has the same options shares one credential and one fetch; one that reads a
 * different world gets its own. An existing provider keeps its credential until its refresh window
 * and then reads the world again. Given any other function, the cache is the provider's own.
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
  const link = linkOf(provider);
  if (link === undefined) {
    return bindMemoized(new PrivateProvider(provider, resolveSettings(options, undefined)));
  }
  return bindMemoized(new SharedProvider(() => link, resolveSettings(options, link.name)));
}

/**
 * A memoized provider sharing through the process-wide caches, whose link is made on its first
 * call (so creating one costs a closure and a record): what `envOrProfile()` returns. The options
 * must be checked already (or be checked by `resolveSettings`, which throws now).
 * @internal
 */
export function memoizeLink(makeLink: () => Link, options: MemoizeOptions, name: string): MemoizedProvider {
  return bindMemoized(new SharedProvider(makeLink, resolveSettings(options, name)));
}

/** What a memoized provider is bound to: its cache (private or shared) and the controls. */
interface MemoState {
  call(identityProperties: Record<string, unknown> | undefined): Promise<AwsCredentialIdentity>;
  invalidate(): void;
  reject(identity: AwsCredentialIdentity): void;
  noteClockOffset(offsetMs: number): void;
}

/** `memoize()` of a provider that is not one of our links: a cache of its own. */
class PrivateProvider implements MemoState {
  readonly #provider: AwsCredentialIdentityProvider;
  readonly #settings: CacheSettings;
  /** Made at the first call: a provider made and never called (one per client, say) costs less. */
  #cache: CredentialCache | undefined;
  #fetch: Fetch | undefined;

  constructor(provider: AwsCredentialIdentityProvider, settings: CacheSettings) {
    this.#provider = provider;
    this.#settings = settings;
  }

  #made(): CredentialCache {
    return (this.#cache ??= new CredentialCache(this.#settings));
  }

  call(identityProperties: Record<string, unknown> | undefined): Promise<AwsCredentialIdentity> {
    const provider = this.#provider;
    // Called without identity properties: one fetch serves every caller, so no one caller's
    // client configuration may decide how the source is asked.
    const fetch = (this.#fetch ??= () => provider());
    return this.#made().retrieve(identityProperties, fetch);
  }

  invalidate(): void {
    this.#cache?.invalidate();
  }

  reject(identity: AwsCredentialIdentity): void {
    this.#cache?.reject(identity);
  }

  noteClockOffset(offsetMs: number): void {
    this.#made().noteClockOffset(offsetMs);
  }
}

/**
 * `provider` itself when it caches by itself — it carries the SDK's `memoized` marker (ours do, and
 * the SDK's own memoized providers) — else `memoize(provider)`: for a role step's base, which is
 * read to key the step and must not cost a fetch each time (an SDK client memoizes its
 * credentials in the same way).
 * @internal
 */
export function asMemoized(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  return (provider as { memoized?: unknown }).memoized === true ? provider : memoize(provider);
}

/**
 * A function bound to its state: `memoized`, `invalidate()` and the rejection hook live on
 * callMemoized's prototype, which a bound function inherits — so a provider costs its state and one
 * bound function (no prototype set, no property added per provider).
 */
function bindMemoized(state: MemoState): MemoizedProvider {
  return callMemoized.bind(state) as unknown as MemoizedProvider;
}

/** Asks a memoized provider for its state (see {@link stateOf}); never passed by a caller of ours. */
const PROBE: unique symbol = Symbol("env-or-profile.memoize.probe");

/** The body of every memoized provider, bound to its state. */
function callMemoized(this: MemoState, identityProperties?: Record<string, unknown> | typeof PROBE): unknown {
  if (identityProperties === PROBE) {
    return this;
  }
  return this.call(identityProperties);
}

/** The state a memoized provider of this copy of the package is bound to. */
function stateOf(provider: unknown): MemoState {
  const state =
    typeof provider === "function" && provider !== callMemoized && Object.getPrototypeOf(provider) === MEMOIZED_PROTOTYPE
      ? (provider as (probe: typeof PROBE) => unknown)(PROBE)
      : undefined;
  if (!(state instanceof PrivateProvider || state instanceof SharedProvider)) {
    throw new TypeError("Expected `invalidate` to be called on the memoized provider (provider.invalidate())");
  }
  return state;
}

/** @internal The hook behind {@link rejectCredential}. */
const REJECT_CREDENTIAL: unique symbol = Symbol.for("env-or-profile.rejectCredential");

/** @internal The hook behind {@link noteClockOffset}. */
const NOTE_CLOCK_OFFSET: unique symbol = Symbol.for("env-or-profile.noteClockOffset");

/**
 * Tells a memoized provider that the service its credentials are used with keeps a clock
 * `offsetMs` ahead of ours, so it refreshes (and refuses) that much earlier; 0 withdraws it. A
 * provider without the hook (not ours) is left alone.
 * @returns whether the provider took the note.
 * @internal
 */
export function noteClockOffset(provider: unknown, offsetMs: number): boolean {
  if (typeof provider !== "function") return false;
  const hook = (provider as unknown as Record<PropertyKey, unknown>)[NOTE_CLOCK_OFFSET];
  if (typeof hook !== "function") return false;
  (hook as (this: unknown, offsetMs: number) => void).call(provider, offsetMs);
  return true;
}

/**
 * Tells a memoized provider that a credential it handed out was rejected by the service it was
 * used with (e.g. STS answered `InvalidClientTokenId` for rotated keys): when it is the cached one,
 * it is forgotten, so the next call reads the source again (one refetch however many callers
 * report it). A provider that is not memoized, or a credential that is no longer the cached one, is
 * left alone; a provider from another copy of the package without this hook is `invalidate()`d.
 * @internal
 */
export function rejectCredential(provider: unknown, identity: AwsCredentialIdentity): boolean {
  if (typeof provider !== "function") {
    return false;
  }
  const hooks = provider as unknown as Record<PropertyKey, unknown>;
  const reject = hooks[REJECT_CREDENTIAL];
  if (typeof reject === "function") {
    (reject as (this: unknown, identity: AwsCredentialIdentity) => void).call(provider, identity);
    return true;
  }
  if (hooks["memoized"] === true && typeof hooks["invalidate"] === "function") {
    (hooks["invalidate"] as (this: unknown) => void).call(provider);
    return true;
  }
  return false;
}

/** The prototype of every memoized provider: a function prototype carrying the SDK's marker and the controls. */
const MEMOIZED_PROTOTYPE: object = Object.create(Function.prototype, {
  // Writable: the AWS SDK's ESM build assigns `credentials.memoized = true` in strict code, and an
  // inherited read-only property would make that assignment throw.
  memoized: { value: true, writable: true },
  invalidate: {
    value: function invalidate(this: unknown): void {
      stateOf(this).invalidate();
    },
  },
  [REJECT_CREDENTIAL]: {
    value: function reject(this: unknown, identity: AwsCredentialIdentity): void {
      stateOf(this).reject(identity);
    },
  },
  [NOTE_CLOCK_OFFSET]: {
    value: function noteOffset(this: unknown, offsetMs: number): void {
      stateOf(this).noteClockOffset(offsetMs);
    },
  },
}) as object;

Object.setPrototypeOf(callMemoized, MEMOIZED_PROTOTYPE);

/** The settings of every `memoize(provider)` without options (or with only `undefined` ones), made once per name. */
const defaultSettings = new Map<string, CacheSettings>();

/**
 * The checked settings; the name is the `name` option, else the link's. Without a `retry` option,
 * each refresh retries as its reading asks (e.g. `fromImds({ maxAttempts })`), else with
 * {@link DEFAULT_RETRY_OPTIONS}.
 */
function resolveSettings(options: MemoizeOptions, linkName: string | undefined): CacheSettings {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Expected `options` to be an object");
  }
  checkKnownOptions(options, MEMOIZE_OPTION_KEYS, "memoize");
  if (
    options.refreshWindowMs === undefined &&
    options.maxStaleMs === undefined &&
    options.jitter === undefined &&
    options.retry === undefined &&
    options.clock === undefined &&
    options.random === undefined &&
    options.logger === undefined
  ) {
    const name = options.name ?? linkName ?? "credentials";
    let settings = defaultSettings.get(name);
    if (settings === undefined) {
      settings = computeSettings({ name });
      if (defaultSettings.size < 64) defaultSettings.set(name, settings);
    }
    return settings;
  }
  return computeSettings({ ...options, name: options.name ?? linkName ?? "credentials" });
}

function computeSettings(options: MemoizeOptions): CacheSettings {
  const windowMs = nonNegative("refreshWindowMs", options.refreshWindowMs ?? DEFAULT_REFRESH_WINDOW_MS);
  checkClock(options.clock);
  checkRandom(options.random);
  return Object.freeze({
    windowMs,
    maxStaleMs: nonNegative("maxStaleMs", options.maxStaleMs ?? windowMs),
    jitter: options.jitter === undefined ? DEFAULT_JITTER : resolveJitter(options.jitter),
    retry: options.retry === undefined ? undefined : resolveRetryOptions(options.retry),
    clock: options.clock ?? systemClock,
    random: options.random ?? defaultRandom,
    logger: options.logger,
    name: options.name ?? "credentials",
  });
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
