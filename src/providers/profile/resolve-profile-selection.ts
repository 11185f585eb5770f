import { homedir } from "node:os";

/** The profile used when neither the `profile` option nor `AWS_PROFILE` names one (the AWS CLI's and SDKs'). */
export const DEFAULT_PROFILE_NAME = "default";

/** The environment variables the profile link reads to choose its profile and files. */
export const PROFILE_ENV_VARIABLES: Readonly<{
  /** The profile to use. */
  profile: "AWS_PROFILE";
  /** The config file, instead of `~/.aws/config`. */
  configFile: "AWS_CONFIG_FILE";
  /** The credentials file, instead of `~/.aws/credentials`. */
  credentialsFile: "AWS_SHARED_CREDENTIALS_FILE";
}> = Object.freeze({
  profile: "AWS_PROFILE",
  configFile: "AWS_CONFIG_FILE",
  credentialsFile: "AWS_SHARED_CREDENTIALS_FILE",
});

/** What {@link resolveProfileSelection} reads: the options of `fromProfile` that choose the profile and files. */
export interface ProfileSelectionInput {
  /** The profile name. @defaultValue `AWS_PROFILE`, else `"default"` */
  profile?: string;
  /** The config file. @defaultValue `AWS_CONFIG_FILE`, else `~/.aws/config` */
  configFile?: string;
  /** The credentials file. @defaultValue `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials` */
  credentialsFile?: string;
  /** The environment to read. @defaultValue `process.env` */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Which profile the profile link uses, and which files it reads. Holds no secret. */
export interface ProfileSelection {
  /** The profile name. */
  readonly profile: string;
  /**
   * Where the name came from: the `profile` option, `AWS_PROFILE`, or the default. The first two
   * are explicit choices: a missing or broken profile then stops the chain.
   */
  readonly from: "option" | "AWS_PROFILE" | "default";
  /** Whether the profile was asked for (`from` is not `"default"`). */
  readonly explicit: boolean;
  /** The config file's path, `~` expanded. */
  readonly configFile: string;
  /** The credentials file's path, `~` expanded. */
  readonly credentialsFile: string;
}

/**
 * Which profile and files `fromProfile` would use, without touching the disk: the profile from the
 * `profile` option, else `AWS_PROFILE`, else `default`; the files from the options, else
 * `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/config` and `~/.aws/credentials`
 * (home from `HOME`, else `USERPROFILE`, else `os.homedir()`). A leading `~/` is expanded, as
 * the AWS CLI does. An empty value counts as unset.
 *
 * @param input - the options and environment, as given to `fromProfile`.
 * @returns the selection; no I/O.
 * @throws TypeError when an option is not a string.
 * @example
 * ```ts
 * import { resolveProfileSelection } from "env-or-profile";
 *
 * const { profile, configFile, explicit } = resolveProfileSelection({ env: process.env });
 * console.log(`profile ${profile} from ${configFile}${explicit ? " (asked for)" : ""}`);
 * ```
 */
export function resolveProfileSelection(input: ProfileSelectionInput = {}): ProfileSelection {
  const env = input.env ?? process.env;
  for (const name of ["profile", "configFile", "credentialsFile"] as const) {
    const value = input[name];
    if (value !== undefined && typeof value !== "string") {
      throw new TypeError(`Expected \`${name}\` to be a string, got ${typeof value}`);
    }
  }
  const fromOption = nonEmpty(input.profile);
  const fromEnv = nonEmpty(env[PROFILE_ENV_VARIABLES.profile]);
  const profile = fromOption ?? fromEnv ?? DEFAULT_PROFILE_NAME;
  const from = fromOption !== undefined ? "option" : fromEnv !== undefined ? "AWS_PROFILE" : "default";
  const home = (): string => nonEmpty(env["HOME"]) ?? nonEmpty(env["USERPROFILE"]) ?? homedir();
  const file = (given: string | undefined, variable: string, name: string): string => {
    const path = nonEmpty(given) ?? nonEmpty(env[variable]);
    return path === undefined ? joinPath(home(), ".aws", name) : expandHome(path, home);
  };
  return Object.freeze({
    profile,
    from,
    explicit: from !== "default",
    configFile: file(input.configFile, PROFILE_ENV_VARIABLES.configFile, "config"),
    credentialsFile: file(input.credentialsFile, PROFILE_ENV_VARIABLES.credentialsFile, "credentials"),
  });
}

/**
 * The profile explicitly asked for — the `profile` option, else `AWS_PROFILE` — or `undefined`
 * when neither is set (the link would use `default`, and fall through when it has none). No file
 * is read: this is the cheap check a chain uses to say "env keys won; AWS_PROFILE=x was ignored".
 *
 * @param input - the `profile` option and the environment.
 * @returns the profile name, or `undefined`.
 * @example
 * ```ts
 * import { explicitProfileName } from "env-or-profile";
 *
 * const asked = explicitProfileName({ env: process.env });
 * if (asked !== undefined && process.env.AWS_ACCESS_KEY_ID !== undefined) {
 *   console.warn(`environment keys win; AWS_PROFILE=${asked} is ignored`);
 * }
 * ```
 */
export function explicitProfileName(input: Pick<ProfileSelectionInput, "profile" | "env"> = {}): string | undefined {
  return nonEmpty(input.profile) ?? nonEmpty((input.env ?? process.env)[PROFILE_ENV_VARIABLES.profile]);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/** `~` and `~/…` (or `~\…`) to the home directory, as the AWS CLI's `os.path.expanduser`. */
function expandHome(path: string, home: () => string): string {
  if (path === "~") {
    return home();
  }
  if (path.startsWith("~/") || path.startsWith("~\\")) {
    return joinPath(home(), path.slice(2));
  }
  return path;
}

/** Joins with the home directory's own separator (node:path is not loaded at import). */
function joinPath(base: string, ...parts: string[]): string {
  const separator = base.includes("\\") && !base.includes("/") ? "\\" : "/";
  return [base.replace(/[\\/]+$/, ""), ...parts].join(separator);
}
