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

/**
 * A file's identity from one `stat` (never a read), taken synchronously when called.
 *
 * Why synchronous: this runs on a new provider's first call and on each refresh, for small local
 * files (the profile files, a certificate, a login cache). A `statSync` costs a few microseconds; an
 * asynchronous `stat` is a thread-pool round trip of 25–200 µs (more under load, and it queues
 * behind DNS lookups and file reads in the same pool), which made it most of a new provider's first
 * call. A missing file is asked with `throwIfNoEntry: false`, since building the ENOENT error
 * costs more than the `stat`. The result is returned as a promise so callers need not care.
 *
 * `node:fs` comes from `process.getBuiltinModule` (Node 20.16+), not an `import`: an ES module
 * import of `node:fs` builds its namespace, whose lazy getters load Node's streams — 3 ms added to
 * `import "env-or-profile"`.
 * @internal
 */
export function fileIdentity(path: string): Promise<FileIdentity> {
  return Promise.resolve(statIdentity(path));
}

function statIdentity(path: string): FileIdentity {
  try {
    fs ??= process.getBuiltinModule("node:fs");
    const s = fs.statSync(path, { bigint: true, throwIfNoEntry: false });
    if (s === undefined) return ABSENT;
    const kind = s.isFile() ? "file" : s.isDirectory() ? "directory" : "other";
    return { key: `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}:${kind}`, kind, size: kind === "file" ? Number(s.size) : 0 };
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === "ENOENT" || code === "ENOTDIR") return ABSENT;
    const text = typeof code === "string" ? code : "error";
    return { key: `!${text}`, kind: "error", size: 0, code: text };
  }
}

let fs: typeof import("node:fs") | undefined;

const ABSENT: FileIdentity = Object.freeze({ key: "-", kind: "absent", size: 0 });
