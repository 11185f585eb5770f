import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { systemClock, type Clock } from "../clock.js";
import { CredentialsError, keyIdHint, redactKeyId } from "../errors.js";
import { checkKnownOptions } from "../known-options.js";
import { parseIsoDate } from "../parse-iso-date.js";
import { markCredential } from "../sdk/credential-marks.js";
import { registerSecret } from "../scrub-secrets.js";
import { identityOf, secretRef } from "../sharing/key-parts.js";
import { linkProvider, type Link, type Reading } from "../sharing/link.js";

/** The environment variables {@link fromEnv} reads, by role. */
export const ENV_VARIABLES: Readonly<{
  /** The access key id. */
  accessKeyId: "AWS_ACCESS_KEY_ID";
  /** The secret access key. */
  secretAccessKey: "AWS_SECRET_ACCESS_KEY";
  /** The session token of temporary credentials. */
  sessionToken: "AWS_SESSION_TOKEN";
  /** When temporary credentials expire, ISO 8601 with a zone. */
  expiration: "AWS_CREDENTIAL_EXPIRATION";
  /** The 12-digit account id. */
  accountId: "AWS_ACCOUNT_ID";
}> = Object.freeze({
  accessKeyId: "AWS_ACCESS_KEY_ID",
  secretAccessKey: "AWS_SECRET_ACCESS_KEY",
  sessionToken: "AWS_SESSION_TOKEN",
  expiration: "AWS_CREDENTIAL_EXPIRATION",
  accountId: "AWS_ACCOUNT_ID",
});

/** Options of {@link fromEnv}. */
export interface EnvOptions {
  /**
   * The environment to read. Read on every call, so later changes are seen (a memoized provider
   * above it keeps keys without Expiration for its life; a new one reads them again).
   * @defaultValue `process.env`
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where time comes from, to reject an already-expired `AWS_CREDENTIAL_EXPIRATION`. @defaultValue {@link systemClock} */
  clock?: Clock;
}

const SOURCE = "env";

const ENV_OPTION_KEYS: readonly (keyof EnvOptions)[] = ["env", "clock"];

/**
 * Credentials from environment variables: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, and
 * optionally `AWS_SESSION_TOKEN`, `AWS_CREDENTIAL_EXPIRATION` (ISO 8601) and `AWS_ACCOUNT_ID`.
 *
 * Not set at all → an `ENV_NOT_SET` error with `tryNextLink: true`, so a chain moves on. Half set
 * (a key id without its secret, a token without keys, an unparseable or past expiration, a value
 * with whitespace in it) → an `ENV_INVALID` / `CREDENTIALS_EXPIRED` error naming the variable,
 * with `tryNextLink: false`: a misconfiguration must not silently fall through to another identity.
 *
 * @param options - the environment to read and the clock.
 * @throws CredentialsError `ENV_NOT_SET` (falls through), `ENV_INVALID` or `CREDENTIALS_EXPIRED` (stop).
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromEnv, memoize } from "env-or-profile";
 *
 * const s3 = new S3Client({ region: "us-east-1", credentials: memoize(fromEnv()) });
 * ```
 */
export function fromEnv(options?: EnvOptions): AwsCredentialIdentityProvider {
  if (options !== undefined) checkKnownOptions(options, ENV_OPTION_KEYS, "fromEnv");
  if (options === undefined || (options.env === undefined && options.clock === undefined)) {
    return readProcessEnv; // stateless: every `fromEnv()` can be the same function
  }
  return linkProvider(envLink(options));
}

/** `fromEnv()` with no options: `process.env`, read on every call, and the system clock. */
const readProcessEnv: AwsCredentialIdentityProvider = linkProvider(envLink({}));

/**
 * The env link: what decides its answer is the five variables' values (the key id, secret and
 * token as numbers standing for them, never in clear), and the clock that judges an expiration.
 * It answers (or stops a chain with its error) as soon as any key variable is set.
 * @internal
 */
