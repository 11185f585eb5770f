import { CredentialsError } from "../../errors.js";
import type { LoadedProfile, LoadedProfiles } from "./load-profiles.js";
import { configuredValue } from "../../config-value.js";
import { nearestNames } from "../../nearest-names.js";
import { noProfileFilesError, PROFILE_SOURCE, profileError } from "./profile-error.js";
import { whereKey, whereProfile } from "./profile-where.js";
import { hasStaticKeys, readStaticCredentials, type StaticCredentials } from "./read-static-credentials.js";
import { readRoleSettings, type RoleSettings } from "./read-role-settings.js";
import type { ProfileSelection } from "./resolve-profile-selection.js";

import { PROFILE_CREDENTIAL_SOURCES, type CredentialSourceName } from "./profile-constants.js";

export { PROFILE_CREDENTIAL_SOURCES, type CredentialSourceName } from "./profile-constants.js";

/**
 * How a profile gets its credentials: a tree of steps, each naming its profile. What
 * `buildProfileProvider` turns into providers.
 * @internal
 */
export type ProfilePlan =
  | { readonly kind: "static"; readonly profile: LoadedProfile; readonly credentials: StaticCredentials }
  | { readonly kind: "assume-role"; readonly profile: LoadedProfile; readonly role: RoleSettings; readonly source: ProfilePlan }
  | { readonly kind: "credential-source"; readonly profile: LoadedProfile; readonly name: CredentialSourceName }
  | {
      readonly kind: "web-identity";
      readonly profile: LoadedProfile;
      readonly role: RoleSettings;
      readonly webIdentityTokenFile: string;
    }
  | {
      readonly kind: "process";
      readonly profile: LoadedProfile;
      readonly command: string;
      /** `aws_account_id`: the credential's account when the program's JSON has none. */
      readonly accountId?: string | undefined;
    }
  | { readonly kind: "sso"; readonly profile: LoadedProfile }
  /** `login_session`: the login `aws login` cached, through the SDK's `fromLoginCredentials`. */
  | { readonly kind: "login"; readonly profile: LoadedProfile; readonly loginSession: string };

/** Settings that make a profile a source of credentials (a profile with only `region` has none). */
const CREDENTIAL_KEYS = [
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "role_arn",
  "source_profile",
  "credential_source",
  "web_identity_token_file",
  "credential_process",
  "sso_session",
  "sso_start_url",
  "sso_account_id",
  "sso_role_name",
  "login_session",
];

/** Whether a profile has any setting that makes it a source of credentials (a profile with only `region` has none). @internal */
export function hasCredentialSettings(profile: LoadedProfile): boolean {
  return CREDENTIAL_KEYS.some((key) => profile.values[key] !== undefined);
}

/**
 * Decides how the selected profile gets its credentials, following `source_profile` to any depth,
 * in the AWS CLI's order: `role_arn` (with exactly one of `source_profile`, `credential_source`,
 * `web_identity_token_file`), then SSO, then static keys from the credentials file, then
 * `login_session` (`aws login`), then `credential_process`, then static keys from the config file. In a `source_profile`, static keys
 * come first (as in the CLI and SDKs: a source profile's keys sign its role's AssumeRole).
 *
 * @throws CredentialsError `PROFILE_NOT_SET` (falls through) when no profile was asked for and the
 *   files have no `default` with credential settings; `PROFILE_NOT_FOUND` (stops) when the asked-for
 *   profile does not exist, with "did you mean"; `PROFILE_INVALID` (stops) for a broken profile:
 *   a `source_profile` loop (named, e.g. a → b → a), a missing source, an unknown
 *   `credential_source`, a `role_arn` with no source or two, half-set keys.
 * @internal
 */
