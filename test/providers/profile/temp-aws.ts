/*
 * A temporary HOME with its own ~/.aws, for profile tests: never the real ~/.aws.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A temp HOME with optional `.aws/config` and `.aws/credentials`. */
export interface TempAws {
  readonly home: string;
  readonly configFile: string;
  readonly credentialsFile: string;
  /** A clean environment whose HOME is the temp one (no AWS_* variables). */
  env(extra?: Record<string, string | undefined>): Record<string, string | undefined>;
  /** (Re)writes the config file. */
  writeConfig(text: string): void;
  /** (Re)writes the credentials file. */
  writeCredentials(text: string): void;
  /** Writes any file under the temp HOME and returns its path. */
  writeFile(name: string, text: string, mode?: number): string;
  remove(): void;
}

/** Makes a temp HOME; `config` / `credentials` are written when given. */
export function tempAws(files: { config?: string; credentials?: string } = {}): TempAws {
  const home = mkdtempSync(join(tmpdir(), "eop-profile-"));
  mkdirSync(join(home, ".aws"));
  const configFile = join(home, ".aws", "config");
  const credentialsFile = join(home, ".aws", "credentials");
  const aws: TempAws = {
    home,
    configFile,
    credentialsFile,
    env: (extra = {}) => ({ HOME: home, PATH: process.env.PATH, ...extra }),
    writeConfig: (text) => writeFileSync(configFile, text),
    writeCredentials: (text) => writeFileSync(credentialsFile, text),
    writeFile: (name, text, mode) => {
      const path = join(home, name);
      writeFileSync(path, text, mode === undefined ? undefined : { mode });
      return path;
    },
    remove: () => rmSync(home, { recursive: true, force: true }),
  };
  if (files.config !== undefined) aws.writeConfig(files.config);
  if (files.credentials !== undefined) aws.writeCredentials(files.credentials);
  return aws;
}

/** The rejection of `promise` (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}
