import { readFileSync } from "node:fs";

/**
 * The shared test vectors: requests signed by AWS's aws_signing_helper and by an independent
 * implementation, with their certificates and the published test keys. Read from `../shared`
 * beside the repository (CI clones it there); never copied into the project.
 */
export interface SignedVector {
  name: string;
  method: string;
  path: string;
  query: string;
  service: string;
  body: string;
  headers: Record<string, string> & { authorization: string; host: string; "x-amz-date": string; "x-amz-x509": string; "x-amz-x509-chain"?: string };
  privateKeyPem?: string;
  anchorPem: string;
  deterministic: boolean;
}

const file = new URL("../../../../shared/roles-anywhere-vectors.json", import.meta.url);

/** Vector `index` of ../shared/roles-anywhere-vectors.json. */
export function vector(index: number): SignedVector {
  const { vectors } = JSON.parse(readFileSync(file, "utf8")) as { vectors: SignedVector[] };
  const found = vectors[index];
  if (found === undefined) throw new Error(`no vector ${index} in ${file.pathname}`);
  return found;
}

/** The date an `X-Amz-Date` names. */
export function dateOf(xAmzDate: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(xAmzDate);
  if (m === null) throw new Error(`not an X-Amz-Date: ${xAmzDate}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}