export function planProfile(selection: ProfileSelection, profiles: LoadedProfiles, env: Readonly<Record<string, string | undefined>>): ProfilePlan {
  const name = selection.profile;
  const profile = profiles.profile(name);
  if (profile === undefined) {
    if (!selection.explicit) {
      throw profiles.files.length === 0
        ? noProfileFilesError(selection)
        : notSet(`no [default] profile in ${profiles.files.map((file) => file.path).join(" or ")}, and AWS_PROFILE is not set`);
    }
    throw notFound(selection, profiles);
  }
  if (!selection.explicit && !hasCredentialSettings(profile)) {
    throw notSet(`the [default] profile (${whereProfile(profile)}) has no credential settings, and AWS_PROFILE is not set`);
  }
  return planFor(profile, [name], false, { selected: profile, profiles, env });
}

interface Context {
  readonly selected: LoadedProfile;
  readonly profiles: LoadedProfiles;
  readonly env: Readonly<Record<string, string | undefined>>;
}

function planFor(profile: LoadedProfile, visited: readonly string[], isSource: boolean, context: Context): ProfilePlan {
  const { values } = profile;
  const has = (key: string): boolean => values[key] !== undefined && values[key] !== "";
  if (isSource && hasStaticKeys(profile)) {
    return { kind: "static", profile, credentials: readStaticCredentials(profile) };
  }
  if (has("role_arn")) {
    return planRole(profile, visited, context);
  }
  for (const key of ["source_profile", "credential_source", "web_identity_token_file"]) {
    if (has(key)) {
      throw profileError(`${whereKey(profile, key)} needs a \`role_arn\` beside it (the role to assume)`);
    }
  }
  if (has("sso_session") || has("sso_start_url")) {
    return { kind: "sso", profile };
  }
  const staticFromCredentialsFile = hasStaticKeys(profile) && profile.origin["aws_access_key_id"]?.kind === "credentials";
  if (staticFromCredentialsFile) {
    return { kind: "static", profile, credentials: readStaticCredentials(profile) };
  }
  // botocore's order: after the credentials file's keys, before credential_process and the config file's keys.
  const loginSession = configuredValue(values["login_session"]);
  if (loginSession !== undefined) {
    if (loginSession.length > 2048 || /[\s\0]/.test(loginSession)) {
      throw profileError(`${whereKey(profile, "login_session")} must be the ARN \`aws login\` wrote there (one word, no blanks); run \`aws login --profile ${profile.name}\` again`);
    }
    return { kind: "login", profile, loginSession };
  }
  if (hasStaticKeys(profile) && !has("credential_process")) {
    return { kind: "static", profile, credentials: readStaticCredentials(profile) };
  }
  const command = values["credential_process"];
  if (command !== undefined && command.trim() !== "") {
    const accountId = configuredValue(values["aws_account_id"]);
    if (accountId !== undefined && !/^\d{12}$/.test(accountId)) {
      throw profileError(`${whereKey(profile, "aws_account_id")} must be a 12-digit AWS account id`);
    }
    return { kind: "process", profile, command, ...(accountId === undefined ? {} : { accountId }) };
  }
  if (has("sso_account_id") || has("sso_role_name")) {
    throw profileError(`${whereProfile(profile)} has SSO settings but neither \`sso_session\` nor \`sso_start_url\``);
  }
  throw profileError(
    `${whereProfile(profile)} has no credentials: expected \`aws_access_key_id\` and \`aws_secret_access_key\`, ` +
      "`role_arn` with `source_profile` or `credential_source`, `role_arn` with `web_identity_token_file`, `credential_process`, `sso_session`, or `login_session` (`aws login`)",
  );
}

