import type { AwsCredentialIdentity } from "@smithy/types";
import { checkMfaCodeProvider } from "./check-runtime-options.js";
import type { Clock, Random } from "./clock.js";
import { envOrProfile, type EnvOrProfileOptions } from "./env-or-profile.js";
import { CredentialsError, keyIdHint } from "./errors.js";
import { printableKey } from "./known-options.js";
import { nearestKey } from "./nearest-names.js";
import type { Logger } from "./logger.js";
import { memoize, type JitterOptions, type MemoizedProvider, type MemoizeOptions } from "./memoize.js";
import type { AssumeRoleOptions } from "./providers/assume-role.js";
import {
  EXTERNAL_ID_PATTERN,
  MAX_DURATION_SECONDS,
  MIN_DURATION_SECONDS,
  ROLE_ARN_PATTERN,
  ROLE_SESSION_NAME_PATTERN,
  checkDurationSeconds,
  checkEndpoint,
  checkMs,
  checkRegion,
  parseRoleArn,
} from "./providers/sts/role-checks.js";
import { checkMfaSerial, checkPolicy, checkPolicyArns, checkSourceIdentity, checkTags, checkTransitiveTagKeys } from "./providers/sts/session-option-checks.js";
import type { ContainerOptions } from "./providers/container/from-container.js";
import type { EnvOptions } from "./providers/env.js";
import type { ImdsOptions } from "./providers/imds/from-imds.js";
import type { ProfileOptions } from "./providers/profile/from-profile.js";
import { fromRolesAnywhere } from "./providers/roles-anywhere/from-roles-anywhere.js";
import { parseRolesAnywhereArn } from "./providers/roles-anywhere/parse-roles-anywhere-arn.js";
import { resolveRolesAnywhereSettings } from "./providers/roles-anywhere/resolve-roles-anywhere-settings.js";
import { checkRolesAnywhereEndpoint } from "./providers/roles-anywhere/roles-anywhere-endpoint.js";
import type { RolesAnywhereOptions } from "./providers/roles-anywhere/roles-anywhere-options.js";
import type { WebIdentityOptions } from "./providers/web-identity/from-web-identity.js";
import type { RetryOptions } from "./retry.js";
import { checkKnownOptions } from "./known-options.js";
import { markCredential } from "./sdk/credential-marks.js";

/**
 * The values `credentialsSource` (`credentials_source`) accepts — BOSH's names:
 * - `"env_or_profile"`: the whole chain, exactly `envOrProfile()` — environment variables, else a
 *   profile, else the attached role (web identity, container, EC2 instance profile);
 * - `"static"`: the `accessKeyId` / `secretAccessKey` (and optional `sessionToken`) in the config.
 */
export const CREDENTIALS_SOURCES = Object.freeze(["env_or_profile", "static"] as const);

/** One of {@link CREDENTIALS_SOURCES}. */
export type CredentialsSource = (typeof CREDENTIALS_SOURCES)[number];

/**
 * The role to assume on top of the configured source, as plain data (camelCase). Same meaning and
 * rules as the fields of the same names in `AssumeRoleOptions`.
 */
export interface AssumeRoleConfig {
  /** `arn:<partition>:iam::<12 digits>:role/<path/name>`, in any partition the AWS SDK knows (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, …). Snake case: `role_arn`. */
  roleArn: string;
  /** Sent as `ExternalId`; never echoed in errors. Snake case: `external_id`. */
  externalId?: string;
  /** 2–64 characters of `[\w+=,.@-]`. Snake case: `role_session_name`. @defaultValue `env-or-profile@<host>` */
  roleSessionName?: string;
  /** 900–43200. Snake case: `duration_seconds`. @defaultValue 3600 */
  durationSeconds?: number;
  /** STS region. @defaultValue `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the role ARN's partition's (`us-east-1` for `aws`, `cn-north-1` for `aws-cn`, `us-gov-west-1` for `aws-us-gov`, …) */
  region?: string;
  /** STS endpoint URL. @defaultValue `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`, else the regional endpoint */
  endpoint?: string;
  /**
   * The MFA device the role requires (`SerialNumber`); its code comes from `fromConfig`'s
   * `mfaCodeProvider` option (without one: `MFA_REQUIRED`, no request). Snake case: `mfa_serial`.
   */
  mfaSerial?: string;
  /** Session tags (at most 50). */
  tags?: Readonly<Record<string, string>>;
  /** Which session tags pass on to a chained role. Snake case: `transitive_tag_keys`. */
  transitiveTagKeys?: readonly string[];
  /** `SourceIdentity`: who is behind the session. Snake case: `source_identity`. */
  sourceIdentity?: string;
  /** An inline session policy (JSON, at most 2,048 characters). */
  policy?: string;
  /** Managed session policy ARNs (at most 10). Snake case: `policy_arns`. */
  policyArns?: readonly string[];
}

/** {@link AssumeRoleConfig} with snake_case keys, as in a YAML file or `~/.aws/config`. */
export interface AssumeRoleSnakeCaseConfig {
  /** See {@link AssumeRoleConfig.roleArn}. */
  role_arn: string;
  /** See {@link AssumeRoleConfig.externalId}. */
  external_id?: string;
  /** See {@link AssumeRoleConfig.roleSessionName}. */
  role_session_name?: string;
  /** See {@link AssumeRoleConfig.durationSeconds}. */
  duration_seconds?: number;
  /** See {@link AssumeRoleConfig.region}. */
  region?: string;
  /** See {@link AssumeRoleConfig.endpoint}. */
  endpoint?: string;
  /** See {@link AssumeRoleConfig.mfaSerial}. */
  mfa_serial?: string;
  /** See {@link AssumeRoleConfig.tags}. */
  tags?: Readonly<Record<string, string>>;
  /** See {@link AssumeRoleConfig.transitiveTagKeys}. */
  transitive_tag_keys?: readonly string[];
  /** See {@link AssumeRoleConfig.sourceIdentity}. */
  source_identity?: string;
  /** See {@link AssumeRoleConfig.policy}. */
  policy?: string;
  /** See {@link AssumeRoleConfig.policyArns}. */
  policy_arns?: readonly string[];
}

/**
 * IAM Roles Anywhere as plain data (camelCase): a server outside AWS whose X.509 certificate is the
 * source. Same meaning and rules as the fields of the same names in `RolesAnywhereOptions` (the
 * clock and logger are `fromConfig`'s options, not configuration).
 */
