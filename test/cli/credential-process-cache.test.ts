import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { startStsEmulator } from "../../src/testing/sts-emulator.js";
import { captureIo, ENV_KEYS } from "./cli-test-io.js";
import { CACHE_WORLD_ROLE, CACHE_WORLD_ROLE_ARN, useCliCacheWorld } from "../helpers/cli-cache-world.js";

const ROLE_ARN = CACHE_WORLD_ROLE_ARN;
const MINUTE = 60_000;
const ROLE = CACHE_WORLD_ROLE;

const world = useCliCacheWorld("eop-cp-cache-");
const credentialFetches = (): number => world.credentialFetches();

/** One credential-process run against the emulators, with the cache in the temporary home. */
async function credentialProcess(args: string[] = [], env: Record<string, string | undefined> = {}) {
  const { code, stdout, stderr } = await world.run(["credential-process", ...args], env);
  return { code, json: stdout === "" ? undefined : (JSON.parse(stdout) as Record<string, string>), stderr };
}

describe("credential-process keeps its credential across runs", () => {
  it("ten runs make one IMDS credentials fetch and one AssumeRole, and print the same credential", async () => {
    const outputs = [];
    for (let run = 0; run < 10; run++) {
      outputs.push((await credentialProcess(ROLE)).json);
    }
    expect(credentialFetches()).toBe(1);
    expect(world.sts.calls).toBe(1);
    expect(new Set(outputs.map((output) => output?.["AccessKeyId"])).size).toBe(1);
    expect(outputs[9]?.["AccessKeyId"]).toBe(world.sts.issued[0]?.accessKeyId);
  });

  it("keeps instance-profile credentials too (no role): one IMDS fetch for ten runs", async () => {
    for (let run = 0; run < 10; run++) {
      expect((await credentialProcess()).json?.["AccessKeyId"]).toBe(world.imds.current.accessKeyId);
    }
    expect(credentialFetches()).toBe(1);
  });

  it("leaves the cache directory 0700 and every file in it 0600", async () => {
    await credentialProcess(ROLE);
    const dir = join(world.home, "cache");
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const name of readdirSync(dir)) {
      expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    }
  });

  it("fetches every time with --no-cache, and writes nothing", async () => {
    await credentialProcess([...ROLE, "--no-cache"]);
    await credentialProcess([...ROLE, "--no-cache"]);
    expect(world.sts.calls).toBe(2);
    expect(() => readdirSync(join(world.home, "cache"))).toThrow();
  });

  it("fetches every time with ENV_OR_PROFILE_CACHE=off", async () => {
    await credentialProcess(ROLE, { ENV_OR_PROFILE_CACHE: "off" });
    await credentialProcess(ROLE, { ENV_OR_PROFILE_CACHE: "off" });
    expect(world.sts.calls).toBe(2);
  });

  it("does not touch the cache for keys in the environment and no role (nothing to fetch)", async () => {
    expect((await credentialProcess([], { ...ENV_KEYS })).json?.["AccessKeyId"]).toBe(ENV_KEYS.AWS_ACCESS_KEY_ID);
    expect(() => readdirSync(join(world.home, "cache"))).toThrow();
  });
});

