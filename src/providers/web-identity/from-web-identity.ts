import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { defaultRandom, systemClock, type Clock, type Random } from "../../clock.js";
import { CredentialsError, describeError, redactKeyId } from "../../errors.js";
import { checkRandom } from "../../check-runtime-options.js";
import { log, type Logger } from "../../logger.js";
import { DEFAULT_JITTER, DEFAULT_REFRESH_WINDOW_MS, RETRIES_INSIDE } from "../../memoize.js";
import { DEFAULT_RETRY_OPTIONS, withRetry } from "../../retry.js";
import { readWebIdentityToken, type WebIdentityToken } from "./read-web-identity-token.js";
import { sharedWebIdentityCache, webIdentityCacheKey } from "./web-identity-cache.js";
import { resolveWebIdentitySettings, type WebIdentitySettings } from "./web-identity-settings.js";

export { WEB_IDENTITY_ENV_VARIABLES } from "./web-identity-settings.js";

/** The STS region when neither the option nor `AWS_REGION`/`AWS_DEFAULT_REGION` names one (the SDK's choice too). */
export const DEFAULT_WEB_IDENTITY_REGION = "us-east-1";

/**
 * Attempts per refresh: the AWS SDK's standard retry strategy makes 3 (smithy
 * `StandardRetryStrategy`), with full-jitter backoff from {@link DEFAULT_RETRY_OPTIONS}.
 */
export const DEFAULT_WEB_IDENTITY_MAX_ATTEMPTS = 3;

/**
 * Deadline of one AssumeRoleWithWebIdentity (connect, answer, and the whole call). The SDK has
 * none by default; STS answers in well under a second, but it verifies the token against the
 * IdP's keys first, and 10 s leaves room for that and a cold TLS handshake (as AssumeRole's).
 */
export const DEFAULT_WEB_IDENTITY_TIMEOUT_MS = 10_000;

/**
 * A credential stops being served this long before its expiration: `memoize`'s default window
 * (5 min) plus its jitter cap (5 min), so a `memoize` around this provider that starts its early
 * refresh gets a new credential, not this one back (the same rule as AssumeRole's).
 */
export const DEFAULT_WEB_IDENTITY_REFRESH_WINDOW_MS = DEFAULT_REFRESH_WINDOW_MS + DEFAULT_JITTER.maxMs;

/**
 * How long a rejection (AccessDenied, an invalid, expired or rejected token) is remembered for the
 * same token, so a storm of callers makes one request. Short, so a fixed trust policy is seen
 * quickly; a rotated token is a new entry and is tried at once.
 */
export const DEFAULT_WEB_IDENTITY_NEGATIVE_CACHE_MS = 5_000;

/** Options of {@link fromWebIdentity}. Options win over the environment. */
export interface WebIdentityOptions {
  /** The role to assume (every AWS partition). @defaultValue `AWS_ROLE_ARN` */
  roleArn?: string;
  /**
   * The file holding the OIDC token; read afresh on every refresh (EKS rotates it).
   * @defaultValue `AWS_WEB_IDENTITY_TOKEN_FILE`
   */
  webIdentityTokenFile?: string;
  /**
   * The session name, shown in CloudTrail and the assumed role's ARN; 2–64 of `[\w+=,.@-]`.
   * @defaultValue `AWS_ROLE_SESSION_NAME`, else `env-or-profile@<host name>` (stable per host)
   */
  roleSessionName?: string;
  /** Lifetime asked of STS, 900–43200 s. @defaultValue not sent: STS's default, one hour */
  durationSeconds?: number;
  /** STS region. @defaultValue `AWS_REGION`, else `AWS_DEFAULT_REGION`, else {@link DEFAULT_WEB_IDENTITY_REGION} */
  region?: string;
  /** An STS URL, e.g. a local emulator. @defaultValue `AWS_ENDPOINT_URL_STS`, else the SDK's regional endpoint */
  endpoint?: string;
  /** Where the variables are read, when the provider is created. @defaultValue `process.env` */
  env?: Readonly<Record<string, string | undefined>>;
  /** Decides freshness. @defaultValue {@link systemClock} */
  clock?: Clock;
  /** Jitter of the retry backoff. @defaultValue `Math.random` */
  random?: Random;
  /** One debug line per decision (read the token, asked STS, served cached, failed). */
  logger?: Logger;
  /** Attempts per refresh for failures that can heal (5xx, throttling, network, IdP unreachable). @defaultValue {@link DEFAULT_WEB_IDENTITY_MAX_ATTEMPTS} */
  maxAttempts?: number;
  /** Deadline of one STS call in ms. @defaultValue {@link DEFAULT_WEB_IDENTITY_TIMEOUT_MS} */
  timeoutMs?: number;
  /** Serve a credential until `expiration − refreshWindowMs`. @defaultValue {@link DEFAULT_WEB_IDENTITY_REFRESH_WINDOW_MS} (10 min) */
  refreshWindowMs?: number;
  /** How long a rejection is remembered for the same token; 0 turns it off. @defaultValue {@link DEFAULT_WEB_IDENTITY_NEGATIVE_CACHE_MS} */
  negativeCacheMs?: number;
}

