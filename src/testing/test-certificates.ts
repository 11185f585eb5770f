import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { systemClock, type Clock } from "../clock.js";

/*
 * Throwaway X.509 certificates for tests of IAM Roles Anywhere code, made with node:crypto and a
 * small DER writer (node:crypto reads certificates but does not make them): a CA for the emulator's
 * trust anchor, an optional intermediate, and a leaf with its key — no openssl, no dependency.
 */

/** The key types {@link createTestCertificates} makes: those Roles Anywhere signs with. */
export type TestCertificateKeyType = "rsa" | "ec-p256" | "ec-p384";

/** Options of {@link createTestCertificates}. */
export interface TestCertificateOptions {
  /** The key type of every certificate (CA, intermediate and leaf). @defaultValue `"ec-p256"` */
  keyType?: TestCertificateKeyType;
  /** Whether the leaf is issued by an intermediate CA (itself issued by the CA) rather than by the CA. @defaultValue `false` */
  intermediate?: boolean;
  /** The leaf's subject common name. @defaultValue `"host.example.com"` */
  commonName?: string;
  /** Start of every certificate's validity. @defaultValue an hour before `clock.now()` */
  notBefore?: Date;
  /** End of every certificate's validity. @defaultValue a year after `clock.now()` */
  notAfter?: Date;
  /** Where "now" comes from for the default validity. @defaultValue `systemClock` */
  clock?: Clock;
}

/** The leaf's side of a {@link TestCertificates}: what `fromRolesAnywhere` takes, all PEM text. */
export interface TestLeafCertificate {
  /** The leaf (end-entity) certificate: `fromRolesAnywhere`'s `certificate`. */
  readonly certificate: string;
  /** The leaf's private key, PKCS#8: `fromRolesAnywhere`'s `privateKey`. */
  readonly privateKey: string;
  /** The intermediate CA certificate, when asked for: `fromRolesAnywhere`'s `intermediates`. */
  readonly intermediates?: string;
}

/** What {@link createTestCertificates} made. Holds a private key: a test tool only. */
export interface TestCertificates {
  /** The CA certificate (PEM): the emulator's trust anchor (`certificates`). */
  readonly caCertificate: string;
  /** The leaf's certificate, key and intermediates, to spread into `fromRolesAnywhere`'s options (or write to files). */
  readonly leaf: TestLeafCertificate;
  /** The leaf's serial number in decimal, as the signature's `Credential` and the emulator's records name it. */
  readonly serialNumber: string;
}

const HOUR_MS = 3_600_000;
const YEAR_MS = 365 * 24 * HOUR_MS;

/**
 * Makes a throwaway PKI for tests: a CA, optionally an intermediate CA, and a leaf certificate with
 * its key, signed as a real PKI signs them (basic constraints, key usage, subject and authority key
 * identifiers), so `startRolesAnywhereEmulator` verifies the chain exactly as it would a real one.
 * Synchronous; an RSA set takes a few hundred milliseconds (three 2048-bit keys), EC ones a few.
 *
 * @param options - key type, intermediate, validity.
 * @returns the CA, intermediate, leaf and key as PEM, and the leaf's decimal serial number.
 * @example
 * ```ts
 * import { fromRolesAnywhere } from "env-or-profile";
 * import { createTestCertificates, startRolesAnywhereEmulator } from "env-or-profile/testing";
 *
 * const pki = createTestCertificates({ keyType: "rsa", intermediate: true });
 * const trustAnchorArn = "arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/0b7e1a5c-2f6d-4e8a-9c3b-1d2e3f4a5b6c";
 * const profileArn = "arn:aws:rolesanywhere:eu-west-1:123456789012:profile/6f4943fb-13d4-4242-89c4-be367595c380";
 * const roleArn = "arn:aws:iam::123456789012:role/app";
 * const rolesAnywhere = await startRolesAnywhereEmulator({
 *   trustAnchors: [{ arn: trustAnchorArn, certificates: pki.caCertificate }],
 *   profiles: [{ arn: profileArn, roleArns: [roleArn] }],
 * });
 * const credentials = fromRolesAnywhere({ ...pki.leaf, trustAnchorArn, profileArn, roleArn, endpoint: rolesAnywhere.endpoint });
 * await credentials();
 * await rolesAnywhere.close();
 * ```
 */
export function createTestCertificates(options: TestCertificateOptions = {}): TestCertificates {
  const keyType = options.keyType ?? "ec-p256";
  if (keyType !== "rsa" && keyType !== "ec-p256" && keyType !== "ec-p384") {
    throw new TypeError(`Expected \`keyType\` to be "rsa", "ec-p256" or "ec-p384", got ${JSON.stringify(String(keyType))}`);
  }
  const now = (options.clock ?? systemClock).now();
  const validity = { notBefore: options.notBefore ?? new Date(now - HOUR_MS), notAfter: options.notAfter ?? new Date(now + YEAR_MS) };
  const ca = issue({ keyType, subject: "env-or-profile test CA", ca: true, validity });
  const middle = options.intermediate === true ? issue({ keyType, subject: "env-or-profile test intermediate CA", ca: true, validity, issuer: ca }) : undefined;
  const leaf = issue({ keyType, subject: options.commonName ?? "host.example.com", ca: false, validity, issuer: middle ?? ca });
  return {
    caCertificate: pem(ca.der),
    leaf: {
      certificate: pem(leaf.der),
      privateKey: leaf.key.export({ type: "pkcs8", format: "pem" }) as string,
      ...(middle === undefined ? {} : { intermediates: pem(middle.der) }),
    },
    serialNumber: BigInt(`0x${leaf.serial.toString("hex")}`).toString(10),
  };
}