export interface RolesAnywhereConfig {
  /** The leaf certificate: a file path (re-read at every refresh) or PEM text. */
  certificate: string;
  /** Its private key: a file path or PEM text (RSA or EC; PKCS#1, SEC1, PKCS#8, encrypted PKCS#8). Snake case: `private_key`. */
  privateKey: string;
  /** Intermediate CA certificates: a PEM file path or PEM text. */
  intermediates?: string;
  /** The passphrase of an encrypted PKCS#8 key; never echoed. Snake case: `private_key_passphrase`. */
  privateKeyPassphrase?: string;
  /** The trust anchor's ARN. Snake case: `trust_anchor_arn`. */
  trustAnchorArn: string;
  /** The Roles Anywhere profile's ARN, in the trust anchor's region. Snake case: `profile_arn`. */
  profileArn: string;
  /** The role to get credentials for. Snake case: `role_arn`. */
  roleArn: string;
  /** The `CreateSession` region. @defaultValue the trust anchor ARN's */
  region?: string;
  /** 900–43200. Snake case: `duration_seconds`. @defaultValue 3600 */
  durationSeconds?: number;
  /** Sent as `roleSessionName`. Also `roleSessionName`; snake case: `session_name` or `role_session_name`. */
  sessionName?: string;
  /** The `CreateSession` base URL (an interface VPC endpoint, an emulator in tests). @defaultValue `https://rolesanywhere.<region>.amazonaws.com` */
  endpoint?: string;
  /** The deadline of one `CreateSession`, in milliseconds. Snake case: `timeout_ms`. @defaultValue 10_000 */
  timeoutMs?: number;
}

/** {@link RolesAnywhereConfig} with snake_case keys, as in a YAML file. */
export interface RolesAnywhereSnakeCaseConfig {
  /** See {@link RolesAnywhereConfig.certificate}. */
  certificate: string;
  /** See {@link RolesAnywhereConfig.privateKey}. */
  private_key: string;
  /** See {@link RolesAnywhereConfig.intermediates}. */
  intermediates?: string;
  /** See {@link RolesAnywhereConfig.privateKeyPassphrase}. */
  private_key_passphrase?: string;
  /** See {@link RolesAnywhereConfig.trustAnchorArn}. */
  trust_anchor_arn: string;
  /** See {@link RolesAnywhereConfig.profileArn}. */
  profile_arn: string;
  /** See {@link RolesAnywhereConfig.roleArn}. */
  role_arn: string;
  /** See {@link RolesAnywhereConfig.region}. */
  region?: string;
  /** See {@link RolesAnywhereConfig.durationSeconds}. */
  duration_seconds?: number;
  /** See {@link RolesAnywhereConfig.sessionName}. */
  session_name?: string;
  /** See {@link RolesAnywhereConfig.endpoint}. */
  endpoint?: string;
  /** See {@link RolesAnywhereConfig.timeoutMs}. */
  timeout_ms?: number;
}

/**
 * The credential flags apps already carry, in camelCase. Exactly one way to get the base
 * credential must be chosen:
 * - `useIamProfile: true` — Fog's flag: the role attached to where this runs — web identity (EKS
 *   IRSA), else container credentials (ECS task role, EKS Pod Identity), else the EC2 instance
 *   profile (IMDS); never environment keys or profile files;
 * - `credentialsSource: "env_or_profile"` — BOSH's: environment variables, else a profile, else the
 *   attached role (web identity, container, EC2 instance profile);
 * - `credentialsSource: "static"` with `accessKeyId` and `secretAccessKey`, or just the keys;
 * - `profile: "name"` — a named AWS profile from `~/.aws/config` / `~/.aws/credentials` (with
 *   `credentialsSource: "env_or_profile"`, the whole chain with that profile as its profile link);
 * - `rolesAnywhere: { … }` — a server outside AWS: its X.509 certificate, exchanged for the role's
 *   credentials by IAM Roles Anywhere.
 *
 * `assumeRole` then assumes a role (with its ExternalId) using that base credential.
 */
export interface CredentialsConfig {
  /**
   * Fog's `use_iam_profile`: the role attached to where this runs — web identity, else container
   * credentials, else the EC2 instance profile (the three sources fog-aws's `use_iam_profile`
   * reads, in that order) — never environment keys or profile files.
   */
  useIamProfile?: boolean;
  /** BOSH's `credentials_source`; one of {@link CREDENTIALS_SOURCES}. */
  credentialsSource?: CredentialsSource;
  /** Static access key id (with `secretAccessKey`). Snake case: `access_key_id` or Fog's `aws_access_key_id`. */
  accessKeyId?: string;
  /** Static secret. Snake case: `secret_access_key` or `aws_secret_access_key`. Never echoed. */
  secretAccessKey?: string;
  /** Static session token, with the keys. Snake case: `session_token` or `aws_session_token`. Never echoed. */
  sessionToken?: string;
  /**
   * A named AWS profile (`~/.aws/config`, `~/.aws/credentials`): its credentials, however it gets
   * them (keys, a role with `source_profile` / `credential_source`, `credential_process`, SSO).
   * An explicit choice: a missing or broken profile is an error, never a fall-through. Same key in
   * snake case.
   */
  profile?: string;
  /**
   * A server outside AWS: IAM Roles Anywhere exchanges its certificate for the role's credentials
   * (`fromRolesAnywhere`). The source by itself: not with the other sources. Snake case: `roles_anywhere`.
   */
  rolesAnywhere?: RolesAnywhereConfig;
  /** Assume this role on top of the source above. Snake case: `assume_role`. */
  assumeRole?: AssumeRoleConfig;
}

