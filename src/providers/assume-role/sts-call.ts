import type { fromTemporaryCredentials as FromTemporaryCredentials } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { CredentialsError } from "../../errors.js";
import { freezeCredential } from "../../freeze-credential.js";
import { registerCredential } from "../../scrub-secrets.js";
import type { Settings } from "../assume-role.js";
import { isCompleteStsCredential, stsClientConfig, stsDeadlineError } from "../sts/sts-client-config.js";
import { mapStsError } from "./map-sts-error.js";

const SOURCE = "assume-role";

// The part of fromAssumeRole that talks to STS, in its own module so that it (and the AWS SDK it
// loads) is imported on the first AssumeRole, not with env-or-profile.

let sdkModule: Promise<{ fromTemporaryCredentials: typeof FromTemporaryCredentials }> | undefined;

/**
 * Loaded on first use, so `import "env-or-profile"` does not pay for the SDK. The package has no
 * `exports` map and ships one CommonJS bundle (`dist-cjs/index.js`) whose other providers are
 * `require`d lazily, so the package root is the lightest module that has `fromTemporaryCredentials`.
 */
function loadSdk(): Promise<{ fromTemporaryCredentials: typeof FromTemporaryCredentials }> {
  sdkModule ??= import("@aws-sdk/credential-providers").catch((error: unknown) => {
    sdkModule = undefined;
    throw error;
  });
  return sdkModule;
}

/**
 * How many base identities keep their own STS client per provider: the current one and the one
 * before it (a rotation overlaps calls signed with both). Older ones are dropped.
 */
const MAX_CLIENTS_PER_PROVIDER = 2;

/** An STS caller bound to one base identity: it signs every AssumeRole with exactly that identity. */
interface BoundClient {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string | undefined;
  readonly provider: AwsCredentialIdentityProvider;
}

/**
 * One STS client per provider and base identity, calling AssumeRole signed with that identity.
 *
 * Each client's `masterCredentials` is a constant function returning its own base, so a request is
 * signed by exactly the identity the cache key was computed from, even when calls with different
 * bases overlap — without any async context tracking (an `AsyncLocalStorage` here made every
 * `await` in the whole process slower once the first AssumeRole had run). A base changes when it
 * rotates (hourly for instance profiles, never for static keys), so clients are rarely built.
 */
export function createStsCall(settings: Settings, endpointLabel: string): (base: AwsCredentialIdentity) => Promise<AwsCredentialIdentity> {
  const clients: BoundClient[] = [];
  const clientFor = async (base: AwsCredentialIdentity): Promise<BoundClient> => {
    const found = clients.find((client) => sameBase(client, base));
    if (found !== undefined) {
      return found;
    }
    const { fromTemporaryCredentials } = await loadSdk();
    const again = clients.find((client) => sameBase(client, base));
    if (again !== undefined) {
      return again; // built by a concurrent call while the SDK loaded
    }
    const signingIdentity: AwsCredentialIdentity = Object.freeze({
      accessKeyId: base.accessKeyId,
      secretAccessKey: base.secretAccessKey,
      ...(base.sessionToken === undefined ? {} : { sessionToken: base.sessionToken }),
    });
    const client: BoundClient = {
      accessKeyId: base.accessKeyId,
      secretAccessKey: base.secretAccessKey,
      sessionToken: base.sessionToken,
      // The SDK's `fromTemporaryCredentials` keeps no credential cache of its own; it builds one
      // STS client on its first call and reuses it.
      provider: fromTemporaryCredentials({
        // Marked `memoized` so the STS client does not wrap it in its own (Date.now-based) cache.
        masterCredentials: Object.assign(async () => signingIdentity, { memoized: true }),
        params: {
          RoleArn: settings.roleArn,
          RoleSessionName: settings.roleSessionName,
          DurationSeconds: settings.durationSeconds,
          ...(settings.externalId === undefined ? {} : { ExternalId: settings.externalId }),
        },
        // One attempt: retries are ours (fromAssumeRole's own when it stands alone, memoize's when
        // wrapped); see stsClientConfig.
        clientConfig: stsClientConfig(settings),
      }),
    };
    clients.unshift(client);
    clients.length = Math.min(clients.length, MAX_CLIENTS_PER_PROVIDER);
    return client;
  };

  return async (base: AwsCredentialIdentity): Promise<AwsCredentialIdentity> => {
    // The base's secret and token go out in this request; STS (or a proxy) may echo them back.
    registerCredential(base);
    let result: AwsCredentialIdentity;
    try {
      const { provider } = await clientFor(base);
      // No identity properties are passed on: a calling client's config (region, request
      // handler, credentials) must not change which STS we ask or how.
      result = await withDeadline(provider(), settings.timeoutMs);
    } catch (error) {
      throw mapStsError(error, {
        roleArn: settings.roleArn,
        externalIdSet: settings.externalId !== undefined,
        baseAccessKeyId: base.accessKeyId,
        endpointLabel,
        negativeCacheMs: settings.negativeCacheMs,
      });
    }
    return toCredential(result, settings);
  };
}

/** Whether `base` has exactly the keys `client` signs with. */
function sameBase(client: BoundClient, base: AwsCredentialIdentity): boolean {
  return (
    client.accessKeyId === base.accessKeyId && client.secretAccessKey === base.secretAccessKey && client.sessionToken === base.sessionToken
  );
}

/**
 * The SDK's `requestTimeout` is a socket *idle* timeout: an endpoint that trickles its answer a
 * byte at a time never trips it, and every caller sharing the in-flight AssumeRole would hang.
 * This bounds the whole call. (The SDK request itself cannot be aborted through
 * `fromTemporaryCredentials`; it is left to finish or to fail on its own.)
 */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(stsDeadlineError(ms));
    }, ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Checks STS's answer and shapes it: all four fields present, `accountId` from the role ARN. */
function toCredential(result: AwsCredentialIdentity, settings: Settings): AwsCredentialIdentity {
  if (!isCompleteStsCredential(result)) {
    throw new CredentialsError(
      `STS answered AssumeRole for ${settings.roleArn} without a complete credential (access key id, secret, session token and expiration)`,
      { source: SOURCE, code: "STS_BAD_RESPONSE", tryNextLink: false },
    );
  }
  registerCredential(result);
  // Frozen, with a read-only expiration: the cache hands this one object to every caller.
  return freezeCredential({
    accessKeyId: result.accessKeyId,
    secretAccessKey: result.secretAccessKey,
    sessionToken: result.sessionToken,
    expiration: result.expiration,
    accountId: settings.accountId,
    ...(result.credentialScope === undefined ? {} : { credentialScope: result.credentialScope }),
  });
}
