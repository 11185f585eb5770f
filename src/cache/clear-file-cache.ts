import { CredentialsError } from "../errors.js";
import { SALT_FILE } from "./salt-file.js";
import { defaultFileCacheDir } from "./default-file-cache-dir.js";
import { fsModule, inDir, untrustedReason } from "./private-files.js";

/**
 * The names the file cache writes, and nothing else: entries (`<64 hex>.json`), locks
 * (`<64 hex>.lock`), the salt, and their temporary files (`.<name>.<16 hex>.tmp`).
 */
const OUR_NAME = new RegExp(`^(?:[0-9a-f]{64}\\.(?:json|lock)|${SALT_FILE}|\\.(?:[0-9a-f]{64}\\.(?:json|lock)|${SALT_FILE})\\.[0-9a-f]{16}\\.tmp)$`);

/** What {@link clearFileCache} did. */
export interface ClearFileCacheResult {
  /** The directory it looked in. */
  dir: string;
  /** How many of the cache's files it removed. */
  removed: number;
}

/**
 * Removes the file cache's own files from its directory — entries, locks, the salt and leftover
 * temporary files, matched by their exact name shapes — and nothing else: other files and
 * subdirectories stay, and so does the directory. A missing directory is already clear.
 *
 * @param options - `dir` (default {@link defaultFileCacheDir}(`env`)) and `env`.
 * @returns the directory and how many files were removed.
 * @throws CredentialsError `CONFIG_INVALID` (source `file-cache`) when there is no directory to use,
 *   or it is not the current user's alone (a symbolic link, another owner, open to others).
 * @example
 * ```ts
 * import { clearFileCache } from "env-or-profile";
 *
 * const { dir, removed } = clearFileCache();
 * console.log(`removed ${removed} files from ${dir}`);
 * ```
 */
export function clearFileCache(options: { dir?: string; env?: Readonly<Record<string, string | undefined>> } = {}): ClearFileCacheResult {
  const dir = options.dir ?? defaultFileCacheDir(options.env ?? process.env);
  if (dir === undefined) {
    throw new CredentialsError("No cache directory: there is no home directory; set ENV_OR_PROFILE_CACHE_DIR", {
      source: "file-cache",
      code: "CONFIG_INVALID",
      tryNextLink: false,
    });
  }
  const fs = fsModule();
  const stats = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (stats === undefined) {
    return { dir, removed: 0 };
  }
  const why = stats.isSymbolicLink() ? "is a symbolic link" : untrustedReason(stats, true);
  if (why !== undefined) {
    throw new CredentialsError(`Not clearing the cache directory ${dir}: it ${why}`, { source: "file-cache", code: "CONFIG_INVALID", tryNextLink: false });
  }
  let removed = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (OUR_NAME.test(entry.name) && (entry.isFile() || entry.isSymbolicLink())) {
      fs.rmSync(inDir(dir, entry.name), { force: true });
      removed++;
    }
  }
  return { dir, removed };
}