function planRole(profile: LoadedProfile, visited: readonly string[], context: Context): ProfilePlan {
  const { values } = profile;
  const sources = ["source_profile", "credential_source", "web_identity_token_file"].filter((key) => (values[key] ?? "") !== "");
  if (sources.length === 0) {
    throw profileError(
      `${whereKey(profile, "role_arn")} has no source for the credentials that assume it: add \`source_profile\` (a profile with keys), ` +
        `\`credential_source\` (${PROFILE_CREDENTIAL_SOURCES.join(", ")}) or \`web_identity_token_file\``,
    );
  }
  if (sources.length > 1) {
    throw profileError(`${whereProfile(profile)} sets both ${sources.map((key) => `\`${key}\``).join(" and ")}; a role has one source — keep one`);
  }
  const role = readRoleSettings(profile, context.selected, context.profiles);
  const tokenFile = values["web_identity_token_file"];
  if (tokenFile !== undefined && tokenFile !== "") {
    return { kind: "web-identity", profile, role, webIdentityTokenFile: tokenFile };
  }
  const credentialSource = values["credential_source"];
  if (credentialSource !== undefined && credentialSource !== "") {
    if (!(PROFILE_CREDENTIAL_SOURCES as readonly string[]).includes(credentialSource)) {
      const shown = /^[\w.-]{1,40}$/.test(credentialSource) ? `"${credentialSource}"` : `a ${credentialSource.length}-character value`;
      const near = nearestNames(credentialSource, PROFILE_CREDENTIAL_SOURCES);
      throw profileError(
        `${whereKey(profile, "credential_source")} is ${shown}; it must be one of ${PROFILE_CREDENTIAL_SOURCES.join(", ")}${near.length > 0 ? ` (did you mean ${near[0] ?? ""}?)` : ""}`,
      );
    }
    return { kind: "assume-role", profile, role, source: { kind: "credential-source", profile, name: credentialSource as CredentialSourceName } };
  }
  const sourceName = values["source_profile"] ?? "";
  if (sourceName === profile.name) {
    // A role profile may name itself as its source when it holds the keys (the CLI allows it).
    if (!hasStaticKeys(profile)) {
      throw profileError(`${whereKey(profile, "source_profile")} names the profile itself, which has no keys: a loop ${profile.name} → ${profile.name}`);
    }
    return { kind: "assume-role", profile, role, source: { kind: "static", profile, credentials: readStaticCredentials(profile) } };
  }
  if (visited.includes(sourceName)) {
    const loop = [...visited.slice(visited.indexOf(sourceName)), sourceName].join(" → ");
    throw profileError(`\`source_profile\` loop: ${loop} (${whereKey(profile, "source_profile")}); a chain of roles must end in a profile with keys or a \`credential_source\``);
  }
  const source = context.profiles.profile(sourceName);
  if (source === undefined) {
    const near = nearestNames(sourceName, context.profiles.names());
    throw profileError(
      `${whereKey(profile, "source_profile")} names "${sourceName.slice(0, 64)}", which is not a profile in ${context.profiles.files.map((file) => file.path).join(" or ")}` +
        (near.length > 0 ? `; did you mean ${near.map((n) => `"${n}"`).join(" or ")}?` : ""),
    );
  }
  return { kind: "assume-role", profile, role, source: planFor(source, [...visited, sourceName], true, context) };
}

function notSet(why: string): CredentialsError {
  return new CredentialsError(`No profile to use: ${why}`, { source: PROFILE_SOURCE, code: "PROFILE_NOT_SET", tryNextLink: true });
}

function notFound(selection: ProfileSelection, profiles: LoadedProfiles): CredentialsError {
  const name = selection.profile;
  const asked = selection.from === "AWS_PROFILE" ? `AWS_PROFILE=${name}` : `profile "${name}"`;
  const files = [selection.configFile, selection.credentialsFile];
  const hints: string[] = [];
  if (profiles.rawSections("config").includes(name)) {
    hints.push(`the config file has [${name}]: there a named profile is written [profile ${name}]`);
  }
  if (profiles.rawSections("credentials").includes(`profile ${name}`)) {
    hints.push(`the credentials file has [profile ${name}]: there a profile is written [${name}], without "profile"`);
  }
  const near = nearestNames(name, profiles.names());
  if (near.length > 0) {
    hints.push(`did you mean ${near.map((n) => `"${n}"`).join(" or ")}?`);
  }
  const existing = profiles.files.length === 0 ? `neither ${files.join(" nor ")} exists` : `it is not in ${profiles.files.map((file) => file.path).join(" or ")}`;
  return profileError(
    `${asked} was asked for, but ${existing} (an explicitly chosen profile is never skipped for another identity)` +
      (hints.length > 0 ? `; ${hints.join("; ")}` : ""),
    "PROFILE_NOT_FOUND",
  );
}
