import { defaultRandom, systemClock, type Clock, type Random } from "./clock.js";
import type { Logger } from "./logger.js";
import { checkClock, checkLogger, checkRandom } from "./check-runtime-options.js";
import {
  DEFAULT_JITTER,
  DEFAULT_REFRESH_WINDOW_MS,
  checkMemoizeOptions,
  deferMemoized,
  memoize,
  type JitterOptions,
  type MemoizedProvider,
  type MemoizeOptions,
} from "./memoize.js";
import { fromAssumeRole, type AssumeRoleOptions } from "./providers/assume-role.js";
import type { ContainerOptions } from "./providers/container/from-container.js";
import type { EnvOptions } from "./providers/env.js";
import type { ImdsOptions } from "./providers/imds/from-imds.js";
import type { ProfileOptions } from "./providers/profile/from-profile.js";
import type { WebIdentityOptions } from "./providers/web-identity/from-web-identity.js";
import type { RetryOptions } from "./retry.js";
import { checkImdsOptions } from "./providers/imds/imds-options.js";
import { sharedBaseProvider, type BaseProviderOptions } from "./shared-base-provider.js";

/** Options of {@link envOrProfile}. */
export interface EnvOrProfileOptions {
  /**
   * Link 1, environment variables (`AWS_ACCESS_KEY_ID`, …); `false` to skip. Its `env` is also the
   * environment every other link reads, unless that link's own options give one.
   * @defaultValue on, reading `process.env`
   */
  env?: false | EnvOptions;
  /**
   * Link 2, an AWS profile (`AWS_PROFILE`, else `default`, from `~/.aws/config` and
   * `~/.aws/credentials`); `false` to skip. A profile named by `AWS_PROFILE` or `profile` is an
   * explicit choice: missing or broken, it stops the chain. A `profile` *option* (a name chosen in
   * code) also negates the env link's keys, as botocore's `Session(profile_name=…)` does; with
   * only `AWS_PROFILE`, env keys win (and a warning names the ignored profile).
   * @defaultValue on
   */
  profile?: false | ProfileOptions;
  /**
   * Link 3, web identity (EKS IRSA, OIDC): `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE` →
   * STS AssumeRoleWithWebIdentity; `false` to skip.
   * @defaultValue on
   */
  webIdentity?: false | WebIdentityOptions;
  /**
   * Link 4, container credentials (ECS task role: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`; EKS Pod
   * Identity: `AWS_CONTAINER_CREDENTIALS_FULL_URI` with an authorization token); `false` to skip.
   * Inside the chain it makes one attempt per refresh (`maxAttempts: 1` unless given): the chain's
   * cache does the retrying.
   * @defaultValue on
   */
  container?: false | ContainerOptions;
  /** Link 5, EC2 instance-profile credentials from IMDS; `false` to skip. @defaultValue on */
  imds?: false | ImdsOptions;
  /**
   * Then: when given, the credential from whichever link answered is used to sign an STS
   * AssumeRole for this role (with its ExternalId), and the assumed credential is what callers get.
   */
  assumeRole?: AssumeRoleOptions;
  /** Refresh this long before Expiration. @defaultValue 300_000 (five minutes) */
  refreshWindowMs?: number;
  /** Where time comes from; shared by every link. @defaultValue {@link systemClock} */
  clock?: Clock;
  /** Where jitter comes from. @defaultValue `Math.random` */
  random?: Random;
  /** Retries of a refresh, for failures that can heal. */
  retry?: RetryOptions;
  /** Early-refresh jitter; see {@link MemoizeOptions.jitter}. */
  jitter?: JitterOptions | false;
  /** One debug line per decision; nothing is logged by default. */
  logger?: Logger;
}

/**
 * Whether every option `envOrProfile` passes to the base chain is checked here, cheaply, so its
 * links can be made later (on the first call) without a `TypeError` moving there: the cache and
 * IMDS options, the clock, randomness and logger are; a profile, web identity or container link
 * with options of its own (anything but `env`) is left to its factory, called now.
 * @throws TypeError for a bad option checked here.
 */
