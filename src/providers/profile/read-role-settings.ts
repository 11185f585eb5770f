import { DEFAULT_STS_REGION } from "../assume-role.js";
import {
  EXTERNAL_ID_PATTERN,
  MAX_DURATION_SECONDS,
  MIN_DURATION_SECONDS,
  ROLE_ARN_PATTERN,
  ROLE_SESSION_NAME_PATTERN,
  checkEndpoint,
  checkRegion,
} from "../assume-role/validate.js";
import type { LoadedProfile, LoadedProfiles } from "./load-profiles.js";
import { profileError } from "./profile-error.js";
import { whereKey } from "./profile-where.js";

/**
 * The regions whose STS calls go to the global endpoint `sts.amazonaws.com` when
 * `sts_regional_endpoints = legacy` (botocore's `LEGACY_GLOBAL_STS_REGIONS`, the same in the JS SDK).
 */
export const LEGACY_GLOBAL_STS_REGIONS: readonly string[] = Object.freeze([
  "ap-northeast-1",
  "ap-south-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "aws-global",
  "ca-central-1",
  "eu-central-1",
  "eu-north-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
]);

/** One role step's settings, checked. External ids are never put in messages. */
export interface RoleSettings {
  readonly roleArn: string;
  readonly externalId?: string;
  readonly roleSessionName?: string;
  readonly durationSeconds?: number;
  /** Always set: env, the role's profile, the selected profile, else us-east-1. */
  readonly region: string;
  /** Set when configured (env, `services` section, `endpoint_url`, or `legacy` global STS). */
  readonly endpoint?: string;
}

/**
 * Reads `role_arn`, `external_id`, `role_session_name`, `duration_seconds` from the role's
 * profile, and the STS region and endpoint as the AWS CLI does: region from `AWS_REGION`,
 * `AWS_DEFAULT_REGION`, the role's profile, then the selected profile; endpoint from
 * `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, the profile's `services` section (`sts =` /
 * `endpoint_url`), then its `endpoint_url` — none of them when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`
 * or `ignore_configured_endpoint_urls` is `true`; `sts_regional_endpoints = legacy` (or
 * `AWS_STS_REGIONAL_ENDPOINTS`) sends the legacy regions to `https://sts.amazonaws.com`.
 *
 * @throws CredentialsError `PROFILE_INVALID` naming the key, the profile and the file.
 * @internal
 */
export function readRoleSettings(
  profile: LoadedProfile,
  selected: LoadedProfile,
  profiles: LoadedProfiles,
  env: Readonly<Record<string, string | undefined>>,
): RoleSettings {
  const value = (key: string): string | undefined => nonEmpty(profile.values[key]);
  const roleArn = value("role_arn") ?? "";
  if (!ROLE_ARN_PATTERN.test(roleArn)) {
    throw profileError(`${whereKey(profile, "role_arn")} must look like arn:aws:iam::123456789012:role/name, got ${JSON.stringify(roleArn.slice(0, 200))}`);
  }
  const externalId = value("external_id");
  if (externalId !== undefined && !EXTERNAL_ID_PATTERN.test(externalId)) {
    throw profileError(`${whereKey(profile, "external_id")} must be 2–1224 characters of [A-Za-z0-9_+=,.@:/-], got ${externalId.length} characters`);
  }
  const roleSessionName = value("role_session_name");
  if (roleSessionName !== undefined && !ROLE_SESSION_NAME_PATTERN.test(roleSessionName)) {
    throw profileError(`${whereKey(profile, "role_session_name")} must be 2–64 characters of [A-Za-z0-9_+=,.@-], got ${JSON.stringify(roleSessionName.slice(0, 80))}`);
  }
  const durationText = value("duration_seconds");
  let durationSeconds: number | undefined;
  if (durationText !== undefined) {
    durationSeconds = /^\d{1,6}$/.test(durationText) ? Number(durationText) : Number.NaN;
    if (!(durationSeconds >= MIN_DURATION_SECONDS && durationSeconds <= MAX_DURATION_SECONDS)) {
      throw profileError(
        `${whereKey(profile, "duration_seconds")} must be a whole number of seconds from ${MIN_DURATION_SECONDS} to ${MAX_DURATION_SECONDS}, got ${JSON.stringify(durationText.slice(0, 20))}`,
      );
    }
  }
  const region = readRegion(profile, selected, env);
  const endpoint = readEndpoint(profile, selected, profiles, env, region);
  return {
    roleArn,
    ...(externalId === undefined ? {} : { externalId }),
    ...(roleSessionName === undefined ? {} : { roleSessionName }),
    ...(durationSeconds === undefined ? {} : { durationSeconds }),
    region,
    ...(endpoint === undefined ? {} : { endpoint }),
  };
}

