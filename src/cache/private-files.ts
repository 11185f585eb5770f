/*
 * The file primitives of the file cache, each one decision: open without following a symbolic
 * link, judge an open file by its own fstat (no check-then-open race), write a whole file under a
 * temporary name and rename it into place, create a file that must not exist yet. node:fs and
 * node:crypto are required on first use, so importing the library never loads them.
 */
import type * as Crypto from "node:crypto";
import type * as Fs from "node:fs";

let nodeFs: typeof Fs | undefined;
let nodeCrypto: typeof Crypto | undefined;

/**
 * A builtin, loaded synchronously on first use through `process.getBuiltinModule` (Node ≥ 20.16;
 * `engines` asks ≥ 20.19): no module object, no resolution, and no `createRequire`, which bundlers
 * cannot follow (a builtin needs no bundling).
 */
function builtin(id: "node:fs" | "node:crypto"): unknown {
  return process.getBuiltinModule(id);
}

/** node:fs, loaded on first use. */
export function fsModule(): typeof Fs {
  nodeFs ??= builtin("node:fs") as typeof Fs;
  return nodeFs;
}

/** node:crypto, loaded on first use (only to make randomness: salts, temporary names, lock nonces). */
export function cryptoModule(): typeof Crypto {
  nodeCrypto ??= builtin("node:crypto") as typeof Crypto;
  return nodeCrypto;
}

/** `dir/name` without loading node:path (the names are ours: no separators in them). */
export function inDir(dir: string, name: string): string {
  return dir.endsWith("/") || dir.endsWith("\\") ? `${dir}${name}` : `${dir}/${name}`;
}

/** What reading a private file found. */
export type PrivateRead =
  | { kind: "missing" }
  /** There is something at the path, and it must not be trusted: `why` says what is wrong. */
  | { kind: "untrusted"; why: string }
  | { kind: "ok"; text: string; mtimeMs: number };

/** The effective user id, or `undefined` where there is none (Windows). */
export function currentUid(): number | undefined {
  return typeof process.getuid === "function" ? process.getuid() : undefined;
}

/**
 * Why a file (or directory) must not be trusted, or `undefined` when it is ours alone: a regular
 * file (or a directory, with `directory`), owned by the current user, with no permission bit for
 * group or others. (Hard links are not judged: a file made by {@link createPrivateFileExclusively}
 * has two for a moment, and in a 0700 directory only its owner can add one.)
 */
export function untrustedReason(stats: Fs.Stats, directory = false): string | undefined {
  if (directory ? !stats.isDirectory() : !stats.isFile()) {
    return directory ? "not a directory" : "not a regular file";
  }
  const uid = currentUid();
  if (uid !== undefined && stats.uid !== uid) {
    return `owned by uid ${String(stats.uid)}, not by this user (uid ${String(uid)})`;
  }
  if (process.platform !== "win32" && (stats.mode & 0o077) !== 0) {
    return `mode ${(stats.mode & 0o777).toString(8).padStart(3, "0")}: group or others have access`;
  }
  return undefined;
}

/** The `code` of a file system error, e.g. `ENOENT`; `EUNKNOWN` for anything else. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "EUNKNOWN";
}

/**
 * Reads a file that only the current user may control. Opened with `O_NOFOLLOW` (a symbolic link
 * is refused, not followed) and `O_NONBLOCK` (a FIFO planted at the path cannot hang us), then
 * judged by `fstat` on the open descriptor, then read up to `maxBytes`.
 */
