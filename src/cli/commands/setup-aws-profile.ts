import { closeSync, fchmodSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync, constants } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { EXIT, type CliIo } from "../cli-io.js";
import type { RoleRequest } from "../parse-cli-args.js";
import { rolesAnywhereOptions } from "../resolve-with-trace.js";
import { rolesAnywhereWords, type RolesAnywhereRequest } from "../roles-anywhere-args.js";
import { UsageError } from "../usage-error.js";

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
 * the registry for whatever is published under the name) and whatever the caller's PATH.
 */
export function credentialProcessLine(io: CliIo, role: RoleRequest | undefined, profile: string | undefined, rolesAnywhere?: RolesAnywhereRequest): string {
  const { node, script } = thisBinary(io);
  const words = [node, script, "credential-process"];
  if (profile !== undefined) {
    words.push("--profile", profile);
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
  }
  return words.map(quote).join(" ");
}

/** The `[profile NAME]` block for ~/.aws/config. */
export function profileBlock(io: CliIo, name: string, role: RoleRequest | undefined, profile: string | undefined, rolesAnywhere?: RolesAnywhereRequest): string {
  return `[profile ${name}]\ncredential_process = ${credentialProcessLine(io, role, profile, rolesAnywhere)}\n`;
}

/**
 * `env-or-profile setup-aws-profile NAME [role options] [--write] [--config-file PATH]`: prints the
 * `[profile NAME]` block that makes the AWS CLI and SDKs use this chain; with `--write`, appends it
 * to the shared config file (`--config-file`, else `AWS_CONFIG_FILE`, else `~/.aws/config`) —
 * atomically (a temporary file in the same directory, renamed over the old one, its mode kept; a
 * new file is 0600 in a 0700 directory), through a symbolic link to its target, and never over a
 * profile of that name that is already there.
 * @returns 0 when printed or written; 1 when the profile exists or the file cannot be written.
 */
export function setupAwsProfileCommand(
  options: {
    name: string;
    role: RoleRequest | undefined;
    flags: Readonly<Record<string, string | boolean | undefined>>;
    /** `--roles-anywhere`: checked here (a line that cannot work is not printed), with absolute file paths. */
    rolesAnywhere?: RolesAnywhereRequest | undefined;
  },
  io: CliIo,
): number {
  const { name, role, flags, rolesAnywhere } = options;
  if (!PROFILE_NAME.test(name)) {
    throw new UsageError(`the profile name must be 1 to 64 letters, digits or _.@+-, got ${JSON.stringify(name.slice(0, 70))}`, "setup-aws-profile");
  }
  const profile = typeof flags["profile"] === "string" ? flags["profile"] : undefined;
  if (rolesAnywhere !== undefined) rolesAnywhereOptions(rolesAnywhere, io);
  const block = profileBlock(io, name, role, profile, rolesAnywhere);
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
      io.stderr(`env-or-profile setup-aws-profile: ${path} already has a [profile ${name}] section; not changed (pick another name, or edit it by hand)\n`);
      return EXIT.failure;
    }
  } catch (error) {
    io.stderr(`env-or-profile setup-aws-profile: cannot write ${path}: ${String((error as { code?: unknown }).code ?? error)}\n`);
    return EXIT.failure;
  }
  io.stdout(`Wrote [profile ${name}] to ${path}:\n\n${block}\nTry it: aws sts get-caller-identity --profile ${name}\n`);
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