/** {@link CredentialsConfig} with snake_case keys, so a parsed YAML or JSON config goes straight in. */
export interface SnakeCaseCredentialsConfig {
  /** See {@link CredentialsConfig.useIamProfile}. */
  use_iam_profile?: boolean;
  /** See {@link CredentialsConfig.credentialsSource}. */
  credentials_source?: CredentialsSource;
  /** See {@link CredentialsConfig.accessKeyId}. */
  access_key_id?: string;
  /** See {@link CredentialsConfig.secretAccessKey}. */
  secret_access_key?: string;
  /** See {@link CredentialsConfig.sessionToken}. */
  session_token?: string;
  /** Fog's name for {@link CredentialsConfig.accessKeyId}. */
  aws_access_key_id?: string;
  /** Fog's name for {@link CredentialsConfig.secretAccessKey}. */
  aws_secret_access_key?: string;
  /** Fog's name for {@link CredentialsConfig.sessionToken}. */
  aws_session_token?: string;
  /** See {@link CredentialsConfig.profile}. */
  profile?: string;
  /** See {@link CredentialsConfig.rolesAnywhere}. */
  roles_anywhere?: RolesAnywhereSnakeCaseConfig;
  /** See {@link CredentialsConfig.assumeRole}. */
  assume_role?: AssumeRoleSnakeCaseConfig;
}

/**
 * Code-level options of {@link fromConfig}: the things that are not configuration data (clocks,
 * loggers, test endpoints). Checked like every other option in the library (a `TypeError`).
 */
export interface FromConfigOptions {
  /** Options of the environment link (e.g. the environment to read). @defaultValue `process.env` */
  env?: EnvOptions;
  /** Options of the IMDS link, e.g. an emulator's `endpoint` in tests. */
  imds?: ImdsOptions;
  /**
   * Options of the web identity link (EKS IRSA), used by `useIamProfile` and `env_or_profile`.
   * @defaultValue its environment is `env.env` when given, else `process.env`
   */
  webIdentity?: WebIdentityOptions;
  /**
   * Options of the container link (ECS task role, EKS Pod Identity), used by `useIamProfile` and
   * `env_or_profile`. @defaultValue its environment is `env.env` when given, else `process.env`
   */
  container?: ContainerOptions;
  /**
   * Options of the profile link (its files, its environment), used by `profile` and
   * `env_or_profile`; the profile name itself comes from the config.
   * @defaultValue its environment is `env.env` when given, else `process.env`
   */
  profile?: Omit<ProfileOptions, "profile">;
  /** Where time comes from. @defaultValue `systemClock` */
  clock?: Clock;
  /** Where jitter comes from. @defaultValue `Math.random` */
  random?: Random;
  /** Retries of a refresh. */
  retry?: RetryOptions;
  /** Early-refresh jitter. */
  jitter?: JitterOptions | false;
  /** Refresh this long before Expiration. @defaultValue 300_000 */
  refreshWindowMs?: number;
  /** One debug line per decision. */
  logger?: Logger;
  /**
   * Gives the current code of an MFA device (called with its serial or ARN) for a role that needs
   * one: `assumeRole.mfaSerial`, or a profile's `mfa_serial` (unless the profile has its own
   * `mfa_process`). Called once per credential lifetime; without it such a role fails with
   * `MFA_REQUIRED` and no STS request is sent.
   */
  mfaCodeProvider?: (mfaSerial: string) => Promise<string>;
  /**
   * Let keys this function does not know through, so a whole settings block (with `region`,
   * `default_key_name`, …) can be passed. Even then, a key that looks like a misspelt known key
   * (`use_iam_profil`) is an error.
   * @defaultValue `false`: any unknown key is an error
   */
  allowUnknownKeys?: boolean;
}

type Field = "useIamProfile" | "credentialsSource" | "accessKeyId" | "secretAccessKey" | "sessionToken" | "profile" | "rolesAnywhere" | "assumeRole";
type RoleField = keyof AssumeRoleConfig;

/** Every accepted spelling of each field, camelCase first. */
const FIELD_KEYS: Readonly<Record<Field, readonly string[]>> = {
  useIamProfile: ["useIamProfile", "use_iam_profile"],
  credentialsSource: ["credentialsSource", "credentials_source"],
  accessKeyId: ["accessKeyId", "access_key_id", "aws_access_key_id"],
  secretAccessKey: ["secretAccessKey", "secret_access_key", "aws_secret_access_key"],
  sessionToken: ["sessionToken", "session_token", "aws_session_token"],
  profile: ["profile"],
  rolesAnywhere: ["rolesAnywhere", "roles_anywhere"],
  assumeRole: ["assumeRole", "assume_role"],
};

type RolesAnywhereField = keyof RolesAnywhereConfig;

/** Every accepted spelling of each Roles Anywhere field, camelCase first, then snake_case (then the helper's and the API's names). */
const ROLES_ANYWHERE_FIELD_KEYS: Readonly<Record<RolesAnywhereField, readonly string[]>> = {
  certificate: ["certificate"],
  privateKey: ["privateKey", "private_key"],
  intermediates: ["intermediates"],
  privateKeyPassphrase: ["privateKeyPassphrase", "private_key_passphrase"],
  trustAnchorArn: ["trustAnchorArn", "trust_anchor_arn"],
  profileArn: ["profileArn", "profile_arn"],
  roleArn: ["roleArn", "role_arn"],
  region: ["region"],
  durationSeconds: ["durationSeconds", "duration_seconds"],
  sessionName: ["sessionName", "session_name", "roleSessionName", "role_session_name"],
  endpoint: ["endpoint"],
  timeoutMs: ["timeoutMs", "timeout_ms"],
};

const ROLE_FIELD_KEYS: Readonly<Record<RoleField, readonly string[]>> = {
  roleArn: ["roleArn", "role_arn"],
  externalId: ["externalId", "external_id"],
  roleSessionName: ["roleSessionName", "role_session_name"],
  durationSeconds: ["durationSeconds", "duration_seconds"],
  region: ["region"],
  endpoint: ["endpoint"],
  mfaSerial: ["mfaSerial", "mfa_serial"],
  tags: ["tags"],
  transitiveTagKeys: ["transitiveTagKeys", "transitive_tag_keys"],
  sourceIdentity: ["sourceIdentity", "source_identity"],
  policy: ["policy"],
  policyArns: ["policyArns", "policy_arns"],
};

/**
 * Role settings found at the top level of a config. BOSH's AWS CPI has a top-level `role_arn`;
 * letting it through as an "other" key would silently serve the base identity instead of the role.
 */
const ROLE_KEYS_OUT_OF_PLACE = new Set(
  (["roleArn", "externalId", "roleSessionName", "durationSeconds"] as const).flatMap((field) => ROLE_FIELD_KEYS[field]),
);

const SOURCE = "config";

