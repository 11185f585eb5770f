import { baseChainLink, chainEnvironment, type BaseChainOptions } from "./base-chain.js";
import type { Clock, Random } from "./clock.js";
import { checkClock, checkLogger, checkMfaCodeProvider, checkRandom } from "./check-runtime-options.js";
import { checkKnownOptions } from "./known-options.js";
import type { Logger } from "./logger.js";
import { asMemoized, memoizeLink, type JitterOptions, type MemoizedProvider, type MemoizeOptions } from "./memoize.js";
import { assumeRoleLink } from "./providers/assume-role/assume-role-link.js";
import { checkAssumeRoleOptions, roleStsLocation, type AssumeRoleOptions } from "./providers/assume-role/assume-role-options.js";
import type { ContainerOptions } from "./providers/container/from-container.js";
import type { EnvOptions } from "./providers/env.js";
import type { ImdsOptions } from "./providers/imds/from-imds.js";
import type { ProfileOptions } from "./providers/profile/from-profile.js";
import type { WebIdentityOptions } from "./providers/web-identity/from-web-identity.js";
import type { RetryOptions } from "./retry.js";
import type { Link } from "./sharing/link.js";

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
  /** Where time comes from; shared by every link. @defaultValue `systemClock` */
  clock?: Clock;
  /** Where jitter comes from. @defaultValue `Math.random` */
  random?: Random;
  /** Retries of a refresh, for failures that can heal. */
  retry?: RetryOptions;
  /** Early-refresh jitter; see {@link MemoizeOptions.jitter}. */
  jitter?: JitterOptions | false;
  /** One debug line per decision; nothing is logged by default. */
  logger?: Logger;
  /**
   * Gives the current code of an MFA device, for a profile with `mfa_serial` (unless the profile
   * has its own `mfa_process`) and for `assumeRole` with `mfaSerial` (unless it has its own).
   * Without it, a role that needs MFA fails with `MFA_REQUIRED` and no STS request is sent.
   */
  mfaCodeProvider?: (mfaSerial: string) => Promise<string>;
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
 * **Shared by what it reads; a new provider answers from the world as it is now.** On its first
 * call a provider reads what decides the answer — the environment's values (keys as numbers standing
 * for them), `AWS_PROFILE` and the profile files' identities, the web identity, container and IMDS
 * settings, the role IMDS lists, and for `assumeRole` where STS is and the base identity — and joins
 * the process-wide cache for exactly that: every `envOrProfile()` (one per SDK client is fine) that
 * reads the same world shares one credential and one fetch, and one that reads a different world
 * (rotated keys, another profile, an edited file, another endpoint) fetches its own. An existing
 * provider keeps its credential until its refresh window, as the AWS SDK's do, then reads the world
 * again; `invalidate()` drops it at once. The `env` object given (or `process.env`) is the
 * environment of every part of the chain, the AssumeRole step's STS region and endpoint included.
 *
 * Creating one is cheap (the options are checked; nothing is read) — about what the AWS SDK's
 * `fromNodeProviderChain()` costs.
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
  if (options === NO_OPTIONS) {
    return memoizeLink(defaultBaseChain, NO_OPTIONS, DEFAULT_CHAIN_NAME);
  }
  checkKnownOptions(options, ENV_OR_PROFILE_OPTION_KEYS, "envOrProfile");
  const allOff =
    options.env === false && options.profile === false && options.webIdentity === false && options.container === false && options.imds === false;
  if (allOff && options.assumeRole?.source === undefined) {
    throw new TypeError(
      "Expected at least one of `env`, `profile`, `webIdentity`, `container` and `imds` to be enabled (or `assumeRole.source` to be given)",
    );
  }
  checkClock(options.clock);
  checkRandom(options.random);
  checkLogger(options.logger);
  checkMfaCodeProvider(options.mfaCodeProvider);
  const memoOptions = memoOptionsOf(options);
  // Made (and so checked: every link's factory throws its TypeErrors) now; each link reads the
  // environment of the moment at each reading.
  const base = allOff ? undefined : baseChainLink(baseOptionsOf(options));
  const baseProvider = (): MemoizedProvider => {
    if (base === undefined) throw new TypeError("Expected a link to be enabled"); // excluded above
    return memoizeLink(() => base, memoOptions, base.name);
  };
  if (options.assumeRole === undefined) {
    return baseProvider();
  }
  const role = checkAssumeRoleOptions(options.assumeRole, "envOrProfile's `assumeRole`");
  const source = options.assumeRole.source ?? baseProvider();
  const mfaCodeProvider = options.assumeRole.mfaCodeProvider ?? options.mfaCodeProvider;
  const roleEnv = options.assumeRole.env;
  return memoizeLink(
    () =>
      assumeRoleLink(role.settings, {
        source: asMemoized(source),
        // The chain's environment is the STS call's too (region, endpoint, FIPS, dual-stack).
        location: roleStsLocation(role, roleEnv ?? chainEnvironment(options)),
        mfaCodeProvider,
        logger: options.logger,
      }),
    memoOptions,
    "assume-role",
  );
}

/** `envOrProfile()` without options: one shared object, so a provider made without any holds none of its own. */
const NO_OPTIONS: EnvOrProfileOptions = Object.freeze({});

/** The name of the default chain's cache, for logs and errors. */
const DEFAULT_CHAIN_NAME = "env-or-profile-or-web-identity-or-container-or-imds";

/**
 * The default chain's link, one for the process, made at the first `envOrProfile()` without
 * options: its links hold only their (default) options and read the world at each reading, so
 * every such provider can use the same one, and making a provider costs no links.
 */
function defaultBaseChain(): Link {
  return (defaultChain ??= baseChainLink(DEFAULT_BASE_OPTIONS));
}

let defaultChain: Link | undefined;

const DEFAULT_BASE_OPTIONS: BaseChainOptions = Object.freeze({ profile: {}, webIdentity: {}, container: {} });

/** The option keys of {@link EnvOrProfileOptions}. */
const ENV_OR_PROFILE_OPTION_KEYS = [
  "env",
  "profile",
  "webIdentity",
  "container",
  "imds",
  "assumeRole",
  "refreshWindowMs",
  "clock",
  "random",
  "retry",
  "jitter",
  "logger",
  "mfaCodeProvider",
] as const;

/** The cache options `envOrProfile` passes on. */
function memoOptionsOf(options: EnvOrProfileOptions): MemoizeOptions {
  const memoOptions: MemoizeOptions = {};
  if (options.clock !== undefined) memoOptions.clock = options.clock;
  if (options.random !== undefined) memoOptions.random = options.random;
  if (options.refreshWindowMs !== undefined) memoOptions.refreshWindowMs = options.refreshWindowMs;
  if (options.retry !== undefined) memoOptions.retry = options.retry;
  if (options.jitter !== undefined) memoOptions.jitter = options.jitter;
  if (options.logger !== undefined) memoOptions.logger = options.logger;
  return memoOptions;
}

/** What the base chain is made from: every link on unless `false` (profile, web identity and container as `{}` when not given). */
function baseOptionsOf(options: EnvOrProfileOptions): BaseChainOptions {
  return {
    env: options.env,
    profile: options.profile ?? {},
    webIdentity: options.webIdentity ?? {},
    container: options.container ?? {},
    imds: options.imds,
    clock: options.clock,
    logger: options.logger,
    mfaCodeProvider: options.mfaCodeProvider,
  };
}
