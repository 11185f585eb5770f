import { parseArgs, type ParseArgsConfig } from "node:util";
import { readRolesAnywhereArgs, ROLES_ANYWHERE_FLAGS, type RolesAnywhereRequest } from "./roles-anywhere-args.js";
import { UsageError } from "./usage-error.js";

/** The commands, by the name typed on the command line. `status` is what runs with no command. */
export const COMMANDS = Object.freeze(["status", "explain", "credential-process", "decode-authorization-message", "cache", "setup-aws-profile"] as const);

/** One of {@link COMMANDS}. */
export type CommandName = (typeof COMMANDS)[number];

/**
 * Environment variables that stand in for the role flags (a flag wins). Our own prefix, not the
 * SDK's `AWS_ROLE_ARN`: that one belongs to web-identity credentials (EKS IRSA sets it), and reading
 * it here would assume a role nobody asked this tool for.
 */
export const ROLE_ENV = Object.freeze({
  roleArn: "ENV_OR_PROFILE_ROLE_ARN",
  externalId: "ENV_OR_PROFILE_EXTERNAL_ID",
  roleSessionName: "ENV_OR_PROFILE_ROLE_SESSION_NAME",
  durationSeconds: "ENV_OR_PROFILE_DURATION_SECONDS",
  mfaSerial: "ENV_OR_PROFILE_MFA_SERIAL",
});

/** The role to assume on top of the chain, from flags or {@link ROLE_ENV}. */
export interface RoleRequest {
  roleArn: string;
  externalId?: string;
  roleSessionName?: string;
  durationSeconds?: number;
  /** The MFA device the role requires: its code is asked on the terminal (`/dev/tty`). */
  mfaSerial?: string;
}

/** A parsed command line. */
export type CliArgs =
  | { command: "help"; topic: CommandName | undefined }
  | { command: "version" }
  | {
      command: CommandName;
      json: boolean;
      role: RoleRequest | undefined;
      positionals: string[];
      /** Every option as parsed, for a command's own flags (e.g. credential-process's `--no-cache`). */
      flags: Readonly<Record<string, string | boolean | undefined>>;
      /** `--profile P`: the AWS profile for the chain's profile link, an explicit choice (as the AWS CLI's `--profile`). */
      profile: string | undefined;
      /** `--roles-anywhere` and its flags: the certificate is the source instead of the chain (`role` is then `--assume-role-arn`'s). */
      rolesAnywhere?: RolesAnywhereRequest;
      /** `--no-profile`: the chain without its profile link; `AWS_PROFILE` is not read (see the help). */
      noProfile: boolean;
    };

const ROLE_OPTIONS = {
  "role-arn": { type: "string" },
  "external-id": { type: "string" },
  "session-name": { type: "string" },
  duration: { type: "string" },
  "mfa-serial": { type: "string" },
} as const;
const HELP = { help: { type: "boolean", short: "h" } } as const;
/** `--profile P` or `--no-profile`, on every command that resolves credentials. */
const PROFILE_OPTION = { profile: { type: "string" }, "no-profile": { type: "boolean" } } as const;
const JSON_OPTION = { json: { type: "boolean" } } as const;

/** `--cache` on status and explain: look in (and fill) credential-process's file cache; `--no-cache` wins. */
const CACHE_OPTIONS = { cache: { type: "boolean" }, "no-cache": { type: "boolean" }, "refresh-window": { type: "string" } } as const;

const OPTIONS: Readonly<Record<CommandName, NonNullable<ParseArgsConfig["options"]>>> = {
  status: { ...HELP, ...JSON_OPTION, ...ROLE_OPTIONS, ...PROFILE_OPTION, ...CACHE_OPTIONS, ...ROLES_ANYWHERE_FLAGS, version: { type: "boolean" } },
  explain: { ...HELP, ...JSON_OPTION, ...ROLE_OPTIONS, ...PROFILE_OPTION, ...CACHE_OPTIONS, ...ROLES_ANYWHERE_FLAGS },
  "credential-process": {
    ...HELP,
    ...ROLE_OPTIONS,
    ...PROFILE_OPTION,
    ...ROLES_ANYWHERE_FLAGS,
    "no-cache": { type: "boolean" },
    "refresh-window": { type: "string" },
    "print-config": { type: "boolean" },
  },
  "decode-authorization-message": { ...HELP, ...ROLE_OPTIONS, ...PROFILE_OPTION },
  cache: { ...HELP },
  "setup-aws-profile": { ...HELP, ...ROLE_OPTIONS, ...PROFILE_OPTION, ...ROLES_ANYWHERE_FLAGS, write: { type: "boolean" }, "config-file": { type: "string" } },
};

const POSITIONALS: Readonly<Record<CommandName, number>> = {
  status: 0,
  explain: 0,
  "credential-process": 0,
  "decode-authorization-message": 1,
  cache: 1,
  "setup-aws-profile": 1,
};

const MISSING_POSITIONAL: Partial<Record<CommandName, string>> = {
  "decode-authorization-message": "the encoded message is missing (give it as the argument, or - to read it from standard input)",
  cache: "say what to do with the cache: `env-or-profile cache clear`",
  "setup-aws-profile": "the profile name is missing: `env-or-profile setup-aws-profile NAME [role options] [--write]`",
};

