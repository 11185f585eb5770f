/**
 * Concurrent identical requests, made once: while a request under `key` is in flight, every other
 * caller of the same key gets its promise; once it settles, nothing is kept (no answer is cached
 * here — caching is `memoize`'s job). This is how ten thousand providers made at once send one
 * token request, one role discovery and one credentials request to IMDS.
 * @internal
 */
export function coalesce<T>(inflight: Map<string, Promise<unknown>>, key: string, request: () => Promise<T>): Promise<T> {
  const running = inflight.get(key);
  if (running !== undefined) return running as Promise<T>;
  let promise: Promise<T>;
  try {
    promise = request();
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  const settled = (): void => {
    if (inflight.get(key) === promise) inflight.delete(key);
  };
  promise.then(settled, settled);
  inflight.set(key, promise);
  return promise;
}
