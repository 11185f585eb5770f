import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { Clock } from "../../clock.js";
import { CredentialsError, describeError, redactKeyId } from "../../errors.js";
import { checkKnownOptions } from "../../known-options.js";
import { log, type Logger } from "../../logger.js";
import { DEFAULT_RETRY_OPTIONS } from "../../retry.js";
import { markCredential } from "../../sdk/credential-marks.js";
import { identityRef, optionsKey } from "../../sharing/key-parts.js";
import { fallsThrough, linkProvider, type Link, type Reading } from "../../sharing/link.js";
import { resolveStsLocation, type ProfileStsSettings, type StsLocation } from "../sts/sts-location.js";
import { exchangeWebIdentityToken } from "./exchange-web-identity-token.js";
import { readWebIdentityToken } from "./read-web-identity-token.js";
import { checkWebIdentityOptions, resolveWebIdentitySettings, WEB_IDENTITY_ENV_VARIABLES, type CheckedWebIdentityOptions } from "./web-identity-settings.js";

export { WEB_IDENTITY_ENV_VARIABLES } from "./web-identity-settings.js";

/**
 * Deadline of one AssumeRoleWithWebIdentity (connect, answer, and the whole call). The SDK has
 * none by default; STS answers in well under a second, but it verifies the token against the
 * IdP's keys first, and 10 s leaves room for that and a cold TLS handshake (as AssumeRole's).
 */
export const DEFAULT_WEB_IDENTITY_TIMEOUT_MS = 10_000;

/**
 * Attempts per refresh, made by the `memoize` around the link: the AWS SDK's standard retry strategy
 * makes 3 (smithy `StandardRetryStrategy`), with full-jitter backoff from `DEFAULT_RETRY_OPTIONS`.
 */
export const DEFAULT_WEB_IDENTITY_MAX_ATTEMPTS = 3;

/** Options of {@link fromWebIdentity}. Options win over the environment. */
export interface WebIdentityOptions {
  /** The role to assume (every AWS partition). @defaultValue `AWS_ROLE_ARN` */
  roleArn?: string;
  /**
   * The file holding the OIDC token; read afresh on every call (EKS rotates it).
   * @defaultValue `AWS_WEB_IDENTITY_TOKEN_FILE`
   */
  webIdentityTokenFile?: string;
  /**
   * The session name, shown in CloudTrail and the assumed role's ARN; 2–64 of `[\w+=,.@-]`.
   * @defaultValue `AWS_ROLE_SESSION_NAME`, else `env-or-profile@<host name>` (stable per host)
   */
  roleSessionName?: string;
  /** Lifetime asked of STS, 900–43200 s. @defaultValue not sent: STS's default, one hour */
  durationSeconds?: number;
  /** An inline session policy (JSON, at most 2,048 characters): the session gets at most what it and the role allow. */
  policy?: string;
  /** Managed session policies' ARNs (at most 10). */
  policyArns?: readonly string[];
  /** STS region. @defaultValue `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the role's partition's STS region (`us-east-1` for `aws`) */
  region?: string;
  /** An STS URL, e.g. a local emulator. @defaultValue `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`, else the regional endpoint */
  endpoint?: string;
  /** Where the variables are read, on every call. @defaultValue `process.env` */
  env?: Readonly<Record<string, string | undefined>>;
  /** Kept for the options' shape of the other links; expiry decisions are `memoize`'s. @defaultValue `systemClock` */
  clock?: Clock;
  /** One debug line per decision (read the token, asked STS, failed). */
  logger?: Logger;
  /** Deadline of one STS call in ms; the request is aborted when it passes. @defaultValue {@link DEFAULT_WEB_IDENTITY_TIMEOUT_MS} */
  timeoutMs?: number;
  /**
   * Attempts per refresh for failures that can heal (5xx, throttling, network, IdP unreachable), made
   * by the `memoize` around the link when it was given no `retry` of its own.
   * @defaultValue {@link DEFAULT_WEB_IDENTITY_MAX_ATTEMPTS}
   */
  maxAttempts?: number;
}

