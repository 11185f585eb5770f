import { configuredValue } from "../../config-value.js";
import { CredentialsError } from "../../errors.js";
import { checkDurationSeconds, checkEndpoint, checkMs, checkRegion, checkRoleSessionName, defaultRoleSessionName, parseRoleArn } from "../sts/role-checks.js";
import { checkPolicy, checkPolicyArns } from "../sts/session-option-checks.js";
import type { WebIdentityOptions } from "./from-web-identity.js";

/** The environment variables {@link fromWebIdentity} reads (when the matching option is not given). */
export const WEB_IDENTITY_ENV_VARIABLES: Readonly<{
  /** The role to assume. */
  roleArn: "AWS_ROLE_ARN";
  /** The file holding the OIDC token (EKS IRSA projects one into every pod of the service account). */
  webIdentityTokenFile: "AWS_WEB_IDENTITY_TOKEN_FILE";
  /** The session name. */
  roleSessionName: "AWS_ROLE_SESSION_NAME";
}> = Object.freeze({
  roleArn: "AWS_ROLE_ARN",
  webIdentityTokenFile: "AWS_WEB_IDENTITY_TOKEN_FILE",
  roleSessionName: "AWS_ROLE_SESSION_NAME",
});

/** The options of {@link fromWebIdentity}, checked (no environment read yet). @internal */
export interface CheckedWebIdentityOptions {
  readonly roleArn: string | undefined;
  readonly webIdentityTokenFile: string | undefined;
  readonly roleSessionName: string | undefined;
  readonly durationSeconds: number | undefined;
  readonly region: string | undefined;
  readonly endpoint: string | undefined;
  readonly policy: string | undefined;
  readonly policyArns: readonly string[] | undefined;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
}

/** What one web identity exchange is made with, every field checked. @internal */
export interface WebIdentitySettings {
  readonly roleArn: string;
  readonly accountId: string;
  readonly webIdentityTokenFile: string;
  /** Where the token file came from, for messages: `AWS_WEB_IDENTITY_TOKEN_FILE` or `webIdentityTokenFile`. */
  readonly tokenFileFrom: string;
  readonly roleSessionName: string;
  readonly durationSeconds: number | undefined;
  readonly policy: string | undefined;
  readonly policyArns: readonly string[] | undefined;
  readonly timeoutMs: number;
}

/**
 * The outcome of reading the options with the environment: not configured (fall through),
 * configured but wrong (an error to throw), or settings.
 * @internal
 */
export type ResolvedWebIdentity =
  | { kind: "not-set"; error: CredentialsError }
  | { kind: "invalid"; error: CredentialsError }
  | { kind: "ok"; settings: WebIdentitySettings };

const SOURCE = "web-identity";

/**
 * Checks the options (a `TypeError` naming the bad one: the caller's bug, thrown when the provider
 * is created), without reading any environment.
 * @internal
 */
export function checkWebIdentityOptions(options: WebIdentityOptions, defaultTimeoutMs: number, defaultMaxAttempts: number): CheckedWebIdentityOptions {
  if (options.roleArn !== undefined) parseRoleArn(options.roleArn);
  if (options.webIdentityTokenFile !== undefined && (typeof options.webIdentityTokenFile !== "string" || options.webIdentityTokenFile.trim() === "")) {
    throw new TypeError("Expected `webIdentityTokenFile` to be a non-empty file path");
  }
  if (options.clock !== undefined && typeof options.clock?.now !== "function") {
    throw new TypeError("Expected `clock` to have a `now()` method");
  }
  const maxAttempts = options.maxAttempts ?? defaultMaxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new TypeError(`Expected \`maxAttempts\` to be a whole number ≥ 1, got ${String(maxAttempts)}`);
  }
  return {
    roleArn: options.roleArn,
    webIdentityTokenFile: options.webIdentityTokenFile,
    roleSessionName: options.roleSessionName === undefined ? undefined : checkRoleSessionName(options.roleSessionName),
    durationSeconds: options.durationSeconds === undefined ? undefined : checkDurationSeconds(options.durationSeconds),
    region: options.region === undefined ? undefined : checkRegion(options.region, "region"),
    endpoint: options.endpoint === undefined ? undefined : checkEndpoint(options.endpoint, "endpoint"),
    policy: options.policy === undefined ? undefined : checkPolicy(options.policy),
    policyArns: options.policyArns === undefined ? undefined : checkPolicyArns(options.policyArns),
    timeoutMs: checkMs(options.timeoutMs ?? defaultTimeoutMs, "timeoutMs", true),
    maxAttempts,
  };
}

/**
 * Reads the environment for what the options leave out. A bad or half-set *environment* is a
 * deployment's misconfiguration: a `CredentialsError` that stops the chain. Neither role nor token
 * file set → "not set" (falls through), no I/O.
 * @internal
 */
export function resolveWebIdentitySettings(options: CheckedWebIdentityOptions, env: Readonly<Record<string, string | undefined>>): ResolvedWebIdentity {
  const names = WEB_IDENTITY_ENV_VARIABLES;
  const roleArn = options.roleArn ?? configuredValue(env[names.roleArn]);
  const tokenFile = options.webIdentityTokenFile ?? configuredValue(env[names.webIdentityTokenFile]);
  const roleFrom = options.roleArn === undefined ? names.roleArn : "the `roleArn` option";
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
  let accountId: string;
  try {
    accountId = parseRoleArn(roleArn).accountId;
  } catch (error) {
    return invalid(error instanceof Error ? error.message.replace("Expected `roleArn`", `Expected ${names.roleArn}`) : String(error));
  }
  const envSessionName = configuredValue(env[names.roleSessionName]);
  let roleSessionName = options.roleSessionName;
  if (roleSessionName === undefined && envSessionName !== undefined) {
    try {
      roleSessionName = checkRoleSessionName(envSessionName);
    } catch {
      return invalid(`Expected ${names.roleSessionName} to be 2–64 characters of [A-Za-z0-9_+=,.@-], got ${JSON.stringify(envSessionName.slice(0, 80))}`);
    }
  }
  return {
    kind: "ok",
    settings: {
      roleArn,
      accountId,
      webIdentityTokenFile: tokenFile,
      tokenFileFrom,
      roleSessionName: roleSessionName ?? defaultRoleSessionName(),
      durationSeconds: options.durationSeconds,
      policy: options.policy,
      policyArns: options.policyArns,
      timeoutMs: options.timeoutMs,
    },
  };
}

function invalid(message: string): ResolvedWebIdentity {
  return { kind: "invalid", error: new CredentialsError(message, { source: SOURCE, code: "WEB_IDENTITY_INVALID", tryNextLink: false }) };
}