function checkedWithoutFactories(options: EnvOrProfileOptions): boolean {
  const { clock, random, logger } = options;
  checkClock(clock);
  checkRandom(random);
  checkLogger(logger);
  if (options.refreshWindowMs !== undefined || options.retry !== undefined || options.jitter !== undefined) {
    checkMemoizeOptions({
      ...(options.refreshWindowMs === undefined ? {} : { refreshWindowMs: options.refreshWindowMs }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.jitter === undefined ? {} : { jitter: options.jitter }),
    });
  }
  if (typeof options.imds === "object" && options.imds !== null) {
    checkImdsOptions(options.imds, true);
  }
  return onlyEnv(options.env) && onlyEnv(options.profile) && onlyEnv(options.webIdentity) && onlyEnv(options.container);
}

/** Whether a link's options are absent, `false`, or an object giving at most its environment (an object). */
function onlyEnv(option: false | { env?: unknown } | undefined): boolean {
  if (option === undefined || option === false) return true;
  if (typeof option !== "object" || option === null) return false;
  for (const key in option) {
    if (key !== "env") return false;
  }
  return option.env === undefined || (typeof option.env === "object" && option.env !== null);
}

/**
 * The credential chain most apps want, BOSH's `credentials_source: env_or_profile` and the AWS SDKs'
 * default order: environment variables → an AWS profile → web identity (EKS IRSA) → container
 * credentials (ECS task role, EKS Pod Identity) → the EC2 instance profile (IMDS); then — when
 * `assumeRole` is given — STS AssumeRole with an ExternalId, signed with whichever base credential
 * resolved. Memoized until five minutes before Expiration, single-flight, with jittered retries.
 *
 * **Which link answers.** A link whose variables or files are absent falls through; a link that is
 * configured but broken (half-set keys, `AWS_PROFILE` naming a missing profile, an unreadable token
 * file, a container URI on a host that is not allowed) stops the chain with its own error, so a
 * misconfiguration never silently becomes another identity. When several are configured (env keys
 * and `AWS_PROFILE`; IRSA and Pod Identity; a container URI and an explicit IMDS endpoint), the
 * first wins and the `logger` is told once, at `warn`, which others were ignored.
 *
 * Every `envOrProfile()` made with the same options (and clock) in one process shares one cached
 * credential and one in-flight fetch, so giving each SDK client its own costs nothing. An `env`
 * object is matched by identity, never by its contents.
 *
 * **Cheap to create; the environment is read on the first call.** Like the AWS SDK's
 * `fromNodeProviderChain()`, creating one reads nothing and costs a fraction of a microsecond: on
 * its first call (or `invalidate()`) it picks the process-wide shared chain for the environment as
 * it is then — `process.env`, or the given `env` objects — and keeps it for its life. So a provider
 * made before `process.env` is set up and called after sees the final environment; a change after
 * its first call is seen by providers made (or first called) later, not by this one (the env
 * link's keys excepted: they are read on every refresh). Bad options still throw when created.
 * (With `profile`, `webIdentity` or `container` options other than `env`, the chain is picked
 * when created, so those links' own checks throw at once.)
 *
 * @param options - links to use, refresh window, clock, retry, logger.
 * @returns a provider to pass as any AWS SDK v3 client's `credentials`; it carries the SDK's
 *   `memoized` marker, so the client does not add a second cache.
 * @throws TypeError when created, for a bad option (e.g. `imds.timeoutMs`, `refreshWindowMs`,
 *   `retry`, `clock`, an invalid `assumeRole.roleArn`) or every link switched off.
 * @throws CredentialsError `CHAIN_EXHAUSTED` when no link has credentials (every link's reason
 *   listed); `ENV_INVALID` for half-set environment variables; `PROFILE_*` for a broken profile;
 *   `WEB_IDENTITY_*` for broken web identity; `CONTAINER_*` for a broken container endpoint;
 *   `IMDS_*` for a broken instance metadata service; `STS_ACCESS_DENIED` and other `STS_*` codes
 *   from AssumeRole.
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { envOrProfile } from "env-or-profile";
 *
 * const s3 = new S3Client({ region: "us-east-1", credentials: envOrProfile() });
 * ```
 * @example
 * A third party's role in another account, assumed with the ExternalId its trust policy requires
 * (`examples/cross-account-external-id.ts`):
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { envOrProfile } from "env-or-profile";
 *
 * const PARTNER_ROLE_ARN = "arn:aws:iam::123456789012:role/partner-upload";
 *
 * export function createPartnerS3Client(externalId: string): S3Client {
 *   const s3 = new S3Client({
 *     region: "us-east-1",
 *     credentials: envOrProfile({ assumeRole: { roleArn: PARTNER_ROLE_ARN, externalId } }),
 *   });
 *   return s3;
 * }
 * ```
 */
