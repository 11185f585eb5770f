import { createHash } from "node:crypto";
import { homedir } from "node:os";
import { join } from "node:path";
import { configuredValue } from "../../config-value.js";
import { CredentialsError, describeError } from "../../errors.js";
import { isRetryable } from "../../retry.js";
import { fileIdentity } from "../../sharing/file-identity.js";
import type { Link, Reading } from "../../sharing/link.js";
import { PROFILE_SOURCE } from "./profile-error.js";
import type { ProfileSelection } from "./resolve-profile-selection.js";
import { sdkProfileProvider } from "./sdk-profile-provider.js";

/** What {@link loginProfileLink} needs. @internal */
export interface LoginProfileOptions {
  /** The profile with `login_session`. */
  readonly profile: string;
  /** Its `login_session` (the ARN of the signed-in identity), which names the cached login. */
  readonly loginSession: string;
  readonly selection: Pick<ProfileSelection, "configFile" | "credentialsFile">;
  /** The chain's environment: `AWS_ENDPOINT_URL_SIGNIN` / `AWS_ENDPOINT_URL` (a local sign-in service in tests). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Where `aws login` keeps the login of `loginSession`, as the AWS SDK's `fromLoginCredentials` (and
 * botocore) look for it: `AWS_LOGIN_CACHE_DIRECTORY`, else `~/.aws/login/cache`, and the file named
 * by the SHA-256 of the session's name. The SDK reads `process.env` and the home directory itself,
 * whatever environment the link was given, so this does too.
 * @internal
 */
export function loginCacheFile(loginSession: string): string {
  // `??`, as the SDK: a variable set to "" is the current directory there, so here too.
  const directory = process.env["AWS_LOGIN_CACHE_DIRECTORY"] ?? join(homedir(), ".aws", "login", "cache");
  return join(directory, `${createHash("sha256").update(loginSession, "utf8").digest("hex")}.json`);
}

/**
 * A `login_session` profile — the one `aws login` (console sign-in for the CLI) writes — through
 * the AWS SDK's own `fromLoginCredentials` (loaded on the first fetch, never at import): it reads
 * the login `aws login` cached, refreshes it with the sign-in service (a DPoP-bound refresh token)
 * when it has under five minutes left, and writes the refreshed one back. What decides the answer is
 * the profile files (in the profile's key), the cached login's file identity (a new `aws login`, a
 * refresh or an `aws logout` is another answer), and the sign-in endpoint.
 *
 * @throws CredentialsError `LOGIN_REQUIRED` when there is no cached login, it is unusable, or the
 *   sign-in service says it has expired or was revoked (the message says `aws login --profile NAME`);
 *   `LOGIN_FAILED` otherwise (retryable when it can heal: network errors, 5xx, throttling).
 * @internal
 */
export function loginProfileLink(options: LoginProfileOptions): Link {
  return {
    name: PROFILE_SOURCE,
    async read(): Promise<Reading> {
      const endpoint = configuredValue(options.env["AWS_ENDPOINT_URL_SIGNIN"]) ?? configuredValue(options.env["AWS_ENDPOINT_URL"]);
      const cacheFile = loginCacheFile(options.loginSession);
      const cached = await fileIdentity(cacheFile);
      return {
        key: `login:${JSON.stringify([options.profile, options.loginSession, cacheFile, endpoint ?? null])};${cached.key}`,
        answers: true,
        fetch: async () => {
          if (cached.kind === "absent") {
            // No login at all: said at once, without loading the SDK.
            throw loginRequiredError(options.profile, `no cached login for ${options.loginSession} (${cacheFile} does not exist)`);
          }
          const login = await sdkProfileProvider("fromLoginCredentials", options.profile, options.selection, endpoint);
          try {
            return await login();
          } catch (error) {
            throw mapLoginError(error, options.profile);
          }
        },
      };
    },
  };
}

/**
 * The SDK's login errors, as ours. A cached login that is missing, unreadable or incomplete, or that
 * the sign-in service refuses to refresh (expired, revoked, password changed), all mean one thing to
 * a person: sign in again.
 * @internal
 */
export function mapLoginError(error: unknown, profile: string): CredentialsError {
  const message = error instanceof Error ? error.message : String(error);
  const unreachable = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|socket hang up|TimeoutError)\b/.test(message);
  const loginRequired =
    !unreachable &&
    /Failed to load (a )?token|Token validation failed|session has expired|reauthenticate|re-authenticate|change in your password|does not contain login_session/i.test(message);
  if (loginRequired) {
    return loginRequiredError(profile, describeError(error), error);
  }
  const throttledOr5xx = /\b(Throttling|TooManyRequests|InternalServer|ServiceUnavailable|5\d\d)\b/.test(message);
  return new CredentialsError(`The aws login credentials of profile "${profile}" could not be had: ${describeError(error)}`, {
    source: PROFILE_SOURCE,
    code: "LOGIN_FAILED",
    tryNextLink: false,
    retryable: unreachable || throttledOr5xx || isRetryable(error),
    cause: error,
  });
}

function loginRequiredError(profile: string, why: string, cause?: unknown): CredentialsError {
  return new CredentialsError(`The aws login session of profile "${profile}" is missing or expired; run \`aws login --profile ${profile}\` (${why})`, {
    source: PROFILE_SOURCE,
    code: "LOGIN_REQUIRED",
    tryNextLink: false,
    ...(cause === undefined ? {} : { cause }),
  });
}
