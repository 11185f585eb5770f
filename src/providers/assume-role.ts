import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { systemClock, type Clock } from "../clock.js";
import { CredentialsError, describeError, redactKeyId } from "../errors.js";
import { log, type Logger } from "../logger.js";
import { hasKeys } from "../has-keys.js";
import { DEFAULT_JITTER, DEFAULT_REFRESH_WINDOW_MS, rejectCredential, retriesInside } from "../memoize.js";
import { DEFAULT_RETRY_OPTIONS, resolveRetryOptions, retriedOutside, withRetry, type RetryOptions } from "../retry.js";
import { deferredSharedBaseProvider } from "../shared-base-provider.js";
import {
  DEFAULT_ASSUME_ROLE_CACHE_MAX,
  SharedAssumeRoleCache,
  sharedAssumeRoleCache,
  type AssumeRoleCache,
} from "./assume-role/assume-role-cache.js";
import {
  checkDurationSeconds,
  checkEndpoint,
  checkExternalId,
  checkMs,
  checkRegion,
  checkRoleSessionName,
  defaultRoleSessionName,
  parseRoleArn,
} from "./assume-role/validate.js";

export { createAssumeRoleCache, DEFAULT_ASSUME_ROLE_CACHE_MAX } from "./assume-role/assume-role-cache.js";
export type { AssumeRoleCache, AssumeRoleCacheOptions } from "./assume-role/assume-role-cache.js";

/** `DurationSeconds` when none is given: STS's own default, one hour. */
export const DEFAULT_ASSUME_ROLE_DURATION_SECONDS = 3600;

/** The STS region when neither the option nor `AWS_REGION`/`AWS_DEFAULT_REGION` names one (the SDK's choice too). */
export const DEFAULT_STS_REGION = "us-east-1";

/**
 * A cached AssumeRole result stops being served this long before its expiration: `memoize`'s
 * default window (5 min) plus its jitter cap (5 min). A `memoize` wrapped around this provider
 * starts its early refresh somewhere in the 5 minutes before its own window; the cached credential
 * must be stale by then, or that refresh would get it straight back and every caller would wait on
 * STS at the window instead.
 */
export const DEFAULT_ASSUME_ROLE_REFRESH_WINDOW_MS = DEFAULT_REFRESH_WINDOW_MS + DEFAULT_JITTER.maxMs;

/**
 * How long an AccessDenied (or a rejected base credential) is remembered, so a storm of callers
 * makes one request, not thousands. Short, because a fixed trust policy should take effect quickly.
 */
export const DEFAULT_ASSUME_ROLE_NEGATIVE_CACHE_MS = 5_000;

/**
 * Per-request timeout (connect and response). The SDK has none by default, so a black-holed STS
 * endpoint would hang the caller forever; STS answers in well under a second, and 10 s leaves room
 * for a cold TLS handshake to a distant region.
 */
export const DEFAULT_STS_TIMEOUT_MS = 10_000;