function readRegion(profile: LoadedProfile, selected: LoadedProfile, env: Readonly<Record<string, string | undefined>>): string {
  for (const name of ["AWS_REGION", "AWS_DEFAULT_REGION"]) {
    const fromEnv = nonEmpty(env[name]);
    if (fromEnv !== undefined) {
      return checked(() => checkRegion(fromEnv, name), `\`${name}\``);
    }
  }
  for (const source of [profile, selected]) {
    const fromFile = nonEmpty(source.values["region"]);
    if (fromFile !== undefined) {
      return checked(() => checkRegion(fromFile, "region"), whereKey(source, "region"));
    }
  }
  return DEFAULT_STS_REGION;
}

function readEndpoint(
  profile: LoadedProfile,
  selected: LoadedProfile,
  profiles: LoadedProfiles,
  env: Readonly<Record<string, string | undefined>>,
  region: string,
): string | undefined {
  const ignore =
    isTrue(env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]) ||
    isTrue(profile.values["ignore_configured_endpoint_urls"]) ||
    isTrue(selected.values["ignore_configured_endpoint_urls"]);
  if (!ignore) {
    for (const name of ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"]) {
      const fromEnv = nonEmpty(env[name]);
      if (fromEnv !== undefined) {
        return checked(() => checkEndpoint(fromEnv, name), `\`${name}\``);
      }
    }
    for (const source of [profile, selected]) {
      const servicesName = nonEmpty(source.values["services"]);
      const fromServices = servicesName === undefined ? undefined : nonEmpty(profiles.section("services", servicesName)?.["sts.endpoint_url"]);
      if (fromServices !== undefined) {
        return checked(() => checkEndpoint(fromServices, "endpoint_url"), `\`sts.endpoint_url\` in [services ${servicesName ?? ""}]`);
      }
      const fromProfile = nonEmpty(source.values["endpoint_url"]);
      if (fromProfile !== undefined) {
        return checked(() => checkEndpoint(fromProfile, "endpoint_url"), whereKey(source, "endpoint_url"));
      }
    }
  }
  let mode = nonEmpty(env["AWS_STS_REGIONAL_ENDPOINTS"]);
  let modeFrom = "AWS_STS_REGIONAL_ENDPOINTS";
  for (const source of [profile, selected]) {
    if (mode === undefined && nonEmpty(source.values["sts_regional_endpoints"]) !== undefined) {
      mode = nonEmpty(source.values["sts_regional_endpoints"]);
      modeFrom = whereKey(source, "sts_regional_endpoints");
    }
  }
  if (mode !== undefined && mode !== "regional" && mode !== "legacy") {
    throw profileError(`${modeFrom} must be "regional" or "legacy", got ${JSON.stringify(mode.slice(0, 20))}`);
  }
  return mode === "legacy" && LEGACY_GLOBAL_STS_REGIONS.includes(region) ? "https://sts.amazonaws.com" : undefined;
}

/** Runs one of assume-role's checks, turning its TypeError into a profile error naming `where`. */
function checked(check: () => string, where: string): string {
  try {
    return check();
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^Expected `[^`]+` to (be|use)/, "must $1") : String(error);
    throw profileError(`${where} ${message}`);
  }
}

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === "true";
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
