/**
 * The whole CLI, loaded by `main.ts` when the warm path of `credential-process` did not answer: it
 * is an ES module chunk of its own (dist/chunks/cli.js), so the binary's entry can stay a small
 * CommonJS file that starts without Node's ES module loader.
 * @packageDocumentation
 */
import type { CliIo } from "./cli-io.js";
import { quietSdkVersionWarning } from "./quiet-sdk-version-warning.js";
import { runCli } from "./run-cli.js";

/** Runs the CLI for the real process and sets its exit code. */
export async function runMain(argv: readonly string[], io: CliIo): Promise<void> {
  quietSdkVersionWarning();
  process.exitCode = await runCli(argv, io);
}
