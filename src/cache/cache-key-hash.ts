import { log, type Logger } from "../logger.js";
import { hmacSha256Hex } from "./hmac-sha256.js";
import { createPrivateFileExclusively, cryptoModule, inDir, readPrivateFile, removeEntry } from "./private-files.js";
import { SALT_FILE } from "./salt-file.js";

export { SALT_FILE } from "./salt-file.js";

/** What a cache key is made of: named facts, each a string, number or boolean (`undefined` = absent). */
export type FileCacheKey = Readonly<Record<string, string | number | boolean | undefined>>;

const SALT_HEX = /^[0-9a-f]{64}\n?$/;

/** The directory's salt when it is there and sound, without creating or replacing anything. */
export function readSalt(dir: string): Buffer | undefined {
  const read = readPrivateFile(inDir(dir, SALT_FILE), 128);
  return read.kind === "ok" && SALT_HEX.test(read.text) ? Buffer.from(read.text.slice(0, 64), "hex") : undefined;
}

/**
 * The directory's random salt (32 bytes, hex, in a 0600 file), created by whichever process comes
 * first. A salt file that is not ours alone, or not a salt, is replaced: that only makes every
 * older entry unreachable, never trusted.
 * @throws the file system's error when the salt can be neither read nor created.
 */
export function loadSalt(dir: string, logger: Logger | undefined): Buffer {
  const path = inDir(dir, SALT_FILE);
  for (let attempt = 0; ; attempt++) {
    const read = readPrivateFile(path, 128);
    if (read.kind === "ok" && SALT_HEX.test(read.text)) {
      return Buffer.from(read.text.slice(0, 64), "hex");
    }
    if (read.kind !== "missing") {
      log(logger, "debug", `file cache: ignoring ${path}: ${read.kind === "untrusted" ? read.why : "not a salt"}; making a new one`);
      removeEntry(path);
    }
    const salt = cryptoModule().randomBytes(32);
    if (createPrivateFileExclusively(dir, SALT_FILE, `${salt.toString("hex")}\n`) || attempt >= 2) {
      return salt; // ours, or (after losing the race twice) used for this run only
    }
  }
}

/** Keys in a fixed order, `undefined` dropped: the same facts always give the same text. */
function canonical(key: FileCacheKey): string {
  const entries = Object.entries(key)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}

/**
 * The entry's name: HMAC-SHA256 of the key's facts under the directory's salt, in hex. Nothing
 * about the facts (which may include a hash of a secret, or an ExternalId) can be learnt or
 * guessed from a file name without the salt, which only the owner can read.
 */
export function cacheKeyHash(salt: Buffer, key: FileCacheKey): string {
  return hmacSha256Hex(salt, Buffer.from(`env-or-profile file cache v1\0${canonical(key)}`, "utf8"));
}
