import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { Clock } from "../../clock.js";
import type { Logger } from "../../logger.js";
import type { AssumeRoleCache } from "../assume-role.js";
import { noProfileFilesError } from "./profile-error.js";
import { readProfileFiles, type ProfileFileTexts } from "./read-profile-files.js";
import { resolveProfileSelection, type ProfileSelection } from "./resolve-profile-selection.js";

/** The files as `fromProfile`'s first call found them, for the profile chunk's first call. @internal */
export interface FirstRead {
  readonly selection: ProfileSelection;
  readonly texts: ProfileFileTexts;
}

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
  /**
   * Where AssumeRole results are shared: `false` for none, or a cache from `createAssumeRoleCache`.
   * @defaultValue the process-wide AssumeRole cache
   */
  cache?: AssumeRoleCache | false;
  /** Time limit of a `credential_process`. @defaultValue `DEFAULT_CREDENTIAL_PROCESS_TIMEOUT_MS` (60 s) */
  processTimeoutMs?: number;
}

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
 *
 * Role steps accept `external_id`, `role_session_name`, `duration_seconds`, `region`,
 * `sts_regional_endpoints` and `endpoint_url` (or a `services` section), and go through
 * `fromAssumeRole`, so every client asking for the same role shares one AssumeRole.
 *
 * **Which profile.** The `profile` option, else `AWS_PROFILE`, else `default`. When one was named,
 * it is an explicit choice: missing (with "did you mean"), or broken, is an error that stops a
 * chain (`tryNextLink: false`) — never a silent fall-through to the instance profile. With neither
 * set, no files, or no `[default]` with credential settings, the link falls through
 * (`PROFILE_NOT_SET`), having done no I/O beyond two `stat` calls.
 *
 * The files are read again on every call (a change is seen); wrap the provider in `memoize`, as
 * `envOrProfile` does, to cache the credential.
 *
 * @param options - profile, files, environment, clock, logger.
 * @returns a provider for any AWS SDK v3 client's `credentials` (wrap it in `memoize`).
 * @throws TypeError from `fromProfile` when an option has the wrong type (`profile`, `configFile`,
 *   `credentialsFile`, `clock`, `cache`, `processTimeoutMs`).
 * @throws CredentialsError from the provider, `source: "profile"`: `PROFILE_NOT_SET` (falls
 *   through); `PROFILE_NOT_FOUND`, `PROFILE_INVALID` (a malformed line, a loop, an unknown
 *   `credential_source`, a role without a source; messages name file, profile and key, never a
 *   value), `PROFILE_FILE_UNREADABLE`, `CREDENTIALS_EXPIRED`, `PROCESS_*`, `SSO_LOGIN_REQUIRED`,
 *   `SSO_FAILED`, and the `STS_*` codes of a role step — all of which stop the chain.
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
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Expected `options` to be an object");
  }
  resolveProfileSelection(options); // checks the option types now
  if (options.clock !== undefined && typeof options.clock?.now !== "function") {
    throw new TypeError("Expected `clock` to have a `now()` method");
  }
  if (options.processTimeoutMs !== undefined && !(typeof options.processTimeoutMs === "number" && Number.isFinite(options.processTimeoutMs) && options.processTimeoutMs > 0)) {
    throw new TypeError(`Expected \`processTimeoutMs\` to be a finite number > 0, got ${String(options.processTimeoutMs)}`);
  }
  if (options.cache !== undefined && options.cache !== false && (typeof options.cache !== "object" || options.cache === null)) {
    throw new TypeError("Expected `cache` to be `false` or a cache from `createAssumeRoleCache()`");
  }
  // What a call does (read, parse and plan the files, run a process, SSO) is most of the link's
  // code and only profile users need it: it loads on the first call (profile-run.ts, its own
  // chunk), not at `import "env-or-profile"`. The checks above stay here, when created.
  // With no profile asked for and neither file, a call costs two `stat`s and nothing else: the
  // chunk (and its parser) load only once a file exists or a profile is named.
  let run: Promise<AwsCredentialIdentityProvider> | undefined;
  return async () => {
    let first: FirstRead | undefined;
    if (run === undefined) {
      const selection = resolveProfileSelection({ ...options, env: options.env ?? process.env });
      if (!selection.explicit) {
        const texts = await readProfileFiles(selection);
        if (texts.config === undefined && texts.credentials === undefined) {
          throw noProfileFilesError(selection);
        }
        first = { selection, texts }; // handed on, so the files are not read twice
      }
    }
    run ??= import("./profile-run.js").then(({ profileRun }) => profileRun(options, first));
    return (await run)();
  };
}
