import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { checkMfaCodeProvider } from "../../check-runtime-options.js";
import type { Clock } from "../../clock.js";
import { checkKnownOptions } from "../../known-options.js";
import type { Logger } from "../../logger.js";
import { DEFAULT_STS_TIMEOUT_MS } from "../sts/sts-client-config.js";
import {
  checkDurationSeconds,
  checkEndpoint,
  checkExternalId,
  checkMs,
  checkRegion,
  checkRoleSessionName,
  defaultRoleSessionName,
  parseRoleArn,
} from "../sts/role-checks.js";
import { checkMfaSerial, checkPolicy, checkPolicyArns, checkSourceIdentity, checkTags, checkTransitiveTagKeys } from "../sts/session-option-checks.js";
import { resolveStsLocation, type StsLocation } from "../sts/sts-location.js";
import type { RoleStepSettings } from "./assume-role-link.js";

/** `DurationSeconds` when none is given: STS's own default, one hour. */
export const DEFAULT_ASSUME_ROLE_DURATION_SECONDS = 3600;

/** Options of `fromAssumeRole` (and `envOrProfile`'s `assumeRole`). Every field is checked when the provider is created. */
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
  /**
   * STS region.
   * @defaultValue `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the role ARN's partition's STS region
   *   (`us-east-1` for `aws`, `cn-north-1` for `aws-cn`, `us-gov-west-1` for `aws-us-gov`, …)
   */
  region?: string;
  /**
   * STS endpoint URL, e.g. a local emulator.
   * @defaultValue `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`, else the regional endpoint
   *   (FIPS and dual-stack by `AWS_USE_FIPS_ENDPOINT` / `AWS_USE_DUALSTACK_ENDPOINT`)
   */
  endpoint?: string;
  /**
   * The environment the STS location is read from (see `region` and `endpoint`), on every reading.
   * Inside `envOrProfile`, the chain's environment. @defaultValue `process.env`
   */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * The base credentials that call AssumeRole (and sign it). A provider that is not memoized is
   * memoized here, as an SDK client memoizes its own credentials.
   * @defaultValue `envOrProfile()`'s base chain (env → profile → web identity → container → IMDS),
   *   shared process-wide
   */
  source?: AwsCredentialIdentityProvider;
  /**
   * The MFA device the role's trust policy asks a code from (`aws:MultiFactorAuthPresent`): sent as
   * `SerialNumber`, with the code `mfaCodeProvider` gives as `TokenCode`.
   */
  mfaSerial?: string;
  /**
   * Gives the current code of `mfaSerial` (six digits). Called when the role is assumed — once per
   * credential lifetime under `memoize`. Without it, a role with `mfaSerial` fails with
   * `MFA_REQUIRED` and no STS request is sent.
   */
  mfaCodeProvider?: (mfaSerial: string) => Promise<string>;
  /** Session tags (at most 50; keys 1–128, values 0–256 characters). */
  tags?: Readonly<Record<string, string>>;
  /** Keys of `tags` that pass on to roles assumed from this session. */
  transitiveTagKeys?: readonly string[];
  /** The source identity stamped on the session (2–64 characters of `[\w+=,.@-]`, not starting with `aws:`). */
  sourceIdentity?: string;
  /** An inline session policy (JSON, at most 2,048 characters): the session gets at most what it and the role allow. */
  policy?: string;
  /** Managed session policies' ARNs (at most 10). */
  policyArns?: readonly string[];
  /** Kept for the options' shape of the other links; expiry decisions are `memoize`'s. @defaultValue `systemClock` */
  clock?: Clock;
  /** Receives one debug line per decision (assumed, rejected base, failed). */
  logger?: Logger;
  /** Deadline of one STS call; the request is aborted when it passes. @defaultValue `DEFAULT_STS_TIMEOUT_MS` (10 s) */
  timeoutMs?: number;
}

/** The option keys of {@link AssumeRoleOptions}. @internal */
export const ASSUME_ROLE_OPTION_KEYS = [
  "roleArn",
  "externalId",
  "roleSessionName",
  "durationSeconds",
  "region",
  "endpoint",
  "env",
  "source",
  "mfaSerial",
  "mfaCodeProvider",
  "tags",
  "transitiveTagKeys",
  "sourceIdentity",
  "policy",
  "policyArns",
  "clock",
  "logger",
  "timeoutMs",
] as const;

