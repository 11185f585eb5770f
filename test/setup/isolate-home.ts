/*
 * Every test file starts with its own empty home: HOME, XDG_CACHE_HOME, ENV_OR_PROFILE_CACHE_DIR,
 * AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE point into a fresh temporary directory, so
 * nothing a test runs in-process (or spawns with `process.env`) reads the real ~/.aws or writes the
 * real ~/.cache/env-or-profile. A test that needs other values sets its own (its assignments run
 * after this file); a child process spawned with an explicit `env` must pass HOME itself (without
 * one, Node's os.homedir() in the child reads the password file: the real home). The
 * real-home-guard globalSetup fails the run if the real directories change anyway.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/** The variables this file points at the temporary home, with their paths inside it. */
export function isolatedHomeEnv(home: string): Record<string, string> {
  return {
    HOME: home,
    XDG_CACHE_HOME: join(home, ".cache"),
    ENV_OR_PROFILE_CACHE_DIR: join(home, ".cache", "env-or-profile"),
    AWS_CONFIG_FILE: join(home, ".aws", "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, ".aws", "credentials"),
  };
}

const home = mkdtempSync(join(tmpdir(), "eop-test-home-"));
Object.assign(process.env, isolatedHomeEnv(home));
if (process.env["USERPROFILE"] !== undefined) {
  process.env["USERPROFILE"] = home; // Windows reads this one instead of HOME
}

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});
