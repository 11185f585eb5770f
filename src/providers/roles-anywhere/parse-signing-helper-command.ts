import { splitCommandLine } from "../process/split-command-line.js";
import { resolveRolesAnywhereSettings } from "./resolve-roles-anywhere-settings.js";
import type { RolesAnywhereOptions } from "./roles-anywhere-options.js";

/**
 * What a `credential_process` command line means for Roles Anywhere: the equivalent options, when it
 * runs `aws_signing_helper credential-process` with flags we support; otherwise why not (the caller
 * then runs the command as before). The reason names flags, never their values.
 */
export type SigningHelperCommand =
  | { readonly options: RolesAnywhereOptions; readonly reason?: undefined }
  | { readonly options: undefined; readonly reason: string };

/** `aws_signing_helper`'s flags we do the same with, and the option each sets. */
const FLAGS: Readonly<Record<string, keyof RolesAnywhereOptions>> = {
  certificate: "certificate",
  "private-key": "privateKey",
  intermediates: "intermediates",
  "trust-anchor-arn": "trustAnchorArn",
  "profile-arn": "profileArn",
  "role-arn": "roleArn",
  region: "region",
  "session-duration": "durationSeconds",
  "role-session-name": "sessionName",
  endpoint: "endpoint",
  "pkcs8-password": "privateKeyPassphrase",
};

/** The helper's flags we leave to it (v1.8.0), each with what it is for, for the reason. */
const HELPER_ONLY: Readonly<Record<string, string>> = {
  "cert-selector": "selects a certificate from an OS certificate store",
  "system-store-name": "names a Windows certificate store",
  "use-latest-expiring-certificate": "selects a certificate from an OS certificate store",
  "pkcs11-lib": "uses a PKCS#11 token",
  "reuse-pin": "uses a PKCS#11 token",
  "tpm-key-password": "uses a TPM key",
  "no-tpm-key-password": "uses a TPM key",
  "no-verify-ssl": "turns off TLS verification",
  "with-proxy": "sends CreateSession through a proxy",
  debug: "asks for the helper's own debug output",
};

const PROGRAMS = new Set(["aws_signing_helper", "aws_signing_helper.exe"]);

/**
 * Reads a profile's `credential_process` value and, when it runs `aws_signing_helper` (or
 * `aws_signing_helper.exe`, from any path) with the `credential-process` subcommand and only the
 * flags we support — `--certificate`, `--private-key`, `--intermediates`, `--trust-anchor-arn`,
 * `--profile-arn`, `--role-arn`, `--region`, `--session-duration`, `--role-session-name`,
 * `--endpoint`, `--pkcs8-password`, as `--flag value` or `--flag=value` — returns the equivalent
 * {@link RolesAnywhereOptions}, already checked as `fromRolesAnywhere` checks them. Otherwise it
 * returns `options: undefined` and the reason: another program or subcommand (`serve`, `update`,
 * `sign-string`, …), a flag only the helper handles (`--cert-selector`, `--pkcs11-lib`,
 * `--tpm-key-password`, `--no-verify-ssl`, `--with-proxy`, `--debug`, …), a PKCS#11 URI or TPM
 * handle, no `--private-key` (a PKCS#12 bundle or a certificate store), a repeated flag, a stray
 * argument, or values that do not make a valid configuration. The command line is split the way
 * the AWS CLI splits it (`splitCommandLine`); no file is read.
 *
 * @param commandLine - the `credential_process` value.
 * @example
 * ```ts
 * import { parseSigningHelperCommand } from "./parse-signing-helper-command.js";
 *
 * const { options, reason } = parseSigningHelperCommand(
 *   "/usr/local/bin/aws_signing_helper credential-process --certificate /etc/pki/host.pem --private-key /etc/pki/host.key " +
 *     "--trust-anchor-arn arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/0b7e1a5c-2f6d-4e8a-9c3b-1d2e3f4a5b6c " +
 *     "--profile-arn arn:aws:rolesanywhere:eu-west-1:123456789012:profile/6f4943fb-13d4-4242-89c4-be367595c380 " +
 *     "--role-arn arn:aws:iam::123456789012:role/app",
 * );
 * console.log(options?.certificate ?? reason); // /etc/pki/host.pem
 * ```
 */
