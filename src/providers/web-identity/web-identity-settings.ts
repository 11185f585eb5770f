import { CredentialsError } from "../../errors.js";
import {
  checkDurationSeconds,
  checkEndpoint,
  checkMs,
  checkRegion,
  checkRoleSessionName,
  defaultRoleSessionName,
  parseRoleArn,
} from "../assume-role/validate.js";
import type { WebIdentityOptions } from "./from-web-identity.js";

/** The environment variables {@link fromWebIdentity} reads (when the matching option is not given). */
export const WEB_IDENTITY_ENV_VARIABLES: Readonly<{
  /** The role to assume. */
  roleArn: "AWS_ROLE_ARN";
  /** The file holding the OIDC token (EKS IRSA projects one into every pod of the service account). */
  webIdentityTokenFile: "AWS_WEB_IDENTITY_TOKEN_FILE";
  /** The session name. */
  roleSessionName: "AWS_ROLE_SESSION_NAME";
  /** The STS region. */
  region: "AWS_REGION";
  /** The STS region, when `AWS_REGION` is not set (the AWS CLI's variable). */
  defaultRegion: "AWS_DEFAULT_REGION";
  /** The STS endpoint URL. */
  endpoint: "AWS_ENDPOINT_URL_STS";
}> = Object.freeze({
  roleArn: "AWS_ROLE_ARN",
  webIdentityTokenFile: "AWS_WEB_IDENTITY_TOKEN_FILE",
  roleSessionName: "AWS_ROLE_SESSION_NAME",
  region: "AWS_REGION",
  defaultRegion: "AWS_DEFAULT_REGION",
  endpoint: "AWS_ENDPOINT_URL_STS",
});

/** @internal What {@link fromWebIdentity} works with, every field checked. */
export interface WebIdentitySettings {
  roleArn: string;
  accountId: string;
  webIdentityTokenFile: string;
  /** Where the token file came from, for messages: `AWS_WEB_IDENTITY_TOKEN_FILE` or `webIdentityTokenFile`. */
  tokenFileFrom: string;
  roleSessionName: string;
  durationSeconds: number | undefined;
  region: string;
  endpoint: string | undefined;
  timeoutMs: number;
  maxAttempts: number;
  refreshWindowMs: number;
  negativeCacheMs: number;
}

/**
 * The outcome of reading the options and the environment: not configured (fall through),
 * configured but wrong (an error to throw on every call), or settings.
 * @internal
 */
export type ResolvedWebIdentity =
  | { kind: "not-set"; error: CredentialsError }
  | { kind: "invalid"; error: CredentialsError }
  | { kind: "ok"; settings: WebIdentitySettings };

const SOURCE = "web-identity";

/** The defaults {@link resolveWebIdentitySettings} fills in; from-web-identity.ts owns the numbers. */
export interface WebIdentityDefaults {
  region: string;
  timeoutMs: number;
  maxAttempts: number;
  refreshWindowMs: number;
  negativeCacheMs: number;
}

/**
 * Reads the options, then the environment for what they leave out. A bad *option* is the caller's
 * bug: a `TypeError` now. A bad or half-set *environment* is a deployment's misconfiguration: a
 * `CredentialsError` that stops the chain, thrown by the provider (so building a chain never throws
 * because of the environment it runs in). Neither role nor token file set → "not set", no I/O.
 */
