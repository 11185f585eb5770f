import { homedir } from "node:os";

/** The variable that names the cache directory. */
export const FILE_CACHE_DIR_ENV = "ENV_OR_PROFILE_CACHE_DIR";

/**
 * Where the file cache lives unless told otherwise: `ENV_OR_PROFILE_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/env-or-profile` (only when absolute, as the XDG Base Directory specification
 * requires), else `~/.cache/env-or-profile`. Reads no file.
 *
 * @param env - the environment to read. @defaultValue `process.env`
 * @returns an absolute or `ENV_OR_PROFILE_CACHE_DIR`-given path; `undefined` when there is no home directory.
 * @example
 * ```ts
 * import { defaultFileCacheDir } from "env-or-profile";
 *
 * defaultFileCacheDir({ XDG_CACHE_HOME: "/var/cache/me" }); // "/var/cache/me/env-or-profile"
 * ```
 */
export function defaultFileCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const explicit = env[FILE_CACHE_DIR_ENV];
  if (explicit !== undefined && explicit !== "") {
    return explicit;
  }
  const xdg = env["XDG_CACHE_HOME"];
  if (xdg !== undefined && (xdg.startsWith("/") || /^[A-Za-z]:[\\/]/.test(xdg))) {
    return `${xdg.replace(/[\\/]+$/, "")}/env-or-profile`;
  }
  let home = env["HOME"];
  if (home === undefined || home === "") {
    try {
      home = homedir();
    } catch {
      return undefined;
    }
  }
  return home === "" ? undefined : `${home.replace(/[\\/]+$/, "")}/.cache/env-or-profile`;
}