/** The keys of {@link FromConfigOptions}. */
const FROM_CONFIG_OPTION_KEYS: readonly (keyof FromConfigOptions)[] = [
  "env",
  "imds",
  "webIdentity",
  "container",
  "profile",
  "clock",
  "random",
  "retry",
  "jitter",
  "refreshWindowMs",
  "logger",
  "mfaCodeProvider",
  "allowUnknownKeys",
];

/**
 * Maps the credential flags an app already has — Fog's `use_iam_profile`, BOSH's
 * `credentials_source: env_or_profile`, static keys, an optional role to assume — onto
 * env-or-profile's providers. camelCase and snake_case keys are both accepted (and Fog's
 * `aws_access_key_id` / `aws_secret_access_key` / `aws_session_token`), so a parsed YAML or JSON
 * config can be passed as it is; a `null` value counts as absent, as in YAML.
 *
 * | config | credentials |
 * | --- | --- |
 * | `{ useIamProfile: true }` | web identity, else container credentials, else the EC2 instance profile (never env keys) |
 * | `{ credentialsSource: "env_or_profile" }` | exactly `envOrProfile()`: env → profile → web identity → container → IMDS |
 * | `{ credentialsSource: "static", accessKeyId, secretAccessKey, sessionToken? }` | those keys |
 * | `{ accessKeyId, secretAccessKey, sessionToken? }` | those keys |
 * | `{ profile: "name" }` | that AWS profile only (`fromProfile({ profile: "name" })`) |
 * | `{ credentialsSource: "env_or_profile", profile: "name" }` | the whole chain, its profile link using that profile |
 * | `{ rolesAnywhere: { certificate, privateKey, trustAnchorArn, profileArn, roleArn, … } }` | IAM Roles Anywhere: the certificate exchanged for the role's credentials (`fromRolesAnywhere`) |
 * | any of the above `+ { assumeRole: { roleArn, externalId?, … } }` | that role, assumed with the above |
 *
 * The config is checked now, completely, and every problem is reported in one error: an unknown
 * `credentialsSource` (the valid ones are listed), `static` without keys, keys together with
 * `useIamProfile` or `env_or_profile`, a secret without its key id (or the reverse), a session token
 * without keys, wrong types, a malformed role, a Roles Anywhere block with a missing or malformed
 * field or next to another source, unknown or misspelt keys (with a suggestion), and no
 * source at all. Messages name keys as the config spells them and never contain a secret (an access
 * key id appears cut to its last four characters, an ExternalId not at all).
 *
 * The result is memoized like {@link envOrProfile}: refreshed five minutes before expiry,
 * single-flight, with jittered retries.
 *
 * @param config - the credential flags, camelCase or snake_case; see {@link CredentialsConfig}.
 * @param options - clock, logger, IMDS / environment options, retry; and `allowUnknownKeys`.
 * @returns a memoized provider for any AWS SDK v3 client's `credentials`.
 * @throws CredentialsError with code `CONFIG_INVALID` (`source: "config"`, `tryNextLink: false`)
 *   when the config is invalid, at once, listing every problem.
 * @throws TypeError when `options` is invalid (as every function of the library does).
 * @example Fog style: instance-profile credentials only
 * Fog's `use_iam_profile: true`.
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromConfig } from "env-or-profile";
 *
 * const s3 = new S3Client({ region: "us-east-1", credentials: fromConfig({ use_iam_profile: true }) });
 * ```
 * @example BOSH style: the environment, else a profile, else the attached role
 * BOSH's `credentials_source: env_or_profile`: the manifest's `properties.aws` block as it is (its
 * other keys, such as `region`, let through by `allowUnknownKeys`).
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromConfig, type SnakeCaseCredentialsConfig } from "env-or-profile";
 *
 * type BoshAwsProperties = SnakeCaseCredentialsConfig & { region: string };
 * const aws = JSON.parse('{"credentials_source":"env_or_profile","region":"us-east-1"}') as BoshAwsProperties;
 * const s3 = new S3Client({ region: aws.region, credentials: fromConfig(aws, { allowUnknownKeys: true }) });
 * ```
 * @example A server outside AWS: IAM Roles Anywhere, then a role in a partner's account
 * The certificate (renewed in place by an agent) is the source; the partner's role is assumed with
 * the Roles Anywhere credential and the ExternalId its trust policy demands.
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromConfig } from "env-or-profile";
 *
 * const credentials = fromConfig({
 *   roles_anywhere: {
 *     certificate: "/etc/pki/tls/certs/host.pem",
 *     private_key: "/etc/pki/tls/private/host.key",
 *     trust_anchor_arn: "arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/0b7e1a5c-2f6d-4e8a-9c3b-1d2e3f4a5b6c",
 *     profile_arn: "arn:aws:rolesanywhere:eu-west-1:123456789012:profile/6f4943fb-13d4-4242-89c4-be367595c380",
 *     role_arn: "arn:aws:iam::123456789012:role/backup-writer",
 *   },
 *   assume_role: { role_arn: "arn:aws:iam::210987654321:role/partner-upload", external_id: "tenant-42" },
 * });
 * const s3 = new S3Client({ region: "eu-west-1", credentials });
 * ```
 * @example Cross-account: a role assumed with an ExternalId
 * On top of the environment or the instance profile.
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromConfig } from "env-or-profile";
 *
 * const credentials = fromConfig({
 *   credentialsSource: "env_or_profile",
 *   assumeRole: { roleArn: "arn:aws:iam::123456789012:role/partner-upload", externalId: "tenant-42" },
 * });
 * const s3 = new S3Client({ region: "us-east-1", credentials });
 * ```
 */
