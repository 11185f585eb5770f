import type { X509Certificate } from "node:crypto";
import { validityWindow } from "../providers/roles-anywhere/certificate-validity.js";

/** The longest path from a leaf to a trust anchor's CA that is followed (leaf and CA included). */
export const MAX_CHAIN_LENGTH = 6;

/** Whether a signing certificate leads to a trusted CA, and if not, why. @internal */
export type ChainVerdict = { ok: true; path: readonly X509Certificate[] } | { ok: false; reason: string };

/**
 * Builds and checks the path from `leaf` to one of `anchors` as IAM Roles Anywhere does: each
 * certificate issued by the next (names and signature), the next being one of `intermediates` or a
 * trust anchor CA; every certificate on the path (the CA too) within its validity window at `nowMs`;
 * the leaf an end-entity certificate (not a CA), every issuer a CA.
 *
 * @param leaf - the signing certificate (`X-Amz-X509`).
 * @param intermediates - the certificates sent as `X-Amz-X509-Chain`, any order.
 * @param anchors - the trust anchor's CA certificates.
 * @param nowMs - the emulator's clock.
 * @example
 * ```ts
 * import type { X509Certificate } from "node:crypto";
 * import { verifyCertificateChain } from "./verify-certificate-chain.js";
 *
 * declare const leaf: X509Certificate;
 * declare const ca: X509Certificate;
 * const verdict = verifyCertificateChain(leaf, [], [ca], Date.now());
 * if (!verdict.ok) console.log(verdict.reason);
 * ```
 * @internal
 */
export function verifyCertificateChain(
  leaf: X509Certificate,
  intermediates: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
  nowMs: number,
): ChainVerdict {
  if (leaf.ca) return { ok: false, reason: `the signing certificate (${name(leaf)}) is a CA certificate, not an end-entity certificate` };
  const leafWindow = outsideWindow(leaf, nowMs);
  if (leafWindow !== undefined) return { ok: false, reason: `the signing certificate (${name(leaf)}) ${leafWindow}` };
  const path: X509Certificate[] = [leaf];
  let current = leaf;
  while (path.length < MAX_CHAIN_LENGTH) {
    const anchor = anchors.find((ca) => issued(ca, current));
    if (anchor !== undefined) {
      const window = outsideWindow(anchor, nowMs);
      if (window !== undefined) return { ok: false, reason: `the trust anchor's CA (${name(anchor)}) ${window}` };
      return { ok: true, path: [...path, anchor] };
    }
    const next = intermediates.find((candidate) => !path.includes(candidate) && issued(candidate, current));
    if (next === undefined) {
      return { ok: false, reason: `no trusted CA or intermediate sent issued ${name(current)} (issuer ${current.issuer.replace(/\n/g, ", ")})` };
    }
    if (!next.ca) return { ok: false, reason: `the intermediate ${name(next)} is not a CA certificate` };
    const window = outsideWindow(next, nowMs);
    if (window !== undefined) return { ok: false, reason: `the intermediate ${name(next)} ${window}` };
    path.push(next);
    current = next;
  }
  return { ok: false, reason: `no path to a trusted CA within ${MAX_CHAIN_LENGTH} certificates` };
}

/** Whether `issuer` issued `subject`: names (and key ids) match and its key verifies the signature. */
function issued(issuer: X509Certificate, subject: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function outsideWindow(certificate: X509Certificate, nowMs: number): string | undefined {
  const { notBefore, notAfter } = validityWindow(certificate);
  if (!(nowMs >= notBefore)) return `is not valid until ${new Date(notBefore).toISOString()}`;
  if (!(nowMs <= notAfter)) return `expired at ${new Date(notAfter).toISOString()}`;
  return undefined;
}

function name(certificate: X509Certificate): string {
  return certificate.subject.replace(/\n/g, ", ");
}