/**
 * Parses `argv` (without `node` and the script). The command comes first; with none (or an option
 * first) the command is `status`. `help [command]` and `--help` anywhere ask for help.
 * @throws UsageError for an unknown command or option, a missing or extra argument, a bad value.
 */
export function parseCliArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliArgs {
  const [first, ...rest] = argv;
  if (first === "help") {
    if (rest.length > 1) {
      throw new UsageError("`help` takes at most one command name");
    }
    const topic = rest[0];
    if (topic !== undefined && !isCommand(topic)) {
      throw new UsageError(`unknown command ${JSON.stringify(topic)}; the commands are ${COMMANDS.join(", ")}`);
    }
    return { command: "help", topic };
  }
  let command: CommandName = "status";
  let args = [...argv];
  if (first !== undefined && !first.startsWith("-")) {
    if (!isCommand(first) || first === "status") {
      throw new UsageError(`unknown command ${JSON.stringify(first.slice(0, 60))}; the commands are ${COMMANDS.filter((c) => c !== "status").join(", ")} (or none, for the status)`);
    }
    command = first;
    args = rest;
  }
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    const result = parseArgs({ args, options: OPTIONS[command], allowPositionals: true, strict: true });
    parsed = { values: result.values as Record<string, string | boolean | undefined>, positionals: result.positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\s*To specify (a positional argument|an option argument).*$/s, "") : String(error);
    throw new UsageError(message, command);
  }
  const { values, positionals } = parsed;
  if (values["help"] === true) {
    return { command: "help", topic: command === "status" && first === undefined ? undefined : command };
  }
  if (values["version"] === true) {
    return { command: "version" };
  }
  const wanted = POSITIONALS[command];
  if (positionals.length > wanted) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[wanted]?.slice(0, 60))}`, command);
  }
  if (positionals.length < wanted) {
    throw new UsageError(MISSING_POSITIONAL[command] ?? "an argument is missing", command);
  }
  const profile = values["profile"];
  if (profile === "" || (typeof profile === "string" && /[\s[\]]/.test(profile))) {
    throw new UsageError("--profile needs a profile name (no spaces or brackets), e.g. --profile work", command);
  }
  const rolesAnywhere = readRolesAnywhereArgs(values, command);
  const noProfile = values["no-profile"] === true;
  if (noProfile && typeof profile === "string") {
    throw new UsageError("--profile and --no-profile say opposite things; give one", command);
  }
  if (noProfile && rolesAnywhere !== undefined) {
    throw new UsageError("--roles-anywhere names the source (the certificate), which reads no profile: drop --no-profile", command);
  }
  return {
    command,
    json: values["json"] === true,
    // With --roles-anywhere, --role-arn is the Roles Anywhere role and a role on top is --assume-role-arn.
    role: rolesAnywhere === undefined ? readRole(values, env, command) : rolesAnywhere.role,
    positionals,
    flags: values,
    profile: typeof profile === "string" ? profile : undefined,
    ...(rolesAnywhere === undefined ? {} : { rolesAnywhere: rolesAnywhere.request }),
    noProfile,
  };
}

function readRole(
  values: Record<string, string | boolean | undefined>,
  env: Readonly<Record<string, string | undefined>>,
  command: CommandName,
): RoleRequest | undefined {
  const pick = (flag: string, variable: string): { value: string; from: string } | undefined => {
    const fromFlag = values[flag];
    if (typeof fromFlag === "string") {
      return { value: fromFlag, from: `--${flag}` };
    }
    const fromEnv = env[variable];
    return fromEnv === undefined || fromEnv === "" ? undefined : { value: fromEnv, from: variable };
  };
  const roleArn = pick("role-arn", ROLE_ENV.roleArn);
  const externalId = pick("external-id", ROLE_ENV.externalId);
  const sessionName = pick("session-name", ROLE_ENV.roleSessionName);
  const duration = pick("duration", ROLE_ENV.durationSeconds);
  const mfaSerial = pick("mfa-serial", ROLE_ENV.mfaSerial);
  if (roleArn === undefined) {
    const orphan = [externalId, sessionName, duration, mfaSerial].find((option) => option !== undefined);
    if (orphan !== undefined) {
      throw new UsageError(`${orphan.from} needs a role: give --role-arn (or ${ROLE_ENV.roleArn})`, command);
    }
    return undefined;
  }
  let durationSeconds: number | undefined;
  if (duration !== undefined) {
    durationSeconds = /^\d{1,6}$/.test(duration.value) ? Number(duration.value) : Number.NaN;
    if (Number.isNaN(durationSeconds)) {
      throw new UsageError(`${duration.from} must be a whole number of seconds (900 to 43200), got ${JSON.stringify(duration.value.slice(0, 20))}`, command);
    }
  }
  return {
    roleArn: roleArn.value,
    ...(externalId === undefined ? {} : { externalId: externalId.value }),
    ...(sessionName === undefined ? {} : { roleSessionName: sessionName.value }),
    ...(durationSeconds === undefined ? {} : { durationSeconds }),
    ...(mfaSerial === undefined ? {} : { mfaSerial: mfaSerial.value }),
  };
}

function isCommand(name: string): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name);
}
