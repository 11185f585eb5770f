/** What the process knows about one IMDS endpoint, shared by every provider on it. */
export interface EndpointState {
  /** Clock time of the last HTTP answer of any status: something is there. */
  answeredAt: number | undefined;
  /** Until this clock time, calls fail at once without I/O: "no IMDS here" was just established. */
  coolDownUntil: number | undefined;
  /** The reason given while cooling down (no secrets: a transport message). */
  coolDownReason: string | undefined;
  /**
   * The instance profile's role, once discovered: every provider on the endpoint reuses it (one
   * instance, one role) until its credentials path answers 404.
   */
  roleName: string | undefined;
}

const states = new Map<string, EndpointState>();

/** The shared state of `endpoint` (created on first use). */
export function endpointState(endpoint: string): EndpointState {
  let state = states.get(endpoint);
  if (state === undefined) {
    state = { answeredAt: undefined, coolDownUntil: undefined, coolDownReason: undefined, roleName: undefined };
    states.set(endpoint, state);
  }
  return state;
}

/**
 * Forgets what is known about every endpoint (cool-downs, liveness). For tests that reuse a port;
 * see also `sharedTokenCache.clear()`.
 */
export function resetImdsEndpointStates(): void {
  states.clear();
}
