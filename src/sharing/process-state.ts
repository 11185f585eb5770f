/**
 * The one place where env-or-profile keeps state for the whole process: every cache, registry and
 * in-flight map that more than one provider shares lives in a slot of one object, reached through
 * `globalThis` by a registered symbol. Two copies of the package in one process (its ESM and its
 * CommonJS build, or two bundles) therefore share one state — one IMDS token, one credential per
 * sharing key — instead of each fetching its own. The symbol carries a protocol number: a copy
 * whose slots have a different shape must use another number, so copies never read each other's
 * slots wrongly.
 *
 * {@link resetSharedState} empties every slot: the one call a test needs when it restarts an
 * emulator on the same port.
 */

/** Bump when the shape of any slot changes incompatibly. */
const STATE_SYMBOL = Symbol.for("env-or-profile.process-state.v1");

/** One slot: its value, made on first use, and how to empty it. */
interface Slot {
  value: unknown;
  readonly reset: (value: unknown) => void;
}

type Slots = Map<string, Slot>;

/** The slots once found: the property is neither writable nor configurable, so it never changes. */
let knownSlots: Slots | undefined;

function slots(): Slots {
  if (knownSlots !== undefined) return knownSlots;
  const holder = globalThis as unknown as Record<symbol, Slots | undefined>;
  let found = holder[STATE_SYMBOL];
  if (found === undefined) {
    found = new Map();
    Object.defineProperty(globalThis, STATE_SYMBOL, { value: found, enumerable: false, configurable: false, writable: false });
  }
  return (knownSlots = found);
}

/**
 * The process-wide value named `name`, created by `create` on first use (by whichever copy of the
 * package asks first); `reset` empties it for {@link resetSharedState}.
 * @internal
 */
export function processSlot<T>(name: string, create: () => T, reset: (value: T) => void): T {
  const all = slots();
  let slot = all.get(name);
  if (slot === undefined) {
    slot = { value: create(), reset: reset as (value: unknown) => void };
    all.set(name, slot);
  }
  return slot.value as T;
}

/** The value of the slot `name`, if it was made (nothing is created). @internal */
export function peekProcessSlot(name: string): unknown {
  return slots().get(name)?.value;
}

/**
 * Forgets every process-wide cache of env-or-profile: the shared providers' credentials (one per
 * sharing key), IMDS session tokens, IMDSv1 verdicts, "no IMDS here" cool-downs and known roles,
 * parsed profile files, and requests in flight (their callers still get their answers). Providers
 * made before keep working; their next refresh reads the world again.
 *
 * Tests need it only when they restart a server on the same address (an emulator on the same
 * port): everything else that decides an answer (environment values, files, endpoints, clocks) is
 * part of the sharing key, so a test that sets up its own world is never served another test's
 * credentials.
 *
 * @example
 * ```ts
 * import { afterEach } from "vitest";
 * import { resetSharedState } from "env-or-profile/testing";
 *
 * afterEach(() => resetSharedState());
 * ```
 */
export function resetSharedState(): void {
  for (const slot of slots().values()) {
    slot.reset(slot.value);
  }
}
