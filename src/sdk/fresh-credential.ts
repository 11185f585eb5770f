import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { sameCredential } from "../has-keys.js";
import { rejectCredential } from "../memoize.js";

/** The last refresh asked of each provider that cannot be told of a rejection, and what it replaced. */
const refreshes = new WeakMap<AwsCredentialIdentityProvider, { readonly rejected: AwsCredentialIdentity; readonly fresh: Promise<AwsCredentialIdentity> }>();

/**
 * Tells `provider` that `rejected` (a credential it handed out) was rejected by a service, and
 * resolves to the credential the client signs with next — one refetch however many requests were
 * rejected at once, by however many clients share the provider:
 * - a provider of ours (or any with `invalidate()`) forgets `rejected` only while it is still the
 *   cached one, and its cache single-flights the refetch: the first rejection starts it, the others
 *   join it or, once it is done, get its result from the cache. A client uses such a provider as
 *   it is (it carries the SDK's `memoized` marker), so its signer gets the same fresh credential;
 * - any other provider cannot be told, and its client signs through a cache of its own (the SDK
 *   wraps a provider that is not memoized): that cache, `client` (the client's
 *   `config.credentials`) when known, else `provider`, is asked with `{ forceRefresh: true }`, which
 *   the SDK's caches and cached providers (e.g. `fromNodeProviderChain()`) honour by refetching —
 *   once per rejected credential: concurrent and later rejections of the same one share the call.
 * @internal
 */
export function freshCredential(
  provider: AwsCredentialIdentityProvider,
  rejected: AwsCredentialIdentity,
  client?: AwsCredentialIdentityProvider,
): Promise<AwsCredentialIdentity> {
  if (rejectCredential(provider, rejected)) {
    return provider();
  }
  const target = client ?? provider;
  const last = refreshes.get(target);
  if (last !== undefined && sameCredential(last.rejected, rejected)) {
    return last.fresh;
  }
  const fresh = Promise.resolve(target({ forceRefresh: true }));
  refreshes.set(target, { rejected, fresh });
  fresh.catch(() => {
    // A failed refresh is not remembered: the next rejection asks again.
    if (refreshes.get(target)?.fresh === fresh) {
      refreshes.delete(target);
    }
  });
  return fresh;
}
