import { createPrivateKey, type KeyObject } from "node:crypto";
import { looksLikePkcs12, parsePemBlocks, type PemBlock } from "./parse-pem-blocks.js";
import { rolesAnywhereError } from "./roles-anywhere-error.js";

/** The PEM labels of the private keys we read: PKCS#8, encrypted PKCS#8, PKCS#1 (RSA), SEC1 (EC). */
const KEY_TYPES: ReadonlySet<string> = new Set(["PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"]);

/** The EC curves accepted, by OpenSSL's names: P-256, P-384, P-521. Signatures are ECDSA over SHA-256 whatever the curve (as `aws_signing_helper` signs). */
const CURVES: Readonly<Record<string, string>> = { prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" };

/**
 * The object identifiers of ML-DSA-44/65/87 (2.16.840.1.101.3.4.3.17–19), as DER: a PKCS#8 key
 * holding one is post-quantum, which `aws_signing_helper` signs with (`AWS4-X509-MLDSA`) and we do not.
 */
const ML_DSA_OID_PREFIX = Buffer.from([0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03]);

/** A private key read, and what it signs with. @internal */
export interface ParsedPrivateKey {
  readonly key: KeyObject;
  /** `"RSA"`, or `"EC P-256"` / `"EC P-384"` / `"EC P-521"`, for messages and logs. */
  readonly description: string;
}

/**
 * Reads the private key of a key source: the first private-key block of its PEM text (other blocks,
 * such as `EC PARAMETERS` or a certificate kept in the same file, are skipped), decrypted with
 * `passphrase` when it is encrypted (PKCS#8 `ENCRYPTED PRIVATE KEY`, or a legacy OpenSSL
 * `Proc-Type: 4,ENCRYPTED` key).
 *
 * @param bytes - what {@link readMaterial} read.
 * @param where - how messages name the source, e.g. ``the private key file "/etc/pki/host.key" (`privateKey`)``.
 * @param passphrase - `privateKeyPassphrase`, when given (ignored for a key that is not encrypted).
 * @returns the key, RSA or EC on P-256/P-384/P-521.
 * @throws CredentialsError `ROLES_ANYWHERE_CERTIFICATE_INVALID` (empty or cut short — retryable —,
 *   not PEM, no key block, encrypted without a passphrase, a wrong passphrase, an algorithm Roles
 *   Anywhere does not sign with); `ROLES_ANYWHERE_UNSUPPORTED` for a TPM key, a PKCS#12 bundle or an
 *   ML-DSA key (for `aws_signing_helper`). Never a key byte or the passphrase in a message.
 * @example
 * ```ts
 * import { parsePrivateKey } from "./parse-private-key.js";
 *
 * declare const bytes: Buffer;
 * const { key, description } = parsePrivateKey(bytes, 'the private key file "/etc/pki/host.key"', undefined);
 * ```
 */
export function parsePrivateKey(bytes: Buffer, where: string, passphrase: string | undefined): ParsedPrivateKey {
  const subject = `${where.charAt(0).toUpperCase()}${where.slice(1)}`;
  const invalid = (why: string, retryable = false, cause?: unknown): Error =>
    rolesAnywhereError("ROLES_ANYWHERE_CERTIFICATE_INVALID", `${subject} ${why}`, { retryable, cause });
  const unsupported = (what: string): Error =>
    rolesAnywhereError(
      "ROLES_ANYWHERE_UNSUPPORTED",
      `${subject} is ${what}: supported by AWS's aws_signing_helper, not by env-or-profile; keep running aws_signing_helper as the profile's credential_process for it`,
    );

  const text = bytes.toString("latin1");
  if (text.trim() === "") throw invalid("is empty (if it is being renewed, the next try reads the new one)", true);
  if (!text.includes("-----BEGIN")) {
    if (looksLikePkcs12(bytes)) throw unsupported("a PKCS#12 bundle (.p12/.pfx)");
    throw invalid("is not PEM: it has no -----BEGIN … PRIVATE KEY----- line (a DER key must be converted to PEM, e.g. openssl pkey -inform DER -in key.der)");
  }
  const { blocks, truncated } = parsePemBlocks(text);
  if (blocks.some((block) => block.type === "TSS2 PRIVATE KEY")) throw unsupported("a TPM 2.0 key (TSS2 PRIVATE KEY)");
  const block = blocks.find((candidate) => KEY_TYPES.has(candidate.type));
  if (block === undefined) {
    if (truncated) throw invalid("is cut short: a -----BEGIN line has no -----END line (if it is being renewed, the next try reads the new one)", true);
    if (blocks.some((candidate) => candidate.type === "CERTIFICATE")) {
      throw invalid("holds a certificate, not a private key: are `certificate` and `privateKey` swapped?");
    }
    throw invalid(`has no private key block (PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)${blocks.length > 0 ? `; it has ${blocks.map((b) => b.type).join(", ")}` : ""}`);
  }
  const encrypted = block.type === "ENCRYPTED PRIVATE KEY" || block.legacyEncrypted;
  if (encrypted && passphrase === undefined) {
    throw invalid("is encrypted, and no `privateKeyPassphrase` was given");
  }
  if (block.type === "PRIVATE KEY" && holdsMlDsaOid(derOf(block))) {
    throw unsupported("an ML-DSA (post-quantum) key");
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(encrypted ? { key: block.pem, format: "pem", passphrase: passphrase ?? "" } : { key: block.pem, format: "pem" });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (encrypted && (code === "ERR_OSSL_BAD_DECRYPT" || code === "ERR_OSSL_EVP_BAD_DECRYPT")) {
      throw invalid("cannot be decrypted with the `privateKeyPassphrase` given: is it the right passphrase?", false, error);
    }
    throw invalid(`holds a ${block.type} block that cannot be read as a key${encrypted ? " (or the passphrase is wrong)" : ""}`, false, error);
  }
  return { key, description: describeKey(key, subject) };
}

/** `"RSA"` or `"EC P-384"`; anything Roles Anywhere does not sign with is refused. */
function describeKey(key: KeyObject, subject: string): string {
  const type = key.asymmetricKeyType;
  if (type === "rsa") return "RSA";
  if (type === "ec") {
    const curve = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ""];
    if (curve !== undefined) return `EC ${curve}`;
    throw rolesAnywhereError(
      "ROLES_ANYWHERE_CERTIFICATE_INVALID",
      `${subject} is an EC key on the curve ${key.asymmetricKeyDetails?.namedCurve ?? "(unnamed)"}; Roles Anywhere signing uses P-256, P-384 or P-521`,
    );
  }
  if (type !== undefined && type.startsWith("ml-dsa")) {
    throw rolesAnywhereError("ROLES_ANYWHERE_UNSUPPORTED", `${subject} is an ML-DSA (post-quantum) key: supported by AWS's aws_signing_helper, not by env-or-profile`);
  }
  throw rolesAnywhereError(
    "ROLES_ANYWHERE_CERTIFICATE_INVALID",
    `${subject} is ${type === undefined ? "a key of an unknown type" : `a key of type ${type}`}; Roles Anywhere signs with RSA (PKCS#1 v1.5) or ECDSA keys (P-256, P-384, P-521)`,
  );
}

/** Whether DER bytes hold an ML-DSA object identifier (its last arc 17, 18 or 19). */
function holdsMlDsaOid(der: Buffer): boolean {
  for (let at = der.indexOf(ML_DSA_OID_PREFIX); at >= 0; at = der.indexOf(ML_DSA_OID_PREFIX, at + 1)) {
    const arc = der[at + ML_DSA_OID_PREFIX.length] ?? 0;
    if (arc >= 0x11 && arc <= 0x13) return true;
  }
  return false;
}

/** The DER inside a PEM block (base64 between its BEGIN and END lines, headers skipped). */
function derOf(block: PemBlock): Buffer {
  const body = block.pem.replace(/-----(BEGIN|END) [^-]+-----/g, "").replace(/^[\w-]+:.*$/gm, "");
  return Buffer.from(body.replace(/\s+/g, ""), "base64");
}
