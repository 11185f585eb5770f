import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { systemClock, type Clock } from "../../clock.js";
import { CredentialsError } from "../../errors.js";
import { checkKnownOptions } from "../../known-options.js";
import type { Logger } from "../../logger.js";
import { markCredential } from "../../sdk/credential-marks.js";
import { identityRef, optionsKey, secretRef } from "../../sharing/key-parts.js";
import { linkProvider, type Link } from "../../sharing/link.js";
import { splitCommandLine } from "./split-command-line.js";

/**
 * How long a `credential_process` may run. The AWS CLI and SDKs wait forever; a helper that fetches
 * from a vault or an SSO portal answers in seconds, and one minute leaves room for a slow network
 * without letting a hung helper hang every caller.
 */
export const DEFAULT_CREDENTIAL_PROCESS_TIMEOUT_MS = 60_000;

/**
 * The most a `credential_process` may write to stdout. Its JSON is a few hundred bytes (a session
 * token is at most a few kilobytes); 1 MiB stops a runaway program without refusing any real one.
 */
export const DEFAULT_CREDENTIAL_PROCESS_MAX_OUTPUT_BYTES = 1024 * 1024;

/**
 * How deeply credential processes may run inside one another (counted in
 * {@link CREDENTIAL_PROCESS_DEPTH_VARIABLE}). A helper that itself reads a profile with a
 * `credential_process` is two deep; a profile whose `credential_process` is `env-or-profile
 * credential-process --profile` *itself* would fork without end — it is stopped at this depth.
 */
export const MAX_CREDENTIAL_PROCESS_DEPTH = 4;

/** The variable that counts nested credential processes, set in each child's environment. */
export const CREDENTIAL_PROCESS_DEPTH_VARIABLE = "ENV_OR_PROFILE_CREDENTIAL_PROCESS_DEPTH";


/** How much of a failing program's stderr is kept to explain the failure (then scrubbed and cut to 300 characters). */
const MAX_STDERR_BYTES = 4096;

/** Options of {@link fromCredentialProcess}. */
export interface CredentialProcessOptions {
  /**
   * The command line, as in `credential_process = …`: split like the AWS CLI does (shell-style
   * words and quotes) and run without a shell.
   */
  command: string;
  /** The profile it came from, for messages. */
  profile?: string;
  /** The program's environment. @defaultValue `process.env` */
  env?: Readonly<Record<string, string | undefined>>;
  /** Killed after this long. @defaultValue {@link DEFAULT_CREDENTIAL_PROCESS_TIMEOUT_MS} */
  timeoutMs?: number;
  /** Killed when stdout grows past this. @defaultValue {@link DEFAULT_CREDENTIAL_PROCESS_MAX_OUTPUT_BYTES} */
  maxOutputBytes?: number;
  /** For the expiry check. @defaultValue `systemClock` */
  clock?: Clock;
  /** One debug line per run. */
  logger?: Logger;
  /**
   * The account id to give the credential when the program's JSON has no `AccountId` (a profile's
   * `aws_account_id`, as the AWS SDKs and botocore do).
   */
  accountId?: string;
}

/**
 * How the profile link chose the profile a `credential_process` belongs to, for the loop message:
 * e.g. `AWS_PROFILE=partner` or `the default profile`. @internal
 */
export interface CredentialProcessContext {
  readonly selectedBy?: string | undefined;
}

/** The option keys of {@link CredentialProcessOptions}. */
const PROCESS_OPTION_KEYS = ["command", "profile", "env", "timeoutMs", "maxOutputBytes", "clock", "logger", "accountId"] as const;

const SOURCE = "process";

/**
 * Credentials from an external program, the `credential_process` of an AWS profile. The command
 * line is split as the AWS CLI splits it and run directly — no shell — with stdin closed, a time
 * limit and an output limit; its stdout must be the Version 1 JSON (`AccessKeyId`,
 * `SecretAccessKey`, optional `SessionToken`, `Expiration`, `AccountId`); an expired `Expiration`
 * is refused. Every call runs the program: wrap the provider in `memoize` (as `envOrProfile` and
 * `fromProfile` users do) to run it once per credential lifetime.
 *
 * The program's stderr stays out of messages, except when it failed (a non-zero exit), where its
 * last lines — scrubbed of anything that looks like a key or token — are the reason shown.
 *
 * @param options - the command line and limits.
 * @returns a provider; each call runs the program once.
 * @throws TypeError from `fromCredentialProcess` when the command line cannot be split or an option is invalid.
 * @throws CredentialsError from the provider (never falling through a chain):
 *   `PROCESS_FAILED` (could not start, non-zero exit, killed by a signal; not retried),
 *   `PROCESS_LOOP` (the program selected this profile again and would run this command again —
 *   a line that does not name its source, run with `AWS_PROFILE` set to its own profile; stopped at
 *   the first nested run, with the fix in the message),
 *   `PROCESS_TIMEOUT`, `PROCESS_BAD_OUTPUT` (not Version 1 JSON, a missing field, too large),
 *   `CREDENTIALS_EXPIRED`.
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromCredentialProcess, memoize } from "env-or-profile";
 *
 * const credentials = memoize(fromCredentialProcess({ command: "/usr/local/bin/vault-aws-creds --role deploy" }));
 * const s3 = new S3Client({ region: "us-east-1", credentials });
 * ```
 */
