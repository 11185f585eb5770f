import { coalesce } from "./coalesce.js";
import { processSlot } from "./process-state.js";

/**
 * A file's identity for a sharing key, from one `stat` (never a read): device, inode, size, and the
 * modification and change times in nanoseconds. Editing a profile file in place, replacing it, or
 * pointing a variable at another file changes it; reading the same unchanged file does not. An
 * absent file is `-`; one that cannot be stat'ed is its error code (so the entry is not shared with
 * a readable one).
 *
 * Concurrent identities of the same path share one `stat` (ten thousand providers made at once do
 * not make ten thousand system calls); nothing is kept afterwards.
 * @internal
 */
export function fileIdentity(path: string): Promise<string> {
  return coalesce(inflightStats(), path, () => statIdentity(path));
}

async function statIdentity(path: string): Promise<string> {
  const { stat } = await import("node:fs/promises");
  try {
    const s = await stat(path, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.isFile() ? "f" : s.isDirectory() ? "d" : "o"}`;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    return code === "ENOENT" || code === "ENOTDIR" ? "-" : `!${typeof code === "string" ? code : "error"}`;
  }
}

function inflightStats(): Map<string, Promise<unknown>> {
  return processSlot("file-identity.inflight", () => new Map<string, Promise<unknown>>(), (map) => map.clear());
}
