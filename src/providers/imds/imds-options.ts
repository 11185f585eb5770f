import { defaultRandom, systemClock, type Clock, type Random } from "../../clock.js";
import { isTrue } from "../../config-value.js";
import { CredentialsError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import { checkClock, checkEnvObject, checkLogger, checkRandom } from "../../check-runtime-options.js";
import { DEFAULT_MAX_RESPONSE_BYTES } from "../http-credentials/http-request.js";
import { LINK_VARIABLES } from "../../sharing/link-variables.js";
import type { ImdsFileSettings } from "./imds-file-settings.js";
import { imdsSetting, resolveImdsEndpoint } from "./resolve-endpoint.js";
import { isValidRoleName } from "./parse-role-name.js";

/**
 * How long one IMDS request may take, in milliseconds. 1 second, the default of the AWS SDKs and
 * botocore (`AWS_METADATA_SERVICE_TIMEOUT`, "Default: 1"):
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-credentials.html
 */
export const DEFAULT_IMDS_TIMEOUT_MS = 1_000;

/**
 * The IMDSv2 session token lifetime asked for, in seconds: 21600 (6 hours), the maximum IMDS
 * accepts and the AWS SDK default:
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
 */
export const DEFAULT_IMDS_TOKEN_TTL_SECONDS = 21_600;

/** The largest token lifetime IMDS accepts, in seconds (6 hours); see {@link DEFAULT_IMDS_TOKEN_TTL_SECONDS}. */
export const MAX_IMDS_TOKEN_TTL_SECONDS = 21_600;

/**
 * The largest IMDS response body read, in bytes: 64 KiB, the shared credentials-endpoint cap. A
 * credentials document is under 2 KiB; anything far larger is not IMDS, and is never buffered
 * past this cap.
 */
export const DEFAULT_IMDS_MAX_RESPONSE_BYTES = DEFAULT_MAX_RESPONSE_BYTES;

/**
 * How long a static-stability extension lasts at least, in milliseconds: 5 minutes, plus a random
 * share of {@link STATIC_STABILITY_JITTER_MS}. Same as the AWS SDK v3
 * (`@smithy/credential-provider-imds`, `getExtendedInstanceMetadataCredentials`: 5–10 minutes).
 */
export const STATIC_STABILITY_MIN_EXTENSION_MS = 5 * 60_000;

/** The random part of a static-stability extension: up to 5 more minutes (AWS SDK v3, as above). */
export const STATIC_STABILITY_JITTER_MS = 5 * 60_000;

/**
 * After a definite "no IMDS here" (connection refused, no route, or nothing answering within the
 * timeout), every provider on that endpoint fails at once, without I/O, for this long plus a random
 * share of {@link IMDS_COOL_DOWN_JITTER_MS}: 15–30 seconds. Our own number: long enough that a hot
 * loop off EC2 does not pay the timeout on every call, short enough that an instance whose IMDS
 * comes up late (early boot) is found within half a minute.
 */
export const IMDS_COOL_DOWN_MS = 15_000;

/** The random part of the cool-down; see {@link IMDS_COOL_DOWN_MS}. */
export const IMDS_COOL_DOWN_JITTER_MS = 15_000;

/**
 * First backoff step between attempts of a refresh made with `maxAttempts`, in milliseconds (full
 * jitter, doubling, capped at {@link IMDS_RETRY_MAX_DELAY_MS}). Kept short: IMDS is local and
 * answers in about a millisecond.
 */
export const IMDS_RETRY_BASE_DELAY_MS = 50;

/** The longest backoff between attempts of a refresh made with `maxAttempts`, in milliseconds. */
export const IMDS_RETRY_MAX_DELAY_MS = 1_000;

/** Environment variables read by {@link ImdsOptions} defaults (same names as the AWS SDKs and CLI). */
export type ImdsEnv = Readonly<Record<string, string | undefined>>;

/**
 * Options for `fromImds` and `readInstanceProfile`. Every option wins over its environment
 * variable. The environment (`env`, else `process.env`) is read on every call; options are checked
 * when the provider is created.
 */
export interface ImdsOptions {
  /**
   * The IMDS base URL, e.g. `http://169.254.169.254` or an emulator's `endpoint`.
   * @defaultValue `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else `http://169.254.169.254`, or
   * `http://[fd00:ec2::254]` when `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` is `IPv6`.
   */
  endpoint?: string;
  /**
   * Milliseconds one request may take. When nothing answers at all, the whole resolution (token
   * request and IMDSv1 fallback together) takes at most this long — counted while this process
   * was listening: time our own event loop spent blocked (start-up work, a big synchronous job)
   * is not held against IMDS, up to twice the budget.
   * @defaultValue `AWS_METADATA_SERVICE_TIMEOUT` (seconds) × 1000, else {@link DEFAULT_IMDS_TIMEOUT_MS}
   */
  timeoutMs?: number;
  /**
   * Attempts per refresh for failures that may heal (5xx, 429, reset connections), with a short
   * jittered backoff, made by the `memoize` around the link when it was given no `retry` of its own.
   * Never applied to "no IMDS here" or to 4xx answers.
   * @defaultValue `AWS_METADATA_SERVICE_NUM_ATTEMPTS`, else `memoize`'s retry (3 attempts)
   */
  maxAttempts?: number;
  /**
   * Whether to fall back to IMDSv1 (no token) when the token request is refused (403, 404, 405) or
   * goes unanswered while a plain GET works (a container behind a hop limit of 1). Such a verdict
   * is shared on the endpoint for a minute, then a token is asked for again; a provider with
   * `false` never takes it and always asks for a token itself.
   * @defaultValue `true`, unless `AWS_EC2_METADATA_V1_DISABLED` is `true`
   */
  allowImdsV1?: boolean;
  /**
   * Lifetime asked for the IMDSv2 token, in seconds, 1 to 21600. The token is cached for this long
   * (less a safety margin) and shared by every provider on the same endpoint.
   * @defaultValue {@link DEFAULT_IMDS_TOKEN_TTL_SECONDS}
   */
  tokenTtlSeconds?: number;
  /** The instance profile's role name; skips discovery. @defaultValue discovered from IMDS */
  roleName?: string;
  /** The clock for token lifetimes, expiry checks and the cool-down. @defaultValue `systemClock` */
  clock?: Clock;
  /** Randomness for jitter (backoff, cool-down, static stability). @defaultValue `defaultRandom` */
  random?: Random;
  /** Receives one debug line per decision and a warning under static stability. @defaultValue none */
  logger?: Logger;
  /**
   * When a refresh fails and a credential was fetched before, return that credential with its
   * expiration pushed 5–10 minutes past now, and warn. The AWS SDK's "static stability" for IMDS
   * outages; opt-in here because it hands out a credential past its IMDS expiration.
   * @defaultValue `false`
   */
  staticStability?: boolean;
  /**
   * The environment to read the `AWS_EC2_METADATA_*` and `AWS_METADATA_SERVICE_*` variables from, on
   * every call.
   * @defaultValue `process.env`
   */
  env?: ImdsEnv;
  /**
   * The AWS profile whose IMDS settings apply — `ec2_metadata_v1_disabled`,
   * `ec2_metadata_service_endpoint`, `ec2_metadata_service_endpoint_mode`, `metadata_service_timeout`,
   * `metadata_service_num_attempts`, in `AWS_CONFIG_FILE` / `~/.aws/config` (then
   * `AWS_SHARED_CREDENTIALS_FILE` / `~/.aws/credentials`) — each weighing less than its environment
   * variable and its option, as in the AWS SDKs. Read on every call, after two `stat`s (the files are
   * parsed only when one exists, and once per version of them). `false`: read no file.
   * @defaultValue `AWS_PROFILE`, else `default` (inside a profile, or a chain given a profile: that one)
   */
  profile?: string | false;
}

/** The option keys of {@link ImdsOptions}. @internal */
export const IMDS_OPTION_KEYS = [
  "endpoint",
  "timeoutMs",
  "maxAttempts",
  "allowImdsV1",
  "tokenTtlSeconds",
  "roleName",
  "clock",
  "random",
  "logger",
  "staticStability",
  "env",
  "profile",
] as const;

/** {@link ImdsOptions} with every default applied; internal. */
export interface ResolvedImdsOptions {
  /** Set when `AWS_EC2_METADATA_DISABLED=true`: the provider fails without I/O. */
  readonly disabled: boolean;
  /** An invalid environment variable: the provider fails with it when called. */
  readonly configError: CredentialsError | undefined;
  readonly endpoint: string;
  readonly timeoutMs: number;
  /** Set by the option or `AWS_METADATA_SERVICE_NUM_ATTEMPTS`; otherwise `memoize` decides. */
  readonly maxAttempts: number | undefined;
  readonly allowImdsV1: boolean;
  /**
   * What turned IMDSv1 off, for the error message: the option, the variable, or the profile's
   * setting (as `` `ec2_metadata_v1_disabled` in [profile x] of /path ``).
   */
  readonly v1DisabledBy: "option" | "env" | { readonly where: string } | undefined;
  readonly tokenTtlSeconds: number;
  readonly roleName: string | undefined;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger | undefined;
  readonly staticStability: boolean;
}

/**
 * Throws when the IMDS link may not be used at all: turned off by `AWS_EC2_METADATA_DISABLED=true`
 * (`IMDS_DISABLED`, falls through, no I/O) or misconfigured by an environment variable.
 */
export function assertImdsUsable(config: ResolvedImdsOptions): void {
  if (config.disabled) {
    throw new CredentialsError("IMDS is turned off by AWS_EC2_METADATA_DISABLED=true", {
      source: "imds",
      code: "IMDS_DISABLED",
      tryNextLink: true,
    });
  }
  if (config.configError !== undefined) throw config.configError;
}

/** The environment variables the IMDS link reads. */
export const IMDS_ENV_VARIABLES = LINK_VARIABLES.imds;

/**
 * Checks `options` without reading any environment: a `TypeError` for a bad one. `fromImds` calls
 * it when the provider is created, so a bad option fails at once even though `process.env` is only
 * read on the first call.
 * @param options - the options to check.
 * @param checkEndpoint - whether to check that `endpoint` is an `http:` URL too.
 * @throws TypeError naming the first invalid option.
 */
export function checkImdsOptions(options: ImdsOptions, checkEndpoint: boolean): void {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Expected \`options\` to be an object, got ${typeof options}`);
  }
  const { env, clock, random, logger } = options;
  checkEnvObject(env);
  checkClock(clock);
  checkRandom(random);
  checkLogger(logger);
  checkOptionalBoolean("allowImdsV1", options.allowImdsV1);
  checkOptionalBoolean("staticStability", options.staticStability);
  if (options.profile !== undefined && options.profile !== false && !(typeof options.profile === "string" && /^[\x21-\x5a\x5c\x5e-\x7e]{1,128}$/.test(options.profile))) {
    throw new TypeError(`Expected \`profile\` to be a profile name or false, got ${show(options.profile)}`);
  }

  if (options.timeoutMs !== undefined && !(isFiniteNumber(options.timeoutMs) && options.timeoutMs > 0)) {
    throw new TypeError(`Expected \`timeoutMs\` to be a positive finite number, got ${show(options.timeoutMs)}`);
  }
  if (options.maxAttempts !== undefined && !(Number.isInteger(options.maxAttempts) && options.maxAttempts >= 1)) {
    throw new TypeError(`Expected \`maxAttempts\` to be an integer ≥ 1, got ${show(options.maxAttempts)}`);
  }
  const ttl = options.tokenTtlSeconds;
  if (ttl !== undefined && !(Number.isInteger(ttl) && ttl >= 1 && ttl <= MAX_IMDS_TOKEN_TTL_SECONDS)) {
    throw new TypeError(
      `Expected \`tokenTtlSeconds\` to be an integer from 1 to ${MAX_IMDS_TOKEN_TTL_SECONDS}, got ${show(ttl)}`,
    );
  }
  if (options.roleName !== undefined && !isValidRoleName(options.roleName)) {
    throw new TypeError(
      `Expected \`roleName\` to be an IAM role name (1–64 of letters, digits and +=,.@_-, not "." or ".."), got ${show(options.roleName)}`,
    );
  }
  if (checkEndpoint && options.endpoint !== undefined) {
    resolveImdsEndpoint({ endpoint: options.endpoint, env: NO_ENV }); // a TypeError for a bad URL
  }
}

