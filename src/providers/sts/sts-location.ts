import { configuredValue, isTrue } from "../../config-value.js";
import { AWS_PARTITION_INFO, type AwsPartition } from "./aws-partitions.js";
import { checkEndpoint, checkRegion, parseRoleArn } from "./role-checks.js";

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

/** The global STS endpoint `sts_regional_endpoints = legacy` sends the legacy regions to. */
export const LEGACY_GLOBAL_STS_ENDPOINT = "https://sts.amazonaws.com";


/** A setting read from a profile file, with where it was read (for messages). @internal */
export interface ProfileSetting {
  readonly value: string;
  /** E.g. `` `region` of [profile dev] in /home/me/.aws/config ``. */
  readonly where: string;
}

/** The STS settings a profile gives (the role's profile first, then the selected one). @internal */
export interface ProfileStsSettings {
  readonly region?: ProfileSetting | undefined;
  /** `sts.endpoint_url` of its `services` section, else its `endpoint_url`. */
  readonly endpoint?: ProfileSetting | undefined;
  readonly regionalEndpoints?: ProfileSetting | undefined;
  readonly ignoreConfiguredEndpointUrls?: boolean | undefined;
  readonly useFipsEndpoint?: boolean | undefined;
  readonly useDualstackEndpoint?: boolean | undefined;
}

/** What {@link resolveStsLocation} reads. @internal */
export interface StsLocationInput {
  /** The `region` option, checked already. */
  readonly region?: string | undefined;
  /** The `endpoint` option, checked already. */
  readonly endpoint?: string | undefined;
  /** The environment of the chain (or link) making the call. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The role asked for: with nothing configured, its partition decides the region. */
  readonly roleArn?: string | undefined;
  /** A profile's STS settings, for a role step of a profile. */
  readonly profile?: ProfileStsSettings | undefined;
}

/** Where one STS call goes, resolved. Holds no secret. @internal */
export interface StsLocation {
  readonly region: string;
  /** An explicit endpoint URL, or `undefined` for the SDK's regional endpoint of `region`. */
  readonly endpoint: string | undefined;
  readonly useFipsEndpoint: boolean;
  readonly useDualstackEndpoint: boolean;
  /** The location as a sharing-key part (a different location is a different answer). */
  readonly key: string;
  /** For messages: the endpoint URL, or `the eu-west-1 regional STS endpoint`. */
  readonly label: string;
}

/**
 * Where an STS call goes — the one rule every STS caller uses (AssumeRole, AssumeRoleWithWebIdentity,
 * a profile's role steps, the CLI), reading the chain's own environment, never `process.env` behind
 * its back:
 *
 * - **region**: the `region` option, `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, else
 *   the role ARN's partition's STS region (`us-east-1` for `aws`, `cn-north-1` for `aws-cn`,
 *   `us-gov-west-1` for `aws-us-gov`, …);
 * - **endpoint**: the `endpoint` option; unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` (or the
 *   profile's `ignore_configured_endpoint_urls`) is `true`: `AWS_ENDPOINT_URL_STS`,
 *   `AWS_ENDPOINT_URL`, the profile's `services` → `sts.endpoint_url`, its `endpoint_url`; then, with
 *   `AWS_STS_REGIONAL_ENDPOINTS` / `sts_regional_endpoints` = `legacy`, the global endpoint for the
 *   legacy regions; else the SDK's regional endpoint;
 * - **FIPS and dual-stack**: `AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT` (or the profile's
 *   `use_fips_endpoint`, `use_dualstack_endpoint`).
 *
 * The STS client is then given all four explicitly (and told to ignore configured endpoint URLs),
 * so the SDK reads none of them from `process.env` or the shared files on its own.
 *
 * @throws TypeError naming the variable or profile key whose value is malformed.
 * @internal
 */
