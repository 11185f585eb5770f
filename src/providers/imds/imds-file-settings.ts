import { configuredValue, isTrue } from "../../config-value.js";
import { CredentialsError, describeError } from "../../errors.js";
import { fileIdentity } from "../../sharing/file-identity.js";
import { resolveProfileSelection } from "../profile/resolve-profile-selection.js";

/** One IMDS setting written in a profile: its value, and where (for messages; never a secret). */
export interface ImdsProfileSetting {
  readonly value: string;
  /** e.g. `` `metadata_service_timeout` in [profile work] of /home/me/.aws/config ``. */
  readonly where: string;
}

/**
 * The IMDS settings of the selected profile (`ec2_metadata_v1_disabled`,
 * `ec2_metadata_service_endpoint`, `ec2_metadata_service_endpoint_mode`, `metadata_service_timeout`,
 * `metadata_service_num_attempts`): each weighs less than its environment variable, which weighs
 * less than an option, as in the AWS SDKs.
 */
export interface ImdsFileSettings {
  readonly v1Disabled?: ImdsProfileSetting;
  readonly endpoint?: ImdsProfileSetting;
  readonly endpointMode?: ImdsProfileSetting;
  readonly timeout?: ImdsProfileSetting;
  readonly numAttempts?: ImdsProfileSetting;
  /** The files could not be read or parsed: the link reports it (`CONFIG_INVALID`) instead of guessing. */
  readonly problem?: string;
}

/**
 * Which profile's settings the IMDS link reads, and from which files: the `profile` given, else
 * `AWS_PROFILE`, else `default`; the files as the profile link resolves them. `false`: none (only
 * the environment and the options count).
 * @internal
 */
export type ImdsSettingsSource = false | { readonly profile?: string | undefined; readonly configFile?: string | undefined; readonly credentialsFile?: string | undefined };

/** What the IMDS link read from the profile files: the settings, and its part of the link's key. @internal */
export interface ImdsFileReading {
  /** The selection and the files' identities (a `stat` each): an edited config file is another answer. */
  readonly key: string;
  readonly settings: ImdsFileSettings;
}

const NONE: ImdsFileReading = Object.freeze({ key: "files=off", settings: Object.freeze({}) });

/**
 * The IMDS settings of the selected profile, read now: two `stat`s, and — only when a file exists —
 * the files parsed through the profile link's own memo (the profile chunk, loaded then), so a
 * process that reads its profile files for credentials does not parse them twice.
 * @internal
 */
export async function readImdsFileSettings(env: Readonly<Record<string, string | undefined>>, source: ImdsSettingsSource | undefined): Promise<ImdsFileReading> {
  if (source === false) return NONE;
  const selection = resolveProfileSelection({
    env,
    ...(configuredValue(source?.profile) === undefined ? {} : { profile: source?.profile as string }),
    ...(source?.configFile === undefined ? {} : { configFile: source.configFile }),
    ...(source?.credentialsFile === undefined ? {} : { credentialsFile: source.credentialsFile }),
  });
  const [config, credentials] = await Promise.all([fileIdentity(selection.configFile), fileIdentity(selection.credentialsFile)]);
  const key = `files=${JSON.stringify([selection.profile, selection.configFile, selection.credentialsFile])};${config.key};${credentials.key}`;
  if (config.kind === "absent" && credentials.kind === "absent") return { key, settings: {} };
  try {
    const [{ parsedProfileFiles }, { readImdsProfileSettings }] = await Promise.all([
      import("../profile/parsed-profile-files.js"),
      import("../profile/read-imds-profile-settings.js"),
    ]);
    return { key, settings: readImdsProfileSettings(await parsedProfileFiles(selection, { config, credentials }), selection.profile) };
  } catch (error) {
    // The message of a profile error names the file and line, never a value.
    const why = error instanceof CredentialsError ? error.message : describeError(error);
    return { key, settings: { problem: `its settings in the AWS profile files cannot be read: ${why}` } };
  }
}

/** Whether IMDS is turned off by the environment: then no file is read at all. @internal */
export function imdsDisabledByEnv(env: Readonly<Record<string, string | undefined>>): boolean {
  return isTrue(env["AWS_EC2_METADATA_DISABLED"]);
}
