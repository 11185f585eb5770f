/**
 * The environment variables each link reads, by link: one list, with no dependencies, that the
 * links and the CLI's file cache key both use — so the key holds exactly what can decide an answer
 * (never, say, the `AWS_DATA_PATH` the AWS CLI sets for its children), and a variable a link starts
 * reading is in the key the day it is.
 * @internal
 */
export const LINK_VARIABLES = Object.freeze({
  env: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "AWS_ACCOUNT_ID"],
  /**
   * The profile, its files, and the home directory they default to; where the SSO portal and the
   * sign-in service are, and where `aws login` keeps its logins.
   */
  profile: [
    "AWS_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "HOME",
    "USERPROFILE",
    "HOMEDRIVE",
    "HOMEPATH",
    "AWS_ENDPOINT_URL_SSO",
    "AWS_ENDPOINT_URL_SIGNIN",
    "AWS_LOGIN_CACHE_DIRECTORY",
  ],
  webIdentity: ["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME"],
  container: [
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  ],
  imds: [
    "AWS_EC2_METADATA_DISABLED",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
    "AWS_EC2_METADATA_V1_DISABLED",
    "AWS_METADATA_SERVICE_TIMEOUT",
    "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
  ],
  /** Where every STS call goes (see `resolveStsLocation`). */
  sts: [
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_STS_REGIONAL_ENDPOINTS",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
  ],
} as const);

/** Every variable a link reads. @internal */
export const ALL_LINK_VARIABLES: readonly string[] = Object.freeze(Object.values(LINK_VARIABLES).flat());
