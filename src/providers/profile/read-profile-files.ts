import { CredentialsError } from "../../errors.js";
import type { FileIdentity } from "../../sharing/file-identity.js";
import { profileError } from "./profile-error.js";
import type { ProfileSelection } from "./resolve-profile-selection.js";

import { DEFAULT_MAX_PROFILE_FILE_BYTES } from "./profile-constants.js";

export { DEFAULT_MAX_PROFILE_FILE_BYTES } from "./profile-constants.js";

/** One file's text, as read. */
export interface ProfileFileText {
  /** Which of the two files. */
  readonly kind: "config" | "credentials";
  /** Its path. */
  readonly path: string;
  /** Its contents (UTF-8). May hold secrets: never put it in a message. */
  readonly text: string;
}

/** The two files; a file that does not exist is `undefined`. */
export interface ProfileFileTexts {
  readonly config: ProfileFileText | undefined;
  readonly credentials: ProfileFileText | undefined;
}

/** The part of `node:fs/promises` this module uses (a parameter, so a test can count calls). */
export interface ProfileFs {
  stat(path: string): Promise<{ isFile(): boolean; isDirectory(): boolean; size: number }>;
  readFile(path: string, encoding: "utf8"): Promise<string>;
}

let defaultFs: Promise<ProfileFs> | undefined;

/** `node:fs/promises`, loaded on the first profile lookup (not at import). */
export function loadFs(): Promise<ProfileFs> {
  defaultFs ??= import("node:fs/promises");
  return defaultFs;
}

/**
 * Stats both files and reads those that exist. No file at all costs exactly two `stat` calls.
 * A file that exists but cannot be read (a directory, no permission, too large) is an error that
 * stops the chain: the user put a file there, and it is not what they meant.
 *
 * @throws CredentialsError `PROFILE_FILE_UNREADABLE` naming the file and the reason.
 * @internal
 */
export async function readProfileFiles(
  selection: Pick<ProfileSelection, "configFile" | "credentialsFile">,
  options: { fs?: ProfileFs; maxBytes?: number; stats?: { config: FileIdentity; credentials: FileIdentity } } = {},
): Promise<ProfileFileTexts> {
  const fs = options.fs ?? (await loadFs());
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_PROFILE_FILE_BYTES;
  const [config, credentials] = await Promise.all([
    readOne(fs, "config", selection.configFile, maxBytes, options.stats?.config),
    readOne(fs, "credentials", selection.credentialsFile, maxBytes, options.stats?.credentials),
  ]);
  return { config, credentials };
}

async function readOne(fs: ProfileFs, kind: "config" | "credentials", path: string, maxBytes: number, known: FileIdentity | undefined): Promise<ProfileFileText | undefined> {
  let size: number;
  try {
    // A `stat` the caller made already (the profile link's file identity) is not made again.
    const stats = known === undefined ? await fs.stat(path) : statsOf(known);
    if (stats.isDirectory()) {
      throw unreadable(kind, path, "it is a directory");
    }
    if (!stats.isFile()) {
      throw unreadable(kind, path, "it is not a regular file");
    }
    size = stats.size;
  } catch (error) {
    if (error instanceof CredentialsError) {
      throw error;
    }
    if (isAbsent(error)) {
      return undefined;
    }
    throw unreadable(kind, path, errnoText(error), error);
  }
  if (size > maxBytes) {
    throw unreadable(kind, path, `it is ${size} bytes, more than the ${maxBytes} a config file may have`);
  }
  let text: string;
  try {
    text = await fs.readFile(path, "utf8");
  } catch (error) {
    if (isAbsent(error)) {
      return undefined; // removed between stat and read
    }
    throw unreadable(kind, path, errnoText(error), error);
  }
  if (text.length > maxBytes) {
    throw unreadable(kind, path, `it grew past ${maxBytes} bytes while being read`);
  }
  return { kind, path, text: text.startsWith("\uFEFF") ? text.slice(1) : text };
}

/** A {@link FileIdentity} as the `stat` result (or the error) `readOne` checks. */
function statsOf(known: FileIdentity): { isFile(): boolean; isDirectory(): boolean; size: number } {
  if (known.kind === "absent") throw Object.assign(new Error("absent"), { code: "ENOENT" });
  if (known.kind === "error") throw Object.assign(new Error(known.code ?? "error"), { code: known.code });
  return { isFile: () => known.kind === "file", isDirectory: () => known.kind === "directory", size: known.size };
}

function isAbsent(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

function errnoText(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? `${code}${code === "EACCES" || code === "EPERM" ? " (permission denied)" : ""}` : "it could not be read";
}

function unreadable(kind: "config" | "credentials", path: string, why: string, cause?: unknown): CredentialsError {
  // An fs error's message holds only the path and the errno, never the contents.
  return profileError(`Cannot read the AWS ${kind} file ${path}: ${why}`, "PROFILE_FILE_UNREADABLE", cause === undefined ? {} : { cause });
}