describe("credential-process's cache key: a different answer never hits another's entry", () => {
  it("another ExternalId is another entry", async () => {
    await credentialProcess(ROLE);
    await credentialProcess(["--role-arn", ROLE_ARN, "--external-id", "tenant-43"]);
    expect(world.sts.calls).toBe(2);
  });

  it("another session name or duration is another entry", async () => {
    await credentialProcess(ROLE);
    await credentialProcess([...ROLE, "--session-name", "other"]);
    await credentialProcess([...ROLE, "--duration", "1800"]);
    expect(world.sts.calls).toBe(3);
  });

  it("another region or STS endpoint is another entry", async () => {
    await credentialProcess(ROLE);
    await credentialProcess(ROLE, { AWS_REGION: "eu-west-1" });
    await credentialProcess(ROLE, { AWS_ENDPOINT_URL_STS: `${world.sts.endpoint}/` });
    expect(world.sts.calls).toBe(3);
  });

  it("a different secret for the same key id never gets the cached role credential", async () => {
    const keys = { accessKeyId: ENV_KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: ENV_KEYS.AWS_SECRET_ACCESS_KEY, sessionToken: ENV_KEYS.AWS_SESSION_TOKEN };
    const base = await startStsEmulator({ clock: world.clock, baseCredentials: [keys] });
    try {
      const first = await credentialProcess(ROLE, { ...ENV_KEYS, AWS_ENDPOINT_URL_STS: base.endpoint });
      const second = await credentialProcess(ROLE, { ...ENV_KEYS, AWS_SECRET_ACCESS_KEY: "another-secret-DO-NOT-PRINT", AWS_ENDPOINT_URL_STS: base.endpoint });
      expect(first.code).toBe(0);
      expect(second.code).toBe(1); // STS refused the wrong secret: the entry of the right one was not served
      expect(second.json).toBeUndefined();
      expect(base.calls).toBe(2);
    } finally {
      await base.close();
    }
  });

  it("an edited shared config file is another entry", async () => {
    writeFileSync(join(world.home, "config"), "[default]\nregion = us-east-1\n");
    await credentialProcess(ROLE);
    writeFileSync(join(world.home, "config"), "[default]\nregion = us-east-1\n\n[profile other]\nregion = us-west-2\n");
    await credentialProcess(ROLE);
    expect(world.sts.calls).toBe(2);
  });

  it("another profile (AWS_PROFILE) is another entry", async () => {
    const base = await startStsEmulator({ clock: world.clock, baseCredentials: [{ accessKeyId: ENV_KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: ENV_KEYS.AWS_SECRET_ACCESS_KEY }] });
    try {
      const keys = `aws_access_key_id = ${ENV_KEYS.AWS_ACCESS_KEY_ID}\naws_secret_access_key = ${ENV_KEYS.AWS_SECRET_ACCESS_KEY}\n`;
      writeFileSync(join(world.home, "credentials"), `[a]\n${keys}[b]\n${keys}`);
      const a = await credentialProcess(ROLE, { AWS_PROFILE: "a", AWS_ENDPOINT_URL_STS: base.endpoint });
      const b = await credentialProcess(ROLE, { AWS_PROFILE: "b", AWS_ENDPOINT_URL_STS: base.endpoint });
      expect([a.code, b.code]).toEqual([0, 0]);
      expect(base.calls).toBe(2);
    } finally {
      await base.close();
    }
  });

  it("another --profile is another entry, and the same --profile hits", async () => {
    const base = await startStsEmulator({ clock: world.clock, baseCredentials: [{ accessKeyId: ENV_KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: ENV_KEYS.AWS_SECRET_ACCESS_KEY }] });
    try {
      const keys = `aws_access_key_id = ${ENV_KEYS.AWS_ACCESS_KEY_ID}\naws_secret_access_key = ${ENV_KEYS.AWS_SECRET_ACCESS_KEY}\n`;
      writeFileSync(join(world.home, "credentials"), `[a]\n${keys}[b]\n${keys}`);
      const env = { AWS_ENDPOINT_URL_STS: base.endpoint };
      expect((await credentialProcess([...ROLE, "--profile", "a"], env)).code).toBe(0);
      expect((await credentialProcess([...ROLE, "--profile", "a"], env)).code).toBe(0);
      expect((await credentialProcess([...ROLE, "--profile", "b"], env)).code).toBe(0);
      expect(base.calls).toBe(2);
    } finally {
      await base.close();
    }
  });

  it("turning the debug lines on is not another entry", async () => {
    await credentialProcess(ROLE);
    const debug = await credentialProcess(ROLE, { ENV_OR_PROFILE_DEBUG: "1" });
    expect(world.sts.calls).toBe(1);
    expect(debug.stderr).toMatch(/file cache: served .*[0-9a-f]{64}\.json/);
  });
});

