import type { AwsCredentialIdentity } from "@smithy/types";
import { redactKeyId } from "../../errors.js";
import { parseIsoDate } from "../../parse-iso-date.js";
import { registerSecret } from "../../scrub-secrets.js";
import type { LoadedProfile } from "./load-profiles.js";
import { profileError } from "./profile-error.js";
import { whereKey, whereProfile } from "./profile-where.js";

/** The static-key settings of a profile. */
export const STATIC_KEYS = Object.freeze({
  accessKeyId: "aws_access_key_id",
  secretAccessKey: "aws_secret_access_key",
  sessionToken: "aws_session_token",
  expiration: "aws_credential_expiration",
  accountId: "aws_account_id",
} as const);

/** Whether a profile sets any static-key setting. @internal */
export function hasStaticKeys(profile: LoadedProfile): boolean {
  const { values } = profile;
  return values[STATIC_KEYS.accessKeyId] !== undefined || values[STATIC_KEYS.secretAccessKey] !== undefined || values[STATIC_KEYS.sessionToken] !== undefined;
}

/** Static credentials and when they expire (epoch ms), checked. */
export interface StaticCredentials {
  readonly identity: AwsCredentialIdentity;
  readonly expiresAt: number | undefined;
}

/**
 * The static keys of a profile: `aws_access_key_id` and `aws_secret_access_key`, optional
 * `aws_session_token`, `aws_credential_expiration` (ISO 8601) and `aws_account_id`.
 * @throws CredentialsError `PROFILE_INVALID` naming the file, profile and key (never its value).
 * @internal
 */
export function readStaticCredentials(profile: LoadedProfile): StaticCredentials {
  const { values } = profile;
  const accessKeyId = values[STATIC_KEYS.accessKeyId];
  const secretAccessKey = values[STATIC_KEYS.secretAccessKey];
  const sessionToken = values[STATIC_KEYS.sessionToken];
  const expiration = values[STATIC_KEYS.expiration];
  const accountId = values[STATIC_KEYS.accountId];
  // Known before any check can fail: whatever text later quotes them is scrubbed.
  registerSecret(secretAccessKey);
  registerSecret(sessionToken);
  if (accessKeyId === undefined || accessKeyId === "") {
    throw profileError(`${whereProfile(profile)} has ${secretAccessKey === undefined ? `\`${STATIC_KEYS.sessionToken}\`` : `\`${STATIC_KEYS.secretAccessKey}\``} but no \`${STATIC_KEYS.accessKeyId}\``);
  }
  if (secretAccessKey === undefined || secretAccessKey === "") {
    throw profileError(`${whereKey(profile, STATIC_KEYS.accessKeyId)} (${redactKeyId(accessKeyId)}) has no \`${STATIC_KEYS.secretAccessKey}\` beside it`);
  }
  for (const key of [STATIC_KEYS.accessKeyId, STATIC_KEYS.secretAccessKey, STATIC_KEYS.sessionToken]) {
    const value = values[key];
    if (value !== undefined && /\s/.test(value)) {
      throw profileError(`${whereKey(profile, key)} contains whitespace (a value split or pasted wrongly?); requests signed with it would fail`);
    }
  }
  let expiresAt: number | undefined;
  if (expiration !== undefined) {
    expiresAt = parseIsoDate(expiration);
    if (expiresAt === undefined) {
      throw profileError(`${whereKey(profile, STATIC_KEYS.expiration)} is not an ISO 8601 date-time (e.g. 2026-01-01T12:00:00Z)`);
    }
  }
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) {
    throw profileError(`${whereKey(profile, STATIC_KEYS.accountId)} must be 12 digits`);
  }
  return {
    identity: {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken === undefined || sessionToken === "" ? {} : { sessionToken }),
      ...(expiresAt === undefined ? {} : { expiration: new Date(expiresAt) }),
      ...(accountId === undefined ? {} : { accountId }),
    },
    expiresAt,
  };
}