export function resolveStsLocation(input: StsLocationInput): StsLocation {
  const { env, profile } = input;
  const region = input.region ?? regionFrom(env, profile) ?? defaultRegion(input.roleArn);
  const useFipsEndpoint = flag(env["AWS_USE_FIPS_ENDPOINT"], profile?.useFipsEndpoint);
  const useDualstackEndpoint = flag(env["AWS_USE_DUALSTACK_ENDPOINT"], profile?.useDualstackEndpoint);
  const endpoint = input.endpoint ?? endpointFrom(env, profile, region);
  return {
    region,
    endpoint,
    useFipsEndpoint,
    useDualstackEndpoint,
    key: `sts:${region},${endpoint ?? "-"},${useFipsEndpoint ? "fips" : "-"},${useDualstackEndpoint ? "dualstack" : "-"}`,
    label: endpoint ?? `the ${region}${useFipsEndpoint ? " FIPS" : ""}${useDualstackEndpoint ? " dual-stack" : ""} regional STS endpoint`,
  };
}

/**
 * The STS client settings for `location`: everything explicit, so the SDK resolves nothing from
 * `process.env` or the shared config files.
 * @internal
 */
export function stsLocationConfig(location: StsLocation): {
  region: string;
  endpoint?: string;
  useFipsEndpoint: boolean;
  useDualstackEndpoint: boolean;
  ignoreConfiguredEndpointUrls: true;
} {
  return {
    region: location.region,
    ...(location.endpoint === undefined ? {} : { endpoint: location.endpoint }),
    useFipsEndpoint: location.useFipsEndpoint,
    useDualstackEndpoint: location.useDualstackEndpoint,
    ignoreConfiguredEndpointUrls: true,
  };
}

function regionFrom(env: Readonly<Record<string, string | undefined>>, profile: ProfileStsSettings | undefined): string | undefined {
  for (const name of ["AWS_REGION", "AWS_DEFAULT_REGION"]) {
    const value = configuredValue(env[name]);
    if (value !== undefined) return checkRegion(value, name);
  }
  if (profile?.region !== undefined) return checked(() => checkRegion(profile.region?.value, "region"), profile.region.where);
  return undefined;
}

function endpointFrom(
  env: Readonly<Record<string, string | undefined>>,
  profile: ProfileStsSettings | undefined,
  region: string,
): string | undefined {
  const ignore = isTrue(env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]) || profile?.ignoreConfiguredEndpointUrls === true;
  if (!ignore) {
    for (const name of ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"]) {
      const value = configuredValue(env[name]);
      if (value !== undefined) return checkEndpoint(value, name);
    }
    if (profile?.endpoint !== undefined) return checked(() => checkEndpoint(profile.endpoint?.value, "endpoint_url"), profile.endpoint.where);
  }
  const fromEnv = configuredValue(env["AWS_STS_REGIONAL_ENDPOINTS"]);
  const mode = fromEnv ?? profile?.regionalEndpoints?.value;
  if (mode !== undefined && mode !== "regional" && mode !== "legacy") {
    const where = fromEnv !== undefined ? "AWS_STS_REGIONAL_ENDPOINTS" : (profile?.regionalEndpoints?.where ?? "sts_regional_endpoints");
    throw new TypeError(`Expected ${where} to be "regional" or "legacy", got ${JSON.stringify(mode.slice(0, 20))}`);
  }
  return mode === "legacy" && LEGACY_GLOBAL_STS_REGIONS.includes(region) ? LEGACY_GLOBAL_STS_ENDPOINT : undefined;
}

/** With no region configured: the STS region of the role ARN's partition (us-east-1 without a role). */
function defaultRegion(roleArn: string | undefined): string {
  if (roleArn === undefined) return AWS_PARTITION_INFO.aws.stsRegion;
  try {
    return AWS_PARTITION_INFO[parseRoleArn(roleArn).partition as AwsPartition].stsRegion;
  } catch {
    return AWS_PARTITION_INFO.aws.stsRegion;
  }
}

/** A boolean switch: the variable when set, else the profile's value, else false. */
function flag(variable: string | undefined, fromProfile: boolean | undefined): boolean {
  return configuredValue(variable) !== undefined ? isTrue(variable) : fromProfile === true;
}

/** Runs a check whose TypeError names an option, naming where the value came from instead. */
function checked(check: () => string, where: string): string {
  try {
    return check();
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^Expected `[^`]+` to (be|use)/, "Expected $1") : String(error);
    throw new TypeError(message.replace(/^Expected (be|use)/, `Expected ${where} to $1`));
  }
}
