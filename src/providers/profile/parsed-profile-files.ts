import type { FileIdentity } from "../../sharing/file-identity.js";
import { processSlot } from "../../sharing/process-state.js";
import { loadProfiles, type LoadedProfiles } from "./load-profiles.js";
import { readProfileFiles } from "./read-profile-files.js";
import type { ProfileSelection } from "./resolve-profile-selection.js";

// The parsed profile files, shared by everything that reads them — the profile link, and the IMDS
// link's settings from the selected profile — so a pair of files is read and parsed once, whoever
// asks first. In the profile chunk: loaded only once a file exists (or a profile is named).

/**
 * How many parsed file pairs are kept, by their paths and identities (`stat`: device, inode, size,
 * times): a process reads one or two pairs; the bound only stops growth. An unchanged pair is not
 * read and parsed again by every new provider and every refresh — a changed one always is (its
 * identity changed), so this never serves a stale profile.
 */
const MAX_PARSED_FILES = 8;

function parsedFiles(): Map<string, Promise<LoadedProfiles>> {
  return processSlot("profile.parsed", () => new Map<string, Promise<LoadedProfiles>>(), (map) => map.clear());
}

/**
 * Both files of `selection`, parsed — read only when their paths and identities (`stats`, the
 * caller's own `stat`s) are new. A failure (an unreadable or malformed file) is never kept: the next
 * reading tries again.
 * @throws CredentialsError `PROFILE_FILE_UNREADABLE`, `PROFILE_INVALID` (a malformed line).
 * @internal
 */
export function parsedProfileFiles(
  selection: Pick<ProfileSelection, "configFile" | "credentialsFile">,
  stats: { readonly config: FileIdentity; readonly credentials: FileIdentity },
): Promise<LoadedProfiles> {
  const key = `${JSON.stringify([selection.configFile, selection.credentialsFile])};${stats.config.key};${stats.credentials.key}`;
  const all = parsedFiles();
  let found = all.get(key);
  if (found === undefined) {
    found = readProfileFiles(selection, { stats }).then(loadProfiles);
    all.set(key, found);
    const forget = (): void => {
      if (all.get(key) === found) all.delete(key);
    };
    found.catch(forget);
    if (all.size > MAX_PARSED_FILES) {
      const oldest = all.keys().next();
      if (oldest.done !== true) all.delete(oldest.value);
    }
  }
  return found;
}
