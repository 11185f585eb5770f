/*
 * Why our own IMDS client rather than the AWS SDK's `fromInstanceMetadata`
 * (`@smithy/credential-provider-imds`):
 * - it fetches a new IMDSv2 token on every refresh; we cache the token for its life, shared by
 *   every provider on the endpoint, and fetch a new one only when it ends or gets a 401;
 * - off EC2 it pays two full timeouts (token request, then the IMDSv1 try) on every call; we pay
 *   at most one timeout in total, fall through at once on a refused connection, and then fail fast
 *   without I/O for a 15–30 s cool-down;
 * - it accepts a credentials document whose `Code` is not "Success", and `Expiration`s that do not
 *   parse or are already past; we validate every field and say which one was wrong, without ever
 *   echoing the body (it carries secrets).
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { CredentialsError, describeError, redactKeyId } from "../../errors.js";
import { log } from "../../logger.js";
import { sharedFlight, type SharedCredentials } from "./endpoint-state.js";
import { createImdsClient, type ImdsAnswer, type ImdsClient } from "./imds-client.js";
import { internImdsOptions } from "./intern-imds-options.js";
import {
  assertImdsUsable,
  checkImdsOptions,
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

/**
 * The EC2 instance-profile link: credentials from the Instance Metadata Service (IMDS).
 *
 * IMDSv2 first (a session token, cached for its lifetime and shared by every provider on the
 * endpoint), IMDSv1 as a fallback unless turned off (a v1 verdict is trusted for a minute, then
 * re-checked). The role name is discovered once and rediscovered only when its path answers 404.
 * Every field of the answer is validated.
 *
 * Process-wide, per endpoint: one role discovery and one credential fetch in flight at a time
 * (10,000 providers created at once send three requests), and the last credentials are handed to
 * a provider that has not seen them yet while they have more than 15 minutes left. A provider
 * calling again (a refresh) always asks IMDS. Otherwise it does not cache credentials itself: wrap
 * it in `memoize` (as `envOrProfile` does), which refreshes before `expiration`.
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
 * @param options - see {@link ImdsOptions}; checked now. A given `env` is read now, `process.env`
 *   (the default) on the first call — as the AWS SDK does, so creating a provider reads nothing;
 *   options win over the environment.
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
export function fromImds(options: ImdsOptions = NO_OPTIONS): AwsCredentialIdentityProvider {
  // Cheap to create: the options are checked now, but `process.env` (about a microsecond and a
  // half per variable) is read on the first call, as the SDK does; a given `env` object is cheap
  // to read and is read now. The resolved setup is shared per distinct options and environment,
  // the client per setup; per provider only a closure and a small record.
  // One variable holds the options until the first call, then the provider's run (its resolved
  // setup and last credentials): a closure over one variable, about what the SDK's provider costs.
  let state: ImdsOptions | ImdsRun = options;
  if (options === NO_OPTIONS) {
    // nothing to check
  } else if (typeof options === "object" && options !== null && options.env !== undefined) {
    state = new ImdsRun(internImdsOptions(options));
  } else {
    checkImdsOptions(options, true);
  }
  return () => (state instanceof ImdsRun ? state : (state = new ImdsRun(internImdsOptions(state)))).provide();
}

/** A called `fromImds` provider: its resolved setup and its last good credentials. */
class ImdsRun {
  readonly #config: ResolvedImdsOptions;
  #lastGood: Identity | undefined;

  constructor(config: ResolvedImdsOptions) {
    this.#config = config;
  }

