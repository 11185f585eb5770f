import "reflect-metadata";
import { KeyObject, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

/*
 * A small PKI for tests: CAs, intermediates and leaves made here, with @peculiar/x509 over Node's
 * WebCrypto — RSA 2048, EC P-256 and P-384 — and their keys in every encoding node:crypto writes.
 */
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** The key kinds of the tests. */
export type KeyKind = "rsa" | "p256" | "p384";

const GENERATE: Record<KeyKind, webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams> = {
  rsa: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 },
  p256: { name: "ECDSA", namedCurve: "P-256" },
  p384: { name: "ECDSA", namedCurve: "P-384" },
};
const SIGN: Record<KeyKind, webcrypto.Algorithm | webcrypto.EcdsaParams> = {
  rsa: { name: "RSASSA-PKCS1-v1_5" },
  p256: { name: "ECDSA", hash: "SHA-256" },
  p384: { name: "ECDSA", hash: "SHA-384" },
};

/** A CA (root or intermediate). */
export interface TestCa {
  readonly kind: KeyKind;
  readonly name: string;
  readonly keys: webcrypto.CryptoKeyPair;
  readonly certificate: x509.X509Certificate;
  readonly pem: string;
}

/** A leaf certificate and its key. */
export interface TestLeaf {
  readonly certificatePem: string;
  readonly key: KeyObject;
  /** Its serial number, hex as written. */
  readonly serialHex: string;
  /** Its serial number in decimal, as a signature's Credential names it. */
  readonly serialDecimal: string;
}

/** The default validity of test certificates: 2025-01-01 to 2027-01-01 (the manual clock starts at 2026-01-01). */
export const NOT_BEFORE = new Date(Date.UTC(2025, 0, 1));
export const NOT_AFTER = new Date(Date.UTC(2027, 0, 1));

let serials = 0x1000;

/** A root CA, or an intermediate CA issued by `issuer`. */
export async function createCa(kind: KeyKind, name: string, issuer?: TestCa, validity: { notBefore?: Date; notAfter?: Date } = {}): Promise<TestCa> {
  const keys = (await webcrypto.subtle.generateKey(GENERATE[kind], true, ["sign", "verify"]));
  const extensions = [
    new x509.BasicConstraintsExtension(true, issuer === undefined ? 2 : 0, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ...(issuer === undefined ? [] : [await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey)]),
  ];
  const common = {
    serialNumber: (serials++).toString(16),
    notBefore: validity.notBefore ?? NOT_BEFORE,
    notAfter: validity.notAfter ?? NOT_AFTER,
    extensions,
  };
  const certificate =
    issuer === undefined
      ? await x509.X509CertificateGenerator.createSelfSigned({ ...common, name: `CN=${name}`, keys, signingAlgorithm: SIGN[kind] })
      : await x509.X509CertificateGenerator.create({
          ...common,
          subject: `CN=${name}`,
          issuer: issuer.certificate.subject,
          publicKey: keys.publicKey,
          signingKey: issuer.keys.privateKey,
          signingAlgorithm: SIGN[issuer.kind],
        });
  return { kind, name, keys, certificate, pem: certificate.toString("pem") };
}

/** An end-entity certificate for `name`, issued by `issuer`, with a fresh `kind` key. */
export async function createLeaf(
  kind: KeyKind,
  issuer: TestCa,
  options: { name?: string; serialHex?: string; notBefore?: Date; notAfter?: Date } = {},
): Promise<TestLeaf> {
  const keys = (await webcrypto.subtle.generateKey(GENERATE[kind], true, ["sign", "verify"]));
  const serialHex = options.serialHex ?? (serials++).toString(16);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialHex,
    subject: `CN=${options.name ?? "host.example.com"}`,
    issuer: issuer.certificate.subject,
    notBefore: options.notBefore ?? NOT_BEFORE,
    notAfter: options.notAfter ?? NOT_AFTER,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: SIGN[issuer.kind],
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
    ],
  });
  return {
    certificatePem: certificate.toString("pem"),
    key: KeyObject.from(keys.privateKey),
    serialHex,
    serialDecimal: BigInt(`0x${serialHex}`).toString(10),
  };
}

/** The encodings a private key file comes in. */
export type KeyEncoding = "pkcs1" | "sec1" | "pkcs8" | "encrypted-pkcs8";

/** `key` as PEM in `encoding` (`pkcs1` for RSA only, `sec1` for EC only). */
export function keyPem(key: KeyObject, encoding: KeyEncoding, passphrase = "correct horse battery staple"): string {
  if (encoding === "encrypted-pkcs8") return key.export({ format: "pem", type: "pkcs8", cipher: "aes-256-cbc", passphrase }) as string;
  return key.export({ format: "pem", type: encoding }) as string;
}
