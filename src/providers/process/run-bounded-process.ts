import type { ChildProcess } from "node:child_process";
import { CredentialsError } from "../../errors.js";
import { scrubProcessText } from "./scrub-process-text.js";

/** What a finished process gave. `stdout` may hold secrets; `stderrTail` is raw (scrub it before showing). */
export interface BoundedProcessResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  /** The last bytes of stderr (at most `maxStderrBytes`). */
  readonly stderrTail: string;
}

/** Limits of {@link runBoundedProcess}. */
export interface BoundedProcessOptions {
  /** The child's environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Killed (SIGKILL) after this long. */
  readonly timeoutMs: number;
  /** Killed when stdout grows past this. */
  readonly maxOutputBytes: number;
  /** How much of stderr's end is kept. */
  readonly maxStderrBytes: number;
  /** For messages: which link runs it. */
  readonly source: string;
  /** For messages: what is run (never its arguments, which may hold secrets). */
  readonly label: string;
}

let childProcess: Promise<typeof import("node:child_process")> | undefined;

/**
 * Runs `argv` directly (no shell), stdin closed, and collects its output with hard bounds: killed
 * with SIGKILL when it runs past `timeoutMs` or writes more than `maxOutputBytes` to stdout. The
 * timer is a plain `setTimeout`, so fake timers drive it.
 *
 * @throws CredentialsError `PROCESS_FAILED` when it cannot be started (`ENOENT`: not found),
 *   `PROCESS_TIMEOUT` when it was killed for time, `PROCESS_BAD_OUTPUT` when killed for size.
 * @internal
 */
export async function runBoundedProcess(argv: readonly string[], options: BoundedProcessOptions): Promise<BoundedProcessResult> {
  const [program = "", ...args] = argv;
  childProcess ??= import("node:child_process");
  const { spawn } = await childProcess;
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(program, args, {
        shell: false,
        stdio: ["ignore", "pipe", "pipe"],
        env: definedOnly(options.env),
        windowsHide: true,
      });
    } catch (error) {
      reject(startFailure(error, options));
      return;
    }
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = Buffer.alloc(0);
    let failure: CredentialsError | undefined;
    const stop = (error: CredentialsError): void => {
      failure ??= error;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => {
      stop(
        new CredentialsError(`${options.label} did not finish within ${options.timeoutMs} ms and was killed`, {
          source: options.source,
          code: "PROCESS_TIMEOUT",
          tryNextLink: false,
        }),
      );
    }, options.timeoutMs);
    child.stdout?.on("data", (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > options.maxOutputBytes) {
        stop(
          new CredentialsError(`${options.label} wrote more than ${options.maxOutputBytes} bytes to stdout and was stopped`, {
            source: options.source,
            code: "PROCESS_BAD_OUTPUT",
            tryNextLink: false,
          }),
        );
        return;
      }
      stdout.push(chunk);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = Buffer.concat([stderr, chunk]);
      if (stderr.length > options.maxStderrBytes) {
        stderr = stderr.subarray(stderr.length - options.maxStderrBytes);
      }
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(failure ?? startFailure(error, options));
    });
    child.on("close", (exitCode, signal) => {
      clearTimeout(timer);
      if (failure !== undefined) {
        reject(failure);
        return;
      }
      resolve({ exitCode, signal, stdout: Buffer.concat(stdout).toString("utf8"), stderrTail: stderr.toString("utf8") });
    });
  });
}

function startFailure(error: unknown, options: BoundedProcessOptions): CredentialsError {
  const code = (error as { code?: unknown } | null)?.code;
  const why =
    code === "ENOENT"
      ? "the program was not found (give a full path, or check PATH)"
      : code === "EACCES"
        ? "the program is not executable (EACCES)"
        : typeof code === "string"
          ? code
          : "it could not be started";
  return new CredentialsError(`${options.label} could not be run: ${why}`, {
    source: options.source,
    code: "PROCESS_FAILED",
    tryNextLink: false,
    // Running out of processes or file descriptors can pass; a missing program does not.
    retryable: code === "EAGAIN" || code === "EMFILE" || code === "ENFILE",
  });
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined) {
      out[name] = value;
    }
  }
  return out;
}

/**
 * How a process that did not exit with 0 ended, for a message: `exited with code 2: <its stderr>` or
 * `was killed by SIGTERM (nothing on stderr)` — the stderr's tail scrubbed of anything secret.
 * @internal
 */
export function describeProcessEnd(result: BoundedProcessResult): string {
  const stderr = scrubProcessText(result.stderrTail);
  const how = result.signal !== null ? `was killed by ${result.signal}` : `exited with code ${String(result.exitCode)}`;
  return `${how}${stderr === "" ? " (nothing on stderr)" : `: ${stderr}`}`;
}
