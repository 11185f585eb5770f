/** One `-----BEGIN <type>----- … -----END <type>-----` block. @internal */
export interface PemBlock {
  /** The label, e.g. `CERTIFICATE`, `PRIVATE KEY`, `EC PRIVATE KEY`. */
  readonly type: string;
  /** The block's whole text, BEGIN and END lines included (what `node:crypto` parses). */
  readonly pem: string;
  /** Whether it carries RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`: a legacy OpenSSL-encrypted key). */
  readonly legacyEncrypted: boolean;
}

/** The blocks of a PEM text, and whether a BEGIN line was left without its END (a file cut short). @internal */
export interface PemBlocks {
  readonly blocks: readonly PemBlock[];
  readonly truncated: boolean;
}

const BLOCK = /-----BEGIN ([A-Z0-9 #]{1,64})-----[^\S\r\n]*\r?\n([\s\S]*?)-----END \1-----/g;
const BEGIN = /-----BEGIN [A-Z0-9 #]{1,64}-----/g;

/**
 * Splits PEM text into its blocks, in order, ignoring any text around them (`openssl x509 -text`
 * output, comments, `Bag Attributes`). A BEGIN line without its matching END is reported as
 * `truncated` — a file read while it was being rewritten in place, or cut by a copy.
 *
 * @param text - the PEM text.
 * @example
 * ```ts
 * import { parsePemBlocks } from "./parse-pem-blocks.js";
 *
 * declare const text: string;
 * const certificates = parsePemBlocks(text).blocks.filter((block) => block.type === "CERTIFICATE");
 * ```
 */
export function parsePemBlocks(text: string): PemBlocks {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    blocks.push({ type: match[1] ?? "", pem: match[0], legacyEncrypted: /^Proc-Type:\s*4,ENCRYPTED/m.test(match[2] ?? "") });
  }
  const begins = text.match(BEGIN)?.length ?? 0;
  return { blocks, truncated: begins > blocks.length };
}

/**
 * Whether DER bytes look like a PKCS#12 (`.p12`/`.pfx`) bundle: a SEQUENCE whose first element is
 * the version INTEGER 3 (RFC 7292 `PFX`). A DER certificate starts with a SEQUENCE inside the
 * SEQUENCE instead, so the two are told apart without parsing either.
 * @internal
 */
export function looksLikePkcs12(bytes: Uint8Array): boolean {
  if (bytes.length < 8 || bytes[0] !== 0x30) return false;
  const lengthByte = bytes[1] ?? 0;
  const headerLength = lengthByte < 0x80 ? 2 : 2 + (lengthByte & 0x7f);
  return bytes[headerLength] === 0x02 && bytes[headerLength + 1] === 0x01 && bytes[headerLength + 2] === 0x03;
}
