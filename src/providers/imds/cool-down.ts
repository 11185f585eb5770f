import { CredentialsError } from "../../errors.js";
import { log } from "../../logger.js";
import type { CoolDown, EndpointState } from "./endpoint-state.js";
import { IMDS_COOL_DOWN_JITTER_MS, IMDS_COOL_DOWN_MS, type ResolvedImdsOptions } from "./imds-options.js";

/**
 * Whether `coolDown` holds for a provider with `config`, at its own clock's `now`: inside the
 * window as that clock reads it (a clock behind the writer's, or past the end, is not held), and,
 * for a timeout verdict, only when this provider would not wait longer than the one that gave up.
 */
function holds(coolDown: CoolDown, config: ResolvedImdsOptions, now: number): boolean {
  if (now < coolDown.since || now >= coolDown.until) return false;
  return coolDown.kind === "unreachable" || config.timeoutMs <= coolDown.timeoutMs;
}

/**
 * Throws `IMDS_UNAVAILABLE` (falls through, no I/O) while a "no IMDS here" verdict holds for this
 * provider.
 */
export function assertNotCoolingDown(state: EndpointState, config: ResolvedImdsOptions): void {
  const coolDown = state.coolDown;
  if (coolDown === undefined) return;
  const now = config.clock.now();
  if (!holds(coolDown, config, now)) return;
  const seconds = Math.ceil((coolDown.until - now) / 1000);
  throw new CredentialsError(
    `IMDS at ${config.endpoint} was found unavailable moments ago (${coolDown.reason}); not trying again for ${seconds} s`,
    { source: "imds", code: "IMDS_UNAVAILABLE", tryNextLink: true, retryable: false },
  );
}

/** Records a "no IMDS here" verdict for 15–30 s (jittered) on this provider's clock. */
export function startCoolDown(state: EndpointState, config: ResolvedImdsOptions, kind: CoolDown["kind"], reason: string): void {
  const ms = Math.round(IMDS_COOL_DOWN_MS + config.random() * IMDS_COOL_DOWN_JITTER_MS);
  const since = config.clock.now();
  state.coolDown = { since, until: since + ms, reason, kind, timeoutMs: config.timeoutMs };
  log(config.logger, "debug", `imds: no IMDS at ${config.endpoint} (${reason}); failing fast for ${ms} ms`);
}
