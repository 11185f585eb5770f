import { badResponse, type CredentialLink } from "./credential-link.js";

/**
 * Parses a JSON document that must be an object. On failure the error says what was wrong and how
 * long the body was, never what it said: V8's `SyntaxError` messages quote the text around the
 * error, and a credentials body carries secrets, so the `SyntaxError` is not kept as the cause.
 *
 * @param body - the response text.
 * @param what - what the document is, for the message, e.g. `"credentials for role r"`.
 * @param link - whose answer it is (source, name and code of the error).
 * @throws CredentialsError with `link.badResponseCode`.
 */
export function parseJsonObject(body: string, what: string, link: CredentialLink): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw badResponse(link, `${link.name} returned ${what} that is not valid JSON (${body.length} characters${body.trim() === "" ? ", blank" : ""})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const kind = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
    throw badResponse(link, `${link.name} returned ${what} as ${kind}, not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Describes a field's value without showing it: its type, and its length for strings. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (typeof value === "string") return value === "" ? "an empty string" : `a string of ${value.length} characters`;
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}