describe("credential-process and botocore's 15-minute refresh window", () => {
  it("serves the cached credential while it has more than 20 minutes left, then prints a fresh one", async () => {
    const first = (await credentialProcess(ROLE)).json;
    world.clock.advance(39 * MINUTE); // 21 minutes left
    expect((await credentialProcess(ROLE)).json?.["AccessKeyId"]).toBe(first?.["AccessKeyId"]);
    world.clock.advance(2 * MINUTE); // 19 minutes left: inside the 15 + 5 minute window
    const fresh = (await credentialProcess(ROLE)).json;
    expect(world.sts.calls).toBe(2);
    expect(fresh?.["AccessKeyId"]).not.toBe(first?.["AccessKeyId"]);
  });

  it("never prints a credential inside botocore's window when a fresher one can be had", async () => {
    for (let minute = 0; minute < 180; minute += 7) {
      const printed = (await credentialProcess(ROLE)).json;
      const leftMs = Date.parse(printed?.["Expiration"] ?? "") - world.clock.now();
      expect(leftMs).toBeGreaterThanOrEqual(15 * MINUTE);
      world.clock.advance(7 * MINUTE);
    }
  });

  it("takes the window from --refresh-window, and from ENV_OR_PROFILE_REFRESH_WINDOW_SECONDS", async () => {
    await credentialProcess([...ROLE, "--refresh-window", "600"]);
    world.clock.advance(45 * MINUTE); // 15 minutes left, outside a 10-minute window
    await credentialProcess([...ROLE, "--refresh-window", "600"]);
    await credentialProcess(ROLE, { ENV_OR_PROFILE_REFRESH_WINDOW_SECONDS: "600" });
    expect(world.sts.calls).toBe(1);
    await credentialProcess(ROLE);
    expect(world.sts.calls).toBe(2);
  });

  it("rejects a --refresh-window that is not a whole number of seconds, exit 2", async () => {
    const result = await credentialProcess([...ROLE, "--refresh-window", "20m"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--refresh-window must be a whole number of seconds");
  });

  it("with --duration 900 warns once, on the run that fetched, that botocore will run it before every call", async () => {
    const fetched = await credentialProcess([...ROLE, "--duration", "900"]);
    const served = await credentialProcess([...ROLE, "--duration", "900"]);
    expect(fetched.stderr.match(/warning: --duration 900 is within botocore's 15-minute refresh window/g)).toHaveLength(1);
    expect(served.stderr).toBe("");
    expect(world.sts.calls).toBe(1);
  });

  it("with --duration 900 still reuses the credential for the first half of its life: bounded AssumeRoles", async () => {
    for (let minute = 0; minute < 60; minute += 1) {
      await credentialProcess([...ROLE, "--duration", "900"]);
      world.clock.advance(MINUTE);
    }
    expect(world.sts.calls).toBeLessThanOrEqual(8); // one per 7.5 minutes, not one per call
    expect(world.sts.calls).toBeGreaterThanOrEqual(7);
  });

  it("does not warn for a one-hour role", async () => {
    expect((await credentialProcess(ROLE)).stderr).toBe("");
  });
});

describe("credential-process --print-config", () => {
  it("prints the credential_process line with absolute paths and the role options", async () => {
    const captured = captureIo({});
    captured.io.binary = { node: "/opt/node/bin/node", script: "/opt/lib/node_modules/env-or-profile/dist/cli/main.js" };
    expect(await runCli(["credential-process", ...ROLE, "--print-config"], captured.io)).toBe(0);
    expect(captured.stdout()).toBe(
      `credential_process = /opt/node/bin/node /opt/lib/node_modules/env-or-profile/dist/cli/main.js credential-process --no-profile --role-arn ${ROLE_ARN} --external-id tenant-42\n`,
    );
    expect(captured.stderr()).toContain("the line names its source, --no-profile");
  });

  it("keeps the source given (--profile P), and names AWS_PROFILE's profile when none is given", async () => {
    const given = captureIo({});
    given.io.binary = { node: "/n", script: "/m.js" };
    await runCli(["credential-process", "--profile", "base", "--print-config"], given.io);
    expect(given.stdout()).toBe("credential_process = /n /m.js credential-process --profile base\n");
    const fromEnv = captureIo({ AWS_PROFILE: "base" });
    fromEnv.io.binary = { node: "/n", script: "/m.js" };
    await runCli(["credential-process", "--print-config"], fromEnv.io);
    expect(fromEnv.stdout()).toBe("credential_process = /n /m.js credential-process --profile base\n");
    expect(fromEnv.stderr()).toContain("AWS_PROFILE=base as this command ran");
  });

  it("quotes a path with a space for botocore's shell-style split", async () => {
    const captured = captureIo({});
    captured.io.binary = { node: "/Program Files/node", script: "/x/main.js" };
    await runCli(["credential-process", "--print-config"], captured.io);
    expect(captured.stdout()).toBe("credential_process = '/Program Files/node' /x/main.js credential-process --no-profile\n");
  });
});

describe("env-or-profile cache clear", () => {
  it("removes the cache's files and nothing else in the directory", async () => {
    await credentialProcess(ROLE);
    const dir = join(world.home, "cache");
    writeFileSync(join(dir, "notes.txt"), "mine");
    writeFileSync(join(dir, "0123.json"), "{}");
    mkdirSync(join(dir, "sub"));
    const captured = captureIo({ ENV_OR_PROFILE_CACHE_DIR: dir });
    expect(await runCli(["cache", "clear"], captured.io)).toBe(0);
    expect(captured.stdout()).toBe(`Removed 2 cache files from ${dir}\n`); // the entry and the salt
    expect(readdirSync(dir).sort()).toEqual(["0123.json", "notes.txt", "sub"]);
  });

  it("says a missing directory is already clear", async () => {
    const captured = captureIo({ ENV_OR_PROFILE_CACHE_DIR: join(world.home, "none") });
    expect(await runCli(["cache", "clear"], captured.io)).toBe(0);
    expect(captured.stdout()).toContain("Removed 0 cache files");
  });

  it("refuses a directory that is not the user's alone", async () => {
    const dir = join(world.home, "open");
    mkdirSync(dir, { mode: 0o777 });
    const captured = captureIo({ ENV_OR_PROFILE_CACHE_DIR: dir });
    expect(await runCli(["cache", "clear"], captured.io)).toBe(1);
    expect(captured.stderr()).toContain("group or others have access");
  });

  it("exits 2 for an unknown action", async () => {
    const captured = captureIo({});
    expect(await runCli(["cache", "purge"], captured.io)).toBe(2);
  });
});
