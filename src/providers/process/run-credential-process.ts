import { createHash } from "node:crypto";
import type { AwsCredentialIdentity } from "@smithy/types";
import type { Clock } from "../../clock.js";
import { CredentialsError, redactKeyId } from "../../errors.js";
import { log, type Logger } from "../../logger.js";
import { CREDENTIAL_PROCESS_DEPTH_VARIABLE } from "./from-credential-process.js";
import { CREDENTIAL_PROCESS_CHAIN_VARIABLE, processChain, withChainEntry } from "./process-chain.js";
import { parseCredentialProcessOutput } from "./parse-credential-process-output.js";
import { describeProcessEnd, runBoundedProcess } from "./run-bounded-process.js";

// One run of a `credential_process`, apart from `fromCredentialProcess` (which checks the command
// and options when created): the spawn, the bounded reading and the parsing load at the first call
// (the profile chunk), not at `import "env-or-profile"` (issue 13: the import within a third of
// the SDK's).

/** What one run needs: all checked by `fromCredentialProcess`. @internal */
export interface CredentialProcessRun {
  /** The command line as written (only a hash of it leaves this function). */
  command: string;
  /** The profile it belongs to, and how that profile was selected: for the loop message. */
  profile: string | undefined;
  selectedBy: string | undefined;
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

/**
 * Runs the program once (`argv`, no shell) and returns its Version 1 credential — unless it is
 * already running above this process (its hash is in {@link CREDENTIAL_PROCESS_CHAIN_VARIABLE}):
 * then this is a loop, reported without running it. A child that reports such a loop is this
 * run's own loop: it is reported here, with the fix, instead of the child's message nested in ours.
 * @internal
 */
export async function runCredentialProcess(argv: readonly string[], run: CredentialProcessRun): Promise<AwsCredentialIdentity> {
  const id = createHash("sha256").update(run.command, "utf8").digest("hex").slice(0, 16);
  const above = processChain(run.env);
  if (above.some((entry) => entry.id === id)) {
    throw new CredentialsError(`${run.label} is already running: the program it started selected this profile again (PROCESS_LOOP)`, {
      source: run.source,
      code: "PROCESS_LOOP",
      tryNextLink: false,
    });
  }
  const result = await runBoundedProcess(argv, {
    env: { ...run.env, [CREDENTIAL_PROCESS_DEPTH_VARIABLE]: String(run.depth + 1), [CREDENTIAL_PROCESS_CHAIN_VARIABLE]: withChainEntry(above, { id, pid: process.pid }) },
    timeoutMs: run.timeoutMs,
    maxOutputBytes: run.maxOutputBytes,
    maxStderrBytes: run.maxStderrBytes,
    source: run.source,
    label: run.label,
  });
  if (result.exitCode !== 0 && /\bPROCESS_LOOP\b/.test(result.stderrTail)) {
    throw loopError(run);
  }
  if (result.exitCode !== 0) {
    throw new CredentialsError(`${run.label} ${describeProcessEnd(result)}`, {
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

/** The loop this run started, with its cause and its fix, for a person. */
function loopError(run: CredentialProcessRun): CredentialsError {
  const profile = run.profile === undefined ? "its profile" : `profile "${run.profile}"`;
  const how = run.selectedBy === undefined ? "" : ` (${run.selectedBy}, which the program inherits)`;
  return new CredentialsError(
    `${run.label} runs a program that selected ${profile} again${how} and would run this same credential_process: a loop, stopped at its first nested run. ` +
      "A credential_process line must name where its credentials come from: for env-or-profile, add --profile SOURCE (the profile that holds them) " +
      `or --no-profile (environment keys, web identity, container, instance profile); \`env-or-profile setup-aws-profile ${run.profile ?? "NAME"} …\` prints such a line`,
    { source: run.source, code: "PROCESS_LOOP", tryNextLink: false, retryable: false },
  );
}
