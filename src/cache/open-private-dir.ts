import { fsModule, untrustedReason } from "./private-files.js";

/**
 * Makes sure `dir` exists and is the current user's alone: created (with missing parents) mode
 * 0700 when absent; refused when it is a symbolic link, not a directory, owned by another user or
 * open to group or others. An existing directory's mode is never changed: it may be someone's
 * choice, and the cache does not use it instead.
 * @returns `undefined` when the directory can be used, else why not.
 */
export function openPrivateDir(dir: string): string | undefined {
  const fs = fsModule();
  let stats = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (stats === undefined) {
    try {
      if (fs.mkdirSync(dir, { recursive: true, mode: 0o700 }) !== undefined) {
        fs.chmodSync(dir, 0o700); // we made it: 0700 whatever the umask
      }
    } catch (error) {
      return `cannot be created (${String((error as { code?: unknown }).code ?? error)})`;
    }
    stats = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (stats === undefined) {
      return "vanished after it was created";
    }
  }
  if (stats.isSymbolicLink()) {
    return "is a symbolic link";
  }
  return untrustedReason(stats, true);
}
