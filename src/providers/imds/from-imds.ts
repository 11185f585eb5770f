/*
 * Why our own IMDS client rather than the AWS SDK's `fromInstanceMetadata`
 * (`@smithy/credential-provider-imds`):
 * - it fetches a new IMDSv2 token on every refresh; we cache the token for its life, shared by
 *   every provider on the endpoint, and fetch a new one only when it ends or gets a 401;
 * - off EC2 it pays two full timeouts (token request, then the IMDSv1 try) on every call; we pay
 *   at most one timeout in total, fall through at once on a refused connection, and then fail fast
 *   without I/O for a 15–30 s cool-down;
 * - ten thousand providers made at once send it thirty thousand requests; ours send three;
 * - it accepts a credentials document whose `Code` is not "Success", and `Expiration`s that do not
 *   parse or are already past; we validate every field and say which one was wrong, without ever
 *   echoing the body (it carries secrets).
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { CredentialsError, describeError, redactKeyId } from "../../errors.js";
import { checkKnownOptions } from "../../known-options.js";
import { log } from "../../logger.js";
import { addMarks, credentialMarks, markCredential } from "../../sdk/credential-marks.js";
import { identityRef, optionsKey } from "../../sharing/key-parts.js";
import { fallsThrough, linkProvider, type Link, type Reading } from "../../sharing/link.js";
import { freshRole, sharedFlight } from "./endpoint-state.js";
import { imdsDisabledByEnv, readImdsFileSettings, type ImdsSettingsSource } from "./imds-file-settings.js";
import { createImdsClient, type ImdsClient } from "./imds-client.js";
import {
  checkImdsOptions,
  IMDS_OPTION_KEYS,
  IMDS_RETRY_BASE_DELAY_MS,
  IMDS_RETRY_MAX_DELAY_MS,
  resolveImdsOptions,
  STATIC_STABILITY_JITTER_MS,
  STATIC_STABILITY_MIN_EXTENSION_MS,
  type ImdsOptions,
  type ResolvedImdsOptions,
} from "./imds-options.js";
import { parseImdsCredentials } from "./parse-credentials.js";
import { parseRoleName } from "./parse-role-name.js";

export type { ImdsEnv, ImdsOptions } from "./imds-options.js";

/** Where IMDS lists the instance profile's role, and serves its credentials under the role name. */
export const IMDS_CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials/";

type Identity = AwsCredentialIdentity & { expiration: Date };

/**
 * The EC2 instance-profile link: credentials from the Instance Metadata Service (IMDS).
 *
 * IMDSv2 first (a session token, cached for its lifetime and shared by every provider on the
 * endpoint), IMDSv1 as a fallback unless turned off (a v1 verdict is trusted for a minute, then
 * re-checked). The role IMDS lists decides which credentials a provider gets: it is asked again at
 * most once a minute per endpoint, and at once when its credentials path answers 404, so a new
 * provider never gets the credentials of a role the instance no longer has. Every field of the
 * answer is validated.
 *
 * Each call is one attempt and nothing is cached here: wrap it in `memoize` (as `envOrProfile`
 * does), which refreshes before `expiration`, retries what can heal (`maxAttempts`) and shares one
 * credential between every memoized provider that reads the same endpoint, settings and role.
 * Requests are shared per endpoint while in flight: 10,000 providers created at once send three
 * (a token, the role list, the credentials).
 *
 * Failures are `CredentialsError`s with `source: "imds"`:
 * - not on EC2 (`tryNextLink: true`): `IMDS_DISABLED` (`AWS_EC2_METADATA_DISABLED=true`, no I/O),
 *   `IMDS_UNAVAILABLE` (refused, no route, or cooling down after that), `IMDS_TIMEOUT` (nothing
 *   answered), `IMDS_NO_ROLE` (an instance without a profile), `IMDS_HTTP_ERROR` for a 403 (the
 *   metadata endpoint is turned off or blocked);
 * - on EC2 but broken (`tryNextLink: false`): `IMDS_HTTP_ERROR` (`retryable` for 5xx and 429),
 *   `IMDS_BAD_RESPONSE`, `IMDS_TOO_LARGE`, `IMDS_V1_DISABLED`, `IMDS_TIMEOUT` (`retryable` when
 *   IMDS answered before; not for a token request lost to a container's hop limit),
 *   `CONFIG_INVALID` (a bad `AWS_EC2_METADATA_*` / `AWS_METADATA_SERVICE_*` variable).
 *
 * @param options - see {@link ImdsOptions}; checked now. The environment (`env`, else `process.env`)
 *   is read on every call, as the AWS SDK reads it when a provider first resolves; options win over it.
 * @returns a provider resolving to `{ accessKeyId, secretAccessKey, sessionToken, expiration }`
 *   (plus `accountId` when IMDS gives one).
 * @throws TypeError at once when an option is invalid, e.g. "Expected `tokenTtlSeconds` to be …".
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromImds, memoize } from "env-or-profile";
 *
 * const s3 = new S3Client({
 *   region: "eu-west-1",
 *   credentials: memoize(fromImds({ timeoutMs: 500, allowImdsV1: false })),
 * });
 * ```
 */