interface Issued {
  readonly der: Buffer;
  readonly key: KeyObject;
  readonly name: Buffer;
  readonly keyId: Buffer;
  readonly keyType: TestCertificateKeyType;
  readonly serial: Buffer;
}

function issue(spec: {
  keyType: TestCertificateKeyType;
  subject: string;
  ca: boolean;
  validity: { notBefore: Date; notAfter: Date };
  issuer?: Issued;
}): Issued {
  const { privateKey, publicKey } =
    spec.keyType === "rsa"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 })
      : generateKeyPairSync("ec", { namedCurve: spec.keyType === "ec-p256" ? "P-256" : "P-384" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const keyId = createHash("sha1").update(subjectPublicKey(spki)).digest();
  const name = distinguishedName(spec.subject);
  // Positive (top bit clear) and never zero-led, as RFC 5280 wants serial numbers.
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x10;
  const signer = spec.issuer ?? { key: privateKey, name, keyId, keyType: spec.keyType };
  const algorithm = signatureAlgorithm(signer.keyType);
  const extensions = [
    extension(OID.basicConstraints, true, seq(spec.ca ? [bool(true)] : [])),
    extension(OID.keyUsage, true, spec.ca ? bitString(Buffer.from([0x06]), 1) : bitString(Buffer.from([0x80]), 7)),
    extension(OID.subjectKeyIdentifier, false, octets(keyId)),
    extension(OID.authorityKeyIdentifier, false, seq([tlv(0x80, signer.keyId)])),
  ];
  const tbs = seq([
    tlv(0xa0, integer(Buffer.from([2]))), // v3
    integer(serial),
    algorithm.identifier,
    signer.name,
    seq([time(spec.validity.notBefore), time(spec.validity.notAfter)]),
    name,
    spki,
    tlv(0xa3, seq(extensions)),
  ]);
  const signature = sign(algorithm.hash, tbs, signer.key);
  const der = seq([tbs, algorithm.identifier, bitString(signature, 0)]);
  return { der, key: privateKey, name, keyId, keyType: spec.keyType, serial };
}

const OID = {
  commonName: "2.5.4.3",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
  sha256WithRsa: "1.2.840.113549.1.1.11",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  ecdsaWithSha384: "1.2.840.10045.4.3.3",
} as const;

/** The issuer's signature algorithm: RSA PKCS#1 v1.5 over SHA-256, or ECDSA over the curve's hash. */
function signatureAlgorithm(keyType: TestCertificateKeyType): { identifier: Buffer; hash: string } {
  if (keyType === "rsa") return { identifier: seq([oid(OID.sha256WithRsa), tlv(0x05, Buffer.alloc(0))]), hash: "sha256" };
  return keyType === "ec-p256" ? { identifier: seq([oid(OID.ecdsaWithSha256)]), hash: "sha256" } : { identifier: seq([oid(OID.ecdsaWithSha384)]), hash: "sha384" };
}

/** The BIT STRING inside a SubjectPublicKeyInfo (what a key identifier is the SHA-1 of, RFC 5280 4.2.1.2). */
function subjectPublicKey(spki: Buffer): Buffer {
  // SEQUENCE { AlgorithmIdentifier, BIT STRING }: skip the outer header and the algorithm.
  let offset = headerLength(spki, 0);
  offset += headerLength(spki, offset) + contentLength(spki, offset);
  return spki.subarray(offset + headerLength(spki, offset) + 1); // + the unused-bits byte
}

function headerLength(der: Buffer, offset: number): number {
  const first = der[offset + 1] ?? 0;
  return first < 0x80 ? 2 : 2 + (first & 0x7f);
}

function contentLength(der: Buffer, offset: number): number {
  const first = der[offset + 1] ?? 0;
  if (first < 0x80) return first;
  let length = 0;
  for (let index = 0; index < (first & 0x7f); index++) length = length * 256 + (der[offset + 2 + index] ?? 0);
  return length;
}

function distinguishedName(commonName: string): Buffer {
  return seq([tlv(0x31, seq([oid(OID.commonName), tlv(0x0c, Buffer.from(commonName, "utf8"))]))]);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq([oid(id), ...(critical ? [bool(true)] : []), octets(value)]);
}

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, "").replace(/\.\d{3}/, ""); // YYYYMMDDHHMMSSZ
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), "ascii")) : tlv(0x18, Buffer.from(iso, "ascii"));
}

function seq(items: readonly Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function bool(value: boolean): Buffer {
  return tlv(0x01, Buffer.from([value ? 0xff : 0]));
}

function octets(value: Buffer): Buffer {
  return tlv(0x04, value);
}

function bitString(value: Buffer, unusedBits: number): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), value]));
}

function integer(value: Buffer): Buffer {
  // A leading 0 keeps a value whose top bit is set positive.
  return tlv(0x02, (value[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value);
}

function oid(text: string): Buffer {
  const [first = 0, second = 0, ...rest] = text.split(".").map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let value = arc >>> 7; value > 0; value >>>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  let header: number[];
  if (length < 0x80) {
    header = [tag, length];
  } else {
    const bytes: number[] = [];
    for (let value = length; value > 0; value = Math.floor(value / 256)) bytes.unshift(value % 256);
    header = [tag, 0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from(header), content]);
}

function pem(der: Buffer): string {
  const body = der.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}