export function resolveWebIdentitySettings(options: WebIdentityOptions, defaults: WebIdentityDefaults): ResolvedWebIdentity {
  const env = options.env ?? process.env;
  const names = WEB_IDENTITY_ENV_VARIABLES;
  // Options first: they throw TypeError whatever the environment says.
  const optionRoleArn = options.roleArn === undefined ? undefined : (parseRoleArn(options.roleArn), options.roleArn);
  if (options.webIdentityTokenFile !== undefined && (typeof options.webIdentityTokenFile !== "string" || options.webIdentityTokenFile === "")) {
    throw new TypeError("Expected `webIdentityTokenFile` to be a non-empty file path");
  }
  const optionSessionName = options.roleSessionName === undefined ? undefined : checkRoleSessionName(options.roleSessionName);
  const durationSeconds = options.durationSeconds === undefined ? undefined : checkDurationSeconds(options.durationSeconds);
  const optionRegion = options.region === undefined ? undefined : checkRegion(options.region, "region");
  const optionEndpoint = options.endpoint === undefined ? undefined : checkEndpoint(options.endpoint, "endpoint");
  const timeoutMs = checkMs(options.timeoutMs ?? defaults.timeoutMs, "timeoutMs", true);
  const maxAttempts = options.maxAttempts ?? defaults.maxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new TypeError(`Expected \`maxAttempts\` to be a whole number ≥ 1, got ${String(maxAttempts)}`);
  }
  const refreshWindowMs = checkMs(options.refreshWindowMs ?? defaults.refreshWindowMs, "refreshWindowMs");
  const negativeCacheMs = checkMs(options.negativeCacheMs ?? defaults.negativeCacheMs, "negativeCacheMs");
  if (options.clock !== undefined && typeof options.clock?.now !== "function") {
    throw new TypeError("Expected `clock` to have a `now()` method");
  }

  const roleArn = optionRoleArn ?? nonEmpty(env[names.roleArn]);
  const tokenFile = options.webIdentityTokenFile ?? nonEmpty(env[names.webIdentityTokenFile]);
  const roleFrom = optionRoleArn === undefined ? names.roleArn : "the `roleArn` option";
  const tokenFileFrom = options.webIdentityTokenFile === undefined ? names.webIdentityTokenFile : "the `webIdentityTokenFile` option";
  if (roleArn === undefined && tokenFile === undefined) {
    return {
      kind: "not-set",
      error: new CredentialsError(`${names.roleArn} and ${names.webIdentityTokenFile} are not set`, {
        source: SOURCE,
        code: "WEB_IDENTITY_NOT_SET",
        tryNextLink: true,
      }),
    };
  }
  if (tokenFile === undefined) {
    return invalid(
      `${roleFrom} is set (${roleArn ?? ""}) but ${names.webIdentityTokenFile} is not: web identity needs both the role and the token file ` +
        `(on EKS, both are injected for a service account annotated with eks.amazonaws.com/role-arn)`,
    );
  }
  if (roleArn === undefined) {
    return invalid(`${tokenFileFrom} is set (${tokenFile}) but ${names.roleArn} is not: web identity needs both the role and the token file`);
  }
  try {
    const { accountId } = parseRoleArn(roleArn);
    const envSessionName = nonEmpty(env[names.roleSessionName]);
    const region =
      optionRegion ??
      (nonEmpty(env[names.region]) !== undefined
        ? checkRegion(env[names.region], names.region)
        : nonEmpty(env[names.defaultRegion]) !== undefined
          ? checkRegion(env[names.defaultRegion], names.defaultRegion)
          : defaults.region);
    const endpoint =
      optionEndpoint ?? (nonEmpty(env[names.endpoint]) !== undefined ? checkEndpoint(env[names.endpoint], names.endpoint) : undefined);
    return {
      kind: "ok",
      settings: {
        roleArn,
        accountId,
        webIdentityTokenFile: tokenFile,
        tokenFileFrom,
        roleSessionName:
          optionSessionName ?? (envSessionName === undefined ? defaultRoleSessionName() : checkSessionNameFromEnv(envSessionName)),
        durationSeconds,
        region,
        endpoint,
        timeoutMs,
        maxAttempts,
        refreshWindowMs,
        negativeCacheMs,
      },
    };
  } catch (error) {
    if (error instanceof TypeError) {
      // Only environment values are still unchecked here; the message names the variable.
      return invalid(error.message.replace("Expected `roleArn`", `Expected ${names.roleArn}`));
    }
    throw error;
  }
}

function checkSessionNameFromEnv(name: string): string {
  try {
    return checkRoleSessionName(name);
  } catch (error) {
    throw new TypeError(`Expected ${WEB_IDENTITY_ENV_VARIABLES.roleSessionName} to be 2–64 characters of [A-Za-z0-9_+=,.@-], got ${JSON.stringify(name)}`, {
      cause: error,
    });
  }
}

function invalid(message: string): ResolvedWebIdentity {
  return { kind: "invalid", error: new CredentialsError(message, { source: SOURCE, code: "WEB_IDENTITY_INVALID", tryNextLink: false }) };
}

/** An unset, empty or blank variable is "not set", as in the AWS SDKs. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
