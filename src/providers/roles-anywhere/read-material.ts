import { open } from "node:fs/promises";
import { CredentialsError } from "../../errors.js";
import { rolesAnywhereError } from "./roles-anywhere-error.js";
import type { MaterialSource } from "./resolve-roles-anywhere-settings.js";

/**
 * The largest certificate, key or intermediates file read: 1 MiB. A certificate is 1–2 KiB and a
 * long chain a few times that; a larger file is not what was meant (and is never read whole).
 */
export const MAX_MATERIAL_BYTES = 1024 * 1024;

/**
 * The bytes of a certificate, key or intermediates source: the inline PEM, or the file read now
 * (every call: an agent may have renewed it in place). Only regular files are read (a FIFO or a
 * device would block or never end), and only up to {@link MAX_MATERIAL_BYTES}.
 *
 * @param source - where the material is.
 * @returns its bytes.
 * @throws CredentialsError `ROLES_ANYWHERE_FILE_UNREADABLE` (not retryable) naming the file and the
 *   system's code (`ENOENT`, `EACCES`, `EISDIR`, …), or saying it is too large or not a regular file.
 * @example
 * ```ts
 * import { readMaterial } from "./read-material.js";
 * import type { MaterialSource } from "./resolve-roles-anywhere-settings.js";
 *
 * declare const source: MaterialSource;
 * const bytes = await readMaterial(source);
 * ```
 */
export async function readMaterial(source: MaterialSource): Promise<Buffer> {
  if (source.kind === "pem") {
    return Buffer.from(source.text, "utf8");
  }
  const cannot = (why: string, cause?: unknown): CredentialsError =>
    rolesAnywhereError("ROLES_ANYWHERE_FILE_UNREADABLE", `Cannot read ${source.where}: ${why}`, { cause });
  let handle;
  try {
    handle = await open(source.path, "r");
  } catch (error) {
    throw cannot(systemReason(error), error);
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw cannot("it is a folder, not a file");
    if (!stats.isFile()) throw cannot("it is not a regular file");
    if (stats.size > MAX_MATERIAL_BYTES) throw cannot(`it is ${stats.size} bytes, more than the ${MAX_MATERIAL_BYTES} a certificate or key file may be`);
    // Read to the end rather than trusting the size: a file rewritten in place may have grown.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buffer = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > MAX_MATERIAL_BYTES) throw cannot(`it is more than the ${MAX_MATERIAL_BYTES} bytes a certificate or key file may be`);
      chunks.push(buffer.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks);
  } catch (error) {
    if (error instanceof CredentialsError) throw error;
    throw cannot(systemReason(error), error);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no such file (ENOENT)",
  EACCES: "permission denied (EACCES); the process needs read access to it",
  EPERM: "operation not permitted (EPERM)",
  EISDIR: "it is a folder, not a file (EISDIR)",
  ENOTDIR: "a part of the path is not a folder (ENOTDIR)",
  ELOOP: "too many symbolic links (ELOOP)",
  ENAMETOOLONG: "the path is too long (ENAMETOOLONG)",
};

function systemReason(error: unknown): string {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== "string") return "it could not be read";
  return REASONS[code] ?? `it could not be read (${code})`;
}
