#!/usr/bin/env node
/**
 * The `env-or-profile` binary. Everything is in `runCli` (run-cli.ts), which tests call in-process;
 * this file only binds it to the real process. The exit code is set, not forced, so stdout is
 * flushed (a `credential_process` reader must get the whole JSON).
 *
 * `credential-process` with a warm cache is answered here, before the rest of the CLI (and the
 * library's core, p-retry, node:http, the AWS SDK) is loaded: the AWS CLI runs it before every
 * command, and a cache hit should cost little more than starting node. For that this file is built
 * as CommonJS (dist/cli/main.js, with dist/cli/package.json saying so), holding only the warm path:
 * Node's ES module loader alone costs a run about a third of node's own start-up. Everything else
 * is the ES module dist/chunks/cli.js, imported on demand. The warm path's one line goes out with a
 * plain write(2) on fd 1: setting up `process.stdout` on a pipe loads the stream and net modules.
 * @packageDocumentation
 */
import { writeSync } from "node:fs";
import { processIo, type CliIo } from "./cli-io.js";
import { serveCredentialProcessFromCache } from "./commands/credential-process-warm.js";

/** The rest of the CLI, relative to dist/cli/main.js (a variable, so the bundler leaves it to load at run time). */
const FULL_CLI = "../chunks/cli.js";

/** Writes all of `text` to fd 1, waiting out a non-blocking pipe that is momentarily full. */
function writeStdout(text: string): void {
  const data = Buffer.from(text, "utf8");
  for (let written = 0; written < data.length; ) {
    try {
      written += writeSync(1, data, written, data.length - written);
    } catch (error) {
      if ((error as { code?: unknown }).code !== "EAGAIN") {
        throw error;
      }
    }
  }
}

const argv = process.argv.slice(2);
const io = processIo();
if (argv[0] === "credential-process" && serveCredentialProcessFromCache(argv.slice(1), { ...io, stdout: writeStdout })) {
  process.exitCode = 0;
} else {
  (import(FULL_CLI) as Promise<{ runMain: (argv: readonly string[], io: CliIo) => Promise<void> }>)
    .then(({ runMain }) => runMain(argv, io))
    .catch((error: unknown) => {
      process.stderr.write(`env-or-profile: cannot load the CLI: ${String((error as { message?: unknown } | null)?.message ?? error)}\n`);
      process.exitCode = 1;
    });
}
