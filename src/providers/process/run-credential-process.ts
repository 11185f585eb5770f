import type { AwsCredentialIdentity } from "@smithy/types";
import type { Clock } from "../../clock.js";
import { CredentialsError, redactKeyId } from "../../errors.js";
import { log, type Logger } from "../../logger.js";
import { CREDENTIAL_PROCESS_DEPTH_VARIABLE } from "./from-credential-process.js";
import { parseCredentialProcessOutput } from "./parse-credential-process-output.js";
import { runBoundedProcess } from "./run-bounded-process.js";
import { scrubProcessText } from "./scrub-process-text.js";

// One run of a `credential_process`, apart from `fromCredentialProcess` (which checks the command
// and options when created): the spawn, the bounded reading and the parsing load at the first call
// (the profile chunk), not at `import "env-or-profile"` (issue 13: the import within a third of
// the SDK's).

/** What one run needs: all checked by `fromCredentialProcess`. @internal */
export interface CredentialProcessRun {
  env: Readonly<Record<string, string | undefined>>;
  depth: number;
  timeoutMs: number;
  maxOutputBytes: number;
  maxStderrBytes: number;
  source: string;
  label: string;
  clock: Clock;
  logger: Logger | undefined;
}

/** Runs the program once (`argv`, no shell) and returns its Version 1 credential. @internal */
export async function runCredentialProcess(argv: readonly string[], run: CredentialProcessRun): Promise<AwsCredentialIdentity> {
  const result = await runBoundedProcess(argv, {
    env: { ...run.env, [CREDENTIAL_PROCESS_DEPTH_VARIABLE]: String(run.depth + 1) },
    timeoutMs: run.timeoutMs,
    maxOutputBytes: run.maxOutputBytes,
    maxStderrBytes: run.maxStderrBytes,
    source: run.source,
    label: run.label,
  });
  if (result.exitCode !== 0) {
    const stderr = scrubProcessText(result.stderrTail);
    const how = result.signal !== null ? `was killed by ${result.signal}` : `exited with code ${String(result.exitCode)}`;
    throw new CredentialsError(`${run.label} ${how}${stderr === "" ? " (nothing on stderr)" : `: ${stderr}`}`, {
      source: run.source,
      code: "PROCESS_FAILED",
      tryNextLink: false,
      retryable: false,
    });
  }
  const credential = parseCredentialProcessOutput(result.stdout, run.label, run.clock, run.source);
  log(run.logger, "debug", `process: ${run.label} gave ${redactKeyId(credential.accessKeyId)}, expires ${credential.expiration?.toISOString() ?? "never"}`);
  return credential;
}
