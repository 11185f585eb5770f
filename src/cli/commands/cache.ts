import { clearFileCache } from "../../cache/clear-file-cache.js";
import { EXIT, type CliIo } from "../cli-io.js";
import { reason } from "../format.js";
import { UsageError } from "../usage-error.js";

/**
 * `env-or-profile cache clear`: removes the file cache's own files (entries, locks, the salt,
 * leftover temporary files) from `ENV_OR_PROFILE_CACHE_DIR` (default `$XDG_CACHE_HOME/env-or-profile`,
 * else `~/.cache/env-or-profile`) and nothing else.
 * @returns 0 when cleared; 1 when the directory is not the user's alone.
 */
export function cacheCommand(action: string, io: CliIo): number {
  if (action !== "clear") {
    throw new UsageError(`unknown cache action ${JSON.stringify(action.slice(0, 40))}; the only one is clear`, "cache");
  }
  try {
    const { dir, removed } = clearFileCache({ env: io.env });
    io.stdout(`Removed ${String(removed)} cache file${removed === 1 ? "" : "s"} from ${dir}\n`);
    return EXIT.ok;
  } catch (error) {
    io.stderr(`env-or-profile cache clear: ${reason(error)}\n`);
    return EXIT.failure;
  }
}
