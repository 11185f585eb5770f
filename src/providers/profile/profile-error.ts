import { CredentialsError, type CredentialsErrorCode } from "../../errors.js";

/** The `source` of every error the profile link throws. */
export const PROFILE_SOURCE = "profile";

/**
 * An error of the profile link that stops the chain (`tryNextLink: false`): the profile is
 * configured but broken. Messages name the file, the profile and the key, never a value.
 * @internal
 */
export function profileError(
  message: string,
  code: CredentialsErrorCode = "PROFILE_INVALID",
  extra: { cause?: unknown; retryable?: boolean } = {},
): CredentialsError {
  return new CredentialsError(message, {
    source: PROFILE_SOURCE,
    code,
    tryNextLink: false,
    ...(extra.retryable === undefined ? {} : { retryable: extra.retryable }),
    ...(extra.cause === undefined ? {} : { cause: extra.cause }),
  });
}

/**
 * The fall-through error (`PROFILE_NOT_SET`, `tryNextLink: true`) of a profile link with no
 * `AWS_PROFILE`, no `profile` option and neither file: thrown by the plan (plan-profile.ts) and by
 * `fromProfile`'s first-call check, which finds this case without loading the profile chunk.
 * @internal
 */
export function noProfileFilesError(selection: { readonly configFile: string; readonly credentialsFile: string }): CredentialsError {
  return new CredentialsError(`No profile to use: no AWS config or credentials file (${selection.configFile}, ${selection.credentialsFile}), and AWS_PROFILE is not set`, {
    source: PROFILE_SOURCE,
    code: "PROFILE_NOT_SET",
    tryNextLink: true,
  });
}

/** `[profile work]` for a config-file profile, `[work]` for a credentials-file one, `[default]` for either. */
export function sectionLabel(profile: string, file: "config" | "credentials"): string {
  return file === "config" && profile !== "default" ? `[profile ${profile}]` : `[${profile}]`;
}
