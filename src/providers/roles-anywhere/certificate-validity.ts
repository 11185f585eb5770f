import type { X509Certificate } from "node:crypto";

/**
 * A certificate's validity window in epoch milliseconds: `validFromDate`/`validToDate` where Node
 * has them (22.10+), else its `validFrom`/`validTo` text (`Jan  1 00:00:00 2027 GMT`), which V8
 * parses. `NaN` when neither can be read.
 *
 * @param certificate - the certificate.
 * @example
 * ```ts
 * import type { X509Certificate } from "node:crypto";
 * import { validityWindow } from "./certificate-validity.js";
 *
 * declare const certificate: X509Certificate;
 * const { notAfter } = validityWindow(certificate);
 * console.log(new Date(notAfter).toISOString());
 * ```
 */
export function validityWindow(certificate: X509Certificate): { notBefore: number; notAfter: number } {
  const dated = certificate as X509Certificate & { validFromDate?: Date; validToDate?: Date };
  return {
    notBefore: dated.validFromDate?.getTime() ?? Date.parse(certificate.validFrom),
    notAfter: dated.validToDate?.getTime() ?? Date.parse(certificate.validTo),
  };
}
