import { chmodSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { captureIo } from "./cli-test-io.js";

const BINARY = { node: "/opt/node/bin/node", script: "/opt/lib/node_modules/env-or-profile/dist/cli/main.js" };
const ROLE_WORDS = "--role-arn arn:aws:iam::123456789012:role/partner --external-id tenant-42";
/** The line when no profile has credentials: its source named as --no-profile. */
const LINE = `credential_process = ${BINARY.node} ${BINARY.script} credential-process --no-profile ${ROLE_WORDS}`;
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
    const result = await setup(["partner", ...ROLE, "--no-profile"]);
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

describe("env-or-profile setup-aws-profile: the line names its source, so it works however the profile is selected", () => {
  const line = (source: string) => `credential_process = ${BINARY.node} ${BINARY.script} credential-process ${source} ${ROLE_WORDS}`;

  it("keeps --profile P as given (warning only that there is no such profile yet)", async () => {
    const result = await setup(["partner", ...ROLE, "--profile", "base"]);
    expect(result).toMatchObject({ code: 0, stdout: `[profile partner]\n${line("--profile base")}\n` });
    expect(result.stderr).toBe('env-or-profile setup-aws-profile: warning: profile "base" is not in the AWS config or credentials file (yet); the line fails with PROFILE_NOT_FOUND until it is\n');
  });

  it("names AWS_PROFILE's profile when it is set (and not the one being set up), and says so on stderr", async () => {
    const result = await setup(["partner", ...ROLE], { AWS_PROFILE: "base" });
    expect(result.stdout).toBe(`[profile partner]\n${line("--profile base")}\n`);
    expect(result.stderr).toContain("--profile base (AWS_PROFILE=base as this command ran)");
    expect(result.stderr).toContain("so it never runs [profile partner] itself");
    expect(result.stderr).toContain('warning: profile "base" is not in the AWS config or credentials file (yet)');
  });

  it("does not warn about a source profile that is there", async () => {
    const credentials = join(home, "credentials");
    writeFileSync(credentials, "[base]\naws_access_key_id = AKIAIOSFODNN7SETUP01\naws_secret_access_key = setup-secret-setup-secret\n");
    const result = await setup(["partner", ...ROLE, "--profile", "base"], { AWS_SHARED_CREDENTIALS_FILE: credentials });
    expect(result.stderr).toBe("");
  });

  it("names [default] when it has credentials", async () => {
    const credentials = join(home, "credentials");
    writeFileSync(credentials, "[default]\naws_access_key_id = AKIAIOSFODNN7SETUP01\naws_secret_access_key = setup-secret-setup-secret\n");
    const result = await setup(["partner", ...ROLE], { AWS_SHARED_CREDENTIALS_FILE: credentials });
    expect(result.stdout).toBe(`[profile partner]\n${line("--profile default")}\n`);
    expect(result.stderr).toContain(`[default] in ${credentials} has credentials`);
    expect(result.stderr).not.toContain("setup-secret");
  });

  it("says --no-profile when no profile has credentials ([default] with only a region has none)", async () => {
    const config = join(home, "config");
    writeFileSync(config, "[default]\nregion = eu-west-1\n");
    const result = await setup(["partner", ...ROLE], { AWS_CONFIG_FILE: config, AWS_PROFILE: "partner" });
    expect(result.stdout).toBe(`[profile partner]\n${line("--no-profile")}\n`);
    expect(result.stderr).toContain("--no-profile");
  });

  it("writes a [default] block that never names [default] as its own source", async () => {
    const credentials = join(home, "credentials");
    writeFileSync(credentials, "[default]\naws_access_key_id = AKIAIOSFODNN7SETUP01\naws_secret_access_key = setup-secret-setup-secret\n");
    const result = await setup(["default", ...ROLE], { AWS_SHARED_CREDENTIALS_FILE: credentials });
    expect(result.stdout).toBe(`[default]\n${line("--no-profile")}\n`);
  });

  it("refuses --profile NAME for profile NAME (it would run itself): exit 2, nothing printed", async () => {
    const result = await setup(["partner", ...ROLE, "--profile", "partner"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("--profile partner is the profile being set up: its credential_process would run itself");
  });

  it("carries --mfa-serial onto the line", async () => {
    const result = await setup(["admin", ...ROLE, "--no-profile", "--mfa-serial", "arn:aws:iam::123456789012:mfa/alice"]);
    expect(result.stdout).toContain(`${ROLE_WORDS} --mfa-serial arn:aws:iam::123456789012:mfa/alice\n`);
  });
});

describe("credential-process --help", () => {
  it("shows this installation's credential_process line, never npx", async () => {
    const captured = captureIo({});
    captured.io.binary = BINARY;
    expect(await runCli(["credential-process", "--help"], captured.io)).toBe(0);
    expect(captured.stdout()).toContain(`credential_process = ${BINARY.node} ${BINARY.script} credential-process --profile SOURCE\n`);
    expect(captured.stdout()).not.toContain("npx");
  });
});