/** Options of {@link fromAssumeRole}. Every field is validated when the provider is created (variables of `process.env` on the first AssumeRole). */
export interface AssumeRoleOptions {
  /** The role to assume: `arn:<partition>:iam::<12 digits>:role/<path/name>`, in any partition the AWS SDK knows (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`, …). */
  roleArn: string;
  /**
   * Sent as `ExternalId`; the role's trust policy checks it with an `sts:ExternalId` condition.
   * 2–1224 characters of `[\w+=,.@:/-]`. Never echoed in messages.
   */
  externalId?: string;
  /**
   * The session name, visible in CloudTrail and in the assumed role's ARN. 2–64 characters of
   * `[\w+=,.@-]`. @defaultValue `env-or-profile@<host name>` (stable per host, so providers share a session)
   */
  roleSessionName?: string;
  /** Lifetime asked of STS, 900–43200 s. @defaultValue {@link DEFAULT_ASSUME_ROLE_DURATION_SECONDS} (3600) */
  durationSeconds?: number;
  /** STS region. @defaultValue `AWS_REGION`, else `AWS_DEFAULT_REGION`, else {@link DEFAULT_STS_REGION} */
  region?: string;
  /** STS endpoint URL, e.g. a local emulator. @defaultValue `AWS_ENDPOINT_URL_STS`, else the SDK's regional endpoint */
  endpoint?: string;
  /**
   * The environment `AWS_REGION`, `AWS_DEFAULT_REGION` and `AWS_ENDPOINT_URL_STS` are read from:
   * this object when the provider is created; `process.env` (the default) on the provider's first
   * AssumeRole, so that creating a provider costs no environment reads (a malformed variable is
   * then a `CONFIG_INVALID` error of that call). @defaultValue `process.env`
   */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * The base credentials that call AssumeRole (and sign it).
   * @defaultValue `envOrProfile()`'s base chain (env → profile → web identity → container → IMDS),
   *   shared process-wide and picked on the provider's first call (the environment is read then)
   */
  source?: AwsCredentialIdentityProvider;
  /** Decides cache lifetimes. @defaultValue {@link systemClock} */
  clock?: Clock;
  /** Receives one debug line per decision (cache hit, AssumeRole made, failure remembered). */
  logger?: Logger;
  /**
   * A cached credential is served until `expiration − refreshWindowMs`. Keep it at least the
   * window plus the jitter cap of a {@link memoize} around this provider (the default does, for
   * memoize's defaults; `envOrProfile({ assumeRole })` sets it from its own options).
   * @defaultValue {@link DEFAULT_ASSUME_ROLE_REFRESH_WINDOW_MS} (10 min)
   */
  refreshWindowMs?: number;
  /** How long AccessDenied is remembered; 0 turns it off. @defaultValue {@link DEFAULT_ASSUME_ROLE_NEGATIVE_CACHE_MS} */
  negativeCacheMs?: number;
  /** Per-request STS timeout. @defaultValue {@link DEFAULT_STS_TIMEOUT_MS} */
  timeoutMs?: number;
  /**
   * Where results are shared: `false` for none (every call makes a request), or a cache from
   * `createAssumeRoleCache`. @defaultValue the process-wide cache for `clock`, bounded at
   * {@link DEFAULT_ASSUME_ROLE_CACHE_MAX} entries
   */
  cache?: AssumeRoleCache | false;
  /**
   * Retries of one call, for failures that can heal (throttling, 5xx, network errors, timeouts),
   * with full-jitter backoff — when the provider is used on its own (e.g. handed straight to an SDK
   * client). Inside {@link memoize} or `envOrProfile` the cache around it retries instead, with its
   * own options, and this provider makes one attempt per fetch: attempts are never multiplied.
   * @defaultValue {@link DEFAULT_RETRY_OPTIONS} (3 attempts)
   */
  retry?: RetryOptions;
}

/** @internal The validated options. */
export type Settings = BaseSettings & Location & {
  /** The role's account, from its ARN (the credential's `accountId`). */
  accountId: string;
};

/** @internal Where STS is: from the options, else the environment. */
export type Location = {
  region: string;
  endpoint: string | undefined;
};

/** @internal The validated options but the {@link Location}. */
export type BaseSettings = {
  roleArn: string;
  externalId: string | undefined;
  roleSessionName: string;
  durationSeconds: number;
  refreshWindowMs: number;
  negativeCacheMs: number;
  timeoutMs: number;
};

const SOURCE = "assume-role";

let stsCallModule: Promise<typeof import("./assume-role/sts-call.js")> | undefined;

function loadStsCall(): Promise<typeof import("./assume-role/sts-call.js")> {
  stsCallModule ??= import("./assume-role/sts-call.js");
  return stsCallModule;
}

