/**
 * AWS credentials for AWS SDK v3 clients, from wherever this code runs: a chain of environment
 * variables → the shared config/credentials profile → a web identity token → the container
 * credentials endpoint → the EC2 instance profile (IMDS), then, when asked, STS AssumeRole with an
 * ExternalId — memoized with a refresh window and jitter, single-flight, retried with backoff.
 *
 * Start with {@link envOrProfile} (what most apps want) or {@link fromConfig} (the flags a config
 * file already has). The links are exported one by one (`fromEnv`, `fromImds`, `fromAssumeRole`, …)
 * with {@link chain} and {@link memoize} to compose them. Every failure is a {@link CredentialsError}.
 *
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { envOrProfile } from "env-or-profile";
 *
 * const s3 = new S3Client({ region: "us-east-1", credentials: envOrProfile() });
 * ```
 *
 * For tests, see the `env-or-profile/testing` module; for the command line, the
 * [env-or-profile command](../docs/cli.md); runnable programs: [Examples](../docs/examples.md).
 *
 * @packageDocumentation
 * @module env-or-profile
 */
export type { AwsCredentialIdentity, AwsCredentialIdentityProvider, AwsCredentialIdentityProvider as Provider } from "@smithy/types";
export { systemClock, type Clock, type Random } from "./clock.js";
export { CredentialsError, type CredentialsErrorCode, type CredentialsErrorOptions } from "./errors.js";
export type { Logger } from "./logger.js";
export { DEFAULT_RETRY_OPTIONS, type RetryOptions } from "./retry.js";
export {
  memoize,
  DEFAULT_JITTER,
  DEFAULT_REFRESH_WINDOW_MS,
  DEFAULT_RETRY_LATER,
  type JitterOptions,
  type MemoizedProvider,
  type MemoizeOptions,
} from "./memoize.js";
export { MAX_SHARED_CACHES } from "./sharing/shared-caches.js";
export { chain } from "./chain.js";
export { refreshOnRejectedCredentials, type ClientPlugin, type RefreshOnRejectedCredentialsOptions } from "./sdk/refresh-on-rejected-credentials.js";
export { fromEnv, ENV_VARIABLES, type EnvOptions } from "./providers/env.js";
export { fromAssumeRole, DEFAULT_ASSUME_ROLE_DURATION_SECONDS, DEFAULT_STS_TIMEOUT_MS, type AssumeRoleOptions } from "./providers/assume-role.js";
export { fromImds, IMDS_CREDENTIALS_PATH, type ImdsEnv, type ImdsOptions } from "./providers/imds/from-imds.js";
export { DEFAULT_IMDS_TIMEOUT_MS, DEFAULT_IMDS_TOKEN_TTL_SECONDS } from "./providers/imds/imds-options.js";
export { IMDS_IPV4_ENDPOINT, IMDS_IPV6_ENDPOINT } from "./providers/imds/resolve-endpoint.js";
export { readInstanceProfile, type InstanceProfileInfo } from "./providers/imds/read-instance-profile.js";
export { fromContainer, type ContainerEnv, type ContainerOptions } from "./providers/container/from-container.js";
export { DEFAULT_CONTAINER_MAX_ATTEMPTS, DEFAULT_CONTAINER_TIMEOUT_MS } from "./providers/container/container-options.js";
export { CONTAINER_ENV_VARIABLES, ECS_CONTAINER_HOST, resolveContainerEndpoint } from "./providers/container/resolve-container-endpoint.js";
export {
  fromWebIdentity,
  DEFAULT_WEB_IDENTITY_MAX_ATTEMPTS,
  DEFAULT_WEB_IDENTITY_TIMEOUT_MS,
  WEB_IDENTITY_ENV_VARIABLES,
  type WebIdentityOptions,
} from "./providers/web-identity/from-web-identity.js";
export { fromRolesAnywhere } from "./providers/roles-anywhere/from-roles-anywhere.js";
export {
  DEFAULT_ROLES_ANYWHERE_DURATION_SECONDS,
  DEFAULT_ROLES_ANYWHERE_TIMEOUT_MS,
  type RolesAnywhereOptions,
} from "./providers/roles-anywhere/roles-anywhere-options.js";
export { envOrProfile, type EnvOrProfileOptions } from "./env-or-profile.js";
export {
  fromConfig,
  CREDENTIALS_SOURCES,
  type AssumeRoleConfig,
  type AssumeRoleSnakeCaseConfig,
  type CredentialsConfig,
  type CredentialsSource,
  type FromConfigOptions,
  type RolesAnywhereConfig,
  type RolesAnywhereSnakeCaseConfig,
  type SnakeCaseCredentialsConfig,
} from "./config.js";
export { fromProfile, type ProfileOptions } from "./providers/profile/from-profile.js";
export {
  resolveProfileSelection,
  explicitProfileName,
  DEFAULT_PROFILE_NAME,
  PROFILE_ENV_VARIABLES,
  type ProfileSelection,
  type ProfileSelectionInput,
} from "./providers/profile/resolve-profile-selection.js";
export { PROFILE_CREDENTIAL_SOURCES, type CredentialSourceName } from "./providers/profile/profile-constants.js";
export {
  fromCredentialProcess,
  DEFAULT_CREDENTIAL_PROCESS_MAX_OUTPUT_BYTES,
  DEFAULT_CREDENTIAL_PROCESS_TIMEOUT_MS,
  MAX_CREDENTIAL_PROCESS_DEPTH,
  CREDENTIAL_PROCESS_DEPTH_VARIABLE,
  type CredentialProcessOptions,
} from "./providers/process/from-credential-process.js";
export {
  withFileCache,
  DEFAULT_FILE_CACHE_LOCK_WAIT_MS,
  DEFAULT_FILE_CACHE_REFRESH_WINDOW_MS,
  DEFAULT_FILE_CACHE_STALE_LOCK_MS,
  FILE_CACHE_ENV,
  type FileCacheOptions,
} from "./cache/with-file-cache.js";
export type { FileCacheKey } from "./cache/cache-key-hash.js";
export { clearFileCache, type ClearFileCacheResult } from "./cache/clear-file-cache.js";
export { defaultFileCacheDir, FILE_CACHE_DIR_ENV } from "./cache/default-file-cache-dir.js";
