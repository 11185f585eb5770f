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

/** `[profile work]` for a config-file profile, `[work]` for a credentials-file one, `[default]` for either. */
export function sectionLabel(profile: string, file: "config" | "credentials"): string {
  return file === "config" && profile !== "default" ? `[profile ${profile}]` : `[${profile}]`;
}
