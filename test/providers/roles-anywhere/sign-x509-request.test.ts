import { createPrivateKey, generateKeyPairSync, verify, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signX509Request } from "../../../src/providers/roles-anywhere/sign-x509-request.js";
import { dateOf, vector } from "./vectors.js";

const certificateOf = (base64: string): X509Certificate => new X509Certificate(Buffer.from(base64, "base64"));

describe("signX509Request reproduces other implementations' signatures", () => {
  it("signs vector 0 (RSA, captured from AWS's aws_signing_helper) to the same Authorization byte for byte", () => {
    const v = vector(0);
    const signed = signX509Request({
      method: v.method,
      url: new URL(`http://${v.headers.host}${v.path}?${v.query}`),
      headers: { "content-type": v.headers["content-type"] ?? "" },
      body: v.body,
      service: v.service,
      region: "us-east-2",
      date: dateOf(v.headers["x-amz-date"]),
      certificate: certificateOf(v.headers["x-amz-x509"]),
      privateKey: createPrivateKey(v.privateKeyPem ?? ""),
    });
    expect(signed.headers["authorization"]).toBe(v.headers.authorization);
    expect(signed.headers["x-amz-x509"]).toBe(v.headers["x-amz-x509"]);
    expect(signed.headers["x-amz-date"]).toBe(v.headers["x-amz-date"]);
    expect(signed.query).toBe(v.query);
  });

  it("signs vector 2 (RSA with X-Amz-X509-Chain, another service and path) to the same Authorization byte for byte", () => {
    const v = vector(2);
    const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(v.headers.authorization)?.[1] ?? "";
    const signed = signX509Request({
      method: v.method,
      url: new URL(`https://${v.headers.host}${v.path}${v.query === "" ? "" : `?${v.query}`}`),
      headers: { "content-type": v.headers["content-type"] ?? "" },
      body: v.body,
      service: v.service,
      region,
      date: dateOf(v.headers["x-amz-date"]),
      certificate: certificateOf(v.headers["x-amz-x509"]),
      chain: (v.headers["x-amz-x509-chain"] ?? "").split(",").map(certificateOf),
      privateKey: createPrivateKey(v.privateKeyPem ?? ""),
    });
    expect(signed.headers["authorization"]).toBe(v.headers.authorization);
    expect(signed.headers["x-amz-x509-chain"]).toBe(v.headers["x-amz-x509-chain"]);
  });
});

describe("signX509Request", () => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
  const certificate = certificateOf(vector(1).headers["x-amz-x509"]);
  const input = {
    method: "POST",
    url: new URL("https://rolesanywhere.eu-west-1.amazonaws.com/sessions?roleArn=arn:aws:iam::123456789012:role/a b&profileArn=p"),
    headers: { "Content-Type": "application/json" },
    body: '{"durationSeconds":900}',
    service: "rolesanywhere",
    region: "eu-west-1",
    date: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    certificate,
    privateKey,
  };

  it("signs with ECDSA over SHA-256 (a DER signature) that the key's public half verifies", () => {
    const signed = signX509Request(input);
    expect(signed.algorithm).toBe("AWS4-X509-ECDSA-SHA256");
    const signature = Buffer.from(/Signature=([0-9a-f]+)$/.exec(signed.headers["authorization"] ?? "")?.[1] ?? "", "hex");
    expect(signature[0]).toBe(0x30); // a DER SEQUENCE, not r||s
    expect(verify("sha256", Buffer.from(signed.stringToSign), publicKey, signature)).toBe(true);
  });

  it("names the leaf's serial number in decimal, the scope and every signed header", () => {
    const signed = signX509Request(input);
    expect(signed.headers["authorization"]).toMatch(
      /^AWS4-X509-ECDSA-SHA256 Credential=3\/20260102\/eu-west-1\/rolesanywhere\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-x509, Signature=[0-9a-f]+$/,
    );
    expect(signed.headers).toMatchObject({ host: "rolesanywhere.eu-west-1.amazonaws.com", "x-amz-date": "20260102T030405Z", "content-type": "application/json" });
  });

  it("sends and signs the canonical query: sorted, RFC 3986-encoded (spaces as %20, never +)", () => {
    const signed = signX509Request(input);
    expect(signed.query).toBe("profileArn=p&roleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fa%20b");
    expect(signed.canonicalRequest.split("\n")[2]).toBe(signed.query);
  });
});
