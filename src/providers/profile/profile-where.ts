import type { LoadedProfile } from "./load-profiles.js";
import { sectionLabel } from "./profile-error.js";

/**
 * Where a profile's setting lives, for messages: `` `role_arn` in [profile work] of /home/me/.aws/config ``.
 * Names the file the key came from (the credentials file, when it wins), or every file with the section.
 * @internal
 */
export function whereKey(profile: LoadedProfile, key: string): string {
  return `\`${key}\` in ${whereProfile(profile, key)}`;
}

/**
 * `[profile work] of /home/me/.aws/config` — the section in the file that holds `key` (or in each
 * file that has the profile).
 * @internal
 */
export function whereProfile(profile: LoadedProfile, key?: string): string {
  const origin = key === undefined ? undefined : profile.origin[key];
  const files = origin === undefined ? profile.files : [origin];
  return files.map((file) => `${sectionLabel(profile.name, file.kind)} of ${file.path}`).join(" and ");
}