const WEB_IDENTITY_OPTION_KEYS = [
  "roleArn",
  "webIdentityTokenFile",
  "roleSessionName",
  "durationSeconds",
  "policy",
  "policyArns",
  "region",
  "endpoint",
  "env",
  "clock",
  "logger",
  "timeoutMs",
  "maxAttempts",
] as const;

/**
 * Web identity (EKS IRSA, any OIDC federation): reads the token in `AWS_WEB_IDENTITY_TOKEN_FILE`
 * and exchanges it for the credentials of `AWS_ROLE_ARN` with STS AssumeRoleWithWebIdentity
 * (unsigned: the token is the proof). The AWS SDK's STS client is loaded on the first exchange.
 *
 * - **Which link answers**: neither variable (nor option) set → `WEB_IDENTITY_NOT_SET`, falling
 *   through (`tryNextLink: true`), with no I/O. Only one of them, a malformed value, or a token file
 *   that is missing, empty or unreadable → an error naming the variable that stops the chain.
 * - **Validated up front**: a malformed option throws a `TypeError` from `fromWebIdentity`; the
 *   role ARN is checked (every AWS partition) before any request.
 * - **Rotation**: the token file is read again on every call (EKS rotates it).
 * - **One attempt per call**, with a deadline that aborts the request; identical concurrent
 *   exchanges (same token, role and STS location) are sent once. Wrap it in `memoize` (as
 *   `envOrProfile` does) to cache the credential until five minutes before it expires and to retry
 *   what can heal (5xx, throttling, network, timeouts, `IDPCommunicationError`): memoized providers
 *   that read the same role, token file, session and STS location share one credential.
 * - **STS location**: the options, else the environment as every STS call here reads it
 *   (`AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_DEFAULT_REGION`, FIPS and
 *   dual-stack), else the role's partition's STS region.
 * - **Secrets**: the token, and the issued secret and session token, never appear in a message, a
 *   log line or an error's cause, even when a server echoes them.
 *
 * @param options - role, token file, session name, STS region/endpoint; see {@link WebIdentityOptions}.
 * @returns a provider of the role's temporary credentials (with `accountId` from the role ARN).
 * @throws TypeError from `fromWebIdentity` when an option is invalid (message names the option).
 * @throws CredentialsError from the provider: `WEB_IDENTITY_NOT_SET` (falls through);
 *   `WEB_IDENTITY_INVALID` (half set or malformed variable), `WEB_IDENTITY_TOKEN_UNREADABLE`,
 *   `WEB_IDENTITY_TOKEN_EMPTY`, `WEB_IDENTITY_TOKEN_INVALID` (InvalidIdentityToken),
 *   `WEB_IDENTITY_TOKEN_EXPIRED` (the token file is stale), `WEB_IDENTITY_IDP_REJECTED`,
 *   `STS_ACCESS_DENIED` (the trust policy), `STS_BAD_RESPONSE` — not retryable; and
 *   `WEB_IDENTITY_IDP_ERROR`, `STS_THROTTLED`, `STS_ERROR` (5xx, network, timeout) — retryable.
 *   None of these but the first falls through a chain.
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromWebIdentity, memoize } from "env-or-profile";
 *
 * // On EKS with IRSA, AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are set for the pod.
 * const s3 = new S3Client({ region: "eu-west-1", credentials: memoize(fromWebIdentity()) });
 * ```
 * @example
 * Explicit options (they win over the environment):
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromWebIdentity, memoize } from "env-or-profile";
 *
 * const s3 = new S3Client({
 *   region: "eu-west-1",
 *   credentials: memoize(fromWebIdentity({
 *     roleArn: "arn:aws:iam::123456789012:role/app",
 *     webIdentityTokenFile: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
 *     roleSessionName: "my-app",
 *   })),
 * });
 * ```
 */
export function fromWebIdentity(options: WebIdentityOptions = {}): AwsCredentialIdentityProvider {
  return linkProvider(webIdentityLink(options));
}