/** Options of earlier versions, and why they are gone. @internal */
export const RETIRED_ASSUME_ROLE_OPTIONS: Readonly<Record<string, string>> = Object.freeze({
  cache: "AssumeRole results are shared by `memoize` (and `envOrProfile`) now; drop the option",
  refreshWindowMs: "the refresh window is `memoize`'s (`memoize(fromAssumeRole(…), { refreshWindowMs })`)",
  negativeCacheMs: "failures are no longer remembered; `memoize` backs off after a failed refresh",
  retry: "retries are `memoize`'s (`memoize(fromAssumeRole(…), { retry })`)",
});

/** The checked options: the step's settings, and the region and endpoint options (completed from the environment on each reading). @internal */
export interface CheckedAssumeRole {
  readonly settings: RoleStepSettings;
  readonly region: string | undefined;
  readonly endpoint: string | undefined;
}

/**
 * Where STS is for a checked role, read at each reading: its `region` and `endpoint` options, else
 * what `env` says (`AWS_ENDPOINT_URL_STS`, `AWS_REGION`, FIPS, …), else the role ARN's partition's.
 * @internal
 */
export function roleStsLocation(role: CheckedAssumeRole, env: Readonly<Record<string, string | undefined>>): () => StsLocation {
  return () => resolveStsLocation({ region: role.region, endpoint: role.endpoint, env, roleArn: role.settings.roleArn });
}

/**
 * Checks every option (a `TypeError` naming the bad one) and applies the defaults.
 * @internal
 */
export function checkAssumeRoleOptions(options: AssumeRoleOptions, where = "fromAssumeRole"): CheckedAssumeRole {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Expected `options` to be an object with at least `roleArn`");
  }
  checkKnownOptions(options, ASSUME_ROLE_OPTION_KEYS, where, RETIRED_ASSUME_ROLE_OPTIONS);
  if (options.source !== undefined && typeof options.source !== "function") {
    throw new TypeError("Expected `source` to be a credential provider function");
  }
  if (options.clock !== undefined && typeof options.clock?.now !== "function") {
    throw new TypeError("Expected `clock` to have a `now()` method");
  }
  checkMfaCodeProvider(options.mfaCodeProvider);
  const { accountId } = parseRoleArn(options.roleArn);
  const tags = options.tags === undefined ? undefined : checkTags(options.tags);
  if (options.mfaCodeProvider !== undefined && options.mfaSerial === undefined) {
    throw new TypeError("Expected `mfaSerial` with `mfaCodeProvider`: the code is asked for that device");
  }
  return {
    settings: Object.freeze({
      roleArn: options.roleArn,
      accountId,
      externalId: options.externalId === undefined ? undefined : checkExternalId(options.externalId),
      roleSessionName: options.roleSessionName === undefined ? defaultRoleSessionName() : checkRoleSessionName(options.roleSessionName),
      durationSeconds: options.durationSeconds === undefined ? DEFAULT_ASSUME_ROLE_DURATION_SECONDS : checkDurationSeconds(options.durationSeconds),
      tags,
      transitiveTagKeys: options.transitiveTagKeys === undefined ? undefined : checkTransitiveTagKeys(options.transitiveTagKeys, tags),
      sourceIdentity: options.sourceIdentity === undefined ? undefined : checkSourceIdentity(options.sourceIdentity),
      policy: options.policy === undefined ? undefined : checkPolicy(options.policy),
      policyArns: options.policyArns === undefined ? undefined : checkPolicyArns(options.policyArns),
      mfaSerial: options.mfaSerial === undefined ? undefined : checkMfaSerial(options.mfaSerial),
      timeoutMs: checkMs(options.timeoutMs ?? DEFAULT_STS_TIMEOUT_MS, "timeoutMs", true),
    }),
    region: options.region === undefined ? undefined : checkRegion(options.region, "region"),
    endpoint: options.endpoint === undefined ? undefined : checkEndpoint(options.endpoint, "endpoint"),
  };
}
