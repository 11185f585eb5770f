import { chmodSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { captureIo } from "./cli-test-io.js";

const BINARY = { node: "/opt/node/bin/node", script: "/opt/lib/node_modules/env-or-profile/dist/cli/main.js" };
const LINE = `credential_process = ${BINARY.node} ${BINARY.script} credential-process --role-arn arn:aws:iam::123456789012:role/partner --external-id tenant-42`;
const ROLE = ["--role-arn", "arn:aws:iam::123456789012:role/partner", "--external-id", "tenant-42"];

let home = "";
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "eop-setup-"));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

async function setup(args: string[], env: Record<string, string> = {}) {
  const captured = captureIo({ HOME: home, ...env });
  captured.io.binary = BINARY;
  const code = await runCli(["setup-aws-profile", ...args], captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe("env-or-profile setup-aws-profile", () => {
  it("prints the [profile NAME] block with absolute paths, and writes nothing", async () => {
    const result = await setup(["partner", ...ROLE]);
    expect(result).toEqual({ code: 0, stdout: `[profile partner]\n${LINE}\n`, stderr: "" });
    expect(() => statSync(join(home, ".aws"))).toThrow();
  });

  it("with --write creates ~/.aws (0700) and the config file (0600) with the block", async () => {
    expect((await setup(["partner", ...ROLE, "--write"])).code).toBe(0);
    const path = join(home, ".aws", "config");
    expect(readFileSync(path, "utf8")).toBe(`[profile partner]\n${LINE}\n`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, ".aws")).mode & 0o777).toBe(0o700);
  });

  it("appends to AWS_CONFIG_FILE after a blank line, keeping what is there and its mode", async () => {
    const path = join(home, "config");
    writeFileSync(path, "[default]\nregion = eu-west-1\n");
    chmodSync(path, 0o640);
    expect((await setup(["partner", ...ROLE, "--write"], { AWS_CONFIG_FILE: path })).code).toBe(0);
    expect(readFileSync(path, "utf8")).toBe(`[default]\nregion = eu-west-1\n\n[profile partner]\n${LINE}\n`);
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  it("never replaces a profile of that name: exit 1, the file unchanged", async () => {
    const path = join(home, "config");
    writeFileSync(path, "[profile partner]\nregion = eu-west-1\n");
    const result = await setup(["partner", ...ROLE, "--write", "--config-file", path]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("already has a [profile partner] section; not changed");
    expect(readFileSync(path, "utf8")).toBe("[profile partner]\nregion = eu-west-1\n");
  });

  it("writes through a symbolic link to its target, leaving the link in place", async () => {
    const target = join(home, "dotfiles-config");
    writeFileSync(target, "[default]\n");
    const link = join(home, "config");
    symlinkSync(target, link);
    expect((await setup(["partner", ...ROLE, "--write", "--config-file", link])).code).toBe(0);
    expect(readFileSync(target, "utf8")).toContain("[profile partner]");
    expect(lstatSync(link).isSymbolicLink()).toBe(true); // the link is left in place
    expect(readFileSync(link, "utf8")).toBe(readFileSync(target, "utf8"));
  });

  it("rejects a profile name with spaces or brackets, exit 2", async () => {
    expect((await setup(["bad name]"])).code).toBe(2);
  });

  it("asks for the profile name when it is missing, exit 2", async () => {
    const result = await setup([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("the profile name is missing");
  });
});

describe("credential-process --help", () => {
  it("shows this installation's credential_process line, never npx", async () => {
    const captured = captureIo({});
    captured.io.binary = BINARY;
    expect(await runCli(["credential-process", "--help"], captured.io)).toBe(0);
    expect(captured.stdout()).toContain(`credential_process = ${BINARY.node} ${BINARY.script} credential-process\n`);
    expect(captured.stdout()).not.toContain("npx");
  });
});