export function fromConfig(
  config: CredentialsConfig | SnakeCaseCredentialsConfig,
  options: FromConfigOptions = {},
): MemoizedProvider {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Expected \`options\` to be an object, got ${describeType(options)}`);
  }
  // The options (code's settings) are checked strictly, whatever `allowUnknownKeys` says of the config.
  checkKnownOptions(options, FROM_CONFIG_OPTION_KEYS, "fromConfig");
  if (options.allowUnknownKeys !== undefined && typeof options.allowUnknownKeys !== "boolean") {
    throw new TypeError(`Expected \`allowUnknownKeys\` to be a boolean, got ${describeType(options.allowUnknownKeys)}`);
  }
  checkMfaCodeProvider(options.mfaCodeProvider);
  const parsed = parseCredentialsConfig(config, options.allowUnknownKeys ?? false);

  // The cache's options (all `memoize` takes), and with them what a role step also needs.
  const cacheOptions: MemoizeOptions = {
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.random === undefined ? {} : { random: options.random }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.jitter === undefined ? {} : { jitter: options.jitter }),
    ...(options.refreshWindowMs === undefined ? {} : { refreshWindowMs: options.refreshWindowMs }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  };
  const common: EnvOrProfileOptions = {
    ...cacheOptions,
    ...(options.mfaCodeProvider === undefined ? {} : { mfaCodeProvider: options.mfaCodeProvider }),
  };
  const env = options.env ?? {};
  // Every link, and the role step's STS location, read the same environment as the env link would
  // (tests isolate it).
  const environment = options.env?.env;
  const imds: ImdsOptions = { ...(environment === undefined ? {} : { env: environment }), ...options.imds };
  const assumeRole = parsed.assumeRole === undefined ? undefined : { ...(environment === undefined ? {} : { env: environment }), ...parsed.assumeRole };
  const webIdentity: WebIdentityOptions = { ...(environment === undefined ? {} : { env: environment }), ...options.webIdentity };
  const container: ContainerOptions = { ...(environment === undefined ? {} : { env: environment }), ...options.container };
  const profileName = parsed.source.kind === "profile" || parsed.source.kind === "env-or-profile" ? parsed.source.profile : undefined;
  const profile: ProfileOptions = {
    ...(environment === undefined ? {} : { env: environment }),
    ...options.profile,
    ...(profileName === undefined ? {} : { profile: profileName }),
  };

  switch (parsed.source.kind) {
    case "instance-profile":
      // Fog's use_iam_profile: web identity, container, IMDS — the role attached to the compute.
      return envOrProfile({ ...common, env: false, profile: false, webIdentity, container, imds, ...(assumeRole === undefined ? {} : { assumeRole }) });
    case "env-or-profile":
      return envOrProfile({ ...common, env, profile, webIdentity, container, imds, ...(assumeRole === undefined ? {} : { assumeRole }) });
    case "profile":
      // A named profile, explicitly: only the profile link, which never falls through to another identity.
      return envOrProfile({ ...common, env: false, profile, webIdentity: false, container: false, imds: false, ...(assumeRole === undefined ? {} : { assumeRole }) });
    case "static": {
      const identity: AwsCredentialIdentity = Object.freeze({ ...parsed.source.identity });
      // Keys written in the configuration: what the SDK marks keys given to a client in code.
      const staticProvider = async (): Promise<AwsCredentialIdentity> => markCredential({ ...identity }, "CREDENTIALS_CODE");
      if (assumeRole === undefined) {
        const memoOptions: MemoizeOptions = {
          name: "static",
          ...(options.clock === undefined ? {} : { clock: options.clock }),
          ...(options.logger === undefined ? {} : { logger: options.logger }),
        };
        return memoize(staticProvider, memoOptions);
      }
      return envOrProfile({ ...common, env: false, imds: false, assumeRole: { ...assumeRole, source: staticProvider } });
    }
    case "roles-anywhere": {
      // The certificate is the source: memoized (and shared by what it reads, like every link),
      // then, with assumeRole, the base of the role step.
      const rolesAnywhere = memoize(
        fromRolesAnywhere({
          ...parsed.source.options,
          ...(options.clock === undefined ? {} : { clock: options.clock }),
          ...(options.logger === undefined ? {} : { logger: options.logger }),
        }),
        { ...cacheOptions, name: "roles-anywhere" },
      );
      if (assumeRole === undefined) {
        return rolesAnywhere;
      }
      return envOrProfile({ ...common, env: false, profile: false, webIdentity: false, container: false, imds: false, assumeRole: { ...assumeRole, source: rolesAnywhere } });
    }
  }
}

/** The base source a config selects. */
type ParsedSource =
  | { kind: "instance-profile" }
  | { kind: "env-or-profile"; profile: string | undefined }
  | { kind: "profile"; profile: string }
  | { kind: "static"; identity: AwsCredentialIdentity }
  | { kind: "roles-anywhere"; options: RolesAnywhereOptions };

/** A checked config. */
interface ParsedConfig {
  source: ParsedSource;
  assumeRole: AssumeRoleOptions | undefined;
}

/**
 * Checks a config and says which source it selects; see {@link fromConfig}.
 * @throws CredentialsError `CONFIG_INVALID` listing every problem.
 */
