#!/usr/bin/env node
/**
 * The `env-or-profile` binary. Everything is in {@link runCli}, which tests call in-process; this
 * file only binds it to the real process. The exit code is set, not forced, so stdout is flushed
 * (a `credential_process` reader must get the whole JSON).
 * @packageDocumentation
 */
import { processIo } from "./cli-io.js";
import { quietSdkVersionWarning } from "./quiet-sdk-version-warning.js";
import { runCli } from "./run-cli.js";

quietSdkVersionWarning();
process.exitCode = await runCli(process.argv.slice(2), processIo());
