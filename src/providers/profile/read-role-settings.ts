import { configuredValue, isTrue } from "../../config-value.js";
import { checkDurationSeconds, checkExternalId, checkRoleSessionName, parseRoleArn } from "../sts/role-checks.js";
import { splitCommandLine } from "../process/split-command-line.js";
import { checkMfaSerial, checkSourceIdentity, checkTags, checkTransitiveTagKeys } from "../sts/session-option-checks.js";
import type { ProfileStsSettings } from "../sts/sts-location.js";
import type { LoadedProfile, LoadedProfiles } from "./load-profiles.js";
import { profileError } from "./profile-error.js";
import { whereKey } from "./profile-where.js";

/** One role step's settings as a profile gives them, checked. External ids are never put in messages. */
export interface RoleSettings {
  readonly roleArn: string;
  readonly accountId: string;
  readonly externalId?: string;
  readonly roleSessionName?: string;
  readonly durationSeconds?: number;
  /** `mfa_serial`: the AssumeRole needs a code from this device. */
  readonly mfaSerial?: string;
  /** `mfa_process`: the command (split like `credential_process`, run without a shell) that prints the code. */
  readonly mfaProcess?: readonly string[];
  /** `session_tags = k=v,k2=v2`. */
  readonly tags?: Readonly<Record<string, string>>;
  /** `transitive_session_tags = k,k2`. */
  readonly transitiveTagKeys?: readonly string[];
  /** `source_identity`. */
  readonly sourceIdentity?: string;
  /** Where STS is, as far as the files say (the environment wins over it: see `resolveStsLocation`). */
  readonly sts: ProfileStsSettings;
}

/**
 * Reads a role profile's settings — `role_arn`, `external_id`, `role_session_name`,
 * `duration_seconds`, `mfa_serial`, `mfa_process`, `session_tags`, `transitive_session_tags`,
 * `source_identity` —
 * checked by the same rules as `fromAssumeRole`'s options, and the STS settings of the role's
 * profile, then of the selected one (`region`, `services` → `sts.endpoint_url`, `endpoint_url`,
 * `sts_regional_endpoints`, `ignore_configured_endpoint_urls`, `use_fips_endpoint`,
 * `use_dualstack_endpoint`), which `resolveStsLocation` weighs against the environment.
 *
 * @throws CredentialsError `PROFILE_INVALID` naming the key, the profile and the file.
 * @internal
 */
export function readRoleSettings(profile: LoadedProfile, selected: LoadedProfile, profiles: LoadedProfiles): RoleSettings {
  const value = (key: string): string | undefined => configuredValue(profile.values[key]);
  const check = <T>(key: string, run: (text: string) => T): T | undefined => {
    const text = value(key);
    if (text === undefined) return undefined;
    try {
      return run(text);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw profileError(`${whereKey(profile, key)} ${message.replace(/^Expected `[^`]+` to /, "must ").replace(/^Expected every [^`]*`[^`]+` /, "must have every entry ")}`);
    }
  };
  const roleArn = value("role_arn") ?? "";
  let accountId: string;
  try {
    accountId = parseRoleArn(roleArn).accountId;
  } catch {
    throw profileError(`${whereKey(profile, "role_arn")} must look like arn:aws:iam::123456789012:role/name, got ${JSON.stringify(roleArn.slice(0, 200))}`);
  }
  const externalId = check("external_id", checkExternalId);
  const roleSessionName = check("role_session_name", checkRoleSessionName);
  const durationSeconds = check("duration_seconds", (text) => checkDurationSeconds(/^\d{1,6}$/.test(text) ? Number(text) : Number.NaN));
  const mfaSerial = check("mfa_serial", checkMfaSerial);
  const mfaProcess = check("mfa_process", (text) => splitCommandLine(text));
  if (mfaProcess !== undefined && mfaSerial === undefined) {
    throw profileError(`${whereKey(profile, "mfa_process")} gives MFA codes, but the profile has no \`mfa_serial\` (the device whose code it prints); add it`);
  }
  const tags = check("session_tags", (text) => checkTags(parseTagList(text)));
  const transitiveTagKeys = check("transitive_session_tags", (text) => checkTransitiveTagKeys(splitList(text), tags));
  const sourceIdentity = check("source_identity", checkSourceIdentity);
  return {
    roleArn,
    accountId,
    ...(externalId === undefined ? {} : { externalId }),
    ...(roleSessionName === undefined ? {} : { roleSessionName }),
    ...(durationSeconds === undefined ? {} : { durationSeconds }),
    ...(mfaSerial === undefined ? {} : { mfaSerial }),
    ...(mfaProcess === undefined ? {} : { mfaProcess }),
    ...(tags === undefined ? {} : { tags }),
    ...(transitiveTagKeys === undefined ? {} : { transitiveTagKeys }),
    ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
    sts: readStsSettings(profile, selected, profiles),
  };
}

/** The STS settings of the role's profile, else of the selected profile. */
export function readStsSettings(profile: LoadedProfile, selected: LoadedProfile, profiles: LoadedProfiles): ProfileStsSettings {
  const first = (key: string): { value: string; where: string } | undefined => {
    for (const source of [profile, selected]) {
      const text = configuredValue(source.values[key]);
      if (text !== undefined) return { value: text, where: whereKey(source, key) };
    }
    return undefined;
  };
  const flag = (key: string): boolean | undefined => {
    const found = first(key);
    return found === undefined ? undefined : isTrue(found.value);
  };
  let endpoint: { value: string; where: string } | undefined;
  for (const source of [profile, selected]) {
    const servicesName = configuredValue(source.values["services"]);
    const fromServices = servicesName === undefined ? undefined : configuredValue(profiles.section("services", servicesName)?.["sts.endpoint_url"]);
    if (fromServices !== undefined) {
      endpoint = { value: fromServices, where: `\`sts.endpoint_url\` in [services ${servicesName ?? ""}]` };
      break;
    }
    const fromProfile = configuredValue(source.values["endpoint_url"]);
    if (fromProfile !== undefined) {
      endpoint = { value: fromProfile, where: whereKey(source, "endpoint_url") };
      break;
    }
  }
  return {
    region: first("region"),
    endpoint,
    regionalEndpoints: first("sts_regional_endpoints"),
    ignoreConfiguredEndpointUrls: flag("ignore_configured_endpoint_urls"),
    useFipsEndpoint: flag("use_fips_endpoint"),
    useDualstackEndpoint: flag("use_dualstack_endpoint"),
  };
}

/** `k=v,k2=v2` (blanks around each part ignored), as aws-vault reads `session_tags`. */
function parseTagList(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const part of splitList(text)) {
    const equals = part.indexOf("=");
    if (equals <= 0) {
      throw new TypeError("Expected `session_tags` to be key=value pairs separated by commas, e.g. team=data,env=prod");
    }
    tags[part.slice(0, equals).trim()] = part.slice(equals + 1).trim();
  }
  return tags;
}

function splitList(text: string): string[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
}
