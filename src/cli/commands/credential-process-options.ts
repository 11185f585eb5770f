/*
 * What both paths of credential-process share — the warm one in main.js (a cache hit, nothing else
 * loaded) and the full one (the chain): its settings, its output and its logger. Nothing here may
 * import the library's core chunk; see main.ts.
 */
import type { AwsCredentialIdentity } from "@smithy/types";
import type { Logger } from "../../logger.js";
import type { CliIo } from "../cli-io.js";
import { UsageError } from "../usage-error.js";

/**
 * The JSON the AWS CLI and SDKs expect from a `credential_process` (version 1): see "Sourcing
 * credentials with an external process" in the AWS CLI User Guide.
 */
export interface CredentialProcessOutput {
  Version: 1;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken?: string;
  /** ISO 8601; absent for keys that do not expire (the caller then never refreshes). */
  Expiration?: string;
}

/**
 * botocore's advisory refresh window: a credential with less than 15 minutes left is refreshed —
 * for `credential_process`, the process is run again — before every API call
 * (`_DEFAULT_ADVISORY_REFRESH_TIMEOUT = 15 * 60` in botocore/credentials.py; the AWS CLI v2 and
 * boto3 share it).
 */
export const BOTOCORE_ADVISORY_REFRESH_SECONDS = 15 * 60;

/**
 * Default refresh window of credential-process's cache: botocore's 15 minutes plus a 5-minute
 * margin (`memoize`'s default window, for clock skew and a slow first call), so what is printed is
 * never already inside botocore's window when a fresher credential can be had.
 */
export const DEFAULT_CREDENTIAL_PROCESS_REFRESH_WINDOW_SECONDS = BOTOCORE_ADVISORY_REFRESH_SECONDS + 5 * 60;

/** Stands in for `--refresh-window` (the flag wins). */
export const REFRESH_WINDOW_ENV = "ENV_OR_PROFILE_REFRESH_WINDOW_SECONDS";

/** Turns the cache's debug lines on (to stderr). */
export const DEBUG_ENV = "ENV_OR_PROFILE_DEBUG";

type Flags = Readonly<Record<string, string | boolean | undefined>>;

/** `--refresh-window` or its variable, in whole seconds (0 to 43200, the longest role session). */
export function readRefreshWindow(flags: Flags, env: Readonly<Record<string, string | undefined>>): number {
  const fromFlag = flags["refresh-window"];
  const fromEnv = env[REFRESH_WINDOW_ENV];
  const [text, from] =
    typeof fromFlag === "string" ? [fromFlag, "--refresh-window"] : fromEnv !== undefined && fromEnv !== "" ? [fromEnv, REFRESH_WINDOW_ENV] : [undefined, ""];
  if (text === undefined) {
    return DEFAULT_CREDENTIAL_PROCESS_REFRESH_WINDOW_SECONDS;
  }
  const seconds = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(seconds <= 43_200)) {
    throw new UsageError(`${from} must be a whole number of seconds (0 to 43200), got ${JSON.stringify(text.slice(0, 20))}`, "credential-process");
  }
  return seconds;
}

/** `--profile`, when given. */
export function profileFlag(flags: Flags): string | undefined {
  const profile = flags["profile"];
  return typeof profile === "string" ? profile : undefined;
}

/** `--no-profile`: the chain without its profile link. */
export function noProfileFlag(flags: Flags): boolean {
  return flags["no-profile"] === true;
}

/**
 * Whether this run may use the cache: not with `--no-cache` or `--print-config`, and not for keys
 * in the environment with no role and no profile (nothing to fetch, so nothing to keep, and no
 * reason to put those secrets on disk). `ENV_OR_PROFILE_CACHE=off` is judged by the cache itself.
 */
export function usesCache(flags: Flags, hasRole: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  const envKeys = nonEmpty(env["AWS_ACCESS_KEY_ID"]) && nonEmpty(env["AWS_SECRET_ACCESS_KEY"]);
  return flags["no-cache"] !== true && flags["print-config"] !== true && !(envKeys && !hasRole && profileFlag(flags) === undefined);
}

function nonEmpty(value: string | undefined): boolean {
  return value !== undefined && value !== "";
}

/** The credential as one line of `credential_process` JSON. */
export function credentialProcessJson(credential: AwsCredentialIdentity): string {
  const output: CredentialProcessOutput = {
    Version: 1,
    AccessKeyId: credential.accessKeyId,
    SecretAccessKey: credential.secretAccessKey,
    ...(credential.sessionToken === undefined ? {} : { SessionToken: credential.sessionToken }),
    ...(credential.expiration === undefined ? {} : { Expiration: credential.expiration.toISOString() }),
  };
  return `${JSON.stringify(output)}\n`;
}

/** Cache warnings always go to stderr; its debug lines only with `ENV_OR_PROFILE_DEBUG` set. */
export function cliLogger(io: CliIo): Logger {
  const debug = io.env[DEBUG_ENV];
  return {
    warn: (line) => io.stderr(`${line}\n`),
    ...(debug !== undefined && debug !== "" && debug !== "0" ? { debug: (line: string) => io.stderr(`${line}\n`) } : {}),
  };
}
