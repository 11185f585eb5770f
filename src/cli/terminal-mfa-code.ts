import { closeSync, createReadStream, openSync, writeSync } from "node:fs";
import { isatty, ReadStream } from "node:tty";
import { CredentialsError } from "../errors.js";
import type { CliIo, CliTerminal } from "./cli-io.js";

/** The controlling terminal: where the CLI asks for an MFA code (never stdout, never stdin). */
export const DEFAULT_TERMINAL = "/dev/tty";

/**
 * How long a prompt waits for a code before giving up. A TOTP code lives 30 seconds; five minutes
 * covers fetching the phone, and a prompt on a terminal nobody watches (a GUI that started the AWS
 * CLI with a controlling terminal) does not hang its caller for ever.
 */
export const MFA_PROMPT_TIMEOUT_MS = 5 * 60_000;

/** The most a typed line may be: a code is six digits, and nothing longer is kept. */
const MAX_LINE = 256;

/**
 * The CLI's MFA code provider: asks on the terminal — `/dev/tty` (`io.terminal` in tests), never
 * stdout (the credential JSON goes there) and never stdin (the AWS CLI owns it) — one prompt at a
 * time, and returns the line typed. The code is checked (six digits) and sent by the role step;
 * a refused code is an error, not a second prompt.
 *
 * With no terminal (no controlling terminal: a CI job, a daemon, a GUI app's child), it fails at
 * once with `MFA_REQUIRED` saying how to get the credential: run the command once from a terminal
 * (credential-process then keeps the MFA-backed credential in its cache, for every tool), or give
 * the profile an `mfa_process`.
 */
export function terminalMfaCodeProvider(io: CliIo): (mfaSerial: string) => Promise<string> {
  let queue: Promise<unknown> = Promise.resolve();
  return (mfaSerial) => {
    const asked = queue.then(() => askOnTerminal(io.terminal ?? DEFAULT_TERMINAL, mfaSerial));
    queue = asked.catch(() => undefined);
    return asked;
  };
}

async function askOnTerminal(terminal: string | CliTerminal, mfaSerial: string): Promise<string> {
  const prompt = `Enter MFA code for ${mfaSerial}: `;
  if (typeof terminal !== "string") {
    terminal.output.write(prompt);
    return readLine(terminal.input, mfaSerial, () => undefined);
  }
  let fd: number;
  try {
    fd = openSync(terminal, "r+");
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    throw new CredentialsError(
      `An MFA code from ${mfaSerial} is needed, and there is no terminal to ask on (${terminal}: ${typeof code === "string" ? code : "cannot be opened"}). ` +
        "Run the command once from a terminal — credential-process then keeps the credential in its cache until it expires, for every tool " +
        "that runs the same line — or give the profile an `mfa_process` (a command that prints the code). No STS request was sent",
      { source: "assume-role", code: "MFA_REQUIRED", tryNextLink: false },
    );
  }
  try {
    writeSync(fd, prompt);
  } catch {
    // A terminal that takes no output still gives input; the code is asked for all the same.
  }
  // A terminal is read through a tty stream (which can be stopped); anything else (a FIFO in a test) as a file.
  const input = isatty(fd) ? new ReadStream(fd) : createReadStream(terminal, { fd, autoClose: false });
  try {
    return await readLine(input, mfaSerial, () => input.destroy());
  } finally {
    input.destroy();
    if (!isatty(fd)) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
  }
}

/** One line from `input` (without its end), or `MFA_REQUIRED` at its end or after the time limit. */
function readLine(input: NodeJS.ReadableStream, mfaSerial: string, stop: () => void): Promise<string> {
  return new Promise((resolve, reject) => {
    let line = "";
    const finish = (outcome: () => void): void => {
      clearTimeout(timer);
      input.removeListener("data", onData);
      input.removeListener("end", onEnd);
      input.removeListener("error", onError);
      input.pause();
      outcome();
    };
    const none = (why: string): CredentialsError =>
      new CredentialsError(`No MFA code for ${mfaSerial} was entered (${why}); no STS request was sent`, { source: "assume-role", code: "MFA_REQUIRED", tryNextLink: false });
    const onData = (chunk: Buffer | string): void => {
      line += chunk.toString();
      const end = line.search(/\r?\n/);
      if (end >= 0) {
        finish(() => resolve(line.slice(0, end).trim()));
      } else if (line.length > MAX_LINE) {
        finish(() => reject(none("the line was too long")));
      }
    };
    const onEnd = (): void => finish(() => (line.trim() === "" ? reject(none("the terminal closed")) : resolve(line.trim())));
    const onError = (error: Error): void => finish(() => reject(none(`the terminal could not be read: ${(error as { code?: string }).code ?? error.message}`)));
    const timer = setTimeout(() => {
      finish(() => reject(none(`nothing was typed within ${MFA_PROMPT_TIMEOUT_MS / 60_000} minutes`)));
      stop();
    }, MFA_PROMPT_TIMEOUT_MS);
    input.on("data", onData);
    input.once("end", onEnd);
    input.once("error", onError);
    input.resume();
  });
}