  async provide(): Promise<Identity> {
    const config = this.#config;
    try {
      const identity = await resolveCredentials(config, this.#lastGood);
      this.#lastGood = identity;
      log(config.logger, "debug", `imds: credentials ${redactKeyId(identity.accessKeyId)} expire at ${identity.expiration.toISOString()}`);
      return identity;
    } catch (error) {
      const lastGood = this.#lastGood;
      if (!config.staticStability || lastGood === undefined) throw error;
      this.#lastGood = extendUnderStaticStability(config, lastGood, error);
      return { ...this.#lastGood };
    }
  }
}

/** `fromImds()` without options: one shared object, so such a provider holds none of its own. */
const NO_OPTIONS: ImdsOptions = Object.freeze({});

/**
 * A credential handed to another provider that has not seen it must have at least this long left,
 * in milliseconds: 15 minutes. Our own number, above `memoize`'s default refresh point (a 5-minute
 * window plus up to 5 minutes of jitter), so a shared credential never starts a refresh at once.
 */
export const SHARED_CREDENTIALS_MIN_REMAINING_MS = 15 * 60_000;

type Identity = AwsCredentialIdentity & { expiration: Date };

/** One client per resolved setup, made on first use. */
const clients = new WeakMap<ResolvedImdsOptions, ImdsClient>();

function clientFor(config: ResolvedImdsOptions): ImdsClient {
  let client = clients.get(config);
  if (client === undefined) {
    client = createImdsClient(config);
    clients.set(config, client);
  }
  return client;
}

/** Static stability: the previous credentials, their expiration pushed 5–10 minutes past now, with a warning. */
function extendUnderStaticStability(config: ResolvedImdsOptions, previous: Identity, error: unknown): Identity {
  const now = config.clock.now();
  const extension = STATIC_STABILITY_MIN_EXTENSION_MS + Math.floor(config.random() * STATIC_STABILITY_JITTER_MS);
  const expiration = new Date(Math.max(previous.expiration.getTime(), now + extension));
  log(
    config.logger,
    "warn",
    `imds: refresh failed (${describeError(error)}); serving the previous credentials ` +
      `${redactKeyId(previous.accessKeyId)} until ${expiration.toISOString()} (static stability)`,
  );
  return { ...previous, expiration };
}

/** The role (known, given or discovered), then its credentials; a 404 on a known role rediscovers it. */
async function resolveCredentials(config: ResolvedImdsOptions, lastGood: Identity | undefined): Promise<Identity> {
  assertImdsUsable(config);
  const client = clientFor(config);
  const { state } = client;
  let role = config.roleName ?? state.roleName;
  let fresh = false;
  if (role === undefined) {
    role = await discoverRole(client, config);
    fresh = true;
  }
  for (;;) {
    const shared = sharedFor(config, lastGood, state.credentials.get(role));
    if (shared !== undefined) return parseImdsCredentials(shared.body, config.clock.now(), `role "${role}"`);
    const answer = await fetchCredentials(client, role);
    if (answer.status !== 404) {
      const identity = parseImdsCredentials(answer.body, config.clock.now(), `role "${role}"`);
      state.credentials.set(role, { body: answer.body, expirationMs: identity.expiration.getTime(), accessKeyId: identity.accessKeyId, via: answer.via });
      return identity;
    }
    state.credentials.delete(role);
    if (config.roleName !== undefined || fresh) {
      throw new CredentialsError(
        `IMDS at ${config.endpoint} has no credentials for role "${role}" (404)` +
          (config.roleName !== undefined ? "; is it this instance profile's role?" : "; the instance profile is changing?"),
        { source: "imds", code: "IMDS_HTTP_ERROR", tryNextLink: false, retryable: config.roleName === undefined },
      );
    }
    log(config.logger, "debug", `imds: role "${role}" answered 404; discovering the role again`);
    if (state.roleName === role) state.roleName = undefined;
    role = await discoverRole(client, config);
    fresh = true;
  }
}

/**
 * The shared credentials when this provider may take them without asking IMDS: it has not had
 * them yet (a provider calling again is refreshing and must ask), they have more than
 * {@link SHARED_CREDENTIALS_MIN_REMAINING_MS} left on its own clock, and they came over a
 * session token unless it allows IMDSv1.
 */
function sharedFor(config: ResolvedImdsOptions, seen: Identity | undefined, shared: SharedCredentials | undefined): SharedCredentials | undefined {
  if (shared === undefined) return undefined;
  if (shared.via === "v1" && !config.allowImdsV1) return undefined;
  if (shared.expirationMs - config.clock.now() <= SHARED_CREDENTIALS_MIN_REMAINING_MS) return undefined;
  if (seen !== undefined && seen.accessKeyId === shared.accessKeyId && seen.expiration.getTime() === shared.expirationMs) return undefined;
  return shared;
}

/** `GET …/security-credentials/<role>`, one in flight per endpoint, role and budget. */
function fetchCredentials(client: ImdsClient, role: string): Promise<ImdsAnswer> {
  return sharedFlight(client.state, `credentials ${role} ${client.flightKey}`, () => client.get(`${IMDS_CREDENTIALS_PATH}${encodeURIComponent(role)}`));
}

/** The instance profile's role, discovered with one request in flight per endpoint and budget. */
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
    client.state.roleName = role;
    return role;
  });
}
