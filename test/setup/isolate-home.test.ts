import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { startStsEmulator } from "../../src/testing/sts-emulator.js";
import { CLOSED_PORT_ENDPOINT, ENV_KEYS } from "../cli/cli-test-io.js";
import { guardedDirs, snapshotChanges, snapshotDir } from "./real-home-guard.js";

const ISOLATED = ["HOME", "XDG_CACHE_HOME", "ENV_OR_PROFILE_CACHE_DIR", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"] as const;

describe("the isolate-home setup file", () => {
  it("points HOME, the cache variables and the AWS file variables into a temporary directory", () => {
    const home = process.env["HOME"] ?? "";
    expect(home.startsWith(tmpdir())).toBe(true);
    for (const name of ISOLATED) {
      expect(process.env[name]?.startsWith(home), name).toBe(true);
    }
  });

  it("makes the CLI's credential-process, given process.env as is, write its cache under the temporary home", async () => {
    const sts = await startStsEmulator({ baseCredentials: [{ accessKeyId: ENV_KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: ENV_KEYS.AWS_SECRET_ACCESS_KEY, sessionToken: ENV_KEYS.AWS_SESSION_TOKEN }] });
    try {
      const env = { ...process.env, ...ENV_KEYS, AWS_ENDPOINT_URL_STS: sts.endpoint, AWS_REGION: "us-east-1", AWS_EC2_METADATA_SERVICE_ENDPOINT: CLOSED_PORT_ENDPOINT };
      const out: string[] = [];
      const code = await runCli(["credential-process", "--role-arn", "arn:aws:iam::123456789012:role/isolated"], { env, stdout: (t) => out.push(t), stderr: (t) => out.push(t) });
      expect(code, out.join("")).toBe(0);
      const written = snapshotDir(process.env["ENV_OR_PROFILE_CACHE_DIR"] ?? "");
      expect(written.filter((line) => / file \d+ 600 /.test(line) && line.includes(".json "))).toHaveLength(1);
    } finally {
      await sts.close();
    }
  });
});

describe("the real-home guard", () => {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("guards the real ~/.aws and ~/.cache/env-or-profile, as the main vitest process sees them", () => {
    expect(guardedDirs({ HOME: "/home/someone" })).toEqual(["/home/someone/.aws", "/home/someone/.cache/env-or-profile"]);
    expect(guardedDirs({})).toContain(join(homedir(), ".aws"));
  });

  it("guards XDG_CACHE_HOME's and ENV_OR_PROFILE_CACHE_DIR's directories too when they are set", () => {
    expect(guardedDirs({ HOME: "/h", XDG_CACHE_HOME: "/x", ENV_OR_PROFILE_CACHE_DIR: "/c" })).toEqual(["/h/.aws", "/h/.cache/env-or-profile", "/x/env-or-profile", "/c"]);
  });

  it("sees no change in a directory that stays absent (a clean CI machine)", () => {
    const root = mkdtempSync(join(tmpdir(), "eop-guard-"));
    made.push(root);
    const dir = join(root, ".cache", "env-or-profile");
    expect(snapshotChanges(snapshotDir(dir), snapshotDir(dir))).toEqual([]);
  });

  it("reports a directory that a test created where there was none", () => {
    const root = mkdtempSync(join(tmpdir(), "eop-guard-"));
    made.push(root);
    const dir = join(root, ".cache", "env-or-profile");
    const before = snapshotDir(dir);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "a.json"), "{}");
    const changes = snapshotChanges(before, snapshotDir(dir));
    expect(changes).toContain(`- ${dir} absent`);
    expect(changes.some((line) => line.startsWith(`+ ${join(dir, "a.json")} file 2 `))).toBe(true);
  });

  it("reports a file added to or rewritten in a directory that was there", () => {
    const dir = mkdtempSync(join(tmpdir(), "eop-guard-"));
    made.push(dir);
    writeFileSync(join(dir, "config"), "[default]\n");
    const before = snapshotDir(dir);
    writeFileSync(join(dir, "config"), "[default]\nregion = eu-west-1\n");
    writeFileSync(join(dir, "credentials"), "");
    const changes = snapshotChanges(before, snapshotDir(dir));
    expect(changes.filter((line) => line.includes(join(dir, "config")))).toHaveLength(2);
    expect(changes.some((line) => line.startsWith(`+ ${join(dir, "credentials")} file 0 `))).toBe(true);
  });
});
