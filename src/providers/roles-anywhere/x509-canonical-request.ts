import { createHash } from "node:crypto";

/*
 * The SigV4 pieces an X.509 signature (IAM Roles Anywhere's `AWS4-X509-*` algorithms) is made of,
 * shared by the signer and the emulator's verifier so both build the same bytes: the canonical
 * request, its query string, the scope and the string to sign. Everything here is plain SigV4
 * (AWS General Reference, "Create a canonical request for Signature Version 4"); only the key and
 * the algorithm name differ.
 */

/** The two X.509 signature algorithms of Roles Anywhere. */
export type X509SigningAlgorithm = "AWS4-X509-RSA-SHA256" | "AWS4-X509-ECDSA-SHA256";

/**
 * A value percent-encoded as SigV4 wants: everything but the RFC 3986 unreserved characters
 * (`A–Z a–z 0–9 - _ . ~`), so `:` and `/` in an ARN become `%3A` and `%2F`.
 * @internal
 */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The canonical query string: each name and value RFC 3986-encoded, sorted by name then value,
 * joined with `&`. The same text is sent as the URL's query, so what is signed is what is sent.
 * @internal
 */
export function canonicalQueryString(params: Iterable<readonly [string, string]>): string {
  return [...params]
    .map(([name, value]) => [encodeRfc3986(name), encodeRfc3986(value)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
}

/** `20240706T113859Z`: the `X-Amz-Date` form of a time. @internal */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
}

/** The hex SHA-256 of text (the payload hash and the canonical request hash). @internal */
export function sha256Hex(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

/** What a canonical request is built from. @internal */
export interface CanonicalRequestInput {
  method: string;
  /** The path as sent (already percent-encoded, as `URL.pathname` holds it). */
  path: string;
  /** The canonical query string ({@link canonicalQueryString}). */
  query: string;
  /** The signed headers' values, by lower-case name. */
  headers: Readonly<Record<string, string>>;
  /** The signed header names, lower case; sorted here. */
  signedHeaders: readonly string[];
  /** The hex SHA-256 of the body. */
  payloadHash: string;
}

/**
 * The canonical request: method, path, query, `name:value` lines of the signed headers (values
 * trimmed, runs of spaces collapsed), the `;`-joined signed header names, the payload hash.
 * @internal
 */
export function canonicalRequest(input: CanonicalRequestInput): string {
  const names = [...input.signedHeaders].sort();
  const lines = names.map((name) => `${name}:${(input.headers[name] ?? "").trim().replace(/ {2,}/g, " ")}\n`).join("");
  return [input.method, input.path === "" ? "/" : input.path, input.query, lines, names.join(";"), input.payloadHash].join("\n");
}

/** `20240706/us-east-2/rolesanywhere/aws4_request`. @internal */
export function credentialScope(date: Date, region: string, service: string): string {
  return `${amzDate(date).slice(0, 8)}/${region}/${service}/aws4_request`;
}

/**
 * The string to sign: algorithm, `X-Amz-Date` (as sent), scope, hex SHA-256 of the canonical request.
 * @internal
 */
export function stringToSign(algorithm: X509SigningAlgorithm, xAmzDate: string, scope: string, canonical: string): string {
  return `${algorithm}\n${xAmzDate}\n${scope}\n${sha256Hex(canonical)}`;
}