function parseCredentialsConfig(config: unknown, allowUnknownKeys = false): ParsedConfig {
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw invalid([`expected an object of credential settings, got ${describeType(config)}`]);
  }
  const record = config as Readonly<Record<string, unknown>>;
  const problems: string[] = [];
  const { values, keys, snake, misspelt } = pick(record, FIELD_KEYS, "", allowUnknownKeys, problems);
  const name = (field: Field): string => keys[field] ?? FIELD_KEYS[field][snake ? 1 : 0] ?? field;

  const useIamProfile = values.useIamProfile;
  if (useIamProfile !== undefined && typeof useIamProfile !== "boolean") {
    problems.push(`\`${name("useIamProfile")}\` must be true or false, got ${describeType(useIamProfile)}`);
  }
  const credentialsSource = values.credentialsSource;
  const validSources = CREDENTIALS_SOURCES.map((s) => `"${s}"`).join(", ");
  if (credentialsSource !== undefined && !(CREDENTIALS_SOURCES as readonly unknown[]).includes(credentialsSource)) {
    problems.push(
      `\`${name("credentialsSource")}\` must be one of ${validSources}, got ${
        // Echoed only when short: a 40-character secret interpolated into the wrong key must not be.
        typeof credentialsSource === "string" && /^[\w .-]{0,20}$/.test(credentialsSource) ? `"${credentialsSource}"` : describeType(credentialsSource)
      }`,
    );
  }
  const accessKeyId = secretString(values.accessKeyId, name("accessKeyId"), problems, true);
  const secretAccessKey = secretString(values.secretAccessKey, name("secretAccessKey"), problems, false);
  const sessionToken = secretString(values.sessionToken, name("sessionToken"), problems, false);
  const hasKey = values.accessKeyId !== undefined;
  const hasSecret = values.secretAccessKey !== undefined;
  const hasToken = values.sessionToken !== undefined;
  const keyList = [hasKey && name("accessKeyId"), hasSecret && name("secretAccessKey"), hasToken && name("sessionToken")]
    .filter((text): text is string => typeof text === "string")
    .map((text) => `\`${text}\``);
  const keyNames = `${keyList.join(", ")} ${keyList.length > 1 ? "are" : "is"}`;

  const iam = useIamProfile === true;
  const source = typeof credentialsSource === "string" ? credentialsSource : undefined;
  const profile = values.profile;
  const hasProfile = profile !== undefined;
  if (hasProfile && (typeof profile !== "string" || !/^[\x21-\x5a\x5c\x5e-\x7e]{1,128}$/.test(profile))) {
    problems.push(
      `\`${name("profile")}\` must be a profile name (1–128 printable characters, no spaces or brackets), got ${
        typeof profile === "string" ? `${profile.length} characters` : describeType(profile)
      }`,
    );
  }
  if (hasProfile && iam) {
    problems.push(
      `\`${name("useIamProfile")}: true\` is the role attached to where this runs, never a profile file, but \`${name("profile")}\` is set too; remove one`,
    );
  }
  if (hasProfile && (hasKey || hasSecret || hasToken || source === "static")) {
    problems.push(`\`${name("profile")}\` takes credentials from an AWS profile, but ${source === "static" && !hasKey && !hasSecret && !hasToken ? `\`${name("credentialsSource")}: static\` is` : keyNames} set too; use one`);
  }

  if (hasSecret && !hasKey) {
    problems.push(`\`${name("secretAccessKey")}\` is set but \`${name("accessKeyId")}\` is not`);
  } else if (hasKey && !hasSecret) {
    problems.push(`\`${name("accessKeyId")}\` is set but \`${name("secretAccessKey")}\` is not`);
  } else if (hasToken && !hasKey && !hasSecret) {
    problems.push(`\`${name("sessionToken")}\` is set without \`${name("accessKeyId")}\` and \`${name("secretAccessKey")}\``);
  }
  if (iam && values.credentialsSource !== undefined) {
    problems.push(
      `\`${name("useIamProfile")}\` and \`${name("credentialsSource")}\` are both set; use one ` +
        `(\`${name("useIamProfile")}: true\` is the attached role only, \`${name("credentialsSource")}: env_or_profile\` is the whole chain, environment first)`,
    );
  }
  if (iam && (hasKey || hasSecret || hasToken)) {
    problems.push(
      `\`${name("useIamProfile")}: true\` takes credentials from the role attached to where this runs (web identity, container, instance profile), but ${keyNames} set too; remove the keys or the flag`,
    );
  }
  if (source === "static" && !hasKey && !hasSecret) {
    problems.push(`\`${name("credentialsSource")}: static\` needs \`${name("accessKeyId")}\` and \`${name("secretAccessKey")}\``);
  }
  if (source === "env_or_profile" && (hasKey || hasSecret || hasToken)) {
    problems.push(
      `\`${name("credentialsSource")}: env_or_profile\` reads keys from the environment, a profile or the attached role, but ${keyNames} set too; remove them, or use \`${name("credentialsSource")}: static\``,
    );
  }
  const hasRolesAnywhere = values.rolesAnywhere !== undefined;
  if (hasRolesAnywhere) {
    const others = [
      iam && `\`${name("useIamProfile")}\``,
      values.credentialsSource !== undefined && `\`${name("credentialsSource")}\``,
      hasProfile && `\`${name("profile")}\``,
      ...keyList,
    ].filter((text): text is string => typeof text === "string");
    if (others.length > 0) {
      problems.push(
        `\`${name("rolesAnywhere")}\` is the source (the certificate, exchanged by IAM Roles Anywhere), but ${others.join(", ")} ${others.length > 1 ? "are" : "is"} set too; use one ` +
          `(to assume a role with the Roles Anywhere credential, add \`${name("assumeRole")}\`)`,
      );
    }
  }
  // With a misspelt key reported, "nothing is configured" would only repeat it less helpfully.
  if (!iam && values.credentialsSource === undefined && !hasKey && !hasSecret && !hasToken && !hasProfile && !hasRolesAnywhere && misspelt === 0) {
    problems.push(
      `no credential source is configured; set \`${name("credentialsSource")}: env_or_profile\` (the whole chain: environment, profile, attached role), ` +
        `\`${name("useIamProfile")}: true\` (the attached role: web identity, container or instance profile), \`${name("profile")}\` (a named AWS profile), ` +
        `\`${name("rolesAnywhere")}\` (a certificate, for a server outside AWS), or \`${name("accessKeyId")}\` and \`${name("secretAccessKey")}\``,
    );
  }

  const rolesAnywhere = hasRolesAnywhere ? parseRolesAnywhere(values.rolesAnywhere, name("rolesAnywhere"), problems) : undefined;

  const assumeRole = values.assumeRole === undefined ? undefined : parseAssumeRole(values.assumeRole, name("assumeRole"), allowUnknownKeys, problems);

  if (problems.length > 0) {
    throw invalid(problems);
  }
  let parsedSource: ParsedSource;
  if (rolesAnywhere !== undefined) {
    parsedSource = { kind: "roles-anywhere", options: rolesAnywhere };
  } else if (iam) {
    parsedSource = { kind: "instance-profile" };
  } else if (source === "env_or_profile") {
    parsedSource = { kind: "env-or-profile", profile: typeof profile === "string" ? profile : undefined };
  } else if (typeof profile === "string") {
    parsedSource = { kind: "profile", profile };
  } else {
    parsedSource = {
      kind: "static",
      identity: {
        accessKeyId: accessKeyId ?? "",
        secretAccessKey: secretAccessKey ?? "",
        ...(sessionToken === undefined ? {} : { sessionToken }),
      },
    };
  }
  return { source: parsedSource, assumeRole };
}

/** Options that are code, not configuration: given to `fromConfig`'s options, not in the config. */
const ROLES_ANYWHERE_CODE_OPTIONS: Readonly<Record<string, string>> = {
  clock: "clock",
  logger: "logger",
};

/**
 * Checks a Roles Anywhere block field by field, so every problem is reported at once, with the keys
 * as the config spells them; then, when each field is sound, what only the whole says (a profile in
 * another region than the trust anchor, a PKCS#11 URI, …). Never echoes key material or the passphrase.
 */
