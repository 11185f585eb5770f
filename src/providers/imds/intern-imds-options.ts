import { IMDS_ENV_VARIABLES, resolveImdsOptions, type ImdsEnv, type ImdsOptions, type ResolvedImdsOptions } from "./imds-options.js";

/**
 * How many distinct setups are shared: our own number, far above the handful of IMDS setups a
 * process has; past it the oldest is dropped (correct, only less shared).
 */
const MAX_INTERNED = 16;

/** Option fields that are primitives and so can be compared with `===`. */
const PRIMITIVE_OPTIONS = ["endpoint", "timeoutMs", "maxAttempts", "allowImdsV1", "tokenTtlSeconds", "roleName", "staticStability"] as const;

/** One shared setup: the values it was resolved from (options, then IMDS variables) and the result. */
interface Interned {
  readonly values: readonly unknown[];
  readonly config: ResolvedImdsOptions;
}

const interned: Interned[] = [];

/**
 * {@link resolveImdsOptions}, shared: when `options` holds only primitive values (no `clock`,
 * `random` or `logger` of its own), the result for the same values and the same IMDS environment
 * variables (read now, as always) is reused, so a provider costs a closure, not its own copy.
 * Invalid options still throw at once. Compared value by value (no key string to build and hash).
 */
export function internImdsOptions(options: ImdsOptions = {}): ResolvedImdsOptions {
  if (typeof options !== "object" || options === null || options.clock !== undefined || options.random !== undefined || options.logger !== undefined) {
    return resolveImdsOptions(options);
  }
  const env: ImdsEnv = options.env ?? process.env;
  if (typeof env !== "object" || env === null) return resolveImdsOptions(options); // throws the TypeError
  const values: unknown[] = [];
  for (const name of PRIMITIVE_OPTIONS) values.push(options[name]);
  for (const name of IMDS_ENV_VARIABLES) values.push(env[name]);
  for (const entry of interned) {
    if (sameValues(entry.values, values)) return entry.config;
  }
  const config = resolveImdsOptions(options);
  if (interned.length >= MAX_INTERNED) interned.shift();
  interned.push({ values, config });
  return config;
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return false;
  }
  return true;
}
