import { processSlot } from "./process-state.js";

/*
 * The pieces a sharing key is written with. A key holds what decides an answer — option values,
 * environment values, file identities — and must hold no secret in clear: a secret (an access key's
 * secret, a session token, an authorization token) enters as a number standing for it
 * ({@link secretRef}), and an object with a life of its own (a clock, a logger, a custom source) as a
 * number standing for the object itself ({@link identityOf}), never for its contents.
 */

/** How many distinct secrets are numbered before the numbering starts over (the bound only stops growth). */
const MAX_SECRET_REFS = 4_096;

interface Numbering {
  secrets: Map<string, number>;
  objects: WeakMap<object, number>;
  next: number;
}

function numbering(): Numbering {
  return processSlot<Numbering>(
    "key-parts.numbering",
    () => ({ secrets: new Map(), objects: new WeakMap(), next: 1 }),
    (value) => {
      value.secrets.clear();
      value.objects = new WeakMap();
    },
  );
}

/**
 * `#n`, a number standing for `secret` in a key: two secrets get two numbers, and the key never
 * holds either. The map lives only in memory; when it is full it starts over, which costs sharing
 * (new numbers, new entries), never correctness.
 * @internal
 */
export function secretRef(secret: string): string {
  const state = numbering();
  let id = state.secrets.get(secret);
  if (id === undefined) {
    if (state.secrets.size >= MAX_SECRET_REFS) state.secrets.clear();
    id = state.next++;
    state.secrets.set(secret, id);
  }
  return `#${id}`;
}

/**
 * A key part for an option that counts by identity (a clock, a logger, a callback): `@` and
 * {@link identityOf}'s number, or `undefined` when the option is not given.
 * @internal
 */
export function identityRef(value: object | undefined): string | undefined {
  return value === undefined ? undefined : `@${identityOf(value)}`;
}

/**
 * A number standing for `value` itself, not its contents: two look-alike loggers get different
 * numbers, and one object keeps its number however its contents change.
 * @internal
 */
export function identityOf(value: object): number {
  const state = numbering();
  let id = state.objects.get(value);
  if (id === undefined) {
    id = state.next++;
    state.objects.set(value, id);
  }
  return id;
}

/**
 * A stable text for an options value: plain data by value (keys sorted), functions and class
 * instances (clocks, loggers, providers) by identity. Callers must not pass secrets: plain values
 * are written in clear.
 * @internal
 */
export function optionsKey(value: unknown): string {
  if (value === undefined) {
    return "u";
  }
  if (typeof value === "function") {
    return `@${identityOf(value)}`;
  }
  if (value === null || typeof value !== "object") {
    return typeof value === "bigint" || typeof value === "symbol" ? `${typeof value}:${value.toString()}` : JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map(optionsKey).join(",")}]`;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    return `@${identityOf(value)}`;
  }
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .filter((key) => record[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${optionsKey(record[key])}`)
    .join(",")}}`;
}