/**
 * A provider that assumes an IAM role with STS AssumeRole (optionally with an `ExternalId`), signed
 * by base credentials from `source` (environment, then IMDS, by default).
 *
 * - **Validated up front**: a malformed role ARN, ExternalId, session name, duration, region or
 *   endpoint option throws a `TypeError` from `fromAssumeRole` itself, before any request (a
 *   malformed `AWS_REGION` / `AWS_ENDPOINT_URL_STS` in `process.env`, read on the first AssumeRole,
 *   fails that call with `CONFIG_INVALID`).
 * - **Shared**: results are kept in a bounded process-wide cache keyed by role, ExternalId, session
 *   name, duration, region, endpoint and the base identity (its access key id and a hash of its
 *   secret and session token — never the secret itself), until `refreshWindowMs` (default 10
 *   minutes: {@link DEFAULT_ASSUME_ROLE_REFRESH_WINDOW_MS}) before expiration.
 *   Any number of providers for the same role and base make one AssumeRole; concurrent first calls
 *   share one request.
 * - **Fails clearly**: see the `@throws` list. A denial is remembered for 5 s.
 * - **Retries what can heal, once**: on its own (handed straight to an SDK client) a call retries
 *   throttling, 5xx, network errors and timeouts with full-jitter backoff (`retry`, 3 attempts by
 *   default). Wrapped in `memoize` (or `envOrProfile`), the cache retries with its options and this
 *   provider makes one attempt per fetch; the STS client itself always makes one (`maxAttempts: 1`).
 * - **Cheap when cached**: each provider keeps its last credential and the cache key of its last
 *   base identity, so a call whose base is unchanged and whose credential is fresh costs one base
 *   lookup and a few comparisons — no hashing, no key building, no shared-cache lookup.
 * - **Rotated base keys**: when STS rejects the base (`InvalidClientTokenId`, `ExpiredToken`,
 *   `SignatureDoesNotMatch`, …), a memoized source is told to forget it, and the call is tried once
 *   more if the source now has different keys (e.g. `AWS_ACCESS_KEY_ID` changed in `process.env`).
 * - **Frozen results**: every caller gets the same frozen credential (a read-only `expiration`), so
 *   no caller's change reaches another.
 *
 * @param options - the role and how to reach STS; see {@link AssumeRoleOptions}.
 * @returns a provider of the role's temporary credentials (with `accountId` from the role ARN).
 * @throws TypeError from `fromAssumeRole` when an option is invalid (message names the option).
 * @throws CredentialsError from the provider, never falling through a chain (`tryNextLink: false`):
 *   `STS_ACCESS_DENIED` (trust policy / ExternalId / permission; not retryable),
 *   `STS_INVALID_BASE_CREDENTIALS` (STS rejected the base key or its signature; not retryable),
 *   `STS_THROTTLED` (retryable), `STS_ERROR` (5xx, network, timeout, RequestExpired/RequestTimeout:
 *   retryable; other 4xx: not),
 *   `STS_BAD_RESPONSE` (unreadable answer), `STS_SOURCE_FAILED` (the base credentials could not be
 *   had; `retryable` as the base's failure, unless the base is memoized and so retried already).
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromAssumeRole, memoize } from "env-or-profile";
 *
 * const s3 = new S3Client({
 *   region: "eu-west-1",
 *   credentials: memoize(
 *     fromAssumeRole({
 *       roleArn: "arn:aws:iam::123456789012:role/deploy",
 *       externalId: "tenant-42",
 *     }),
 *   ),
 * });
 * ```
 */
export function fromAssumeRole(options: AssumeRoleOptions): AwsCredentialIdentityProvider {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Expected `options` to be an object with at least `roleArn`");
  }
  const settings = resolveSettings(options);
  const location = locationOrLater(options);
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  // The default base is the shared, memoized env-then-IMDS provider, so AssumeRole's base lookups
  // (one per call, to key the cache by base identity) cost no I/O while the base is fresh.
  // The default source is envOrProfile()'s base chain: env → profile → web identity → container → IMDS.
  const source =
    // Picked on the first call (no environment read, no sharing key built now).
    options.source ?? deferredSharedBaseProvider({ clock, profile: {}, webIdentity: {}, container: {}, ...(logger === undefined ? {} : { logger }) });
  const retry = options.retry === undefined ? DEFAULT_RETRY_OPTIONS : resolveRetryOptions(options.retry);
  const link = new AssumeRoleLink(settings, location, source, resolveCache(options.cache, clock), clock, logger, retry);
  return (identityProperties?: Record<string, unknown>) => link.provide(identityProperties);
}

/** A provider's last credential and the base identity it was assumed with. */
interface LastAssumed {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string | undefined;
  /** The shared-cache key for this base (built once per base). */
  readonly key: string;
  readonly credential: AwsCredentialIdentity;
  /** Served until `expiration − refreshWindowMs`. */
  readonly freshUntil: number;
  /** The shared cache's epoch when stored: a `clear()` since makes it stale. */
  readonly epoch: number;
}

