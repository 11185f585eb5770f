/*
 * `--no-profile` (what a credential_process line whose source is not a profile says): the chain
 * without its profile link, whatever AWS_PROFILE says.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { captureIo, ENV_KEYS } from "./cli-test-io.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "eop-no-profile-"));
  // A profile whose credential_process would fail loudly if it ran.
  writeFileSync(join(dir, "config"), "[profile partner]\ncredential_process = /nonexistent/never-run\n");
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const files = () => ({ HOME: dir, AWS_CONFIG_FILE: join(dir, "config"), AWS_SHARED_CREDENTIALS_FILE: join(dir, "none") });

describe("--no-profile", () => {
  it("never reads the profile AWS_PROFILE names: the environment keys answer", async () => {
    const captured = captureIo({ ...files(), ...ENV_KEYS, AWS_PROFILE: "partner" });
    expect(await runCli(["credential-process", "--no-profile", "--no-cache"], captured.io)).toBe(0);
    expect(JSON.parse(captured.stdout())).toMatchObject({ AccessKeyId: ENV_KEYS.AWS_ACCESS_KEY_ID });
  });

  it("explain says the profile link was not used, and why", async () => {
    const captured = captureIo({ ...files(), AWS_PROFILE: "partner" });
    await runCli(["explain", "--no-profile"], captured.io);
    expect(captured.stdout()).toMatch(/profile\s+skipped.*not used: --no-profile \(AWS_PROFILE is not read\)/);
    expect(captured.stdout() + captured.stderr()).not.toContain("never-run");
  });
});
