import { coalesce } from "../../sharing/coalesce.js";
import { processSlot } from "../../sharing/process-state.js";

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

/**
 * The instance profile's role as IMDS last listed it: it decides which credentials a new provider
 * gets, so it is part of the IMDS link's sharing key, and it is asked again at most once per
 * {@link ROLE_RECHECK_MS} (and at once when its credentials path answers 404).
 */
export interface KnownRole {
  readonly name: string;
  /** When IMDS listed it, on the asking provider's clock. */
  readonly checkedAt: number;
}

/**
 * How long a listed role is trusted before a new provider asks IMDS again, in milliseconds: one
 * minute. Our own number: an instance profile replaced on a running instance is seen by new
 * providers within a minute, and a process making providers all day asks at most once a minute.
 */
export const ROLE_RECHECK_MS = 60_000;

/** What the process knows about one IMDS endpoint, shared by every provider on it. Holds no credential. */
export interface EndpointState {
  /** Whether the endpoint ever gave an HTTP answer of any status: something is there. */
  answered: boolean;
  /** The current "no IMDS here" verdict, if any. */
  coolDown: CoolDown | undefined;
  /** The role as last listed. */
  role: KnownRole | undefined;
  /** Requests in flight, by what they ask and how (one of each at a time); no answer is kept. */
  readonly inflight: Map<string, Promise<unknown>>;
}

function states(): Map<string, EndpointState> {
  return processSlot("imds.endpoints", () => new Map<string, EndpointState>(), (map) => map.clear());
}

/** The shared state of `endpoint` (created on first use). */
export function endpointState(endpoint: string): EndpointState {
  const all = states();
  let state = all.get(endpoint);
  if (state === undefined) {
    state = { answered: false, coolDown: undefined, role: undefined, inflight: new Map() };
    all.set(endpoint, state);
  }
  return state;
}

/**
 * Runs `request` unless one is already in flight under `key` on this endpoint, whose promise is then
 * shared: a start-up storm of providers sends one request, not one each.
 */
export function sharedFlight<T>(state: EndpointState, key: string, request: () => Promise<T>): Promise<T> {
  return coalesce(state.inflight, key, request);
}

/** The role known for `state` at `now` (this provider's clock), if it was listed within {@link ROLE_RECHECK_MS}. */
export function freshRole(state: EndpointState, now: number): string | undefined {
  const role = state.role;
  return role !== undefined && now >= role.checkedAt && now < role.checkedAt + ROLE_RECHECK_MS ? role.name : undefined;
}
