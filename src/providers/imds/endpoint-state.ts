/** A "no IMDS here" verdict: calls fail at once, without I/O, while it holds. */
export interface CoolDown {
  /** When it was written, on the writing provider's clock. */
  readonly since: number;
  /** When it ends, on the same clock. */
  readonly until: number;
  /** The reason given while cooling down (no secrets: a transport message). */
  readonly reason: string;
  /**
   * What established it: a refused/unreachable connection holds for every provider; a timeout
   * only for providers whose `timeoutMs` is no longer than the budget that ran out.
   */
  readonly kind: "unreachable" | "timeout";
  /** The `timeoutMs` of the provider that wrote it. */
  readonly timeoutMs: number;
}

/** The last credentials document served for a role, shared with providers that have not seen it. */
export interface SharedCredentials {
  /** The response body (carries secrets: never log it). Each provider parses it on its own clock. */
  readonly body: string;
  /** Its `Expiration`, epoch ms. */
  readonly expirationMs: number;
  /** Its `AccessKeyId`, to recognise a provider that already has it. */
  readonly accessKeyId: string;
  /** Whether it came over an IMDSv2 session or IMDSv1: a provider that refuses v1 takes only `"token"`. */
  readonly via: "token" | "v1";
}

/** What the process knows about one IMDS endpoint, shared by every provider on it. */
export interface EndpointState {
  /** Whether the endpoint ever gave an HTTP answer of any status: something is there. */
  answered: boolean;
  /** The current "no IMDS here" verdict, if any. */
  coolDown: CoolDown | undefined;
  /**
   * The instance profile's role, once discovered: every provider on the endpoint reuses it (one
   * instance, one role) until its credentials path answers 404.
   */
  roleName: string | undefined;
  /** Role discovery and credential fetches in flight, by what they ask and how (one of each at a time). */
  readonly inflight: Map<string, Promise<unknown>>;
  /** The last credentials per role. */
  readonly credentials: Map<string, SharedCredentials>;
}

const states = new Map<string, EndpointState>();

/** The shared state of `endpoint` (created on first use). */
export function endpointState(endpoint: string): EndpointState {
  let state = states.get(endpoint);
  if (state === undefined) {
    state = { answered: false, coolDown: undefined, roleName: undefined, inflight: new Map(), credentials: new Map() };
    states.set(endpoint, state);
  }
  return state;
}

/**
 * Runs `fetch` unless one is already in flight under `key` on this endpoint, whose promise is then
 * shared: a start-up storm of providers sends one request, not one each.
 */
export function sharedFlight<T>(state: EndpointState, key: string, fetch: () => Promise<T>): Promise<T> {
  const running = state.inflight.get(key);
  if (running !== undefined) return running as Promise<T>;
  const promise: Promise<T> = fetch().finally(() => {
    if (state.inflight.get(key) === promise) state.inflight.delete(key);
  });
  state.inflight.set(key, promise);
  return promise;
}

/**
 * Forgets what is known about every endpoint (cool-downs, liveness, roles, shared credentials).
 * For tests that reuse a port; see also `sharedTokenCache.clear()`.
 */
export function resetImdsEndpointStates(): void {
  states.clear();
}