export function fromCredentialProcess(options: CredentialProcessOptions): AwsCredentialIdentityProvider {
  return linkProvider(credentialProcessLink(options));
}

/**
 * The `credential_process` link: what decides its answer is the command line (as a number standing
 * for it: its arguments may carry a secret), the profile it belongs to and the limits. It always
 * answers. Each fetch runs the program once.
 * @throws TypeError when the command line cannot be split or an option is invalid.
 * @internal
 */
export function credentialProcessLink(options: CredentialProcessOptions, context: CredentialProcessContext = {}): Link {
  if (typeof options !== "object" || options === null || typeof options.command !== "string") {
    throw new TypeError("Expected `options.command` to be the credential_process command line (a string)");
  }
  checkKnownOptions(options, PROCESS_OPTION_KEYS, "fromCredentialProcess");
  const argv = splitCommandLine(options.command);
  const timeoutMs = positive(options.timeoutMs ?? DEFAULT_CREDENTIAL_PROCESS_TIMEOUT_MS, "timeoutMs");
  const maxOutputBytes = positive(options.maxOutputBytes ?? DEFAULT_CREDENTIAL_PROCESS_MAX_OUTPUT_BYTES, "maxOutputBytes");
  if (options.accountId !== undefined && (typeof options.accountId !== "string" || !/^\d{12}$/.test(options.accountId))) {
    throw new TypeError("Expected `accountId` to be a 12-digit AWS account id");
  }
  const clock = options.clock ?? systemClock;
  // The program's name, never its arguments: they may carry a secret (a token, a password).
  const label = `credential_process ${JSON.stringify(programName(argv[0] ?? ""))}${options.profile === undefined ? "" : ` of profile "${options.profile}"`}`;
  const key = `process:${secretRef(options.command)};${optionsKey({
    profile: options.profile,
    timeoutMs,
    maxOutputBytes,
    accountId: options.accountId,
    clock: identityRef(options.clock),
    logger: identityRef(options.logger),
  })}`;
  return {
    name: SOURCE,
    read: () => {
      const env = options.env ?? process.env;
      const depth = processDepth(env);
      return {
        key,
        answers: true,
        fetch: async () => {
          if (depth >= MAX_CREDENTIAL_PROCESS_DEPTH) {
            throw new CredentialsError(
              `${label} was not run: credential processes are already nested ${depth} deep (${CREDENTIAL_PROCESS_DEPTH_VARIABLE}); does a profile's credential_process run itself?`,
              { source: SOURCE, code: "PROCESS_LOOP", tryNextLink: false },
            );
          }
          // Running the program and reading its answer (run-credential-process.ts, in the profile
          // chunk) loads at the first call: most users have no credential_process, and it is not
          // part of `import "env-or-profile"`.
          const { runCredentialProcess } = await import("./run-credential-process.js");
          const identity = await runCredentialProcess(argv, {
            command: options.command,
            profile: options.profile,
            selectedBy: context.selectedBy,
            env,
            depth,
            timeoutMs,
            maxOutputBytes,
            maxStderrBytes: MAX_STDERR_BYTES,
            source: SOURCE,
            label,
            clock,
            logger: options.logger,
          });
          return markCredential(withAccountId(identity, options.accountId), "CREDENTIALS_PROCESS"); // as the SDK's fromProcess
        },
      };
    },
  };
}

function positive(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`Expected \`${name}\` to be a finite number > 0, got ${String(value)}`);
  }
  return value;
}

/** A program's file name, cut short, for the label of a process in messages. @internal */
export function programName(path: string): string {
  const name = path.split(/[\\/]/).pop() ?? path;
  return name.length > 60 ? `${name.slice(0, 57)}...` : name;
}

/** How deep credential processes are nested here (this process is a child of one when > 0). @internal */
export function processDepth(env: Readonly<Record<string, string | undefined>>): number {
  return Number.parseInt(env[CREDENTIAL_PROCESS_DEPTH_VARIABLE] ?? "0", 10) || 0;
}

/** The credential with the profile's `aws_account_id` when the source gave none. @internal */
export function withAccountId(identity: AwsCredentialIdentity, accountId: string | undefined): AwsCredentialIdentity {
  return identity.accountId === undefined && accountId !== undefined ? { ...identity, accountId } : identity;
}
