// Apart from the salt's code (cache-key-hash.ts, loaded with the rest of the file cache on first
// use): clearFileCache, which `import "env-or-profile"` loads, only needs the name.

/** The salt's file name in the cache directory. */
export const SALT_FILE = "key-salt";
