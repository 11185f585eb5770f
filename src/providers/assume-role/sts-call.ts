import { AsyncLocalStorage } from "node:async_hooks";
import type { fromTemporaryCredentials as FromTemporaryCredentials } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { CredentialsError } from "../../errors.js";
import { registerCredential } from "../../scrub-secrets.js";
import type { Settings } from "../assume-role.js";
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
 * The base identity of the AssumeRole being sent. The STS client asks its `credentials` for the
 * identity to sign with; this hands it the exact identity the cache key was computed from, per
 * call, even when calls with different base identities overlap.
 */
const signingIdentity = new AsyncLocalStorage<AwsCredentialIdentity>();

/** One STS client per provider, calling AssumeRole signed with the given base identity. */
export function createStsCall(settings: Settings, endpointLabel: string): (base: AwsCredentialIdentity) => Promise<AwsCredentialIdentity> {
  let temporary: AwsCredentialIdentityProvider | undefined;
  return async (base: AwsCredentialIdentity): Promise<AwsCredentialIdentity> => {
    if (temporary === undefined) {
      const { fromTemporaryCredentials } = await loadSdk();
      // The SDK's `fromTemporaryCredentials` keeps no credential cache of its own; it builds one
      // STS client on its first call and reuses it, so creating it once here means one STS client
      // (one connection pool) per provider.
      temporary ??= fromTemporaryCredentials({
        // Marked `memoized` so the STS client does not wrap it in its own (Date.now-based) cache:
        // each AssumeRole is signed by exactly the base identity it was keyed on.
        masterCredentials: Object.assign(async () => currentSigningIdentity(), { memoized: true }),
        params: {
          RoleArn: settings.roleArn,
          RoleSessionName: settings.roleSessionName,
          DurationSeconds: settings.durationSeconds,
          ...(settings.externalId === undefined ? {} : { ExternalId: settings.externalId }),
        },
        clientConfig: {
          region: settings.region,
          ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
          // One attempt: our memoize layer retries with full-jitter backoff, and only what is
          // retryable. SDK retries underneath would multiply the attempts and hide the delays.
          maxAttempts: 1,
          requestHandler: {
            connectionTimeout: settings.timeoutMs,
            requestTimeout: settings.timeoutMs,
            // Without this the SDK only logs (to console) when the timeout passes, and waits on.
            throwOnRequestTimeout: true,
          },
        },
      });
    }
    const provider = temporary;
    // The base's secret and token go out in this request; STS (or a proxy) may echo them back.
    registerCredential(base);
    let result: AwsCredentialIdentity;
    try {
      // No identity properties are passed on: a calling client's config (region, request
      // handler, credentials) must not change which STS we ask or how.
      result = await signingIdentity.run(base, () => withDeadline(provider(), settings.timeoutMs));
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
      reject(Object.assign(new Error(`STS gave no complete answer within ${ms} ms`), { name: "TimeoutError", code: "ETIMEDOUT" }));
    }, ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function currentSigningIdentity(): AwsCredentialIdentity {
  const identity = signingIdentity.getStore();
  if (identity === undefined) {
    // Only reachable if the SDK resolved credentials outside our call, which it does not.
    throw new CredentialsError("AssumeRole was signed outside a provider call", { source: SOURCE, code: "STS_ERROR", tryNextLink: false });
  }
  return identity;
}

/** Checks STS's answer and shapes it: all four fields present, `accountId` from the role ARN. */
function toCredential(result: AwsCredentialIdentity, settings: Settings): AwsCredentialIdentity {
  const expiration = result.expiration;
  if (
    typeof result.accessKeyId !== "string" ||
    result.accessKeyId === "" ||
    typeof result.secretAccessKey !== "string" ||
    result.secretAccessKey === "" ||
    typeof result.sessionToken !== "string" ||
    result.sessionToken === "" ||
    !(expiration instanceof Date) ||
    Number.isNaN(expiration.getTime())
  ) {
    throw new CredentialsError(
      `STS answered AssumeRole for ${settings.roleArn} without a complete credential (access key id, secret, session token and expiration)`,
      { source: SOURCE, code: "STS_BAD_RESPONSE", tryNextLink: false },
    );
  }
  registerCredential(result);
  return {
    accessKeyId: result.accessKeyId,
    secretAccessKey: result.secretAccessKey,
    sessionToken: result.sessionToken,
    expiration,
    accountId: settings.accountId,
    ...(result.credentialScope === undefined ? {} : { credentialScope: result.credentialScope }),
  };
}