export function readPrivateFile(path: string, maxBytes: number): PrivateRead {
  const fs = fsModule();
  const { O_RDONLY } = fs.constants;
  const { O_NOFOLLOW = 0, O_NONBLOCK = 0 } = fs.constants as Partial<typeof fs.constants>; // absent on Windows
  let fd: number;
  try {
    fd = fs.openSync(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    const code = errorCode(error);
    if (code === "ENOENT") {
      return { kind: "missing" };
    }
    return { kind: "untrusted", why: code === "ELOOP" ? "a symbolic link" : `cannot be opened (${code})` };
  }
  try {
    const stats = fs.fstatSync(fd);
    const why = untrustedReason(stats);
    if (why !== undefined) {
      return { kind: "untrusted", why };
    }
    if (stats.size > maxBytes) {
      return { kind: "untrusted", why: `${String(stats.size)} bytes, more than the ${String(maxBytes)} a cache file may have` };
    }
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const read = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) {
        break;
      }
      length += read;
      if (length > maxBytes) {
        return { kind: "untrusted", why: `more than the ${String(maxBytes)} bytes a cache file may have` };
      }
    }
    return { kind: "ok", text: buffer.toString("utf8", 0, length), mtimeMs: stats.mtimeMs };
  } catch (error) {
    return { kind: "untrusted", why: `cannot be read (${errorCode(error)})` };
  } finally {
    fs.closeSync(fd);
  }
}

/** 16 random hex characters, for temporary file names. */
function randomSuffix(): string {
  return cryptoModule().randomBytes(8).toString("hex");
}

/** The temporary name `name` is written under before it is renamed or linked into place. */
export function temporaryName(name: string): string {
  return `.${name}.${randomSuffix()}.tmp`;
}

/** Writes `text` to a new file that must not exist (`O_EXCL`, `O_NOFOLLOW`), mode 0600, flushed to disk. */
function writeNewFile(path: string, text: string): void {
  const fs = fsModule();
  const { O_WRONLY, O_CREAT, O_EXCL } = fs.constants;
  const { O_NOFOLLOW = 0 } = fs.constants as Partial<typeof fs.constants>; // absent on Windows
  const fd = fs.openSync(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    fs.fchmodSync(fd, 0o600); // whatever the umask left
    const data = Buffer.from(text, "utf8");
    let written = 0;
    while (written < data.length) {
      written += fs.writeSync(fd, data, written, data.length - written);
    }
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(path, { force: true });
    throw error;
  }
  fs.closeSync(fd);
}

/** Flushes a directory's entries (the rename) to disk where the platform allows it. */
function syncDir(dir: string): void {
  const fs = fsModule();
  try {
    const fd = fs.openSync(dir, fs.constants.O_RDONLY);
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Not supported here (Windows): the rename is still atomic, only its durability is weaker.
  }
}

/**
 * Replaces `dir/name` with a file holding `text`, atomically: written in full to a temporary file
 * in the same directory, flushed, then renamed over the old name. A reader sees the old file or the
 * new one, never a part. Whatever was at the name (a symbolic link, a file of another user) is
 * replaced, not written through.
 * @throws the file system's error; the temporary file is removed.
 */
export function writePrivateFileAtomically(dir: string, name: string, text: string): void {
  const fs = fsModule();
  const temporary = inDir(dir, temporaryName(name));
  writeNewFile(temporary, text);
  try {
    fs.renameSync(temporary, inDir(dir, name));
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  syncDir(dir);
}

/**
 * Creates `dir/name` holding `text` only if nothing is at that name: written in full under a
 * temporary name, then hard-linked into place (`link` fails when the name exists, so two
 * processes cannot both create it, and nobody sees it half written).
 * @returns `true` when this call created it, `false` when the name was taken.
 * @throws the file system's error for anything else.
 */
export function createPrivateFileExclusively(dir: string, name: string, text: string): boolean {
  const fs = fsModule();
  const temporary = inDir(dir, temporaryName(name));
  writeNewFile(temporary, text);
  try {
    fs.linkSync(temporary, inDir(dir, name));
    return true;
  } catch (error) {
    if (errorCode(error) === "EEXIST") {
      return false;
    }
    throw error;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

/** Removes `path` (a file or a symbolic link, never followed); `false` when there was nothing. */
export function removeEntry(path: string): boolean {
  try {
    fsModule().unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}
