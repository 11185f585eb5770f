import type { AwsCredentialIdentity } from "@smithy/types";
import { withFileCache } from "../../cache/with-file-cache.js";
import { systemClock } from "../../clock.js";
import { EXIT, type CliIo } from "../cli-io.js";
import { reason } from "../format.js";
import type { RoleRequest } from "../parse-cli-args.js";
import type { RolesAnywhereRequest } from "../roles-anywhere-args.js";
import { prepareTrace } from "../resolve-with-trace.js";
import { cacheKeyFacts } from "./cache-key-facts.js";
import {
  BOTOCORE_ADVISORY_REFRESH_SECONDS,
  cliLogger,
  credentialProcessJson,
  noProfileFlag,
  profileFlag,
  readRefreshWindow,
  usesCache,
} from "./credential-process-options.js";
import { credentialProcessLine, lineSource } from "./setup-aws-profile.js";

export {
  BOTOCORE_ADVISORY_REFRESH_SECONDS,
  DEFAULT_CREDENTIAL_PROCESS_REFRESH_WINDOW_SECONDS,
  type CredentialProcessOutput,
} from "./credential-process-options.js";

/** What `credential-process` is asked to do. */
export interface CredentialProcessOptions {
  role: RoleRequest | undefined;
  /** The parsed flags: `profile`, `no-cache`, `refresh-window`, `print-config`. */
  flags?: Readonly<Record<string, string | boolean | undefined>>;
  /** `--roles-anywhere`: the certificate is the source instead of the chain (`role`, if any, is assumed with its credential). */
  rolesAnywhere?: RolesAnywhereRequest | undefined;
}

/**
 * `env-or-profile credential-process [role options] [--no-cache] [--refresh-window S] [--print-config]`:
 * prints the credential as `credential_process` JSON on stdout — the one place a secret is ever
 * printed, because carrying it is the command's purpose. Errors go to stderr, which the AWS CLI
 * shows to the user.
 *
 * Runs keep the credential in the file cache (see `withFileCache`; the key: {@link cacheKeyFacts}),
 * so the AWS CLI, which runs this before every command, fetches once per credential lifetime. An
 * entry is not served within the refresh window (default 20 minutes: botocore's 15 + 5), so what
 * is printed is outside botocore's advisory window whenever a fresher credential can be had.
 * @returns the exit code: 0 with credentials, 1 without.
 */
export async function credentialProcessCommand(options: CredentialProcessOptions, io: CliIo): Promise<number> {
  const flags = options.flags ?? {};
  const profile = profileFlag(flags);
  const { rolesAnywhere } = options;
  const noProfile = noProfileFlag(flags);
  if (flags["print-config"] === true) {
    // The line names its source (as setup-aws-profile's does), so it works however its profile is selected.
    const source = await lineSource(io, "credential-process", "", flags, rolesAnywhere);
    io.stdout(`credential_process = ${credentialProcessLine(io, options.role, source, rolesAnywhere)}\n`);
    return EXIT.ok;
  }
  const refreshWindowSeconds = readRefreshWindow(flags, io.env);
  const trace = prepareTrace(io, options.role, { profile, noProfile, rolesAnywhere }); // throws UsageError now for a bad role or --roles-anywhere option
  let fetched = false;
  const resolve = async (): Promise<AwsCredentialIdentity> => {
    fetched = true;
    const result = await trace();
    if (result.credential === undefined) {
      throw result.error instanceof Error ? result.error : new Error("no credentials");
    }
    return result.credential;
  };
  const provider = usesCache(flags, options.role !== undefined || rolesAnywhere !== undefined, io.env)
    ? withFileCache(resolve, {
        key: cacheKeyFacts(io, options.role, profile, noProfile, rolesAnywhere),
        env: io.env,
        clock: io.clock ?? systemClock,
        logger: cliLogger(io),
        refreshWindowMs: refreshWindowSeconds * 1000,
      })
    : resolve;
  let credential: AwsCredentialIdentity;
  try {
    credential = await provider();
  } catch (error) {
    io.stderr(`env-or-profile credential-process: no credentials: ${reason(error)}\n`);
    return EXIT.failure;
  }
  if (fetched) {
    warnIfInsideBotocoreWindow(io, options.role, credential, rolesAnywhere);
  }
  io.stdout(credentialProcessJson(credential));
  return EXIT.ok;
}

/**
 * One stderr line, once per fetched credential (a cache hit stays quiet), when what is printed is
 * inside botocore's 15-minute window: the AWS CLI and boto3 then run credential-process before
 * every API call. (They show a credential_process's stderr only when it fails.)
 */
function warnIfInsideBotocoreWindow(io: CliIo, role: RoleRequest | undefined, credential: AwsCredentialIdentity, rolesAnywhere?: RolesAnywhereRequest): void {
  // The credential printed is the role's on top when there is one, else the Roles Anywhere session's.
  const [requested, flag] = role === undefined && rolesAnywhere !== undefined ? [rolesAnywhere.durationSeconds, "--session-duration"] : [role?.durationSeconds, "--duration"];
  if (requested !== undefined && requested <= BOTOCORE_ADVISORY_REFRESH_SECONDS) {
    io.stderr(
      `env-or-profile credential-process: warning: ${flag} ${String(requested)} is within botocore's 15-minute refresh window, so the AWS CLI and SDKs will run credential-process before every API call; use ${flag} 1800 or more\n`,
    );
    return;
  }
  const expiration = credential.expiration;
  const leftSeconds = expiration === undefined ? Infinity : (expiration.getTime() - (io.clock ?? systemClock).now()) / 1000;
  if (leftSeconds < BOTOCORE_ADVISORY_REFRESH_SECONDS) {
    io.stderr(
      `env-or-profile credential-process: warning: this credential expires in ${String(Math.max(0, Math.floor(leftSeconds / 60)))} min, within botocore's 15-minute refresh window, so the AWS CLI and SDKs will run credential-process before every API call until a fresher one can be had\n`,
    );
  }
}