/** An empty environment, for checks that must not read one. */
const NO_ENV: ImdsEnv = Object.freeze({});

/**
 * Snapshots the environment for `options` (checked by the caller with `checkImdsOptions`, once,
 * when its provider is made — not at every reading): a bad variable is kept as `configError` and
 * reported when the provider is called, as a `CredentialsError` with code `CONFIG_INVALID`. Each
 * setting is the option, else its variable, else the selected profile's key (`file`, read by the
 * link: see `readImdsFileSettings`).
 */
export function resolveImdsOptions(options: ImdsOptions = {}, file: ImdsFileSettings = {}): ResolvedImdsOptions {
  const env = snapshotEnv(options.env ?? process.env);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? defaultRandom;
  const ttl = options.tokenTtlSeconds;

  const errors: string[] = file.problem === undefined ? [] : [file.problem];
  let endpoint = "";
  try {
    endpoint = resolveImdsEndpoint({ ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }), env, file });
  } catch (error) {
    if (error instanceof TypeError) throw error; // a bad option: fail now
    errors.push(error instanceof Error ? error.message : String(error));
  }

  let timeoutMs = options.timeoutMs;
  const timeout = timeoutMs === undefined ? imdsSetting(env, "AWS_METADATA_SERVICE_TIMEOUT", file.timeout) : undefined;
  if (timeout !== undefined) {
    const seconds = Number(timeout.value);
    if (Number.isFinite(seconds) && seconds > 0) timeoutMs = seconds * 1000;
    else errors.push(`${timeout.label} must be a positive number of seconds, got ${show(timeout.value)}`);
  }
  let maxAttempts = options.maxAttempts;
  const attempts = maxAttempts === undefined ? imdsSetting(env, "AWS_METADATA_SERVICE_NUM_ATTEMPTS", file.numAttempts) : undefined;
  if (attempts !== undefined) {
    const count = Number(attempts.value);
    if (Number.isInteger(count) && count >= 1) maxAttempts = count;
    else errors.push(`${attempts.label} must be an integer ≥ 1, got ${show(attempts.value)}`);
  }

  let v1DisabledBy: ResolvedImdsOptions["v1DisabledBy"];
  if (options.allowImdsV1 !== undefined) {
    v1DisabledBy = options.allowImdsV1 ? undefined : "option";
  } else {
    // As the SDKs read it: the variable when set (even to "false"), else the profile's key.
    const v1 = imdsSetting(env, "AWS_EC2_METADATA_V1_DISABLED", file.v1Disabled);
    if (v1 !== undefined) {
      const text = v1.value.toLowerCase();
      if (text === "true") v1DisabledBy = v1.label === "AWS_EC2_METADATA_V1_DISABLED" ? "env" : { where: v1.label };
      else if (text !== "false") errors.push(`${v1.label} must be true or false, got ${show(v1.value)}`);
    }
  }

  return {
    disabled: isTrue(env["AWS_EC2_METADATA_DISABLED"]),
    configError:
      errors.length === 0
        ? undefined
        : new CredentialsError(`IMDS is misconfigured: ${errors.join("; ")}`, {
            source: "imds",
            code: "CONFIG_INVALID",
            tryNextLink: false,
          }),
    endpoint,
    timeoutMs: timeoutMs ?? DEFAULT_IMDS_TIMEOUT_MS,
    maxAttempts,
    allowImdsV1: v1DisabledBy === undefined,
    v1DisabledBy,
    tokenTtlSeconds: ttl ?? DEFAULT_IMDS_TOKEN_TTL_SECONDS,
    roleName: options.roleName,
    clock,
    random,
    logger: options.logger,
    staticStability: options.staticStability ?? false,
  };
}

function snapshotEnv(env: ImdsEnv): ImdsEnv {
  if (typeof env !== "object" || env === null) {
    throw new TypeError("Expected `env` to be an object of environment variables");
  }
  const copy: Record<string, string | undefined> = {};
  for (const key of IMDS_ENV_VARIABLES) {
    const value = env[key];
    if (typeof value === "string") copy[key] = value;
  }
  return Object.freeze(copy);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function checkOptionalBoolean(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== "boolean") {
    throw new TypeError(`Expected \`${name}\` to be a boolean, got ${show(value)}`);
  }
}

/** Shows a bad option value, short; option values here are never secrets. */
function show(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