let stsCallModule: Promise<typeof import("./sts-call.js")> | undefined;

function loadStsCall(): Promise<typeof import("./sts-call.js")> {
  stsCallModule ??= import("./sts-call.js").catch((error: unknown) => {
    stsCallModule = undefined;
    throw error;
  });
  return stsCallModule;
}

/**
 * Web identity (EKS IRSA, any OIDC federation): reads the token in `AWS_WEB_IDENTITY_TOKEN_FILE`
 * and exchanges it for the credentials of `AWS_ROLE_ARN` with STS AssumeRoleWithWebIdentity
 * (unsigned: the token is the proof). The AWS SDK's STS client is loaded on the first exchange.
 *
 * - **Which link answers**: neither variable (nor option) set → `WEB_IDENTITY_NOT_SET`, falling
 *   through (`tryNextLink: true`), with no I/O. Only one of them, a malformed value, or a token file
 *   that is missing, empty or unreadable → an error naming the variable that stops the chain.
 * - **Validated up front**: a malformed option throws a `TypeError` from `fromWebIdentity`; the
 *   role ARN is checked (every AWS partition) before any request.
 * - **Rotation**: the token file is read again on every refresh. Results are shared process-wide,
 *   keyed by role, session, duration, region, endpoint and a SHA-256 of the token — so a rotated
 *   token is a new entry, and the key never holds the token. Any number of providers and concurrent
 *   callers make one request per token.
 * - **Cached**: a credential is served from memory (no I/O) until 10 minutes before it expires;
 *   callers share one object while it is fresh, as with `memoize`. The provider carries the SDK's
 *   `memoized` marker, so a client adds no second cache of its own.
 * - **Retries** what can heal (5xx, throttling, network, timeouts, `IDPCommunicationError`) with
 *   full-jitter backoff; each STS call has a deadline.
 * - **Secrets**: the token, and the issued secret and session token, never appear in a message, a
 *   log line or an error's cause, even when a server echoes them.
 *
 * @param options - role, token file, session name, STS region/endpoint; see {@link WebIdentityOptions}.
 * @returns a provider of the role's temporary credentials (with `accountId` from the role ARN).
 * @throws TypeError from `fromWebIdentity` when an option is invalid (message names the option).
 * @throws CredentialsError from the provider: `WEB_IDENTITY_NOT_SET` (falls through);
 *   `WEB_IDENTITY_INVALID` (half set or malformed variable), `WEB_IDENTITY_TOKEN_UNREADABLE`,
 *   `WEB_IDENTITY_TOKEN_EMPTY`, `WEB_IDENTITY_TOKEN_INVALID` (InvalidIdentityToken),
 *   `WEB_IDENTITY_TOKEN_EXPIRED` (the token file is stale), `WEB_IDENTITY_IDP_REJECTED`,
 *   `STS_ACCESS_DENIED` (the trust policy), `STS_BAD_RESPONSE` — not retryable; and
 *   `WEB_IDENTITY_IDP_ERROR`, `STS_THROTTLED`, `STS_ERROR` (5xx, network, timeout) — retryable.
 *   None of these but the first falls through a chain.
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromWebIdentity, memoize } from "env-or-profile";
 *
 * // On EKS with IRSA, AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are set for the pod.
 * const s3 = new S3Client({ region: "eu-west-1", credentials: memoize(fromWebIdentity()) });
 * ```
 * @example
 * Explicit options (they win over the environment):
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromWebIdentity } from "env-or-profile";
 *
 * const s3 = new S3Client({
 *   region: "eu-west-1",
 *   credentials: fromWebIdentity({
 *     roleArn: "arn:aws:iam::123456789012:role/app",
 *     webIdentityTokenFile: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
 *     roleSessionName: "my-app",
 *   }),
 * });
 * ```
 */
