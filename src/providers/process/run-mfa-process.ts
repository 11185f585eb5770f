import { CredentialsError } from "../../errors.js";
import { MFA_CODE_PATTERN } from "../sts/session-option-checks.js";
import { CREDENTIAL_PROCESS_DEPTH_VARIABLE, processDepth } from "./from-credential-process.js";
import { describeProcessEnd, runBoundedProcess } from "./run-bounded-process.js";

/** What one `mfa_process` run needs. @internal */
export interface MfaProcessRun {
  /** The program's environment (the chain's). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Killed after this long: a helper may wait for a touch of a hardware key. */
  readonly timeoutMs: number;
  /** What ran, for messages: the program's name and the profile, never its arguments. */
  readonly label: string;
}

/** An MFA code is six digits; a line of them is all a helper prints. Anything longer is not a code. */
const MAX_OUTPUT_BYTES = 4096;

/**
 * Runs a profile's `mfa_process` once — split like `credential_process`, no shell, stdin closed,
 * bounded in time and output — and returns the MFA code it printed (its stdout, trimmed: six
 * digits). The code is a one-time secret: it is never put in a message.
 *
 * @throws CredentialsError (`source: "assume-role"`, never falling through, never retried: a code
 *   may have been spent) `PROCESS_FAILED` (could not start, a non-zero exit — its scrubbed stderr
 *   is the reason shown — or a signal), `PROCESS_TIMEOUT`, `PROCESS_BAD_OUTPUT` (not six digits).
 * @internal
 */
export async function runMfaProcess(argv: readonly string[], run: MfaProcessRun): Promise<string> {
  const depth = processDepth(run.env);
  const result = await runBoundedProcess(argv, {
    env: { ...run.env, [CREDENTIAL_PROCESS_DEPTH_VARIABLE]: String(depth + 1) },
    timeoutMs: run.timeoutMs,
    maxOutputBytes: MAX_OUTPUT_BYTES,
    maxStderrBytes: MAX_OUTPUT_BYTES,
    source: "assume-role",
    label: run.label,
  });
  if (result.exitCode !== 0) {
    throw new CredentialsError(`${run.label} ${describeProcessEnd(result)}; no STS request was sent`, {
      source: "assume-role",
      code: "PROCESS_FAILED",
      tryNextLink: false,
      retryable: false,
    });
  }
  const code = result.stdout.trim();
  if (!MFA_CODE_PATTERN.test(code)) {
    const shape = code === "" ? "nothing" : `${code.length} characters that are not six digits (not shown)`;
    throw new CredentialsError(`${run.label} printed ${shape} on stdout; it must print the MFA code (six digits). No STS request was sent`, {
      source: "assume-role",
      code: "PROCESS_BAD_OUTPUT",
      tryNextLink: false,
      retryable: false,
    });
  }
  return code;
}
