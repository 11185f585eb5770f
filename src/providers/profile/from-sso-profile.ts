import { configuredValue } from "../../config-value.js";
import { CredentialsError, describeError } from "../../errors.js";
import { isRetryable } from "../../retry.js";
import type { Link, Reading } from "../../sharing/link.js";
import { PROFILE_SOURCE } from "./profile-error.js";
import type { ProfileSelection } from "./resolve-profile-selection.js";
import { sdkProfileProvider } from "./sdk-profile-provider.js";

/** What {@link ssoProfileLink} needs. */
export interface SsoProfileOptions {
  readonly profile: string;
  readonly selection: Pick<ProfileSelection, "configFile" | "credentialsFile">;
  /** The chain's environment: `AWS_ENDPOINT_URL_SSO` / `AWS_ENDPOINT_URL` (e.g. a local portal in tests). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * An `sso_session` / `sso_start_url` profile through the AWS SDK's own `fromSSO` (loaded on the
 * first call, never at import): it reads the cached token that `aws sso login` wrote under
 * `~/.aws/sso/cache` (the SDK takes the home directory from `process.env.HOME`, not from our `env`
 * option), refreshes it when it can, and calls the SSO portal's GetRoleCredentials. Its errors are
 * mapped to ours. What decides its answer is in the profile files (whose identity is in the
 * profile's key) and the portal endpoint.
 *
 * @throws CredentialsError `SSO_LOGIN_REQUIRED` when the token is missing, expired or refused (the
 *   message says `run aws sso login --profile <name>`); `SSO_FAILED` otherwise (retryable when the
 *   SDK's error is: network errors, 5xx, throttling).
 * @internal
 */
export function ssoProfileLink(options: SsoProfileOptions): Link {
  return {
    name: PROFILE_SOURCE,
    read(): Reading {
      const endpoint = configuredValue(options.env["AWS_ENDPOINT_URL_SSO"]) ?? configuredValue(options.env["AWS_ENDPOINT_URL"]);
      return {
        key: `sso:${JSON.stringify([options.profile, endpoint ?? null])}`,
        answers: true,
        fetch: async () => {
          const sso = await sdkProfileProvider("fromSSO", options.profile, options.selection, endpoint);
          try {
            return await sso();
          } catch (error) {
            throw mapSsoError(error, options.profile);
          }
        },
      };
    },
  };
}

/**
 * The SDK's SSO errors, as ours. Its messages for a missing or stale login ("…token … was not found
 * or is invalid", "…has expired or is otherwise invalid", an UnauthorizedException from the portal)
 * all mean the same thing to a person: log in again.
 * @internal
 */
export function mapSsoError(error: unknown, profile: string): CredentialsError {
  const name = (error as { name?: unknown } | null)?.name;
  const message = error instanceof Error ? error.message : String(error);
  // fromSSO wraps the portal's error into a CredentialsProviderError whose message is
  // "<ErrorName>: <message>"; the error itself is not kept, so its name is read from there.
  const portalError = /^([A-Za-z]+)(?=:)/.exec(message)?.[1];
  const loginRequired =
    name === "UnauthorizedException" ||
    portalError === "UnauthorizedException" ||
    /expired|not found or is invalid|otherwise invalid|sso login|refresh/i.test(message);
  if (loginRequired) {
    return new CredentialsError(
      `The SSO login of profile "${profile}" is missing or expired; run \`aws sso login --profile ${profile}\` (${describeError(error)})`,
      { source: PROFILE_SOURCE, code: "SSO_LOGIN_REQUIRED", tryNextLink: false, cause: error },
    );
  }
  const transient =
    isRetryable(error) ||
    (portalError !== undefined && TRANSIENT_PORTAL_ERRORS.has(portalError)) ||
    /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|socket hang up)\b/.test(message);
  return new CredentialsError(`SSO credentials of profile "${profile}" could not be had: ${describeError(error)}`, {
    source: PROFILE_SOURCE,
    code: "SSO_FAILED",
    tryNextLink: false,
    retryable: transient,
    cause: error,
  });
}

/** Portal errors that can heal: its 5xx (`Unknown` when the answer names no type) and throttling. */
const TRANSIENT_PORTAL_ERRORS = new Set([
  "Unknown",
  "InternalServerException",
  "ServiceUnavailableException",
  "TooManyRequestsException",
  "ThrottlingException",
  "TimeoutError",
]);