export function fromWebIdentity(options: WebIdentityOptions = {}): AwsCredentialIdentityProvider {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Expected `options` to be an object");
  }
  checkRandom(options.random);
  const resolved = resolveWebIdentitySettings(options, {
    region: DEFAULT_WEB_IDENTITY_REGION,
    timeoutMs: DEFAULT_WEB_IDENTITY_TIMEOUT_MS,
    maxAttempts: DEFAULT_WEB_IDENTITY_MAX_ATTEMPTS,
    refreshWindowMs: DEFAULT_WEB_IDENTITY_REFRESH_WINDOW_MS,
    negativeCacheMs: DEFAULT_WEB_IDENTITY_NEGATIVE_CACHE_MS,
  });
  const logger = options.logger;
  if (resolved.kind !== "ok") {
    const { error } = resolved;
    return markRetriesInside(() => {
      log(logger, "debug", `web-identity: ${error.tryNextLink ? "not configured" : "misconfigured"}: ${error.message}`);
      return Promise.reject(error);
    });
  }
  return markRetriesInside(createProvider(resolved.settings, options.clock ?? systemClock, options.random ?? defaultRandom, logger));
}

/** A fresh credential and the promise handed to every caller until `freshUntil`. */
interface Served {
  readonly settled: Promise<AwsCredentialIdentity>;
  readonly freshUntil: number;
}

function createProvider(settings: WebIdentitySettings, clock: Clock, random: Random, logger: Logger | undefined): AwsCredentialIdentityProvider {
  const cache = sharedWebIdentityCache(clock);
  const endpointLabel = settings.endpoint ?? `the ${settings.region} regional STS endpoint`;
  let callSts: ((token: WebIdentityToken) => Promise<AwsCredentialIdentity>) | undefined;
  let served: Served | undefined;
  let inFlight: Promise<AwsCredentialIdentity> | undefined;

  /** One AssumeRoleWithWebIdentity, retried while it can heal. */
  const exchange = (token: WebIdentityToken): Promise<AwsCredentialIdentity> =>
    withRetry(
      async () => {
        callSts ??= (await loadStsCall()).createWebIdentityStsCall(settings, endpointLabel);
        return callSts(token);
      },
      {
        retry: { ...DEFAULT_RETRY_OPTIONS, retries: settings.maxAttempts - 1 },
        random,
        onRetry: ({ retry, delayMs, error }) =>
          log(logger, "debug", `web-identity: ${describeError(error)}; attempt ${retry + 1} of ${settings.maxAttempts} in ${delayMs} ms`),
      },
    );

  /** Reads the token afresh and gets its credential from the shared cache (or STS). */
  const refresh = async (): Promise<AwsCredentialIdentity> => {
    try {
      const token = await readWebIdentityToken(settings.webIdentityTokenFile, settings.tokenFileFrom);
      const { credential, outcome } = await cache.resolve(webIdentityCacheKey(settings, token), () => exchange(token), {
        refreshWindowMs: settings.refreshWindowMs,
        rememberFailureMs: (error) => (isRemembered(error) ? settings.negativeCacheMs : 0),
      });
      const expiresAt = credential.expiration?.getTime() ?? Number.NaN;
      const freshUntil = expiresAt - settings.refreshWindowMs;
      const copy = { ...credential, ...(credential.expiration === undefined ? {} : { expiration: new Date(expiresAt) }) };
      served = clock.now() < freshUntil ? { settled: Promise.resolve(copy), freshUntil } : undefined;
      log(
        logger,
        "debug",
        `web-identity: ${outcome === "hit" ? "served cached" : outcome === "joined" ? "joined the in-flight exchange for" : "assumed"} ` +
          `${settings.roleArn} (${redactKeyId(credential.accessKeyId)}) with the token in ${settings.webIdentityTokenFile}, ` +
          `expires ${credential.expiration?.toISOString() ?? "never"}`,
      );
      return copy;
    } catch (error) {
      log(logger, "debug", `web-identity: ${settings.roleArn} failed: ${describeError(error)}`);
      throw error;
    }
  };

  return () => {
    if (served !== undefined && clock.now() < served.freshUntil) {
      return served.settled;
    }
    // Concurrent callers of this provider share one refresh (one file read, one cache lookup).
    inFlight ??= refresh().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}

/** Rejections STS will repeat for the same token are remembered briefly; anything retryable is not. */
function isRemembered(error: unknown): boolean {
  return (
    error instanceof CredentialsError &&
    !error.retryable &&
    (error.code === "STS_ACCESS_DENIED" ||
      error.code === "WEB_IDENTITY_TOKEN_INVALID" ||
      error.code === "WEB_IDENTITY_TOKEN_EXPIRED" ||
      error.code === "WEB_IDENTITY_IDP_REJECTED")
  );
}

/**
 * Tells a layer above (AssumeRole's base handling) that this provider retries its own failures,
 * and an AWS SDK client that it caches by itself (`memoized`), so the client adds no second cache.
 */
function markRetriesInside(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  Object.defineProperty(provider, RETRIES_INSIDE, { value: true, enumerable: false });
  // Writable, as on the SDK's own providers: its ESM build (strict code) assigns `memoized = true`.
  Object.defineProperty(provider, "memoized", { value: true, enumerable: true, writable: true });
  return provider;
}
