import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { checkMfaCodeProvider } from "../../check-runtime-options.js";
import type { Clock } from "../../clock.js";
import { checkKnownOptions } from "../../known-options.js";
import type { Logger } from "../../logger.js";
import { fileIdentity } from "../../sharing/file-identity.js";
import { identityRef, optionsKey } from "../../sharing/key-parts.js";
import { fallsThrough, linkProvider, type Link, type Reading } from "../../sharing/link.js";
import { noProfileFilesError, PROFILE_SOURCE } from "./profile-error.js";
import { resolveProfileSelection } from "./resolve-profile-selection.js";

/** Options of {@link fromProfile}. */
export interface ProfileOptions {
  /** The profile to use. Naming one makes it explicit: missing or broken, it stops the chain. @defaultValue `AWS_PROFILE`, else `"default"` */
  profile?: string;
  /** The config file. @defaultValue `AWS_CONFIG_FILE`, else `~/.aws/config` */
  configFile?: string;
  /** The credentials file. @defaultValue `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials` */
  credentialsFile?: string;
  /**
   * The environment: `AWS_PROFILE`, the file variables, `HOME`, and what the profile's sources read
   * (`credential_source = Environment` keys, IMDS and container settings, `AWS_REGION`,
   * `AWS_ENDPOINT_URL_STS`; the environment of a `credential_process`). Read on every call.
   * @defaultValue `process.env`
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where time comes from (expiry checks, the AssumeRole cache). @defaultValue `systemClock` */
  clock?: Clock;
  /** One debug line per resolution: which profile, which file, which kind. */
  logger?: Logger;
  /** Time limit of a `credential_process`. @defaultValue `DEFAULT_CREDENTIAL_PROCESS_TIMEOUT_MS` (60 s) */
  processTimeoutMs?: number;
  /**
   * Gives the current code of an MFA device, for a role profile with `mfa_serial`: called with the
   * device's serial (or ARN) when the role is assumed — once per credential lifetime under
   * `memoize`. A profile with `mfa_process` (a command that prints the code, run without a shell)
   * gets its code from that instead. Without either, such a profile fails with `MFA_REQUIRED` and no
   * STS request is sent.
   */
  mfaCodeProvider?: (mfaSerial: string) => Promise<string>;
}

/** The option keys of {@link ProfileOptions}. @internal */
export const PROFILE_OPTION_KEYS = ["profile", "configFile", "credentialsFile", "env", "clock", "logger", "processTimeoutMs", "mfaCodeProvider"] as const;

/**
 * Credentials from an AWS profile in `~/.aws/config` and `~/.aws/credentials`, read as the AWS CLI
 * reads them — with the AWS SDK's own file loader — and resolved through env-or-profile's links:
 *
 * | profile | credentials |
 * | --- | --- |
 * | `aws_access_key_id`, `aws_secret_access_key` (+ `aws_session_token`, `aws_credential_expiration`) | those keys |
 * | `role_arn` + `source_profile` (to any depth) | AssumeRole, signed by the source profile's credentials |
 * | `role_arn` + `credential_source` = `Environment` / `Ec2InstanceMetadata` / `EcsContainer` | AssumeRole, signed by that link's credentials |
 * | `role_arn` + `web_identity_token_file` | AssumeRoleWithWebIdentity |
 * | `credential_process` | the program's Version 1 JSON (run without a shell, bounded) |
 * | `sso_session` / `sso_start_url` | the SDK's `fromSSO` (after `aws sso login`) |
 * | `login_session` | the SDK's `fromLoginCredentials` (after `aws login`) |
 *
 * Role steps accept `external_id`, `role_session_name`, `duration_seconds`, `mfa_serial` (the code
 * from `mfa_process`, else `mfaCodeProvider`), `session_tags`, `transitive_session_tags`,
 * `source_identity`, `region`, `sts_regional_endpoints` and `endpoint_url` (or a `services`
 * section), and go through `fromAssumeRole`, so every client asking for the same role shares one
 * AssumeRole. A profile's IMDS settings (`ec2_metadata_v1_disabled`, …) apply to its
 * `credential_source = Ec2InstanceMetadata`.
 *
 * **Which profile.** The `profile` option, else `AWS_PROFILE`, else `default`. When one was named,
 * it is an explicit choice: missing (with "did you mean"), or broken, is an error that stops a
 * chain (`tryNextLink: false`) — never a silent fall-through to the instance profile. With neither
 * set, no files, or no `[default]` with credential settings, the link falls through
 * (`PROFILE_NOT_SET`), having done no I/O beyond two `stat` calls.
 *
 * Each call reads the files' identities (a `stat` each) and, when they changed, the files; a role
 * step's base is memoized and shared. Wrap the provider in `memoize`, as `envOrProfile` does, to
 * cache the credential: memoized providers that read the same files, profile and environment share
 * one.
 *
 * @param options - profile, files, environment, clock, logger.
 * @returns a provider for any AWS SDK v3 client's `credentials` (wrap it in `memoize`).
 * @throws TypeError from `fromProfile` when an option has the wrong type (`profile`, `configFile`,
 *   `credentialsFile`, `clock`, `cache`, `processTimeoutMs`).
 * @throws CredentialsError from the provider, `source: "profile"`: `PROFILE_NOT_SET` (falls
 *   through); `PROFILE_NOT_FOUND`, `PROFILE_INVALID` (a malformed line, a loop, an unknown
 *   `credential_source`, a role without a source; messages name file, profile and key, never a
 *   value), `PROFILE_FILE_UNREADABLE`, `CREDENTIALS_EXPIRED`, `PROCESS_*`, `SSO_LOGIN_REQUIRED`,
 *   `SSO_FAILED`, `LOGIN_REQUIRED` (no usable `aws login`: the message says `aws login --profile
 *   NAME`), `LOGIN_FAILED`, `MFA_REQUIRED` (an `mfa_serial` and no code to be had; no request), and
 *   the `STS_*` codes of a role step — all of which stop the chain.
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromProfile, memoize } from "env-or-profile";
 *
 * // ~/.aws/config:
 * //   [profile partner]
 * //   role_arn = arn:aws:iam::123456789012:role/partner-upload
 * //   external_id = tenant-42
 * //   source_profile = default
 * const s3 = new S3Client({ region: "us-east-1", credentials: memoize(fromProfile({ profile: "partner" })) });
 * ```
 */