/**
 * One `fromAssumeRole` provider, as named steps: {@link provide} (the provider: fast path, then
 * retries when it stands alone), {@link attempt} (one AssumeRole through the shared cache) and
 * {@link dropRejectedBase} (rotated base keys).
 */
class AssumeRoleLink {
  readonly #base: BaseSettings;
  #location: Location | LaterLocation;
  #settings: Settings | undefined;
  readonly #source: AwsCredentialIdentityProvider;
  readonly #cache: SharedAssumeRoleCache | undefined;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #retry: Required<RetryOptions>;
  #callSts: ((base: AwsCredentialIdentity) => Promise<AwsCredentialIdentity>) | undefined;
  #last: LastAssumed | undefined;

  constructor(
    settings: BaseSettings,
    location: Location | LaterLocation,
    source: AwsCredentialIdentityProvider,
    cache: SharedAssumeRoleCache | undefined,
    clock: Clock,
    logger: Logger | undefined,
    retry: Required<RetryOptions>,
  ) {
    this.#base = settings;
    this.#location = location;
    this.#source = source;
    this.#cache = cache;
    this.#clock = clock;
    this.#logger = logger;
    this.#retry = retry;
  }

  /**
   * The fast path serves this provider's last credential while it is fresh and the base is the same
   * keys; otherwise one {@link attempt}, retried here only when no layer above retries.
   */
  async provide(identityProperties: Record<string, unknown> | undefined): Promise<AwsCredentialIdentity> {
    let base: AwsCredentialIdentity | undefined;
    let baseError: unknown;
    try {
      base = await resolveBase(this.#source, this.#base.roleArn);
    } catch (error) {
      baseError = error;
    }
    if (base !== undefined) {
      const last = this.#last;
      if (last !== undefined && sameBase(last, base) && this.#clock.now() < last.freshUntil && last.epoch === this.#cache?.epoch) {
        if (this.#logger !== undefined) {
          this.#logDebug(`served cached ${this.#base.roleArn} with base ${redactKeyId(base.accessKeyId)}, expires ${last.credential.expiration?.toISOString() ?? "never"}`);
        }
        return last.credential;
      }
    }
    let first = true;
    const once = async (): Promise<AwsCredentialIdentity> => {
      if (first) {
        first = false;
        if (base === undefined) {
          throw baseError;
        }
        return this.attempt(base, true);
      }
      return this.attempt(await resolveBase(this.#source, this.#base.roleArn), true);
    };
    if (retriedOutside(identityProperties) || this.#retry.retries === 0) {
      return once();
    }
    return withRetry(once, {
      retry: this.#retry,
      source: SOURCE,
      onRetry: ({ retry, delayMs, error }) => this.#logDebug(`attempt ${retry} for ${this.#base.roleArn} failed (${describeError(error)}); retrying in ${delayMs} ms`),
    });
  }

  /** One AssumeRole with `base`, through the shared cache (one request for every provider of the same key). */
  async attempt(base: AwsCredentialIdentity, mayRebase: boolean): Promise<AwsCredentialIdentity> {
    const cache = this.#cache;
    const roleArn = this.#base.roleArn;
    try {
      const settings = this.#resolved();
      if (cache === undefined) {
        const credential = await this.#assume(base);
        this.#logDebug(`assumed ${settings.roleArn} with base ${redactKeyId(base.accessKeyId)} (no shared cache)`);
        return credential;
      }
      const last = this.#last;
      const key = last !== undefined && sameBase(last, base) ? last.key : await cacheKey(settings, base);
      const epoch = cache.epoch;
      const { credential, outcome } = await cache.resolve(key, () => this.#assume(base), {
        refreshWindowMs: settings.refreshWindowMs,
        rememberFailureMs: (error) => (isRemembered(error) ? settings.negativeCacheMs : 0),
      });
      const expiresAt = credential.expiration?.getTime() ?? Number.NaN;
      this.#last = {
        accessKeyId: base.accessKeyId,
        secretAccessKey: base.secretAccessKey,
        sessionToken: base.sessionToken,
        key,
        credential,
        freshUntil: expiresAt - settings.refreshWindowMs, // NaN (never fresh) without an expiration
        epoch,
      };
      this.#logDebug(
        `${describeOutcome(outcome)} ${settings.roleArn} with base ${redactKeyId(base.accessKeyId)}, expires ${credential.expiration?.toISOString() ?? "never"}`,
      );
      return credential;
    } catch (error) {
      this.#logDebug(`${roleArn} failed: ${describeError(error)}`);
      if (error instanceof CredentialsError && error.code === "STS_INVALID_BASE_CREDENTIALS") {
        const fresh = await this.dropRejectedBase(base);
        if (fresh !== undefined && mayRebase) {
          return this.attempt(fresh, false);
        }
      }
      throw error;
    }
  }

