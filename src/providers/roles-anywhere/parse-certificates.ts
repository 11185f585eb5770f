import { X509Certificate } from "node:crypto";
import { looksLikePkcs12, parsePemBlocks } from "./parse-pem-blocks.js";
import { rolesAnywhereError } from "./roles-anywhere-error.js";

/** Block types that hold a private key, to say "this is a key, not a certificate". */
const KEY_BLOCK = /PRIVATE KEY$/;

/**
 * The certificates of a certificate or intermediates source, in order: every `CERTIFICATE` block of
 * PEM text (text around the blocks is ignored), or one DER certificate.
 *
 * @param bytes - what {@link readMaterial} read.
 * @param where - how messages name the source, e.g. ``the certificate file "/etc/pki/host.pem" (`certificate`)``.
 * @returns at least one certificate.
 * @throws CredentialsError `ROLES_ANYWHERE_CERTIFICATE_INVALID` when it is empty or cut short
 *   (retryable: a file caught mid-rewrite heals), holds a key instead, or does not parse;
 *   `ROLES_ANYWHERE_UNSUPPORTED` for a PKCS#12 bundle (for `aws_signing_helper`). Never quotes the bytes.
 * @example
 * ```ts
 * import { parseCertificates } from "./parse-certificates.js";
 *
 * declare const bytes: Buffer;
 * const [leaf] = parseCertificates(bytes, 'the certificate file "/etc/pki/host.pem" (`certificate`)');
 * ```
 */
export function parseCertificates(bytes: Buffer, where: string): X509Certificate[] {
  const invalid = (why: string, retryable = false, cause?: unknown): Error =>
    rolesAnywhereError("ROLES_ANYWHERE_CERTIFICATE_INVALID", `${capitalize(where)} ${why}`, { retryable, cause });
  const text = bytes.toString("latin1");
  if (text.trim() === "") {
    throw invalid("is empty (if it is being renewed, the next try reads the new one)", true);
  }
  if (!text.includes("-----BEGIN")) {
    if (looksLikePkcs12(bytes)) {
      throw rolesAnywhereError(
        "ROLES_ANYWHERE_UNSUPPORTED",
        `${capitalize(where)} is a PKCS#12 bundle (.p12/.pfx): those are supported by AWS's aws_signing_helper, not by env-or-profile. ` +
          "Export the certificate and key as PEM (openssl pkcs12 -in bundle.p12 -nokeys / -nocerts -nodes), or keep running aws_signing_helper for it",
      );
    }
    try {
      return [new X509Certificate(bytes)];
    } catch (error) {
      throw invalid("is neither PEM (no -----BEGIN CERTIFICATE----- line) nor a DER certificate", false, error);
    }
  }
  const { blocks, truncated } = parsePemBlocks(text);
  const pems = blocks.filter((block) => block.type === "CERTIFICATE");
  if (pems.length === 0) {
    if (truncated) throw invalid("is cut short: a -----BEGIN line has no -----END line (if it is being renewed, the next try reads the new one)", true);
    if (blocks.some((block) => KEY_BLOCK.test(block.type))) {
      throw invalid(`holds a ${blocks.find((block) => KEY_BLOCK.test(block.type))?.type ?? "private key"} block, not a certificate: are \`certificate\` and \`privateKey\` swapped?`);
    }
    throw invalid(`has no -----BEGIN CERTIFICATE----- block${blocks.length > 0 ? ` (it has ${blocks.map((block) => block.type).join(", ")})` : ""}`);
  }
  return pems.map((block, index) => {
    try {
      return new X509Certificate(block.pem);
    } catch (error) {
      throw invalid(`holds a CERTIFICATE block (number ${index + 1}) that is not a valid X.509 certificate`, truncated, error);
    }
  });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
