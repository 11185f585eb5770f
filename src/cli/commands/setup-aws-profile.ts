import { closeSync, fchmodSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync, constants } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileIdentity } from "../../sharing/file-identity.js";
import { resolveProfileSelection } from "../../providers/profile/resolve-profile-selection.js";
import { EXIT, type CliIo } from "../cli-io.js";
import type { RoleRequest } from "../parse-cli-args.js";
import { rolesAnywhereOptions } from "../resolve-with-trace.js";
import { rolesAnywhereWords, type RolesAnywhereRequest } from "../roles-anywhere-args.js";
import { UsageError } from "../usage-error.js";

/**
 * Where the credentials of a `credential_process` line come from, named on the line: a profile
 * (`--profile P`), or none (`--no-profile`: environment keys, web identity, container, instance
 * profile). Nothing (`{}`) leaves it to the caller's `AWS_PROFILE`, else `[default]`.
 */
export interface LineSource {
  profile?: string | undefined;
  noProfile?: boolean | undefined;
}

/** A profile name the AWS CLI accepts in `[profile NAME]` without surprises. */
const PROFILE_NAME = /^[A-Za-z0-9_.@+-]{1,64}$/;

/** Quotes one word for botocore's shlex-style split of `credential_process` (POSIX rules). */
function quote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`;
}

/** Where this binary is: the node that runs it and the script, both absolute (symbolic links resolved). */
function thisBinary(io: CliIo): { node: string; script: string } {
  if (io.binary !== undefined) {
    return io.binary;
  }
  const script = process.argv[1] ?? "env-or-profile";
  let resolved = script;
  try {
    resolved = realpathSync(script);
  } catch {
    // keep the path as given
  }
  return { node: process.execPath, script: resolved };
}

/**
 * The `credential_process` command line for this installation and these options: the absolute
 * path of node and of the installed binary, so it works from any folder (never `npx`, which asks
 * the registry for whatever is published under the name) and whatever the caller's PATH; and its
 * source, when given (`--profile P` or `--no-profile`).
 */
export function credentialProcessLine(io: CliIo, role: RoleRequest | undefined, source: LineSource, rolesAnywhere?: RolesAnywhereRequest): string {
  const { node, script } = thisBinary(io);
  const words = [node, script, "credential-process"];
  if (source.profile !== undefined && source.profile !== "") {
    words.push("--profile", source.profile);
  } else if (source.noProfile === true) {
    words.push("--no-profile");
  }
  if (rolesAnywhere !== undefined) {
    words.push(...rolesAnywhereWords(rolesAnywhere));
  }
  if (role !== undefined) {
    // With --roles-anywhere, --role-arn is the Roles Anywhere role: the role on top is --assume-role-arn.
    words.push(rolesAnywhere === undefined ? "--role-arn" : "--assume-role-arn", role.roleArn);
    if (role.externalId !== undefined) words.push("--external-id", role.externalId);
    if (role.roleSessionName !== undefined) words.push("--session-name", role.roleSessionName);
    if (role.durationSeconds !== undefined) words.push("--duration", String(role.durationSeconds));
    if (role.mfaSerial !== undefined) words.push("--mfa-serial", role.mfaSerial);
  }
  return words.map(quote).join(" ");
}

/** The section header of profile NAME in ~/.aws/config: `[default]` or `[profile NAME]`. */
function sectionHeader(name: string): string {
  return name === "default" ? "[default]" : `[profile ${name}]`;
}

/** The `[profile NAME]` (or `[default]`) block for ~/.aws/config. */
export function profileBlock(io: CliIo, name: string, role: RoleRequest | undefined, source: LineSource, rolesAnywhere?: RolesAnywhereRequest): string {
  return `${sectionHeader(name)}\ncredential_process = ${credentialProcessLine(io, role, source, rolesAnywhere)}\n`;
}

/**
 * The source the line names, so that the process it starts never runs profile `name` again — the
 * AWS CLI, boto3 and the SDKs pass `AWS_PROFILE` on to a `credential_process`, and a line whose
 * chain read it would run itself when `name` is selected by `AWS_PROFILE=name` or is `[default]`:
 * `--profile P` or `--no-profile` when given; else the profile this command runs with
 * (`AWS_PROFILE`, when it is not `name`); else `[default]` when it has credentials (and is not
 * `name`); else no profile. `why` says how it was chosen, when it was not given. `name` may be
 * `""` (the profile the line goes into is not known: `credential-process --print-config`).
 * @throws UsageError for `--profile NAME` (the profile would run itself).
 */
async function chooseLineSource(name: string, flags: Readonly<Record<string, string | boolean | undefined>>, io: CliIo): Promise<{ source: LineSource; why?: string }> {
  const given = typeof flags["profile"] === "string" ? flags["profile"] : undefined;
  if (given !== undefined && given === name) {
    throw new UsageError(
      `--profile ${name} is the profile being set up: its credential_process would run itself. Give the profile its credentials come from (another one), or --no-profile`,
      "setup-aws-profile",
    );
  }
  if (given !== undefined) return { source: { profile: given } };
  if (flags["no-profile"] === true) return { source: { noProfile: true } };
  const fromEnv = io.env["AWS_PROFILE"];
  if (fromEnv !== undefined && fromEnv !== "" && fromEnv !== name) {
    return { source: { profile: fromEnv }, why: `AWS_PROFILE=${fromEnv} as this command ran` };
  }
  if (name !== "default") {
    const found = await defaultProfileHasCredentials(io);
    if (found.has) return { source: { profile: "default" }, why: `[default] in ${found.where} has credentials` };
    if (found.problem !== undefined) {
      return { source: { noProfile: true }, why: `the profile files could not be read (${found.problem}), so no profile is used` };
    }
  }
  return { source: { noProfile: true }, why: "no other profile has credentials: environment keys, web identity, container or instance profile" };
}

/**
 * The source a printed `credential_process` line names, for the profile `name` it goes into (`""`
 * when not known): with `--roles-anywhere` the certificate, checked now (a line that cannot work is
 * not printed; it reads no profile, so it can never run itself); else the profile or `--no-profile`
 * that `chooseLineSource` picks, said on stderr by `explainLineSource`.
 * @throws UsageError for a `--roles-anywhere` option the provider would refuse, or `--profile NAME`.
 */
export async function lineSource(
  io: CliIo,
  command: string,
  name: string,
  flags: Readonly<Record<string, string | boolean | undefined>>,
  rolesAnywhere: RolesAnywhereRequest | undefined,
): Promise<LineSource> {
  if (rolesAnywhere !== undefined) {
    rolesAnywhereOptions(rolesAnywhere, io);
    return {};
  }
  const chosen = await chooseLineSource(name, flags, io);
  await explainLineSource(io, command, name, chosen.source, chosen.why);
  return chosen.source;
}

/**
 * Says on stderr which source the line names and why, when it was not given; and warns when the
 * named profile is not in the files (yet): the line would fail with PROFILE_NOT_FOUND until it is.
 */
async function explainLineSource(io: CliIo, command: string, name: string, source: LineSource, why: string | undefined): Promise<void> {
  const named = source.profile !== undefined ? `--profile ${source.profile}` : "--no-profile";
  if (why !== undefined) {
    io.stderr(
      `env-or-profile ${command}: the line names its source, ${named} (${why}), so it never runs ${name === "" ? "the profile it is in" : sectionHeader(name)} itself ` +
        "however that profile is selected; give --profile P or --no-profile to choose another\n",
    );
  }
  if (source.profile !== undefined && !(await profileExists(io, source.profile))) {
    io.stderr(`env-or-profile ${command}: warning: profile "${source.profile}" is not in the AWS config or credentials file (yet); the line fails with PROFILE_NOT_FOUND until it is\n`);
  }
}

/** Whether profile `name` is in the files this environment selects (`true` when they cannot be read: the line's own error will say why). */
async function profileExists(io: CliIo, name: string): Promise<boolean> {
  const selection = resolveProfileSelection({ env: io.env, profile: name });
  const [config, credentials] = await Promise.all([fileIdentity(selection.configFile), fileIdentity(selection.credentialsFile)]);
  if (config.kind === "absent" && credentials.kind === "absent") return false;
  try {
    const { parsedProfileFiles } = await import("../../providers/profile/parsed-profile-files.js");
    return (await parsedProfileFiles(selection, { config, credentials })).profile(name) !== undefined;
  } catch {
    return true;
  }
}

/** Whether `[default]` in the files this environment selects has credential settings. */
async function defaultProfileHasCredentials(io: CliIo): Promise<{ has: boolean; where?: string; problem?: string }> {
  const selection = resolveProfileSelection({ env: io.env, profile: "default" });
  const [config, credentials] = await Promise.all([fileIdentity(selection.configFile), fileIdentity(selection.credentialsFile)]);
  if (config.kind === "absent" && credentials.kind === "absent") return { has: false };
  try {
    const [{ parsedProfileFiles }, { hasCredentialSettings }] = await Promise.all([
      import("../../providers/profile/parsed-profile-files.js"),
      import("../../providers/profile/plan-profile.js"),
    ]);
    const profile = (await parsedProfileFiles(selection, { config, credentials })).profile("default");
    return profile !== undefined && hasCredentialSettings(profile) ? { has: true, where: profile.files.map((file) => file.path).join(" and ") } : { has: false };
  } catch (error) {
    return { has: false, problem: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * `env-or-profile setup-aws-profile NAME [role options] [--profile P | --no-profile] [--write]
 * [--config-file PATH]`: prints the `[profile NAME]` block that makes the AWS CLI and SDKs use this
 * chain — its line naming its source (see `chooseSource`), so it works however NAME is selected
 * (`--profile NAME`, `AWS_PROFILE=NAME`, or as `[default]`) — and, when the source was not given,
 * says on stderr which it chose and why. With `--write`, appends it to the shared config file
 * (`--config-file`, else `AWS_CONFIG_FILE`, else `~/.aws/config`) — atomically (a temporary file in
 * the same directory, renamed over the old one, its mode kept; a new file is 0600 in a 0700
 * directory), through a symbolic link to its target, and never over a profile of that name that
 * is already there.
 * @returns 0 when printed or written; 1 when the profile exists or the file cannot be written.
 */
export async function setupAwsProfileCommand(
  options: {
    name: string;
    role: RoleRequest | undefined;
    flags: Readonly<Record<string, string | boolean | undefined>>;
    /** `--roles-anywhere`: checked here (a line that cannot work is not printed), with absolute file paths. */
    rolesAnywhere?: RolesAnywhereRequest | undefined;
  },
  io: CliIo,
): Promise<number> {
  const { name, role, flags, rolesAnywhere } = options;
  if (!PROFILE_NAME.test(name)) {
    throw new UsageError(`the profile name must be 1 to 64 letters, digits or _.@+-, got ${JSON.stringify(name.slice(0, 70))}`, "setup-aws-profile");
  }
  const source = await lineSource(io, "setup-aws-profile", name, flags, rolesAnywhere);
  const block = profileBlock(io, name, role, source, rolesAnywhere);
  if (flags["write"] !== true) {
    io.stdout(block);
    return EXIT.ok;
  }
  const configured = typeof flags["config-file"] === "string" ? flags["config-file"] : io.env["AWS_CONFIG_FILE"];
  const home = io.env["HOME"] ?? io.env["USERPROFILE"] ?? "";
  const path = configured !== undefined && configured !== "" ? configured : join(home, ".aws", "config");
  try {
    const written = appendProfile(path, name, block);
    if (!written) {
      io.stderr(`env-or-profile setup-aws-profile: ${path} already has a ${sectionHeader(name)} section; not changed (pick another name, or edit it by hand)\n`);
      return EXIT.failure;
    }
  } catch (error) {
    io.stderr(`env-or-profile setup-aws-profile: cannot write ${path}: ${String((error as { code?: unknown }).code ?? error)}\n`);
    return EXIT.failure;
  }
  io.stdout(`Wrote ${sectionHeader(name)} to ${path}:\n\n${block}\nTry it: aws sts get-caller-identity --profile ${name}\n`);
  return EXIT.ok;
}

/** Appends `block` unless the profile exists; `false` when it does. */
function appendProfile(path: string, name: string, block: string): boolean {
  const existing = lstatSync(path, { throwIfNoEntry: false });
  const target = existing?.isSymbolicLink() === true ? realpathSync(path) : path;
  let text = "";
  let mode = 0o600;
  if (existing !== undefined) {
    text = readFileSync(target, "utf8");
    mode = statSync(target).mode & 0o777;
  } else {
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  }
  const header = name === "default" ? /^\s*\[\s*(?:profile\s+)?default\s*\]/m : new RegExp(`^\\s*\\[\\s*profile\\s+${name.replace(/[.+]/g, "\\$&")}\\s*\\]`, "m");
  if (header.test(text)) {
    return false;
  }
  const separator = text === "" ? "" : text.endsWith("\n\n") ? "" : text.endsWith("\n") ? "\n" : "\n\n";
  const temporary = join(dirname(target), `.${randomBytes(8).toString("hex")}.env-or-profile.tmp`);
  const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), mode);
  try {
    fchmodSync(fd, mode); // the old file's mode (a new one: 0600), whatever the umask
    const data = Buffer.from(`${text}${separator}${block}`, "utf8");
    let written = 0;
    while (written < data.length) {
      written += writeSync(fd, data, written, data.length - written);
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temporary, target);
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(temporary, { force: true });
    throw error;
  }
  return true;
}
