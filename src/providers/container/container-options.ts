import { systemClock, type Clock } from "../../clock.js";
import { CredentialsError } from "../../errors.js";
import { checkKnownOptions } from "../../known-options.js";
import type { Logger } from "../../logger.js";
import { checkClock, checkEnvObject, checkLogger } from "../../check-runtime-options.js";
import { containerAuthorization, type ContainerAuthorization } from "./container-authorization.js";
import { CONTAINER_ENV_VARIABLES, resolveContainerSettings } from "./resolve-container-endpoint.js";

/**
 * How long one request to the container credentials endpoint may take, in milliseconds: 1 second,
 * the AWS SDK for JavaScript v3 default (`fromHttp` and `fromContainerMetadata`: `timeout ?? 1000`)
 * and botocore's (`ContainerMetadataFetcher.TIMEOUT_SECONDS = 1`).
 */
export const DEFAULT_CONTAINER_TIMEOUT_MS = 1_000;

/**
 * Attempts per refresh for failures that may heal (5xx, 429, a refused or reset connection, a
 * timeout): 3, botocore's `ContainerMetadataFetcher.RETRY_ATTEMPTS`, made by a `memoize` around the
 * link (inside `envOrProfile()`, the chain's retry policy applies: attempts are never multiplied).
 */
export const DEFAULT_CONTAINER_MAX_ATTEMPTS = 3;

/**
 * First backoff cap between attempts, in milliseconds (full jitter, doubling, capped at
 * {@link CONTAINER_RETRY_MAX_DELAY_MS}). The endpoint is local to the task or node and answers in
 * about a millisecond; the SDK waits a whole timeout between tries, we wait a jittered fraction.
 */
export const CONTAINER_RETRY_BASE_DELAY_MS = 50;

/** The longest backoff between attempts, in milliseconds. */
export const CONTAINER_RETRY_MAX_DELAY_MS = 1_000;

/** The environment the container link reads. */
export type ContainerEnv = Readonly<Record<string, string | undefined>>;

/** Options of `fromContainer`. */
export interface ContainerOptions {
  /**
   * Where `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` / `_FULL_URI` and
   * `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` / `_TOKEN` are read from, on every call (the token file
   * itself is read on every request).
   * @defaultValue `process.env`
   */
  env?: ContainerEnv;
  /** Milliseconds one request may take. @defaultValue {@link DEFAULT_CONTAINER_TIMEOUT_MS} */
  timeoutMs?: number;
  /**
   * Attempts per refresh for failures that may heal (5xx, 429, network errors, timeouts), with a
   * short jittered backoff — made by a `memoize` around this link alone (`memoize(fromContainer())`);
   * in a chain, the chain's `retry` decides. Never applied to 4xx answers or bad documents.
   * @defaultValue {@link DEFAULT_CONTAINER_MAX_ATTEMPTS}
   */
  maxAttempts?: number;
  /** Extra certificate authorities (PEM) to trust for an `https:` full URI. @defaultValue Node's bundled CAs */
  ca?: string;
  /** The clock for expiry checks. @defaultValue `systemClock` */
  clock?: Clock;
  /** Receives one debug line per decision and a warning when both URI variables are set. @defaultValue none */
  logger?: Logger;
}

/** The option keys of {@link ContainerOptions}. @internal */
export const CONTAINER_OPTION_KEYS = ["env", "timeoutMs", "maxAttempts", "ca", "clock", "logger"] as const;

/** {@link ContainerOptions} checked, with defaults applied (the environment not read yet); internal. */
export interface CheckedContainerOptions {
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly ca: string | undefined;
  readonly clock: Clock;
  readonly logger: Logger | undefined;
}

/** What one reading of the environment found; internal. */
export interface ContainerReading {
  /** The URL to ask, or `undefined` when neither URI variable is set (the link falls through). */
  readonly url: string | undefined;
  /** The variable the URL came from. */
  readonly variable: string | undefined;
  /** A refused or malformed URI: the provider fails with it, without I/O. */
  readonly configError: CredentialsError | undefined;
  /** What was set and ignored (both URIs, both tokens), for the logger and `explain`. */
  readonly notes: readonly string[];
  readonly authorization: ContainerAuthorization;
}

/** Checks `options` (a `TypeError` now for a bad one); the environment is read by {@link readContainerEnv}. */
export function checkContainerOptions(options: ContainerOptions = {}): CheckedContainerOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Expected \`options\` to be an object, got ${options === null ? "null" : typeof options}`);
  }
  checkKnownOptions(options, CONTAINER_OPTION_KEYS, "fromContainer", { random: "retries are made by `memoize`, which takes `random`" });
  checkEnvObject(options.env);
  const clock = options.clock ?? systemClock;
  checkClock(clock);
  checkLogger(options.logger);
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONTAINER_TIMEOUT_MS;
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(`Expected \`timeoutMs\` to be a positive finite number, got ${String(timeoutMs)}`);
  }
  const maxAttempts = options.maxAttempts ?? DEFAULT_CONTAINER_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) {
    throw new TypeError(`Expected \`maxAttempts\` to be an integer from 1 to 100, got ${String(maxAttempts)}`);
  }
  if (options.ca !== undefined && typeof options.ca !== "string") {
    throw new TypeError("Expected `ca` to be a PEM string");
  }
  return { timeoutMs, maxAttempts, ca: options.ca, clock, logger: options.logger };
}

/** Reads the container variables of `env` now (a bad URI is kept as `configError`, thrown when fetched). */
export function readContainerEnv(env: ContainerEnv): ContainerReading {
  const notes: string[] = [];
  let url: string | undefined;
  let variable: string | undefined;
  let configError: CredentialsError | undefined;
  try {
    const settings = resolveContainerSettings(env);
    url = settings?.url;
    variable = settings?.variable;
    if (settings?.note !== undefined) notes.push(settings.note);
  } catch (error) {
    if (!(error instanceof CredentialsError)) throw error;
    configError = error;
    variable = env[CONTAINER_ENV_VARIABLES.relativeUri] ? CONTAINER_ENV_VARIABLES.relativeUri : CONTAINER_ENV_VARIABLES.fullUri;
  }
  const { authorization, note } = containerAuthorization(env);
  if (note !== undefined) notes.push(note);
  return { url, variable, configError, notes, authorization };
}
