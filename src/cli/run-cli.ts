import { readFileSync } from "node:fs";
import { EXIT, type CliIo } from "./cli-io.js";
import { cacheCommand } from "./commands/cache.js";
import { credentialProcessCommand } from "./commands/credential-process.js";
import { decodeAuthorizationMessageCommand } from "./commands/decode-authorization-message.js";
import { explainCommand } from "./commands/explain.js";
import { credentialProcessLine, setupAwsProfileCommand } from "./commands/setup-aws-profile.js";
import { statusCommand } from "./commands/status.js";
import { reason } from "./format.js";
import { CREDENTIAL_PROCESS_PLACEHOLDER, helpText } from "./help-text.js";
import { parseCliArgs } from "./parse-cli-args.js";
import { UsageError } from "./usage-error.js";

/**
 * Runs the `env-or-profile` command line in-process: parses `argv` (without `node` and the script),
 * runs the command against `io`, and returns the exit code (0 ok, 1 no credentials or failure,
 * 2 bad command line). Never throws; errors are written to `io.stderr`.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseCliArgs(argv, io.env);
    switch (args.command) {
      case "help":
        // The credential_process line in the help is this installation's, so it can be pasted as is.
        io.stdout(helpText(args.topic).replace(CREDENTIAL_PROCESS_PLACEHOLDER, () => credentialProcessLine(io, undefined, {})));
        return EXIT.ok;
      case "version":
        io.stdout(`${readVersion()}\n`);
        return EXIT.ok;
      case "status":
        return await statusCommand({ json: args.json, role: args.role, profile: args.profile, flags: args.flags, rolesAnywhere: args.rolesAnywhere }, io);
      case "explain":
        return await explainCommand({ json: args.json, role: args.role, profile: args.profile, flags: args.flags, rolesAnywhere: args.rolesAnywhere }, io);
      case "credential-process":
        return await credentialProcessCommand({ role: args.role, flags: args.flags, rolesAnywhere: args.rolesAnywhere }, io);
      case "cache":
        return cacheCommand(args.positionals[0] ?? "", io);
      case "setup-aws-profile":
        return await setupAwsProfileCommand({ name: args.positionals[0] ?? "", role: args.role, flags: args.flags, rolesAnywhere: args.rolesAnywhere }, io);
      case "decode-authorization-message":
        return await decodeAuthorizationMessageCommand({ role: args.role, encoded: args.positionals[0] ?? "", profile: args.profile, noProfile: args.noProfile }, io);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      const help = error.command === undefined || error.command === "status" ? "env-or-profile --help" : `env-or-profile ${error.command} --help`;
      io.stderr(`env-or-profile: ${error.message}\nRun '${help}' for usage.\n`);
      return EXIT.usage;
    }
    io.stderr(`env-or-profile: ${reason(error)}\n`);
    return EXIT.failure;
  }
}

function readVersion(): string {
  try {
    // dist/cli/run-cli.js and src/cli/run-cli.ts are both two levels below the package root.
    const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === "string" ? version : "unknown";
  } catch {
    return "unknown";
  }
}
