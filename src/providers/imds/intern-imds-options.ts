import { IMDS_ENV_VARIABLES, resolveImdsOptions, type ImdsOptions, type ResolvedImdsOptions } from "./imds-options.js";

/**
 * Resolved options shared by providers created with the same option values and the same IMDS
 * environment variables, so a provider costs a key and a closure, not its own copy. Bounded: our
 * own number, far above the handful of distinct IMDS setups a process has; past it the map starts
 * over (correct, only less shared).
 */
const MAX_INTERNED = 64;
const interned = new Map<string, ResolvedImdsOptions>();

/** Option fields that are primitives and so can be part of the key. */
const PRIMITIVE_OPTIONS = ["endpoint", "timeoutMs", "maxAttempts", "allowImdsV1", "tokenTtlSeconds", "roleName", "staticStability"] as const;

/**
 * {@link resolveImdsOptions}, shared: when `options` holds only primitive values (no `clock`,
 * `random` or `logger` of its own), the result for the same values and the same IMDS environment
 * variables (read now, as always) is reused. Invalid options still throw at once.
 */
export function internImdsOptions(options: ImdsOptions = {}): ResolvedImdsOptions {
  if (typeof options !== "object" || options === null || options.clock !== undefined || options.random !== undefined || options.logger !== undefined) {
    return resolveImdsOptions(options);
  }
  const env = options.env ?? process.env;
  if (typeof env !== "object" || env === null) return resolveImdsOptions(options); // throws the TypeError
  let key = "";
  for (const name of PRIMITIVE_OPTIONS) {
    const value = options[name];
    key += value === undefined ? "\u0001" : `${typeof value}:${String(value)}\u0001`;
  }
  for (const name of IMDS_ENV_VARIABLES) {
    const value = env[name];
    key += typeof value === "string" ? `${value}\u0001` : "\u0002";
  }
  let config = interned.get(key);
  if (config === undefined) {
    config = resolveImdsOptions(options);
    if (interned.size >= MAX_INTERNED) interned.clear();
    interned.set(key, config);
  }
  return config;
}
