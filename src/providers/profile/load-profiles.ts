import type { ParsedIniData } from "@smithy/types";
import { findIniProblems } from "./find-ini-problems.js";
import { profileError } from "./profile-error.js";
import type { ProfileFileText, ProfileFileTexts } from "./read-profile-files.js";

/** A profile as the AWS CLI sees it: config-file and credentials-file settings merged. */
export interface LoadedProfile {
  /** Its name. */
  readonly name: string;
  /** Settings by lower-case name; the credentials file wins for a key set in both. May hold secrets. */
  readonly values: Readonly<Record<string, string>>;
  /** For each setting, the file it came from. */
  readonly origin: Readonly<Record<string, ProfileFileText>>;
  /**
   * The config file's settings alone (lower-case names): where a setting that is not a credential
   * (the IMDS keys) is read first, as the AWS SDKs read them — the config file, then the
   * credentials file.
   */
  readonly configValues: Readonly<Record<string, string>>;
  /** The files that have a section for it, config first. */
  readonly files: readonly ProfileFileText[];
}

/** Both files, parsed. */
export interface LoadedProfiles {
  /** The files that exist. */
  readonly files: readonly ProfileFileText[];
  /** A profile by name, merged, or `undefined`. */
  profile(name: string): LoadedProfile | undefined;
  /** Every profile name, sorted. */
  names(): string[];
  /** An `[sso-session x]` or `[services x]` section of the config file. */
  section(kind: "sso-session" | "services", name: string): Readonly<Record<string, string>> | undefined;
  /** The section names of one file as written, e.g. `profile work`, `work` (for "did you mean" hints). */
  rawSections(kind: "config" | "credentials"): readonly string[];
}

/*
 * The parser is the AWS SDK's own: `loadSharedConfigFiles` from `@smithy/core/config`. The package
 * `@smithy/shared-ini-file-loader` (the name the SDK docs and issue 10 use) is deprecated and
 * re-exports exactly this submodule, so this is the loader every SDK v3 client uses: same
 * `[profile x]` / `[x]` rules, same comments, same nested `key =` blocks, same section types.
 * It is loaded on the first lookup, never at import.
 */
type SmithyConfig = typeof import("./smithy-config.cjs");
let loader: Promise<SmithyConfig> | undefined;

/**
 * The loader, through an `import()` with a literal specifier (bundlers follow it) of a small
 * CommonJS file that `require`s it: see smithy-config.cjs for why not `import("@smithy/core/config")`.
 */
function loadLoader(): Promise<SmithyConfig> {
  loader ??= import("./smithy-config.cjs").then(
    (module) => module.default,
    (error: unknown) => {
      loader = undefined; // a failed load is tried again at the next lookup
      throw error;
    },
  );
  return loader;
}

let nextVirtualPath = 0;

/**
 * Checks both files line by line (see `findIniProblems`), then parses them with the SDK's loader
 * and merges each profile as the CLI does: the credentials file's value wins for a key in both.
 *
 * The texts are handed to the loader through its `externalDataInterceptor` under one-off virtual
 * paths (removed right after), so each file is read once, by us — the loader would swallow an
 * unreadable file as "empty" — and the loader's process-wide file cache never holds a stale copy.
 *
 * @throws CredentialsError `PROFILE_INVALID` listing every malformed line (file and line number, no text).
 * @internal
 */
export async function loadProfiles(texts: ProfileFileTexts): Promise<LoadedProfiles> {
  const files = [texts.config, texts.credentials].filter((file): file is ProfileFileText => file !== undefined);
  const problems = files.flatMap((file) => findIniProblems(file));
  if (problems.length > 0) {
    throw profileError(`Malformed AWS profile file: ${problems.join("; ")}`);
  }
  if (files.length === 0) {
    return buildProfiles(texts, {}, {}); // nothing to parse: the loader is not even loaded
  }
  const { loadSharedConfigFiles, externalDataInterceptor } = await loadLoader();
  const id = ++nextVirtualPath;
  const configPath = `/env-or-profile/virtual/${id}/config`;
  const credentialsPath = `/env-or-profile/virtual/${id}/credentials`;
  externalDataInterceptor.interceptFile(configPath, texts.config?.text ?? "");
  externalDataInterceptor.interceptFile(credentialsPath, texts.credentials?.text ?? "");
  let parsed: { configFile: ParsedIniData; credentialsFile: ParsedIniData };
  try {
    parsed = await loadSharedConfigFiles({ configFilepath: configPath, filepath: credentialsPath, ignoreCache: true });
  } finally {
    const record = externalDataInterceptor.getFileRecord();
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a one-off key we added
    delete record[configPath];
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a one-off key we added
    delete record[credentialsPath];
  }
  return buildProfiles(texts, parsed.configFile, parsed.credentialsFile);
}

function buildProfiles(texts: ProfileFileTexts, configData: ParsedIniData, credentialsData: ParsedIniData): LoadedProfiles {
  const profiles = new Map<
    string,
    { values: Record<string, string>; origin: Record<string, ProfileFileText>; configValues: Record<string, string>; files: ProfileFileText[] }
  >();
  const sections = new Map<string, Record<string, string>>();
  const add = (file: ProfileFileText | undefined, data: ParsedIniData, isConfig: boolean): void => {
    if (file === undefined) {
      return;
    }
    for (const [key, section] of Object.entries(data)) {
      // In the config file the loader keeps `sso-session.x` and `services.x` under those names.
      const typed = isConfig ? /^(sso-session|services)\.(.+)$/.exec(key) : null;
      if (typed !== null) {
        sections.set(`${typed[1] ?? ""}\0${typed[2] ?? ""}`, lowerKeys(section));
        continue;
      }
      let entry = profiles.get(key);
      if (entry === undefined) {
        entry = {
          values: Object.create(null) as Record<string, string>,
          origin: Object.create(null) as Record<string, ProfileFileText>,
          configValues: Object.create(null) as Record<string, string>,
          files: [],
        };
        profiles.set(key, entry);
      }
      entry.files.push(file);
      for (const [name, value] of Object.entries(lowerKeys(section))) {
        entry.values[name] = value;
        entry.origin[name] = file;
        if (isConfig) entry.configValues[name] = value;
      }
    }
  };
  add(texts.config, configData, true);
  add(texts.credentials, credentialsData, false);
  const files = [texts.config, texts.credentials].filter((file): file is ProfileFileText => file !== undefined);
  return {
    files,
    profile(name) {
      const entry = profiles.get(name);
      return entry === undefined ? undefined : Object.freeze({ name, ...entry });
    },
    names: () => [...profiles.keys()].sort(),
    section: (kind, name) => sections.get(`${kind}\0${name}`),
    rawSections: (kind) => {
      const file = kind === "config" ? texts.config : texts.credentials;
      if (file === undefined) {
        return [];
      }
      return [...file.text.matchAll(/^\s*\[([^\]\r\n]*)\]/gm)].map((match) => (match[1] ?? "").trim());
    },
  };
}

/**
 * Setting names in lower case, as the AWS CLI reads them (Python's configparser lower-cases option
 * names; the SDK's loader keeps them as written). A plain object without a prototype, so a key such
 * as `constructor` is just a key.
 */
function lowerKeys(section: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(section)) {
    if (value !== undefined) {
      out[name.toLowerCase()] = value;
    }
  }
  return out;
}