export function parseSigningHelperCommand(commandLine: string): SigningHelperCommand {
  const no = (reason: string): SigningHelperCommand => ({ options: undefined, reason });
  let words: string[];
  try {
    words = splitCommandLine(commandLine);
  } catch (error) {
    return no((error as Error).message);
  }
  const program = words[0]?.split(/[\\/]/).pop() ?? "";
  if (!PROGRAMS.has(program.toLowerCase())) return no("the command is not aws_signing_helper");
  if (words[1] !== "credential-process") {
    const sub = words[1];
    return no(sub === undefined ? "aws_signing_helper is run without a subcommand" : `aws_signing_helper is run with ${/^[\w-]{1,40}$/.test(sub) ? `the ${sub} subcommand` : "another subcommand"}, not credential-process`);
  }

  const values: Partial<Record<keyof RolesAnywhereOptions, string>> = {};
  for (let index = 2; index < words.length; index += 1) {
    const word = words[index] ?? "";
    const flag = /^--([a-z0-9-]+)(?:=([\s\S]*))?$/.exec(word);
    if (flag === null) {
      return no(word.startsWith("-") ? "it has an argument that is not a --flag aws_signing_helper credential-process takes" : "it has a stray argument after credential-process");
    }
    const [, name = "", inline] = flag;
    const option = FLAGS[name];
    if (option === undefined) {
      const why = HELPER_ONLY[name];
      return no(why === undefined ? `it uses --${name}, which env-or-profile does not know` : `it uses --${name}, which ${why}: only aws_signing_helper does that`);
    }
    let value = inline;
    if (value === undefined) {
      value = words[index + 1];
      if (value === undefined) return no(`--${name} has no value`);
      if (value.startsWith("-")) return no(`the value of --${name} starts with "-"`);
      index += 1;
    }
    if (values[option] !== undefined) return no(`--${name} is given twice`);
    values[option] = value;
  }

  const { certificate, privateKey, intermediates } = values;
  if (values.certificate === undefined) return no("it has no --certificate (the helper would look in an OS certificate store)");
  if (privateKey === undefined) return no("it has no --private-key (the helper would read a PKCS#12 bundle or an OS certificate store)");
  for (const [flag, value] of [
    ["certificate", certificate],
    ["private-key", privateKey],
    ["intermediates", intermediates],
  ] as const) {
    if (value === undefined) continue;
    if (/^pkcs11:/i.test(value)) return no(`--${flag} is a PKCS#11 URI: only aws_signing_helper uses PKCS#11 tokens`);
    if (/^handle:/i.test(value)) return no(`--${flag} is a TPM key handle: only aws_signing_helper uses TPM keys`);
    if (value.includes("-----BEGIN")) return no(`--${flag} holds PEM text, not a path (aws_signing_helper reads files only)`);
  }
  for (const [flag, option] of [
    ["trust-anchor-arn", "trustAnchorArn"],
    ["profile-arn", "profileArn"],
    ["role-arn", "roleArn"],
  ] as const) {
    if (values[option] === undefined) return no(`it has no --${flag}`);
  }
  const duration = values.durationSeconds;
  if (duration !== undefined && !/^\d{1,6}$/.test(duration)) return no("--session-duration is not a whole number of seconds");

  const options: RolesAnywhereOptions = {
    certificate: values.certificate,
    privateKey,
    trustAnchorArn: values.trustAnchorArn ?? "",
    profileArn: values.profileArn ?? "",
    roleArn: values.roleArn ?? "",
    ...(intermediates === undefined ? {} : { intermediates }),
    ...(values.privateKeyPassphrase === undefined ? {} : { privateKeyPassphrase: values.privateKeyPassphrase }),
    ...(values.region === undefined ? {} : { region: values.region }),
    ...(duration === undefined ? {} : { durationSeconds: Number(duration) }),
    ...(values.sessionName === undefined ? {} : { sessionName: values.sessionName }),
    ...(values.endpoint === undefined ? {} : { endpoint: values.endpoint }),
  };
  try {
    resolveRolesAnywhereSettings(options);
  } catch (error) {
    return no(`its flags do not make a valid Roles Anywhere configuration: ${(error as Error).message}`);
  }
  return { options };
}