/**
 * The web identity link: what decides its answer is the role, the token file's path (its contents
 * rotate, the identity does not), the session name and duration, the session policies, and where
 * STS is. It answers (or stops a chain) when either `AWS_ROLE_ARN` or `AWS_WEB_IDENTITY_TOKEN_FILE`
 * (or the matching option) is set.
 * @param stsProfile - a profile's STS settings, for a profile's `web_identity_token_file` step.
 * @throws TypeError when an option is invalid.
 * @internal
 */
export function webIdentityLink(options: WebIdentityOptions, stsProfile?: ProfileStsSettings): Link {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Expected `options` to be an object");
  }
  checkKnownOptions(options, WEB_IDENTITY_OPTION_KEYS, "fromWebIdentity", {
    random: "retries are made by `memoize`, which takes `random`",
    refreshWindowMs: "the refresh window is `memoize`'s",
    negativeCacheMs: "failures are no longer remembered; `memoize` backs off after a failed refresh",
  });
  const checked = checkWebIdentityOptions(options, DEFAULT_WEB_IDENTITY_TIMEOUT_MS, DEFAULT_WEB_IDENTITY_MAX_ATTEMPTS);
  const logger = options.logger;
  const optionKey = optionsKey({ ...checked, logger: identityRef(logger) });
  return {
    name: "web-identity",
    read: () => readWebIdentity(checked, options.env ?? process.env, optionKey, logger, stsProfile),
  };
}

function readWebIdentity(
  checked: CheckedWebIdentityOptions,
  env: Readonly<Record<string, string | undefined>>,
  optionKey: string,
  logger: Logger | undefined,
  stsProfile: ProfileStsSettings | undefined,
): Reading {
  const resolved = resolveWebIdentitySettings(checked, env);
  if (resolved.kind === "not-set") {
    return fallsThrough("web-identity:-", resolved.error);
  }
  if (resolved.kind === "invalid") {
    const { error } = resolved;
    return { key: `web-identity:invalid:${error.message}`, answers: true, fetch: () => Promise.reject(error) };
  }
  const { settings } = resolved;
  let location: StsLocation;
  try {
    location = resolveStsLocation({ region: checked.region, endpoint: checked.endpoint, env, roleArn: settings.roleArn, profile: stsProfile });
  } catch (error) {
    const failure = resolveFailure(error);
    return { key: `web-identity:invalid:${failure.message}`, answers: true, fetch: () => Promise.reject(failure) };
  }
  // The SDK's fromTokenFile marks the token file named by the variable (whoever passed it on): a
  // mark of the answer, so part of the key.
  const fromVariable = settings.webIdentityTokenFile === env[WEB_IDENTITY_ENV_VARIABLES.webIdentityTokenFile];
  const key = `web-identity:${optionKey};${JSON.stringify([settings.roleArn, settings.webIdentityTokenFile, settings.roleSessionName])};${location.key}${fromVariable ? ";h" : ""}`;
  return {
    key,
    answers: true,
    retry: { ...DEFAULT_RETRY_OPTIONS, retries: checked.maxAttempts - 1 },
    fetch: async () => {
      try {
        const token = await readWebIdentityToken(settings.webIdentityTokenFile, settings.tokenFileFrom);
        const exchanged = await exchangeWebIdentityToken(settings, location, token);
        const credential = fromVariable ? markCredential(exchanged, "CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN") : exchanged;
        log(logger, "debug", `web-identity: assumed ${settings.roleArn} (${redactKeyId(credential.accessKeyId)}) with the token in ${settings.webIdentityTokenFile}, expires ${credential.expiration?.toISOString() ?? "never"}`);
        return credential;
      } catch (error) {
        log(logger, "debug", `web-identity: ${settings.roleArn} failed: ${describeError(error)}`);
        throw error;
      }
    },
  };
}

/** A malformed STS location variable, as this link reports it. */
function resolveFailure(error: unknown): Error {
  return new CredentialsError(`Web identity is misconfigured: ${error instanceof Error ? error.message : String(error)}`, {
    source: "web-identity",
    code: "WEB_IDENTITY_INVALID",
    tryNextLink: false,
  });
}