export function envOrProfile(options: EnvOrProfileOptions = NO_OPTIONS): MemoizedProvider {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Expected `options` to be an object");
  }
  const allOff =
    options.env === false && options.profile === false && options.webIdentity === false && options.container === false && options.imds === false;
  if (allOff && options.assumeRole?.source === undefined) {
    throw new TypeError(
      "Expected at least one of `env`, `profile`, `webIdentity`, `container` and `imds` to be enabled (or `assumeRole.source` to be given)",
    );
  }
  // Creating one is cheap: the shared chain is picked on the first call (the environment read and
  // the sharing key built then, once), unless a link's own options need its factory's checks now.
  const deferred = checkedWithoutFactories(options);
  if (options.assumeRole === undefined) {
    return baseChain(options, deferred);
  }
  // The shared AssumeRole cache must stop serving a credential by the time our memoize starts its
  // early (jittered) refresh, or that refresh would get the cached credential back and every caller
  // would wait on STS at exactly Expiration − window: so its window is ours plus the jitter cap.
  const jitterCapMs = options.jitter === false ? 0 : (options.jitter?.maxMs ?? DEFAULT_JITTER.maxMs);
  const assumeRole = {
    refreshWindowMs: (options.refreshWindowMs ?? DEFAULT_REFRESH_WINDOW_MS) + jitterCapMs,
    ...options.assumeRole,
    clock: options.clock ?? systemClock,
  };
  return memoize(
    fromAssumeRole({
      ...assumeRole,
      source: assumeRole.source ?? baseChain(options, deferred),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    }),
    { ...memoOptionsOf(options), name: "assume-role" },
  );
}

/** The shared base chain for `options`: picked on the first call when `deferred`, else now. */
function baseChain(options: EnvOrProfileOptions, deferred: boolean): MemoizedProvider {
  return deferred ? deferMemoized(sharedBaseProviderFor, options) : sharedBaseProviderFor(options);
}

/** The shared base chain for `options`, now. */
function sharedBaseProviderFor(options: EnvOrProfileOptions): MemoizedProvider {
  return sharedBaseProvider(baseOptionsOf(options));
}

/** `envOrProfile()` without options: one shared object, so a provider made without any holds none of its own. */
const NO_OPTIONS: EnvOrProfileOptions = Object.freeze({});

/** The cache options `envOrProfile` passes on (built by assignment: spreading empty objects is slow in V8). */
function memoOptionsOf(options: EnvOrProfileOptions): MemoizeOptions {
  const memoOptions: MemoizeOptions = { clock: options.clock ?? systemClock, random: options.random ?? defaultRandom };
  if (options.refreshWindowMs !== undefined) memoOptions.refreshWindowMs = options.refreshWindowMs;
  if (options.retry !== undefined) memoOptions.retry = options.retry;
  if (options.jitter !== undefined) memoOptions.jitter = options.jitter;
  if (options.logger !== undefined) memoOptions.logger = options.logger;
  return memoOptions;
}

/** What the base chain is made from: every link on unless `false` (profile, web identity and container as `{}` when not given). */
function baseOptionsOf(options: EnvOrProfileOptions): BaseProviderOptions {
  const base: BaseProviderOptions = memoOptionsOf(options);
  base.env = options.env;
  base.profile = options.profile ?? {};
  base.webIdentity = options.webIdentity ?? {};
  base.container = options.container ?? {};
  base.imds = options.imds;
  return base;
}
