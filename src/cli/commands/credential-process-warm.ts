import { peekFileCache } from "../../cache/file-cache-slot.js";
import { systemClock } from "../../clock.js";
import type { CliIo } from "../cli-io.js";
import { parseCliArgs } from "../parse-cli-args.js";
import { cacheKeyFacts } from "./cache-key-facts.js";
import { cliLogger, credentialProcessJson, noProfileFlag, profileFlag, readRefreshWindow, usesCache } from "./credential-process-options.js";

/**
 * The warm path of `credential-process`: when the cache holds a fresh credential for this command
 * line and environment, prints it and returns `true` — having read a few small files and nothing
 * else: no network, no chain, no AWS SDK, not even the library's core. Anything else (a miss, a bad
 * command line, `--no-cache`, help) returns `false`, and the caller runs the full command, which
 * decides and reports everything itself.
 * @param argv - the arguments after `credential-process`.
 */
export function serveCredentialProcessFromCache(argv: readonly string[], io: CliIo): boolean {
  try {
    const args = parseCliArgs(["credential-process", ...argv], io.env);
    if (args.command !== "credential-process" || !usesCache(args.flags, args.role !== undefined || args.rolesAnywhere !== undefined, io.env)) {
      return false;
    }
    const credential = peekFileCache({
      key: cacheKeyFacts(io, args.role, profileFlag(args.flags), noProfileFlag(args.flags), args.rolesAnywhere),
      env: io.env,
      clock: io.clock ?? systemClock,
      logger: cliLogger(io),
      refreshWindowMs: readRefreshWindow(args.flags, io.env) * 1000,
    });
    if (credential === undefined) {
      return false;
    }
    io.stdout(credentialProcessJson(credential));
    return true;
  } catch {
    return false; // the full command says what is wrong
  }
}