export function fromImds(options?: ImdsOptions): AwsCredentialIdentityProvider {
  if (options === undefined) {
    // Stateless with the defaults (it reads `process.env` at each reading), as `fromEnv()`: every
    // `fromImds()` can be one function, so a provider per client costs nothing to make.
    return (defaultProvider ??= linkProvider(imdsLink({})));
  }
  return linkProvider(imdsLink(options));
}

let defaultProvider: AwsCredentialIdentityProvider | undefined;

/**
 * The IMDS link: what decides its answer is the endpoint and the settings that change how it is
 * asked (IMDSv1 allowed, timeout, token lifetime) — from the options, the environment and the
 * selected profile's settings, whose files' identities are part of the key — and the role IMDS
 * lists (asked at most once a minute per endpoint). Off EC2 (nothing answers, IMDS turned off, no
 * instance profile) it falls through; on EC2 it answers.
 * @param settingsFrom - whose profile settings apply when the `profile` option does not say: a
 *   profile link's selection (its profile and files), or a chain's profile.
 * @throws TypeError when an option is invalid.
 * @internal
 */
export function imdsLink(options: ImdsOptions = {}, settingsFrom: ImdsSettingsSource = {}): Link {
  checkImdsOptions(options, true);
  checkKnownOptions(options, IMDS_OPTION_KEYS, "fromImds");
  // Static stability hands out the previous credential past a failed refresh: the one feature that
  // needs memory in the link itself. It is this link's own, never shared (opt-in).
  const lastGood: LastGood | undefined = options.staticStability === true ? { identity: undefined } : undefined;
  // Written at the first reading: making a provider (one per client, say) costs only the checks.
  let optionKey: string | undefined;
  let source: ImdsSettingsSource | undefined;
  return {
    name: "imds",
    async read(): Promise<Reading> {
      optionKey ??= optionsKey({
        clock: identityRef(options.clock),
        logger: identityRef(options.logger),
        staticStability: identityRef(lastGood),
      });
      source ??=
        options.profile === false ? false : options.profile === undefined ? settingsFrom : { ...(settingsFrom === false ? {} : settingsFrom), profile: options.profile };
      const env = options.env ?? process.env;
      // Turned off: nothing else is read (no file, no setting), and the reading falls through.
      if (imdsDisabledByEnv(env)) return disabledReading();
      const file = await readImdsFileSettings(env, source);
      return readImds(resolveImdsOptions(options, file.settings), `${optionKey};${file.key}`, lastGood);
    },
  };
}

/** The last credential a static-stability link fetched. */
interface LastGood {
  identity: Identity | undefined;
}

/** The reading of a link that `AWS_EC2_METADATA_DISABLED=true` turned off: it falls through. */
function disabledReading(): Reading {
  return fallsThrough(
    "imds:disabled",
    new CredentialsError("IMDS is turned off by AWS_EC2_METADATA_DISABLED=true", { source: "imds", code: "IMDS_DISABLED", tryNextLink: true }),
  );
}

async function readImds(config: ResolvedImdsOptions, optionKey: string, lastGood: LastGood | undefined): Promise<Reading> {
  if (config.configError !== undefined) {
    const error = config.configError;
    return { key: `imds:invalid:${error.message}`, answers: true, fetch: () => Promise.reject(error) };
  }
  const client = createImdsClient(config);
  const base = `imds:${config.endpoint};v1=${config.allowImdsV1 ? 1 : 0};t=${config.timeoutMs};ttl=${config.tokenTtlSeconds};${optionKey}`;
  const retry = config.maxAttempts === undefined ? undefined : { retries: config.maxAttempts - 1, minTimeout: IMDS_RETRY_BASE_DELAY_MS, maxTimeout: IMDS_RETRY_MAX_DELAY_MS, factor: 2 };
  const fetchFor = (role: string | undefined) => () => withStaticStability(config, lastGood, () => fetchCredentials(client, config, role));
  let role = config.roleName;
  if (role === undefined) {
    try {
      role = await knownRole(client, config);
    } catch (error) {
      if (error instanceof CredentialsError && error.tryNextLink) {
        // Not on EC2 (or no instance profile): a verdict of this reading, and what a chain moves past.
        return fallsThrough(`${base};none`, error);
      }
      if (error instanceof CredentialsError && error.retryable) {
        // IMDS is there but could not list the role just now (5xx, a reset): the fetch asks again,
        // and memoize retries it.
        return { key: `${base};role=?`, answers: true, fetch: fetchFor(undefined), retry };
      }
      // IMDS is there and its answer will not change by asking again (a malformed list, IMDSv1
      // refused): this reading fails with it, without a second request.
      return { key: `${base};failed`, answers: true, fetch: () => Promise.reject(error instanceof Error ? error : new Error(String(error))) };
    }
  }
  return { key: `${base};role=${role}`, answers: true, fetch: fetchFor(role), retry };
}

