import type { AwsCredentialIdentity } from "@smithy/types";
import type { CachedCredential, CacheSettings, CredentialCache, Fetch } from "../credential-cache.js";
import { resolveRetryOptions } from "../retry.js";
import { identityOf, optionsKey } from "./key-parts.js";
import type { Link } from "./link.js";
import { sharedCache } from "./shared-caches.js";

/**
 * One provider backed by the process-wide cache of whatever its link reads now — the sharing rule
 * of env-or-profile in one place:
 *
 * - **A new provider answers from the world as it is now.** On its first call it reads its link
 *   (environment values, file identities, endpoints, the base identity of a role step…) and joins
 *   the cache for exactly that reading and its own cache options. Any number of providers that read
 *   the same world share one credential and one fetch; a provider that reads a different world (a
 *   rotated key, another `AWS_PROFILE`, an edited file, another endpoint) never gets another's
 *   credential.
 * - **An existing provider keeps its credential until its refresh window**, as the AWS SDK's do: the
 *   cached path reads nothing. From the early-refresh point on (and whenever it holds nothing, after
 *   a failure or `invalidate()`), it reads the world again — once per phase, not on every call — and
 *   may move to another cache.
 * - Concurrent first calls of one provider share one reading.
 * @internal
 */
export class SharedProvider {
  readonly #makeLink: () => Link;
  #link: Link | undefined;
  readonly #settings: CacheSettings;
  #settingsKey: string | undefined;
  #cache: CredentialCache | undefined;
  #fetch: Fetch | undefined;
  /** The credential this provider read the world for, and whether it read it in the mandatory phase. */
  #readFor: CachedCredential | undefined;
  #readMandatory = false;
  #reading: Promise<AwsCredentialIdentity> | undefined;
  /** `invalidate()` before the first call: the cache found then is invalidated. */
  #invalidateOnBind = false;
  /** A clock offset noted before the first call: told to the cache found then. */
  #offsetOnBind: number | undefined;

  constructor(makeLink: () => Link, settings: CacheSettings) {
    this.#makeLink = makeLink;
    this.#settings = settings;
  }

  /** The hot path: a fresh credential of the bound cache is its stored settled promise. */
  call(identityProperties: Record<string, unknown> | undefined): Promise<AwsCredentialIdentity> {
    const cache = this.#cache;
    if (cache !== undefined && identityProperties?.["forceRefresh"] !== true) {
      const entry = cache.current;
      if (entry !== undefined) {
        if (entry.expiresAt === undefined) return entry.settled;
        const now = this.#settings.clock.now();
        if (now < entry.refreshAt) return entry.settled;
        // Past the early-refresh point: read the world once for this credential and phase, then
        // let the cache decide (background refresh, wait, grace) without reading it again.
        if (entry === this.#readFor && now >= entry.mandatoryAt === this.#readMandatory && this.#fetch !== undefined) {
          return cache.retrieve(identityProperties, this.#fetch);
        }
      }
    }
    return this.#read(identityProperties);
  }

  /** Reads the world (one reading in flight per provider), joins the cache for it, and asks it. */
  #read(identityProperties: Record<string, unknown> | undefined): Promise<AwsCredentialIdentity> {
    const force = identityProperties?.["forceRefresh"] === true;
    if (!force && this.#reading !== undefined) return this.#reading;
    const reading = this.#readAndRetrieve(identityProperties);
    if (!force) {
      this.#reading = reading;
      const clear = (): void => {
        if (this.#reading === reading) this.#reading = undefined;
      };
      reading.then(clear, clear);
    }
    return reading;
  }

  async #readAndRetrieve(identityProperties: Record<string, unknown> | undefined): Promise<AwsCredentialIdentity> {
    const link = (this.#link ??= this.#makeLink());
    const reading = await link.read();
    const cache = await sharedCache(`${reading.key}\n${this.settingsKey()}`, this.#settings);
    if (this.#invalidateOnBind) {
      this.#invalidateOnBind = false;
      cache.invalidate();
    }
    if (this.#offsetOnBind !== undefined) {
      cache.noteClockOffset(this.#offsetOnBind);
      this.#offsetOnBind = undefined;
    }
    const fetch: Fetch = Object.assign(() => reading.fetch(), { retry: reading.retry === undefined ? undefined : resolveRetryOptions(reading.retry) });
    this.#cache = cache;
    this.#fetch = fetch;
    const identity = await cache.retrieve(identityProperties, fetch);
    const entry = cache.current;
    this.#readFor = entry;
    this.#readMandatory = entry?.expiresAt !== undefined && this.#settings.clock.now() >= entry.mandatoryAt;
    return identity;
  }

  /** The cache options as a key part: values by value, clock, randomness and logger by identity. */
  settingsKey(): string {
    return (this.#settingsKey ??= settingsKeyOf(this.#settings));
  }

  /** Forgets the shared credential (every provider sharing it fetches anew); before the first call, the one it will find. */
  invalidate(): void {
    const cache = this.#cache;
    if (cache === undefined) {
      this.#invalidateOnBind = true;
      return;
    }
    cache.invalidate();
  }

  /** The service's clock is `offsetMs` ahead of ours (see `CredentialCache.noteClockOffset`). */
  noteClockOffset(offsetMs: number): void {
    if (this.#cache === undefined) this.#offsetOnBind = offsetMs;
    else this.#cache.noteClockOffset(offsetMs);
  }

  /** The credential `identity` was rejected where it was used: forgotten if it is still the cached one. */
  reject(identity: AwsCredentialIdentity): void {
    this.#cache?.reject(identity);
  }

  /** The bound cache, for the client plugin and tests. */
  get cache(): CredentialCache | undefined {
    return this.#cache;
  }
}

/**
 * The key part of cache settings, written once per settings object: providers made without cache
 * options share one (`resolveSettings` hands them the same frozen object), so ten thousand
 * `envOrProfile()` write it once.
 */
function settingsKeyOf(settings: CacheSettings): string {
  let key = settingsKeys.get(settings);
  if (key === undefined) {
    const { clock, random, logger, ...values } = settings;
    key = `${optionsKey(values)};clock@${identityOf(clock)};random@${identityOf(random)};logger@${logger === undefined ? "-" : identityOf(logger)}`;
    settingsKeys.set(settings, key);
  }
  return key;
}

const settingsKeys = new WeakMap<CacheSettings, string>();
