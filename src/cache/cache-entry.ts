import type { AwsCredentialIdentity } from "@smithy/types";
import { parseIsoDate } from "../parse-iso-date.js";
import { readPrivateFile, writePrivateFileAtomically } from "./private-files.js";

/** The format tag written in every entry; an entry without it is not ours. */
export const ENTRY_FORMAT = "env-or-profile-file-cache/1";

/** Entries are small; anything bigger is not one of ours. */
export const MAX_ENTRY_BYTES = 64 * 1024;

/** One cached credential, as read back. */
export interface CacheEntry {
  credential: AwsCredentialIdentity & { expiration: Date };
  /** When it was obtained from the provider (the cache's clock). */
  obtainedAtMs: number;
}

/** What reading an entry found: nothing, something to ignore (and why), or an entry. */
export type EntryRead = { kind: "missing" } | { kind: "ignored"; why: string } | { kind: "ok"; entry: CacheEntry };

interface EntryJson {
  format: typeof ENTRY_FORMAT;
  key: string;
  obtainedAt: string;
  credential: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
    expiration: string;
    accountId?: string;
    credentialScope?: string;
  };
}

/** The entry file's name for a key hash. */
export function entryFileName(hash: string): string {
  return `${hash}.json`;
}

/** Writes the entry for `hash` atomically (see {@link writePrivateFileAtomically}). */
export function writeEntry(dir: string, hash: string, credential: AwsCredentialIdentity & { expiration: Date }, obtainedAtMs: number): void {
  const json: EntryJson = {
    format: ENTRY_FORMAT,
    key: hash,
    obtainedAt: new Date(obtainedAtMs).toISOString(),
    credential: {
      accessKeyId: credential.accessKeyId,
      secretAccessKey: credential.secretAccessKey,
      ...(credential.sessionToken === undefined ? {} : { sessionToken: credential.sessionToken }),
      expiration: credential.expiration.toISOString(),
      ...(credential.accountId === undefined ? {} : { accountId: credential.accountId }),
      ...(credential.credentialScope === undefined ? {} : { credentialScope: credential.credentialScope }),
    },
  };
  writePrivateFileAtomically(dir, entryFileName(hash), `${JSON.stringify(json)}\n`);
}

/**
 * Reads and checks the entry at `path` for `hash`: ours alone (see `readPrivateFile`), valid JSON
 * of our format, recorded for this very key (a file copied or renamed from another key's name is
 * ignored), every field of the right type, dates that parse. Never says what a bad field held.
 */
export function readEntry(path: string, hash: string): EntryRead {
  const read = readPrivateFile(path, MAX_ENTRY_BYTES);
  if (read.kind !== "ok") {
    return read.kind === "missing" ? read : { kind: "ignored", why: read.why };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(read.text);
  } catch {
    return { kind: "ignored", why: "not valid JSON (corrupt or truncated)" };
  }
  const why = shapeProblem(parsed);
  if (why !== undefined) {
    return { kind: "ignored", why };
  }
  const json = parsed as EntryJson;
  if (json.key !== hash) {
    return { kind: "ignored", why: "recorded for another key" };
  }
  const expirationMs = parseIsoDate(json.credential.expiration);
  const obtainedAtMs = parseIsoDate(json.obtainedAt);
  if (expirationMs === undefined || obtainedAtMs === undefined) {
    return { kind: "ignored", why: "a date that does not parse" };
  }
  if (obtainedAtMs >= expirationMs) {
    // Written entries are obtained before they expire; this one's lifetime (and so its refresh window) is nonsense.
    return { kind: "ignored", why: "obtained at or after its own expiration" };
  }
  const c = json.credential;
  return {
    kind: "ok",
    entry: {
      credential: {
        accessKeyId: c.accessKeyId,
        secretAccessKey: c.secretAccessKey,
        ...(c.sessionToken === undefined ? {} : { sessionToken: c.sessionToken }),
        expiration: new Date(expirationMs),
        ...(c.accountId === undefined ? {} : { accountId: c.accountId }),
        ...(c.credentialScope === undefined ? {} : { credentialScope: c.credentialScope }),
      },
      obtainedAtMs,
    },
  };
}

function shapeProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) {
    return "not a JSON object";
  }
  const json = value as Record<string, unknown>;
  if (json["format"] !== ENTRY_FORMAT) {
    return "not an env-or-profile cache entry (format)";
  }
  if (typeof json["key"] !== "string" || typeof json["obtainedAt"] !== "string") {
    return "key or obtainedAt missing";
  }
  const credential = json["credential"];
  if (typeof credential !== "object" || credential === null) {
    return "credential missing";
  }
  const c = credential as Record<string, unknown>;
  for (const field of ["accessKeyId", "secretAccessKey", "expiration"]) {
    if (typeof c[field] !== "string" || c[field] === "") {
      return `credential.${field} missing or not a string`;
    }
  }
  for (const field of ["sessionToken", "accountId", "credentialScope"]) {
    if (c[field] !== undefined && typeof c[field] !== "string") {
      return `credential.${field} not a string`;
    }
  }
  return undefined;
}
