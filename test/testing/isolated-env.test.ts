/*
 * The README's test snippet on a developer's machine: a [default] profile in ~/.aws/credentials,
 * AWS_PROFILE set, container credentials variables exported. `isolatedEnv()` keeps every one of
 * them out: the emulator's credential is what the chain answers.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { envOrProfile } from "../../src/env-or-profile.js";
import { startImdsEmulator, type ImdsEmulator } from "../../src/testing/imds-emulator.js";
import { ISOLATED_HOME, isolatedEnv } from "../../src/testing/isolated-env.js";
import { manualClock } from "../../src/testing/manual-clock.js";

const MACHINE_KEYS = { accessKeyId: "AKIADEVELOPERMACHINE", secretAccessKey: "developer-machine-secret-0123456789" };
const saved = { ...process.env };
let home: string;
let imds: ImdsEmulator;

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), "eop-dev-machine-"));
  mkdirSync(join(home, ".aws"));
  const profile = (name: string) => `[${name}]\naws_access_key_id = ${MACHINE_KEYS.accessKeyId}\naws_secret_access_key = ${MACHINE_KEYS.secretAccessKey}\n`;
  writeFileSync(join(home, ".aws", "credentials"), profile("default") + profile("work"));
  Object.assign(process.env, {
    HOME: home,
    AWS_PROFILE: "work",
    AWS_CONFIG_FILE: join(home, ".aws", "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, ".aws", "credentials"),
    AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/creds",
    AWS_CONTAINER_AUTHORIZATION_TOKEN: "developer-machine-pod-token",
  });
  imds = await startImdsEmulator({ clock: manualClock() });
});

afterEach(async () => {
  await imds.close();
  for (const name of Object.keys(process.env)) {
    if (!(name in saved)) Reflect.deleteProperty(process.env, name);
  }
  Object.assign(process.env, saved);
  rmSync(home, { recursive: true, force: true });
});

describe("isolatedEnv() on a developer's machine", () => {
  it("without it, the README's snippet would answer with the developer's AWS_PROFILE (the machine's world)", async () => {
    const clock = manualClock();
    const credentials = envOrProfile({ env: false, imds: { endpoint: imds.endpoint }, clock });
    expect((await credentials()).accessKeyId).toBe(MACHINE_KEYS.accessKeyId);
  });

  it("with it, the chain answers with the emulator's credential, whatever the machine has", async () => {
    const clock = manualClock();
    const credentials = envOrProfile({ env: { env: isolatedEnv() }, imds: { endpoint: imds.endpoint }, clock });
    const credential = await credentials();
    expect(credential.accessKeyId).toBe(imds.current.accessKeyId);
    expect(credential.accessKeyId).not.toBe(MACHINE_KEYS.accessKeyId);
  });

  it("holds only what the test gives it, and a home where no file is", () => {
    const env = isolatedEnv({ AWS_REGION: "eu-west-1", AWS_CONFIG_FILE: undefined });
    expect(env).toEqual({
      HOME: ISOLATED_HOME,
      USERPROFILE: ISOLATED_HOME,
      AWS_SHARED_CREDENTIALS_FILE: join(ISOLATED_HOME, ".aws", "credentials"),
      AWS_REGION: "eu-west-1",
    });
    expect(Object.isFrozen(env)).toBe(true);
    expect(Object.keys(env).some((name) => name.startsWith("AWS_PROFILE") || name.startsWith("AWS_CONTAINER"))).toBe(false);
  });
});