  /**
   * STS rejected `base` (rotated, revoked or expired keys): a memoized source forgets it, and the
   * source's keys now are returned when they differ (so the caller can try once more with them).
   */
  async dropRejectedBase(base: AwsCredentialIdentity): Promise<AwsCredentialIdentity | undefined> {
    if (this.#last !== undefined && sameBase(this.#last, base)) {
      this.#last = undefined;
    }
    rejectCredential(this.#source, base);
    try {
      const fresh = await resolveBase(this.#source, this.#base.roleArn);
      if (!sameBase(fresh, base)) {
        this.#logDebug(`base ${redactKeyId(base.accessKeyId)} was rejected; the source now has ${redactKeyId(fresh.accessKeyId)}, trying once more`);
        return fresh;
      }
    } catch {
      // The source cannot be read now: report the rejection; the next call reads it again.
    }
    return undefined;
  }

  /** The STS call itself; the STS machinery (the AWS SDK, error mapping) loads on the first one. */
  async #assume(base: AwsCredentialIdentity): Promise<AwsCredentialIdentity> {
    const settings = this.#resolved();
    this.#callSts ??= (await loadStsCall()).createStsCall(settings, settings.endpoint ?? `the ${settings.region} regional STS endpoint`);
    return this.#callSts(base);
  }

  /**
   * The full settings; the region and endpoint from `process.env` are read here, once, on the
   * first AssumeRole (a malformed variable is a `CONFIG_INVALID` error of the call).
   */
  #resolved(): Settings {
    if (this.#settings !== undefined) {
      return this.#settings;
    }
    let location = this.#location;
    if ("later" in location) {
      try {
        location = resolveLocation(location.region, location.endpoint, process.env);
      } catch (error) {
        throw new CredentialsError(`Cannot assume ${this.#base.roleArn}: ${error instanceof Error ? error.message : String(error)}`, {
          source: SOURCE,
          code: "CONFIG_INVALID",
          tryNextLink: false,
        });
      }
      this.#location = location;
    }
    this.#settings = { ...this.#base, accountId: parseRoleArn(this.#base.roleArn).accountId, region: location.region, endpoint: location.endpoint };
    return this.#settings;
  }

  #logDebug(message: string): void {
    log(this.#logger, "debug", `assume-role: ${message}`);
  }
}

/** Whether `base` has the same keys as `other` (string comparisons; usually the same strings). */
function sameBase(
  other: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string | undefined },
  base: AwsCredentialIdentity,
): boolean {
  return other.accessKeyId === base.accessKeyId && other.secretAccessKey === base.secretAccessKey && other.sessionToken === base.sessionToken;
}

/** The host's default session name, computed once (it reads the host name). */
let defaultSessionName: string | undefined;

/**
 * The region and endpoint: options first, then `AWS_REGION` / `AWS_DEFAULT_REGION` and
 * `AWS_ENDPOINT_URL_STS` from `env`.
 * @throws TypeError naming the option or variable that is malformed.
 */