function parseRolesAnywhere(value: unknown, path: string, problems: string[]): RolesAnywhereOptions | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.push(`\`${path}\` must be an object with the certificate, private key, trust anchor, profile and role, got ${describeType(value)}`);
    return undefined;
  }
  const before = problems.length;
  const record = value as Readonly<Record<string, unknown>>;
  const code = Object.keys(record).filter((key) => Object.hasOwn(ROLES_ANYWHERE_CODE_OPTIONS, key));
  for (const key of code) {
    problems.push(`\`${path}.${key}\` is code, not configuration: pass \`${key}\` in fromConfig's options`);
  }
  const rest = Object.fromEntries(Object.entries(record).filter(([key]) => !code.includes(key)));
  // Inside the block every key must be known, whatever `allowUnknownKeys` says (see parseAssumeRole).
  const { values, keys, snake } = pick(rest, ROLES_ANYWHERE_FIELD_KEYS, `${path}.`, false, problems);
  const name = (field: RolesAnywhereField): string => `${path}.${keys[field] ?? ROLES_ANYWHERE_FIELD_KEYS[field][snake ? 1 : 0] ?? field}`;
  /** Runs one of fromRolesAnywhere's own checks, its message naming the key as written. */
  const check = (field: RolesAnywhereField, run: () => unknown): void => {
    try {
      run();
    } catch (error) {
      problems.push(renameOptions(error instanceof Error ? error.message : String(error), name));
    }
  };

  for (const field of ["certificate", "privateKey", "trustAnchorArn", "profileArn", "roleArn"] as const) {
    if (values[field] === undefined) problems.push(`\`${name(field)}\` is required`);
  }
  for (const field of ["certificate", "privateKey", "intermediates", "privateKeyPassphrase", "sessionName"] as const) {
    const text = values[field];
    if (text !== undefined && (typeof text !== "string" || text.trim() === "")) {
      problems.push(`\`${name(field)}\` must be a non-empty string, got ${typeof text === "string" ? "an empty string" : describeType(text)}`);
    }
  }
  const { trustAnchorArn, profileArn, roleArn, region, durationSeconds, sessionName, endpoint, timeoutMs } = values;
  if (trustAnchorArn !== undefined) check("trustAnchorArn", () => parseRolesAnywhereArn(trustAnchorArn, "trust-anchor", "trustAnchorArn"));
  if (profileArn !== undefined) check("profileArn", () => parseRolesAnywhereArn(profileArn, "profile", "profileArn"));
  if (roleArn !== undefined) check("roleArn", () => parseRoleArn(roleArn));
  if (region !== undefined) check("region", () => checkRegion(region, "region"));
  if (durationSeconds !== undefined) check("durationSeconds", () => checkDurationSeconds(durationSeconds));
  if (typeof sessionName === "string" && sessionName.trim() !== "" && !ROLE_SESSION_NAME_PATTERN.test(sessionName)) {
    problems.push(`\`${name("sessionName")}\` must be 2–64 characters of [A-Za-z0-9_+=,.@-], got ${JSON.stringify(sessionName.slice(0, 80))}`);
  }
  if (endpoint !== undefined) check("endpoint", () => checkRolesAnywhereEndpoint(endpoint));
  if (timeoutMs !== undefined) check("timeoutMs", () => checkMs(timeoutMs, "timeoutMs", true));
  if (problems.length > before) {
    return undefined;
  }
  const options = {
    certificate: values.certificate,
    privateKey: values.privateKey,
    trustAnchorArn,
    profileArn,
    roleArn,
    ...(values.intermediates === undefined ? {} : { intermediates: values.intermediates }),
    ...(values.privateKeyPassphrase === undefined ? {} : { privateKeyPassphrase: values.privateKeyPassphrase }),
    ...(region === undefined ? {} : { region }),
    ...(durationSeconds === undefined ? {} : { durationSeconds }),
    ...(sessionName === undefined ? {} : { sessionName }),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  } as RolesAnywhereOptions;
  check("certificate", () => resolveRolesAnywhereSettings(options));
  return problems.length > before ? undefined : options;
}

/** A fromRolesAnywhere message with its option names (`` `privateKey` ``) as the config spells them, lowercased first word. */
function renameOptions(message: string, name: (field: RolesAnywhereField) => string): string {
  return message
    .replace(/^Expected /, "expected ")
    .replace(/`(\w+)`/g, (whole, option: string) => (Object.hasOwn(ROLES_ANYWHERE_FIELD_KEYS, option) ? `\`${name(option as RolesAnywhereField)}\`` : whole));
}