export function fromProfile(options: ProfileOptions = {}): AwsCredentialIdentityProvider {
  return linkProvider(profileLink(options));
}

/** read-profile.js once loaded: an `import()` of a loaded module still costs a trip through the loader. */
let readProfileModule: typeof import("./read-profile.js") | undefined;

/**
 * The profile link: what decides its answer is the selection (the profile, and the files' paths as
 * it resolves them, `~` expanded), each file's identity (a `stat`: device, inode, size, times — an
 * edited or replaced file is another answer), and what the profile's own steps read (a role step's
 * STS location and base identity, a `credential_source`'s variables). With no profile named and
 * neither file, a reading costs two `stat`s and falls through.
 * @throws TypeError when an option is invalid.
 * @internal
 */
export function profileLink(options: ProfileOptions = {}): Link {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Expected `options` to be an object");
  }
  checkKnownOptions(options, PROFILE_OPTION_KEYS, "fromProfile", {
    cache: "AssumeRole results are shared by `memoize` (and `envOrProfile`) now; drop the option",
  });
  resolveProfileSelection(options); // checks the option types now
  if (options.clock !== undefined && typeof options.clock?.now !== "function") {
    throw new TypeError("Expected `clock` to have a `now()` method");
  }
  if (options.processTimeoutMs !== undefined && !(typeof options.processTimeoutMs === "number" && Number.isFinite(options.processTimeoutMs) && options.processTimeoutMs > 0)) {
    throw new TypeError(`Expected \`processTimeoutMs\` to be a finite number > 0, got ${String(options.processTimeoutMs)}`);
  }
  checkMfaCodeProvider(options.mfaCodeProvider);
  const optionKey = optionsKey({
    processTimeoutMs: options.processTimeoutMs,
    clock: identityRef(options.clock),
    logger: identityRef(options.logger),
    mfaCodeProvider: identityRef(options.mfaCodeProvider),
  });
  return {
    name: PROFILE_SOURCE,
    async read(): Promise<Reading> {
      const env = options.env ?? process.env;
      const selection = resolveProfileSelection({ ...options, env });
      const [config, credentials] = await Promise.all([fileIdentity(selection.configFile), fileIdentity(selection.credentialsFile)]);
      const filesKey =
        `${JSON.stringify([selection.profile, selection.from, selection.configFile, selection.credentialsFile])};` +
        `${config.key};${credentials.key};${optionKey}`;
      if (config.kind === "absent" && credentials.kind === "absent" && !selection.explicit) {
        return fallsThrough(`profile:none;${filesKey}`, noProfileFilesError(selection));
      }
      // Reading, parsing and planning the files (read-profile.ts, its own chunk) loads only once a
      // file exists or a profile is named.
      const { readProfile } = (readProfileModule ??= await import("./read-profile.js"));
      return readProfile(options, env, selection, filesKey, { config, credentials });
    },
  };
}