function resolveLocation(
  regionOption: string | undefined,
  endpointOption: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Location {
  const region =
    regionOption !== undefined
      ? checkRegion(regionOption, "region")
      : nonEmpty(env.AWS_REGION) !== undefined
        ? checkRegion(env.AWS_REGION, "AWS_REGION")
        : nonEmpty(env.AWS_DEFAULT_REGION) !== undefined
          ? checkRegion(env.AWS_DEFAULT_REGION, "AWS_DEFAULT_REGION")
          : DEFAULT_STS_REGION;
  const endpoint =
    endpointOption !== undefined
      ? checkEndpoint(endpointOption, "endpoint")
      : nonEmpty(env.AWS_ENDPOINT_URL_STS) !== undefined
        ? checkEndpoint(env.AWS_ENDPOINT_URL_STS, "AWS_ENDPOINT_URL_STS")
        : undefined;
  return { region, endpoint };
}

/**
 * The location now when it does not depend on `process.env` (both options given, or an `env`
 * object); else the checked options alone, and `process.env` is read on the first AssumeRole (each
 * `process.env` read costs about a microsecond and a half: creating a provider stays cheap).
 */
function locationOrLater(options: AssumeRoleOptions): Location | LaterLocation {
  const { region, endpoint, env } = options;
  if (env !== undefined || (region !== undefined && endpoint !== undefined)) {
    return resolveLocation(region, endpoint, env ?? process.env);
  }
  if (region === undefined && endpoint === undefined) {
    return FROM_PROCESS_ENV;
  }
  if (region !== undefined) {
    checkRegion(region, "region");
  }
  if (endpoint !== undefined) {
    checkEndpoint(endpoint, "endpoint");
  }
  return { later: true, region, endpoint };
}

/** Neither option given: both from `process.env` on the first AssumeRole (one shared record). */
const FROM_PROCESS_ENV: LaterLocation = Object.freeze({ later: true, region: undefined, endpoint: undefined });

/** The region and endpoint options, to be completed from `process.env` on the first AssumeRole. */
type LaterLocation = { later: true; region: string | undefined; endpoint: string | undefined };

/**
 * How many distinct validated settings are kept for reuse: our own number, above the handful of
 * roles a process assumes; past it the oldest is dropped (correct, only validated again).
 */
const MAX_INTERNED_SETTINGS = 16;

/** Validated settings and the option values they came from (all primitives: compared with `===`). */
interface InternedSettings {
  readonly roleArn: unknown;
  readonly externalId: unknown;
  readonly roleSessionName: unknown;
  readonly durationSeconds: unknown;
  readonly refreshWindowMs: unknown;
  readonly noCache: boolean;
  readonly negativeCacheMs: unknown;
  readonly timeoutMs: unknown;
  readonly settings: BaseSettings;
}

const internedSettings: InternedSettings[] = [];

/**
 * {@link validateSettings}, shared: the same option values give the same (immutable) settings
 * object, so a provider made again for a role costs no regular-expression checks and holds no
 * settings of its own. A value that failed validation is never kept, so it throws every time.
 */
function resolveSettings(options: AssumeRoleOptions): BaseSettings {
  if (options.source !== undefined && typeof options.source !== "function") {
    throw new TypeError("Expected `source` to be a credential provider function");
  }
  if (options.clock !== undefined && typeof options.clock?.now !== "function") {
    throw new TypeError("Expected `clock` to have a `now()` method");
  }
  const noCache = options.cache === false;
  for (const entry of internedSettings) {
    if (
      entry.roleArn === options.roleArn &&
      entry.externalId === options.externalId &&
      entry.roleSessionName === options.roleSessionName &&
      entry.durationSeconds === options.durationSeconds &&
      entry.refreshWindowMs === options.refreshWindowMs &&
      entry.noCache === noCache &&
      entry.negativeCacheMs === options.negativeCacheMs &&
      entry.timeoutMs === options.timeoutMs
    ) {
      return entry.settings;
    }
  }
  const settings = Object.freeze(validateSettings(options));
  if (internedSettings.length >= MAX_INTERNED_SETTINGS) internedSettings.shift();
  internedSettings.push({
    roleArn: options.roleArn,
    externalId: options.externalId,
    roleSessionName: options.roleSessionName,
    durationSeconds: options.durationSeconds,
    refreshWindowMs: options.refreshWindowMs,
    noCache,
    negativeCacheMs: options.negativeCacheMs,
    timeoutMs: options.timeoutMs,
    settings,
  });
  return settings;
}

/** Checks every setting (a `TypeError` naming the bad one) and applies the defaults. */
function validateSettings(options: AssumeRoleOptions): BaseSettings {
  parseRoleArn(options.roleArn); // validated now; the account id is taken on the first AssumeRole
  return {
    roleArn: options.roleArn,
    externalId: options.externalId === undefined ? undefined : checkExternalId(options.externalId),
    roleSessionName: options.roleSessionName === undefined ? (defaultSessionName ??= defaultRoleSessionName()) : checkRoleSessionName(options.roleSessionName),
    durationSeconds:
      options.durationSeconds === undefined ? DEFAULT_ASSUME_ROLE_DURATION_SECONDS : checkDurationSeconds(options.durationSeconds),
    refreshWindowMs: checkMs(options.refreshWindowMs ?? DEFAULT_ASSUME_ROLE_REFRESH_WINDOW_MS, "refreshWindowMs"),
    // Without the shared cache nothing is remembered, and messages must not claim otherwise.
    negativeCacheMs:
      options.cache === false ? 0 : checkMs(options.negativeCacheMs ?? DEFAULT_ASSUME_ROLE_NEGATIVE_CACHE_MS, "negativeCacheMs"),
    timeoutMs: checkMs(options.timeoutMs ?? DEFAULT_STS_TIMEOUT_MS, "timeoutMs", true),
  };
}

function resolveCache(cache: AssumeRoleCache | false | undefined, clock: Clock): SharedAssumeRoleCache | undefined {
  if (cache === false) {
    return undefined;
  }
  if (cache === undefined) {
    return sharedAssumeRoleCache(clock, DEFAULT_ASSUME_ROLE_CACHE_MAX);
  }
  if (!(cache instanceof SharedAssumeRoleCache)) {
    throw new TypeError("Expected `cache` to be `false` or a cache from `createAssumeRoleCache()`");
  }
  return cache;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** Calls the base source and checks what it returned; a failure says it was the base that failed. */
async function resolveBase(source: AwsCredentialIdentityProvider, roleArn: string): Promise<AwsCredentialIdentity> {
  let base: AwsCredentialIdentity;
  try {
    base = await source();
  } catch (error) {
    throw new CredentialsError(`Could not get the base credentials to assume ${roleArn}: ${describeError(error)}`, {
      source: SOURCE,
      code: "STS_SOURCE_FAILED",
      tryNextLink: false,
      // A memoized base has spent its retries already; retrying it again here would multiply them.
      retryable: error instanceof CredentialsError && !retriesInside(source) ? error.retryable : false,
      cause: error,
    });
  }
  if (!hasKeys(base)) {
    throw new CredentialsError(`The base credentials to assume ${roleArn} have no access key id or secret`, {
      source: SOURCE,
      code: "STS_SOURCE_FAILED",
      tryNextLink: false,
    });
  }
  return base;
}

/** The base identity's hash, once per credential object (a memoized base hands out the same one). */
const baseHashes = new WeakMap<AwsCredentialIdentity, string>();

/**
 * The cache key: everything that changes the answer. The base identity enters as its access key id
 * (not secret) and a SHA-256 of its secret and session token, so a rotated secret or token is a new
 * entry and the secret is never held in the key in clear.
 */
async function cacheKey(settings: Settings, base: AwsCredentialIdentity): Promise<string> {
  let baseHash = baseHashes.get(base);
  if (baseHash === undefined) {
    // node:crypto is loaded on the first AssumeRole, not at import.
    const { createHash } = await import("node:crypto");
    baseHash = createHash("sha256").update(base.secretAccessKey).update("\0").update(base.sessionToken ?? "").digest("base64url");
    baseHashes.set(base, baseHash);
  }
  return JSON.stringify([
    settings.roleArn,
    settings.externalId ?? null,
    settings.roleSessionName,
    settings.durationSeconds,
    settings.region,
    settings.endpoint ?? null,
    base.accessKeyId,
    baseHash,
  ]);
}

/** Denials and rejected base keys are remembered; anything retryable is not. */
function isRemembered(error: unknown): boolean {
  return (
    error instanceof CredentialsError && (error.code === "STS_ACCESS_DENIED" || error.code === "STS_INVALID_BASE_CREDENTIALS")
  );
}

function describeOutcome(outcome: string): string {
  switch (outcome) {
    case "hit":
      return "served cached";
    case "joined":
      return "joined the in-flight AssumeRole for";
    default:
      return "assumed";
  }
}