function parseAssumeRole(value: unknown, path: string, allowUnknownKeys: boolean, problems: string[]): AssumeRoleOptions | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.push(`\`${path}\` must be an object with at least a role ARN, got ${describeType(value)}`);
    return undefined;
  }
  const before = problems.length;
  // `allowUnknownKeys` is for the surrounding settings block; inside the role every key must be
  // known, or a misspelt `external_id` would silently assume the role without it.
  const { values, keys, snake } = pick(value as Readonly<Record<string, unknown>>, ROLE_FIELD_KEYS, `${path}.`, false, problems);
  const name = (field: RoleField): string => `${path}.${keys[field] ?? ROLE_FIELD_KEYS[field][snake ? 1 : 0] ?? field}`;

  const { roleArn, externalId, roleSessionName, durationSeconds, region, endpoint } = values;
  const session = readSessionConfig(values, name, problems);
  if (roleArn === undefined) {
    problems.push(`\`${name("roleArn")}\` is required`);
  } else if (typeof roleArn !== "string" || !ROLE_ARN_PATTERN.test(roleArn)) {
    problems.push(
      `\`${name("roleArn")}\` must look like arn:aws:iam::123456789012:role/name (partition aws, aws-cn, aws-us-gov, aws-iso, …), got ${
        typeof roleArn === "string" ? JSON.stringify(roleArn.slice(0, 200)) : describeType(roleArn)
      }`,
    );
  }
  if (externalId !== undefined && (typeof externalId !== "string" || !EXTERNAL_ID_PATTERN.test(externalId))) {
    problems.push(
      `\`${name("externalId")}\` must be 2–1224 characters of [A-Za-z0-9_+=,.@:/-], got ${
        typeof externalId === "string" ? `${externalId.length} characters` : describeType(externalId)
      }`,
    );
  }
  if (roleSessionName !== undefined && (typeof roleSessionName !== "string" || !ROLE_SESSION_NAME_PATTERN.test(roleSessionName))) {
    problems.push(
      `\`${name("roleSessionName")}\` must be 2–64 characters of [A-Za-z0-9_+=,.@-], got ${
        typeof roleSessionName === "string" ? JSON.stringify(roleSessionName.slice(0, 80)) : describeType(roleSessionName)
      }`,
    );
  }
  if (
    durationSeconds !== undefined &&
    (typeof durationSeconds !== "number" ||
      !Number.isInteger(durationSeconds) ||
      durationSeconds < MIN_DURATION_SECONDS ||
      durationSeconds > MAX_DURATION_SECONDS)
  ) {
    problems.push(
      `\`${name("durationSeconds")}\` must be a whole number of seconds from ${MIN_DURATION_SECONDS} to ${MAX_DURATION_SECONDS}, got ${
        typeof durationSeconds === "number" ? String(durationSeconds) : describeType(durationSeconds)
      }`,
    );
  }
  for (const [field, text, check] of [
    ["region", region, checkRegion],
    ["endpoint", endpoint, checkEndpoint],
  ] as const) {
    if (text !== undefined) {
      try {
        check(text, name(field));
      } catch (error) {
        problems.push(error instanceof Error ? error.message.replace(/^Expected /, "expected ") : String(error));
      }
    }
  }
  if (problems.length > before) {
    return undefined;
  }
  return {
    roleArn: roleArn as string,
    ...(externalId === undefined ? {} : { externalId: externalId as string }),
    ...(roleSessionName === undefined ? {} : { roleSessionName: roleSessionName as string }),
    ...(durationSeconds === undefined ? {} : { durationSeconds: durationSeconds as number }),
    ...(region === undefined ? {} : { region: region as string }),
    ...(endpoint === undefined ? {} : { endpoint: endpoint as string }),
    ...session,
  };
}

/** The role's session options (MFA device, tags, source identity, policies), by the checks `fromAssumeRole` makes. */
function readSessionConfig(values: Partial<Record<RoleField, unknown>>, name: (field: RoleField) => string, problems: string[]): Partial<AssumeRoleOptions> {
  const out: Partial<Record<RoleField, unknown>> = {};
  const check = (field: RoleField, run: (value: unknown, label: string) => unknown): void => {
    if (values[field] === undefined) return;
    try {
      out[field] = run(values[field], name(field));
    } catch (error) {
      problems.push(error instanceof Error ? error.message.replace(/^Expected /, "expected ") : String(error));
    }
  };
  check("mfaSerial", checkMfaSerial);
  check("tags", checkTags);
  check("transitiveTagKeys", (value, label) => checkTransitiveTagKeys(value, out.tags as Readonly<Record<string, string>> | undefined, label));
  check("sourceIdentity", checkSourceIdentity);
  check("policy", checkPolicy);
  check("policyArns", checkPolicyArns);
  return out as Partial<AssumeRoleOptions>;
}

/**
 * Reads each field under any of its spellings. Reports a field given under two spellings, and
 * unknown keys (with the nearest known key as a suggestion). `null` counts as absent.
 */
function pick<F extends string>(
  record: Readonly<Record<string, unknown>>,
  spellings: Readonly<Record<F, readonly string[]>>,
  prefix: string,
  allowUnknownKeys: boolean,
  problems: string[],
): { values: Partial<Record<F, unknown>>; keys: Partial<Record<F, string>>; snake: boolean; misspelt: number } {
  const values: Partial<Record<F, unknown>> = {};
  const keys: Partial<Record<F, string>> = {};
  const known = new Map<string, F>();
  for (const field of Object.keys(spellings) as F[]) {
    for (const key of spellings[field]) {
      known.set(key, field);
    }
  }
  let snake = false;
  let misspelt = 0;
  for (const key of Object.keys(record)) {
    const field = known.get(key);
    if (key.includes("_")) {
      snake = true;
    }
    if (field === undefined && prefix === "" && ROLE_KEYS_OUT_OF_PLACE.has(key)) {
      misspelt += 1;
      problems.push(`\`${key}\` is a role setting, not read at the top level; put it under \`assume_role\` (or \`assumeRole\`)`);
      continue;
    }
    if (field === undefined) {
      const suggestion = nearestKey(key, [...known.keys()]);
      if (suggestion !== undefined) {
        misspelt += 1;
        problems.push(`unknown key \`${prefix}${printableKey(key)}\`; did you mean \`${prefix}${suggestion}\`?`);
      } else if (!allowUnknownKeys) {
        problems.push(
          `unknown key \`${prefix}${printableKey(key)}\`; the known keys are ${[...known.keys()].map((k) => `\`${k}\``).join(", ")}` +
            (prefix === "" ? " (pass `allowUnknownKeys: true` to let other keys through)" : ""),
        );
      }
      continue;
    }
    const value = record[key];
    if (value === undefined || value === null) {
      continue;
    }
    const previous = keys[field];
    if (previous !== undefined) {
      problems.push(`\`${prefix}${previous}\` and \`${prefix}${key}\` are the same setting; give it once`);
      continue;
    }
    keys[field] = key;
    values[field] = value;
  }
  return { values, keys, snake, misspelt };
}

/**
 * Checks a credential string without ever echoing it; an access key id may be shown cut to its
 * last four characters.
 */
function secretString(value: unknown, key: string, problems: string[], isKeyId: boolean): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== "string") {
    problems.push(`\`${key}\` must be a string, got ${describeType(value)}`);
    return undefined;
  }
  if (value === "") {
    problems.push(`\`${key}\` is empty`);
    return undefined;
  }
  if (/\s/.test(value)) {
    problems.push(
      `\`${key}\`${isKeyId ? keyIdHint(value) : ""} contains whitespace (a stray newline or space from a file or a copy-paste?)`,
    );
    return undefined;
  }
  return value;
}

/** The kind of a value, for messages; never the value itself. */
function describeType(value: unknown): string {
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "an array";
  }
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function invalid(problems: readonly string[]): CredentialsError {
  return new CredentialsError(`Invalid credentials config: ${problems.join("; ")}`, {
    source: SOURCE,
    code: "CONFIG_INVALID",
    tryNextLink: false,
  });
}
