import { coalesce } from "./coalesce.js";
import { processSlot } from "./process-state.js";

/** A file as one `stat` saw it. @internal */
export interface FileIdentity {
  /**
   * Its identity for a sharing key: device, inode, size, and the modification and change times in
   * nanoseconds. Editing a file in place, replacing it, or pointing a variable at another file
   * changes it; reading the same unchanged file does not. `-` for an absent file, `!CODE` for one
   * that cannot be stat'ed (so it is never shared with a readable one).
   */
  readonly key: string;
  readonly kind: "absent" | "file" | "directory" | "other" | "error";
  /** Its size in bytes (0 unless a file). */
  readonly size: number;
  /** The error code when it could not be stat'ed. */
  readonly code?: string;
}

let fsModule: Promise<typeof import("node:fs/promises")> | undefined;

/**
 * A file's identity from one `stat` (never a read). Concurrent identities of the same path share
 * one `stat` (ten thousand providers made at once do not make ten thousand system calls); nothing
 * is kept afterwards.
 * @internal
 */
export function fileIdentity(path: string): Promise<FileIdentity> {
  return coalesce(inflightStats(), path, () => statIdentity(path));
}

async function statIdentity(path: string): Promise<FileIdentity> {
  fsModule ??= import("node:fs/promises");
  const { stat } = await fsModule;
  try {
    const s = await stat(path, { bigint: true });
    const kind = s.isFile() ? "file" : s.isDirectory() ? "directory" : "other";
    return { key: `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}:${kind}`, kind, size: kind === "file" ? Number(s.size) : 0 };
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === "ENOENT" || code === "ENOTDIR") return { key: "-", kind: "absent", size: 0 };
    const text = typeof code === "string" ? code : "error";
    return { key: `!${text}`, kind: "error", size: 0, code: text };
  }
}

function inflightStats(): Map<string, Promise<unknown>> {
  return processSlot("file-identity.inflight", () => new Map<string, Promise<unknown>>(), (map) => map.clear());
}
