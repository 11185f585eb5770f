import type { Clock } from "../clock.js";
import { systemClock } from "../clock.js";
import type { ImdsOptions } from "../providers/imds/from-imds.js";

/**
 * Everything the CLI touches outside itself, injected so each command runs in-process in tests:
 * the environment it reads, where it writes, and the clock.
 */
export interface CliIo {
  /** The environment (credentials, IMDS and STS settings, role options). */
  env: Readonly<Record<string, string | undefined>>;
  /** Writes to standard output (machine output, reports). */
  stdout(text: string): void;
  /** Writes to standard error (errors and warnings). */
  stderr(text: string): void;
  /** Reads all of standard input, for `decode-authorization-message -`. */
  readStdin?(): Promise<string>;
  /** Where time comes from. @defaultValue `systemClock` */
  clock?: Clock;
  /** The node and script that run this CLI, for the `credential_process` line it prints. @defaultValue `process.execPath` and `process.argv[1]`, symbolic links resolved */
  binary?: { node: string; script: string };
  /** Extra IMDS options (tests: a short `timeoutMs`); the environment still applies. */
  imds?: Omit<ImdsOptions, "env" | "clock">;
  /**
   * Where an MFA code is asked for: the controlling terminal's path, or a stream pair (tests).
   * Never stdout (the credential JSON) nor stdin (the AWS CLI's). @defaultValue `"/dev/tty"`
   */
  terminal?: string | CliTerminal;
}

/** A terminal given as streams: the prompt is written to `output`, the code read from `input`. */
export interface CliTerminal {
  input: NodeJS.ReadableStream;
  output: { write(text: string): unknown };
}

/** The real process: `process.env`, `process.stdout`, `process.stderr`, the wall clock. */
export function processIo(): CliIo {
  return {
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) {
        chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
      }
      return Buffer.concat(chunks).toString("utf8");
    },
    clock: systemClock,
  };
}

/** Exit codes of the CLI. */
export const EXIT = Object.freeze({
  /** Done. */
  ok: 0,
  /** No credentials, or the command failed. */
  failure: 1,
  /** Bad command line. */
  usage: 2,
});
