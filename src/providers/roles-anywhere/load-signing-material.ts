import type { KeyObject, X509Certificate } from "node:crypto";
import { validityWindow } from "./certificate-validity.js";
import { parseCertificates } from "./parse-certificates.js";
import { parsePrivateKey } from "./parse-private-key.js";
import { readMaterial } from "./read-material.js";
import type { RolesAnywhereSettings } from "./resolve-roles-anywhere-settings.js";
import { rolesAnywhereError } from "./roles-anywhere-error.js";
import { decimalSerialNumber } from "./sign-x509-request.js";

/** The certificate, chain and key a `CreateSession` is signed with, checked. @internal */
export interface SigningMaterial {
  readonly certificate: X509Certificate;
  readonly chain: readonly X509Certificate[];
  readonly privateKey: KeyObject;
  /** The leaf's serial number in decimal (the `Credential` of the signature). */
  readonly serialNumber: string;
  /** For messages and logs: serial, subject, issuer, key type, expiry. No secret. */
  readonly summary: string;
}

/**
 * Reads the certificate, key and intermediates now (files again on every call) and checks, before
 * any request: each parses; the leaf is within its validity window on the settings' clock; the key
 * is the leaf's; each intermediate is within its window too.
 *
 * @param settings - the checked options.
 * @returns what to sign with.
 * @throws CredentialsError (`source: "roles-anywhere"`, never `tryNextLink`), naming the file or
 *   “the PEM given as …” and never a key byte: `ROLES_ANYWHERE_FILE_UNREADABLE`;
 *   `ROLES_ANYWHERE_CERTIFICATE_INVALID` — retryable for what a rotation in progress explains (an
 *   empty or cut-short file, a key that is not the certificate's, a certificate not valid *yet*),
 *   not retryable otherwise (expired, malformed, wrong passphrase); `ROLES_ANYWHERE_UNSUPPORTED`.
 * @example
 * ```ts
 * import { loadSigningMaterial } from "./load-signing-material.js";
 * import type { RolesAnywhereSettings } from "./resolve-roles-anywhere-settings.js";
 *
 * declare const settings: RolesAnywhereSettings;
 * const { serialNumber, summary } = await loadSigningMaterial(settings);
 * ```
 */
export async function loadSigningMaterial(settings: RolesAnywhereSettings): Promise<SigningMaterial> {
  // Read together: three small files, and a failure names the first of them in this order.
  const [certificateBytes, keyBytes, intermediateBytes] = await Promise.all([
    readMaterial(settings.certificate),
    readMaterial(settings.privateKey),
    settings.intermediates === undefined ? undefined : readMaterial(settings.intermediates),
  ]);
  const [certificate] = parseCertificates(certificateBytes, settings.certificate.where) as [X509Certificate, ...X509Certificate[]];
  const { key: privateKey, description } = parsePrivateKey(keyBytes, settings.privateKey.where, settings.privateKeyPassphrase);
  const chain =
    settings.intermediates === undefined || intermediateBytes === undefined
      ? []
      : parseCertificates(intermediateBytes, settings.intermediates.where);

  const nowMs = settings.clock.now();
  const serialNumber = decimalSerialNumber(certificate);
  const leafName = `The certificate (serial ${serialNumber}, ${certificate.subject.replace(/\n/g, ", ")}) in ${settings.certificate.where}`;
  checkValidity(certificate, nowMs, leafName);
  if (!certificate.checkPrivateKey(privateKey)) {
    throw rolesAnywhereError(
      "ROLES_ANYWHERE_CERTIFICATE_INVALID",
      `The ${description} private key in ${settings.privateKey.where} is not the key of ${leafName.charAt(0).toLowerCase()}${leafName.slice(1)}: ` +
        "give the key the certificate was issued for (if both files are being renewed, the next try reads the new pair)",
      { retryable: true },
    );
  }
  chain.forEach((intermediate, index) => {
    const where = settings.intermediates?.where ?? "the intermediates";
    checkValidity(intermediate, nowMs, `Intermediate certificate ${index + 1} (${intermediate.subject.replace(/\n/g, ", ")}) in ${where}`);
  });
  const expires = new Date(validityWindow(certificate).notAfter).toISOString();
  const summary = `certificate serial ${serialNumber} (${certificate.subject.replace(/\n/g, ", ")}; issued by ${certificate.issuer.replace(/\n/g, ", ")}; expires ${expires}) with its ${description} key${chain.length > 0 ? ` and ${chain.length} intermediate${chain.length > 1 ? "s" : ""}` : ""}`;
  return { certificate, chain, privateKey, serialNumber, summary };
}

/** Throws unless `nowMs` is within the certificate's validity window. */
function checkValidity(certificate: X509Certificate, nowMs: number, name: string): void {
  const { notBefore, notAfter } = validityWindow(certificate);
  if (Number.isNaN(notBefore) || Number.isNaN(notAfter)) {
    throw rolesAnywhereError("ROLES_ANYWHERE_CERTIFICATE_INVALID", `${name} has a validity window that cannot be read`);
  }
  if (nowMs < notBefore) {
    // Not valid *yet* heals by itself: typically a certificate issued a moment ago, by a clock ahead of ours.
    throw rolesAnywhereError(
      "ROLES_ANYWHERE_CERTIFICATE_INVALID",
      `${name} is not valid until ${new Date(notBefore).toISOString()}, ${duration(notBefore - nowMs)} from now by our clock (${new Date(nowMs).toISOString()}); is this machine's clock behind?`,
      { retryable: true },
    );
  }
  if (nowMs > notAfter) {
    throw rolesAnywhereError(
      "ROLES_ANYWHERE_CERTIFICATE_INVALID",
      `${name} expired at ${new Date(notAfter).toISOString()}, ${duration(nowMs - notAfter)} ago by our clock (${new Date(nowMs).toISOString()}); renew it`,
    );
  }
}

/** `3 days`, `5 hours`, `12 minutes`, `40 seconds`: rounded down to the largest unit. */
function duration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
    [1000, "second"],
  ];
  for (const [size, unit] of units) {
    const count = Math.floor(ms / size);
    if (count >= 1) return `${count} ${unit}${count > 1 ? "s" : ""}`;
  }
  return "less than a second";
}
