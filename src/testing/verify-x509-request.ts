import { verify, X509Certificate } from "node:crypto";
import { decimalSerialNumber } from "../providers/roles-anywhere/sign-x509-request.js";
import {
  canonicalQueryString,
  canonicalRequest,
  sha256Hex,
  stringToSign,
  type X509SigningAlgorithm,
} from "../providers/roles-anywhere/x509-canonical-request.js";

/** A request as a server received it. @internal */
export interface ReceivedRequest {
  method: string;
  /** The request target as received: path and raw query (`req.url`). */
  target: string;
  /** Header values by lower-case name (Node's `req.headers`). */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  body: string;
}

/** What the signature check found. @internal */
export type X509SignatureVerdict =
  | {
      ok: true;
      algorithm: X509SigningAlgorithm;
      /** The `Credential` (the leaf's serial number in decimal). */
      serialNumber: string;
      region: string;
      service: string;
      certificate: X509Certificate;
      chain: readonly X509Certificate[];
    }
  | { ok: false; reason: string; serialNumber?: string; region?: string };

const AUTHORIZATION =
  /^(AWS4-X509-RSA-SHA256|AWS4-X509-ECDSA-SHA256) Credential=(\d{1,64})\/(\d{8})\/([a-z0-9-]{1,63})\/([a-z0-9-]{1,63})\/aws4_request, ?SignedHeaders=([a-z0-9;-]{1,1024}), ?Signature=([0-9a-f]{2,2048})$/;
const X_AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * Checks an IAM Roles Anywhere X.509 signature as the service does: the `Authorization` header's
 * shape; `X-Amz-Date` within `maxSkewMs` of `nowMs` and on the scope's day; the scope's service;
 * `Host`, `X-Amz-Date`, `X-Amz-X509` (and `X-Amz-X509-Chain` when sent) among the signed headers;
 * the `Credential` equal to the leaf's serial number in decimal; the algorithm matching the leaf's
 * key; and the signature, recomputed from the request as received (canonical request, string to
 * sign), verified with the leaf's public key (PKCS#1 v1.5 for RSA, DER ECDSA for EC, SHA-256).
 * The chain is parsed here and checked by `verifyCertificateChain`.
 *
 * @param request - the request as received.
 * @param expected - the time, the allowed skew and the scope's service.
 * @example
 * ```ts
 * import { verifyX509Request, type ReceivedRequest } from "./verify-x509-request.js";
 *
 * declare const request: ReceivedRequest;
 * const verdict = verifyX509Request(request, { nowMs: Date.now(), maxSkewMs: 5 * 60_000, service: "rolesanywhere" });
 * ```
 * @internal
 */
export function verifyX509Request(request: ReceivedRequest, expected: { nowMs: number; maxSkewMs: number; service: string }): X509SignatureVerdict {
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return typeof value === "string" ? value : Array.isArray(value) ? value.join(",") : undefined;
  };
  const match = AUTHORIZATION.exec(header("authorization") ?? "");
  if (match === null) return { ok: false, reason: "missing or malformed Authorization header (an AWS4-X509-RSA-SHA256 or AWS4-X509-ECDSA-SHA256 signature)" };
  const [, algorithmText = "", serialNumber = "", scopeDay = "", region = "", service = "", signedList = "", signatureHex = ""] = match;
  const algorithm = algorithmText as X509SigningAlgorithm;
  const fail = (reason: string): X509SignatureVerdict => ({ ok: false, reason, serialNumber, region });

  const xAmzDate = header("x-amz-date") ?? "";
  const date = X_AMZ_DATE.exec(xAmzDate);
  if (date === null) return fail("missing or malformed X-Amz-Date");
  const signedAt = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]), Number(date[4]), Number(date[5]), Number(date[6]));
  if (Math.abs(signedAt - expected.nowMs) > expected.maxSkewMs) {
    return fail(`Signature expired or not yet current: X-Amz-Date ${xAmzDate} is more than ${expected.maxSkewMs / 1000} s from the server's time ${new Date(expected.nowMs).toISOString()}`);
  }
  if (xAmzDate.slice(0, 8) !== scopeDay) return fail(`the credential scope's date ${scopeDay} is not X-Amz-Date's day`);
  if (service !== expected.service) return fail(`the credential scope's service is ${service}, not ${expected.service}`);

  const signedHeaders = signedList.split(";");
  for (const required of ["host", "x-amz-date", "x-amz-x509", ...(header("x-amz-x509-chain") === undefined ? [] : ["x-amz-x509-chain"])]) {
    if (!signedHeaders.includes(required)) return fail(`the header ${required} is not signed`);
  }
  let certificate: X509Certificate;
  let chain: X509Certificate[];
  try {
    certificate = new X509Certificate(Buffer.from(header("x-amz-x509") ?? "", "base64"));
  } catch {
    return fail("X-Amz-X509 is not a base64 DER certificate");
  }
  try {
    const chainHeader = header("x-amz-x509-chain");
    chain = chainHeader === undefined ? [] : chainHeader.split(",").map((item) => new X509Certificate(Buffer.from(item.trim(), "base64")));
  } catch {
    return fail("X-Amz-X509-Chain is not a comma-separated list of base64 DER certificates");
  }
  if (decimalSerialNumber(certificate) !== serialNumber) {
    return fail(`the Credential ${serialNumber} is not the signing certificate's serial number ${decimalSerialNumber(certificate)}`);
  }
  let keyType: string | undefined;
  try {
    keyType = certificate.publicKey.asymmetricKeyType;
  } catch {
    keyType = undefined; // a key type node:crypto cannot load
  }
  const expectedAlgorithm = keyType === "rsa" ? "AWS4-X509-RSA-SHA256" : keyType === "ec" ? "AWS4-X509-ECDSA-SHA256" : undefined;
  if (expectedAlgorithm !== algorithm) return fail(`${algorithm} does not match the certificate's ${keyType ?? "unknown"} key`);

  const target = new URL(request.target, "http://emulator.invalid");
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) headers[name] = header(name) ?? "";
  const canonical = canonicalRequest({
    method: request.method,
    path: target.pathname,
    query: canonicalQueryString(target.searchParams),
    headers,
    signedHeaders,
    payloadHash: sha256Hex(request.body),
  });
  const toSign = stringToSign(algorithm, xAmzDate, `${scopeDay}/${region}/${service}/aws4_request`, canonical);
  let valid = false;
  try {
    valid = verify("sha256", Buffer.from(toSign, "utf8"), certificate.publicKey, Buffer.from(signatureHex, "hex"));
  } catch {
    valid = false;
  }
  if (!valid) return fail("the signature does not verify with the certificate's public key");
  return { ok: true, algorithm, serialNumber, region, service, certificate, chain };
}