export function envLink(options: EnvOptions): Link {
  const clock = options.clock ?? systemClock;
  const clockKey = options.clock === undefined ? "" : `;clock@${identityOf(options.clock)}`;
  return {
    name: SOURCE,
    read(): Reading {
      const env = options.env ?? process.env;
      const snapshot: Record<string, string | undefined> = {};
      for (const name of ENV_VARIABLE_NAMES) snapshot[name] = env[name];
      const accessKeyId = snapshot[ENV_VARIABLES.accessKeyId];
      const secretAccessKey = snapshot[ENV_VARIABLES.secretAccessKey];
      const sessionToken = snapshot[ENV_VARIABLES.sessionToken];
      const answers = nonEmpty(accessKeyId) || nonEmpty(secretAccessKey) || nonEmpty(sessionToken);
      const key = answers
        ? `env:${secretRef(accessKeyId ?? "")},${secretRef(secretAccessKey ?? "")},${secretRef(sessionToken ?? "")},` +
          `${JSON.stringify(snapshot[ENV_VARIABLES.expiration] ?? null)},${JSON.stringify(snapshot[ENV_VARIABLES.accountId] ?? null)}${clockKey}`
        : "env:-";
      return { key, answers, fetch: async () => markCredential(readEnvCredentials(snapshot, clock), "CREDENTIALS_ENV_VARS") };
    },
  };
}

const ENV_VARIABLE_NAMES: readonly string[] = Object.values(ENV_VARIABLES);

function nonEmpty(text: string | undefined): boolean {
  return text !== undefined && text !== "";
}

/** Reads and validates the variables once; see {@link fromEnv}. */
export function readEnvCredentials(env: Readonly<Record<string, string | undefined>>, clock: Clock = systemClock): AwsCredentialIdentity {
  const accessKeyId = value(env, ENV_VARIABLES.accessKeyId);
  const secretAccessKey = value(env, ENV_VARIABLES.secretAccessKey);
  const sessionToken = value(env, ENV_VARIABLES.sessionToken);
  const expiration = value(env, ENV_VARIABLES.expiration);
  const accountId = value(env, ENV_VARIABLES.accountId);
  // Known to the scrubber from the moment they are read, so no server can echo them into a message.
  registerSecret(secretAccessKey);
  registerSecret(sessionToken);

  if (accessKeyId === undefined && secretAccessKey === undefined) {
    if (sessionToken !== undefined) {
      throw invalid(`${ENV_VARIABLES.sessionToken} is set but ${ENV_VARIABLES.accessKeyId} and ${ENV_VARIABLES.secretAccessKey} are not`);
    }
    throw new CredentialsError(`${ENV_VARIABLES.accessKeyId} and ${ENV_VARIABLES.secretAccessKey} are not set`, {
      source: SOURCE,
      code: "ENV_NOT_SET",
      tryNextLink: true,
    });
  }
  if (accessKeyId === undefined) {
    throw invalid(`${ENV_VARIABLES.secretAccessKey} is set but ${ENV_VARIABLES.accessKeyId} is not`);
  }
  if (secretAccessKey === undefined) {
    throw invalid(`${ENV_VARIABLES.accessKeyId}${keyIdHint(accessKeyId)} is set but ${ENV_VARIABLES.secretAccessKey} is not`);
  }
  for (const [name, text] of [
    [ENV_VARIABLES.accessKeyId, accessKeyId],
    [ENV_VARIABLES.secretAccessKey, secretAccessKey],
    [ENV_VARIABLES.sessionToken, sessionToken],
  ] as const) {
    if (text !== undefined && /\s/.test(text)) {
      throw invalid(`${name} contains whitespace (a stray newline or space from a file or a copy-paste?); requests signed with it would fail`);
    }
  }

  let expiresAt: number | undefined;
  if (expiration !== undefined) {
    expiresAt = parseIsoDate(expiration);
    if (expiresAt === undefined) {
      throw invalid(`${ENV_VARIABLES.expiration} is not an ISO 8601 date-time (e.g. 2026-01-01T12:00:00Z)`);
    }
    if (expiresAt <= clock.now()) {
      throw new CredentialsError(
        `The environment credentials (${redactKeyId(accessKeyId)}) expired at ${new Date(expiresAt).toISOString()} per ${ENV_VARIABLES.expiration}; refresh them`,
        { source: SOURCE, code: "CREDENTIALS_EXPIRED", tryNextLink: false },
      );
    }
  }
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) {
    throw invalid(`${ENV_VARIABLES.accountId} must be 12 digits`);
  }
  // Optional fields are present only when set (exactOptionalPropertyTypes).
  return {
    accessKeyId,
    secretAccessKey,
    ...(sessionToken === undefined ? {} : { sessionToken }),
    ...(expiresAt === undefined ? {} : { expiration: new Date(expiresAt) }),
    ...(accountId === undefined ? {} : { accountId }),
  };
}

/** An unset or empty variable is "not set", as in the AWS CLI and SDKs. */
function value(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const text = env[name];
  return text === undefined || text === "" ? undefined : text;
}

function invalid(message: string): CredentialsError {
  return new CredentialsError(message, { source: SOURCE, code: "ENV_INVALID", tryNextLink: false });
}
