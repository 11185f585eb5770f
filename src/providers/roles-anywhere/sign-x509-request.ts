import { sign, type KeyObject, type X509Certificate } from "node:crypto";
import {
  amzDate,
  canonicalQueryString,
  canonicalRequest,
  credentialScope,
  sha256Hex,
  stringToSign,
  type X509SigningAlgorithm,
} from "./x509-canonical-request.js";

/** A request to sign with a certificate's key. */
export interface X509SignRequestInput {
  /** The HTTP method, e.g. `"POST"`. */
  method: string;
  /** The full URL; its host (with a non-default port) is the signed `Host`, its query is canonicalised. */
  url: URL;
  /** Other headers to send and sign, e.g. `{ "content-type": "application/json" }` (names any case). */
  headers?: Readonly<Record<string, string>>;
  /** The body, exactly as it will be sent. */
  body: string;
  /** The scope's service: `"rolesanywhere"` for `CreateSession`. */
  service: string;
  /** The scope's region. */
  region: string;
  /** The signing time (`X-Amz-Date`); passed in, so a signature can be reproduced. */
  date: Date;
  /** The leaf certificate: sent as `X-Amz-X509`; its serial number, in decimal, is the `Credential`. */
  certificate: X509Certificate;
  /** Intermediate CA certificates, sent as `X-Amz-X509-Chain` when there are any. */
  chain?: readonly X509Certificate[];
  /** The leaf's private key: RSA (PKCS#1 v1.5 signature) or EC (DER ECDSA signature), both over SHA-256. */
  privateKey: KeyObject;
}

/** A signed request: what to send, and the intermediate texts (for tests and debugging; no secret). */
export interface X509SignedRequest {
  /** Every header to send, lower-case names, `authorization` included. */
  headers: Record<string, string>;
  /** The query string to send (it is the canonical one). */
  query: string;
  algorithm: X509SigningAlgorithm;
  canonicalRequest: string;
  stringToSign: string;
}

/**
 * Signs a request the way IAM Roles Anywhere authenticates one: SigV4 whose algorithm is
 * `AWS4-X509-RSA-SHA256` (RSA PKCS#1 v1.5 over SHA-256) or `AWS4-X509-ECDSA-SHA256` (ECDSA over
 * SHA-256, DER-encoded), whose `Credential` is the leaf certificate's serial number in decimal with
 * the scope `<date>/<region>/<service>/aws4_request`, and which sends and signs `X-Amz-X509` (the
 * leaf, base64 DER) and, with intermediates, `X-Amz-X509-Chain` (comma-joined base64 DER), besides
 * `Host`, `X-Amz-Date` and the given headers. Hex signature, as `aws_signing_helper` writes it.
 *
 * A pure function of its input (the time is a parameter): an RSA signature is reproducible byte for
 * byte; an ECDSA one differs every time (random nonce) and verifies all the same.
 *
 * @param input - the request, the time, the certificate, chain and key.
 * @returns the headers to send (with `authorization`), the query, and the texts that were signed.
 * @throws Error when the key is neither RSA nor EC (callers check the key first).
 * @example
 * ```ts
 * import type { KeyObject, X509Certificate } from "node:crypto";
 * import { signX509Request } from "./sign-x509-request.js";
 *
 * declare const certificate: X509Certificate;
 * declare const privateKey: KeyObject;
 * const signed = signX509Request({
 *   method: "POST",
 *   url: new URL("https://rolesanywhere.eu-west-1.amazonaws.com/sessions?roleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fapp"),
 *   headers: { "content-type": "application/json" },
 *   body: '{"durationSeconds":3600}',
 *   service: "rolesanywhere",
 *   region: "eu-west-1",
 *   date: new Date(),
 *   certificate,
 *   privateKey,
 * });
 * console.log(signed.headers.authorization); // AWS4-X509-… Credential=<serial>/…, SignedHeaders=…, Signature=…
 * ```
 */
export function signX509Request(input: X509SignRequestInput): X509SignedRequest {
  const algorithm = x509AlgorithmFor(input.privateKey);
  const xAmzDate = amzDate(input.date);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) headers[name.toLowerCase()] = value;
  headers["host"] = input.url.host;
  headers["x-amz-date"] = xAmzDate;
  headers["x-amz-x509"] = input.certificate.raw.toString("base64");
  const chain = input.chain ?? [];
  if (chain.length > 0) headers["x-amz-x509-chain"] = chain.map((certificate) => certificate.raw.toString("base64")).join(",");

  const query = canonicalQueryString(input.url.searchParams);
  const signedHeaders = Object.keys(headers).sort();
  const canonical = canonicalRequest({
    method: input.method,
    path: input.url.pathname,
    query,
    headers,
    signedHeaders,
    payloadHash: sha256Hex(input.body),
  });
  const scope = credentialScope(input.date, input.region, input.service);
  const toSign = stringToSign(algorithm, xAmzDate, scope, canonical);
  const signature = sign("sha256", Buffer.from(toSign, "utf8"), input.privateKey).toString("hex");
  const serial = decimalSerialNumber(input.certificate);
  headers["authorization"] = `${algorithm} Credential=${serial}/${scope}, SignedHeaders=${signedHeaders.join(";")}, Signature=${signature}`;
  return { headers, query, algorithm, canonicalRequest: canonical, stringToSign: toSign };
}

/**
 * The algorithm a key signs with: `AWS4-X509-RSA-SHA256` for RSA, `AWS4-X509-ECDSA-SHA256` for EC.
 * @throws Error for any other key type.
 * @internal
 */
export function x509AlgorithmFor(key: KeyObject): X509SigningAlgorithm {
  if (key.asymmetricKeyType === "rsa") return "AWS4-X509-RSA-SHA256";
  if (key.asymmetricKeyType === "ec") return "AWS4-X509-ECDSA-SHA256";
  throw new Error(`Roles Anywhere signs with RSA or EC keys, not ${key.asymmetricKeyType ?? "this key"}`);
}

/**
 * A certificate's serial number in decimal (`X509Certificate.serialNumber` is hex), as Roles
 * Anywhere's `Credential=` carries it.
 * @internal
 */
export function decimalSerialNumber(certificate: X509Certificate): string {
  return BigInt(`0x${certificate.serialNumber}`).toString(10);
}
