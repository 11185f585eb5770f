import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Where {@link isolatedEnv} points the home directory and the shared files: a path under the
 * system's temporary directory that env-or-profile never creates, so no profile is found there.
 */
export const ISOLATED_HOME: string = join(tmpdir(), "env-or-profile-isolated", "no-such-home");

/**
 * An environment for a test that holds only what the test gives it: no keys, no `AWS_PROFILE`, no
 * web identity, container or IMDS variables from the developer's machine or the CI runner, and a
 * home directory (and `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`) where no file exists —
 * unless `variables` sets them. Give it as the chain's environment, and it is the environment of
 * every link (and of an `assumeRole` step's STS location):
 *
 * ```ts
 * envOrProfile({ env: { env: isolatedEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint }) }, clock })
 * ```
 *
 * Nothing of `process.env` is read or copied. The object is frozen: make another for another world.
 *
 * @param variables - the variables this test's world has (`undefined` values are left out).
 * @returns a frozen environment object.
 * @example
 * ```ts
 * import { expect, test } from "vitest";
 * import { envOrProfile } from "env-or-profile";
 * import { isolatedEnv, manualClock, startImdsEmulator } from "env-or-profile/testing";
 *
 * test("gets the instance-profile credential, whatever the developer's machine has", async () => {
 *   const clock = manualClock();
 *   const imds = await startImdsEmulator({ clock });
 *   const credentials = envOrProfile({ env: { env: isolatedEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint }) }, clock });
 *   expect((await credentials()).accessKeyId).toBe(imds.current.accessKeyId);
 *   await imds.close();
 * });
 * ```
 */
export function isolatedEnv(variables: Readonly<Record<string, string | undefined>> = {}): Readonly<Record<string, string | undefined>> {
  const base: Record<string, string> = {
    HOME: ISOLATED_HOME,
    USERPROFILE: ISOLATED_HOME,
    AWS_CONFIG_FILE: join(ISOLATED_HOME, ".aws", "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(ISOLATED_HOME, ".aws", "credentials"),
  };
  const given = Object.entries(variables).filter((entry): entry is [string, string] => entry[1] !== undefined);
  const unset = new Set(Object.entries(variables).filter(([, value]) => value === undefined).map(([name]) => name));
  return Object.freeze(Object.fromEntries([...Object.entries(base).filter(([name]) => !unset.has(name)), ...given]));
}
