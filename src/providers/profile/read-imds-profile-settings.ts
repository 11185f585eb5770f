import type { ImdsFileSettings, ImdsProfileSetting } from "../imds/imds-file-settings.js";
import type { LoadedProfiles } from "./load-profiles.js";
import { sectionLabel } from "./profile-error.js";

/** The profile keys of the IMDS settings, by setting (the names botocore and the AWS SDKs read). @internal */
export const IMDS_PROFILE_KEYS = Object.freeze({
  v1Disabled: "ec2_metadata_v1_disabled",
  endpoint: "ec2_metadata_service_endpoint",
  endpointMode: "ec2_metadata_service_endpoint_mode",
  timeout: "metadata_service_timeout",
  numAttempts: "metadata_service_num_attempts",
} as const);

/**
 * The IMDS settings of one profile: each from the config file's section, else the credentials
 * file's (the AWS SDKs' order; botocore reads the config file only, which the first rule covers).
 * A profile that is not in the files has none. Blank values count as unset.
 * @internal
 */
export function readImdsProfileSettings(profiles: LoadedProfiles, name: string): ImdsFileSettings {
  const profile = profiles.profile(name);
  if (profile === undefined) return {};
  const settings: Partial<Record<keyof typeof IMDS_PROFILE_KEYS, ImdsProfileSetting>> = {};
  for (const [setting, key] of Object.entries(IMDS_PROFILE_KEYS) as [keyof typeof IMDS_PROFILE_KEYS, string][]) {
    const fromConfig = profile.configValues[key]?.trim();
    const value = fromConfig !== undefined && fromConfig !== "" ? fromConfig : profile.values[key]?.trim();
    if (value === undefined || value === "") continue;
    const file = fromConfig !== undefined && fromConfig !== "" ? profiles.files.find((f) => f.kind === "config") : profile.origin[key];
    settings[setting] = { value, where: `\`${key}\` in ${file === undefined ? `[${name}]` : `${sectionLabel(name, file.kind)} of ${file.path}`}` };
  }
  return settings;
}
