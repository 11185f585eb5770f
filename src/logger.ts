import { scrubSecrets } from "./scrub-secrets.js";

/**
 * Where env-or-profile reports its decisions: one debug line per decision (which link, why it fell
 * through, when the next refresh is due) and a warning when it serves a credential past a failed
 * refresh. Nothing is printed by default. `console` fits, and so do pino and winston loggers.
 * Lines never contain a secret; access key ids appear cut to their last four characters.
 */
export interface Logger {
  /** A routine decision. */
  debug?(message: string): void;
  /** Something a person should know about: a degraded but still working state. */
  warn?(message: string): void;
}

/**
 * Calls a logger method without letting a faulty logger break credential resolution. The line is
 * scrubbed of every known secret first (it may quote a server's or a transport's message).
 */
export function log(logger: Logger | undefined, level: "debug" | "warn", message: string): void {
  if (logger === undefined) {
    return;
  }
  try {
    logger[level]?.(`env-or-profile: ${scrubSecrets(message)}`);
  } catch {
    // A logger that throws must not turn a good credential into a failure.
  }
}