/** The role IMDS lists: the one listed within the last minute, else asked now (one request in flight per endpoint). */
async function knownRole(client: ImdsClient, config: ResolvedImdsOptions): Promise<string> {
  return freshRole(client.state, config.clock.now()) ?? discoverRole(client, config);
}

/** One attempt at the credentials of `role` (discovered first when unknown); a 404 on the role's path discovers it again, once. */
async function fetchCredentials(client: ImdsClient, config: ResolvedImdsOptions, known: string | undefined): Promise<Identity> {
  let role = known ?? (await discoverRole(client, config));
  let rediscovered = known === undefined;
  for (;;) {
    const answer = await sharedFlight(client.state, `credentials ${role} ${client.flightKey}`, () => client.get(`${IMDS_CREDENTIALS_PATH}${encodeURIComponent(role)}`));
    if (answer.status !== 404) {
      const identity = parseImdsCredentials(answer.body, config.clock.now(), `role "${role}"`);
      log(config.logger, "debug", `imds: credentials ${redactKeyId(identity.accessKeyId)} of role "${role}" expire at ${identity.expiration.toISOString()}`);
      return markCredential(identity, "CREDENTIALS_IMDS"); // as @aws-sdk/credential-providers' fromInstanceMetadata
    }
    if (config.roleName !== undefined || rediscovered) {
      throw new CredentialsError(
        `IMDS at ${config.endpoint} has no credentials for role "${role}" (404)` +
          (config.roleName !== undefined ? "; is it this instance profile's role?" : "; the instance profile is changing?"),
        { source: "imds", code: "IMDS_HTTP_ERROR", tryNextLink: false, retryable: config.roleName === undefined },
      );
    }
    log(config.logger, "debug", `imds: role "${role}" answered 404; discovering the role again`);
    if (client.state.role?.name === role) client.state.role = undefined;
    role = await discoverRole(client, config);
    rediscovered = true;
  }
}

/** The instance profile's role, asked of IMDS now (one request in flight per endpoint and budget). */
function discoverRole(client: ImdsClient, config: ResolvedImdsOptions): Promise<string> {
  return sharedFlight(client.state, `role ${client.flightKey}`, async () => {
    const response = await client.get(IMDS_CREDENTIALS_PATH);
    const role = response.status === 404 ? undefined : parseRoleName(response.body);
    if (role === undefined) {
      throw new CredentialsError(`IMDS at ${config.endpoint} lists no role: this instance has no instance profile`, {
        source: "imds",
        code: "IMDS_NO_ROLE",
        tryNextLink: true,
        retryable: false,
      });
    }
    log(config.logger, "debug", `imds: instance profile role is "${role}"`);
    client.state.role = { name: role, checkedAt: config.clock.now() };
    return role;
  });
}

/** With `staticStability`, a failed fetch hands out the previous credential, its expiration pushed 5–10 minutes past now, with a warning. */
async function withStaticStability(config: ResolvedImdsOptions, lastGood: LastGood | undefined, fetch: () => Promise<Identity>): Promise<Identity> {
  if (lastGood === undefined) return fetch();
  try {
    const identity = await fetch();
    lastGood.identity = identity;
    return identity;
  } catch (error) {
    const previous = lastGood.identity;
    if (!config.staticStability || previous === undefined) throw error;
    const now = config.clock.now();
    const extension = STATIC_STABILITY_MIN_EXTENSION_MS + Math.floor(config.random() * STATIC_STABILITY_JITTER_MS);
    const expiration = new Date(Math.max(previous.expiration.getTime(), now + extension));
    log(
      config.logger,
      "warn",
      `imds: refresh failed (${describeError(error)}); serving the previous credentials ` +
        `${redactKeyId(previous.accessKeyId)} until ${expiration.toISOString()} (static stability)`,
    );
    lastGood.identity = addMarks({ ...previous, expiration }, credentialMarks(previous));
    return lastGood.identity;
  }
}
