/*
 * fast-check arbitraries shared by the fuzz tests. Secrets carry a recognisable marker and always
 * hold a `/` and a digit (like real 40-character secret keys), so no parser could mistake one for a
 * plain word it may quote (a `Code`, a region, a role name).
 */
import fc from "fast-check";

/** Marks every generated secret, so a leak is easy to spot in a failure message. */
export const MARKER = "SeCrEt";

/** A secret value: marker, then base64-ish characters, with a `/` and a digit in it. */
export const secretArb: fc.Arbitrary<string> = fc
  .stringMatching(/^[A-Za-z0-9+]{6,30}$/)
  .map((tail) => `${MARKER}/${tail}9`);

/** An access key id: long enough that "its last four characters" is never the whole of it. */
export const keyIdArb: fc.Arbitrary<string> = fc.stringMatching(/^[A-Z0-9]{8,20}$/).map((tail) => `AKID${tail}`);

/** Any string at all: control characters, lone surrogates, astral planes, the empty string. */
export const wildStringArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ maxLength: 40 }),
  fc.constantFrom("", " ", "\n", "\t", "\u0000", "null", "{}", "[]", "true", "0", "-1", "1e999", "NaN", "\uD800"),
);

/** A secret, a secret with whitespace around or inside it, or an empty one. */
export const dirtySecretArb: fc.Arbitrary<string> = fc.oneof(
  secretArb,
  secretArb.map((s) => ` ${s}`),
  secretArb.map((s) => `${s}\n`),
  secretArb.map((s) => `${s.slice(0, 5)} ${s.slice(5)}`),
);

/** A value of any JSON-ish type that is never a secret. */
export const plainValueArb: fc.Arbitrary<unknown> = fc.oneof(
  wildStringArb.filter((s) => !s.includes(MARKER)),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3, noNullPrototype: true }),
);

/** Dates in every shape IMDS and the environment could give, good and bad. */
export function expirationArb(nowMs: number): fc.Arbitrary<unknown> {
  const iso = (ms: number): string => new Date(ms).toISOString();
  return fc.oneof(
    fc.integer({ min: -10 * 365 * 86_400, max: 10 * 365 * 86_400 }).map((seconds) => iso(nowMs + seconds * 1000)),
    fc.integer({ min: 1, max: 86_400 }).map((seconds) => iso(nowMs + seconds * 1000).replace(/\.\d{3}Z$/, "Z")),
    fc.integer({ min: 1, max: 86_400 }).map((seconds) => iso(nowMs + seconds * 1000).replace("Z", "+02:00")),
    fc.constantFrom("2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01", "tomorrow", "", "2026-01-01T00:00:00", "9999-12-31T23:59:59Z"),
    plainValueArb,
  );
}

/** Every string found anywhere inside `value` (for "which secrets did we put in"). */
export function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (typeof value === "object" && value !== null) for (const item of Object.values(value)) stringsIn(item, out);
  return out;
}

/** The marked secrets inside `value`. */
export function secretsIn(value: unknown): string[] {
  return stringsIn(value).filter((text) => text.includes(MARKER));
}
