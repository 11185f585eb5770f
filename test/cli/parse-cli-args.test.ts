import { describe, expect, it } from "vitest";
import { parseCliArgs } from "../../src/cli/parse-cli-args.js";
import { runCli } from "../../src/cli/run-cli.js";
import { UsageError } from "../../src/cli/usage-error.js";
import { captureIo } from "./cli-test-io.js";

describe("the command line", () => {
  it("runs the status when no command is given", () => {
    expect(parseCliArgs([], {})).toEqual({ command: "status", json: false, role: undefined, positionals: [], flags: {}, noProfile: false });
  });

  it("reads --no-profile, and refuses it beside --profile", () => {
    expect(parseCliArgs(["credential-process", "--no-profile"], {})).toMatchObject({ noProfile: true, profile: undefined });
    expect(() => parseCliArgs(["credential-process", "--no-profile", "--profile", "x"], {})).toThrow(/--profile and --no-profile say opposite things/);
  });

  it("reads --mfa-serial (or ENV_OR_PROFILE_MFA_SERIAL) with a role, and refuses it without one", () => {
    const serial = "arn:aws:iam::123456789012:mfa/alice";
    expect(parseCliArgs(["credential-process", "--role-arn", "arn:aws:iam::123456789012:role/r", "--mfa-serial", serial], {})).toMatchObject({ role: { mfaSerial: serial } });
    expect(parseCliArgs(["credential-process", "--role-arn", "arn:aws:iam::123456789012:role/r"], { ENV_OR_PROFILE_MFA_SERIAL: serial })).toMatchObject({ role: { mfaSerial: serial } });
    expect(() => parseCliArgs(["credential-process", "--mfa-serial", serial], {})).toThrow(/--mfa-serial needs a role/);
  });

  it("reads --json after the command", () => {
    expect(parseCliArgs(["explain", "--json"], {})).toMatchObject({ command: "explain", json: true });
  });

  it("reads the role flags, with --duration as a number", () => {
    const args = parseCliArgs(
      ["credential-process", "--role-arn", "arn:aws:iam::123456789012:role/r", "--external-id", "x-1", "--session-name", "s1", "--duration", "900"],
      {},
    );
    expect(args).toMatchObject({
      role: { roleArn: "arn:aws:iam::123456789012:role/r", externalId: "x-1", roleSessionName: "s1", durationSeconds: 900 },
    });
  });

  it("lets a flag win over its environment variable", () => {
    const args = parseCliArgs(["--role-arn", "arn:aws:iam::123456789012:role/flag"], { ENV_OR_PROFILE_ROLE_ARN: "arn:aws:iam::123456789012:role/env" });
    expect(args).toMatchObject({ role: { roleArn: "arn:aws:iam::123456789012:role/flag" } });
  });

  it("does not read the SDK's AWS_ROLE_ARN, which belongs to web-identity credentials", () => {
    expect(parseCliArgs([], { AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/irsa" })).toMatchObject({ role: undefined });
  });

  it("rejects an ExternalId without a role", () => {
    expect(() => parseCliArgs(["credential-process", "--external-id", "x-1"], {})).toThrow(/--external-id needs a role/);
  });

  it("rejects a --duration that is not a whole number", () => {
    expect(() => parseCliArgs(["--role-arn", "arn:aws:iam::123456789012:role/r", "--duration", "1h"], {})).toThrow(UsageError);
  });

  it("rejects an unknown command and lists the commands", () => {
    expect(() => parseCliArgs(["explian"], {})).toThrow(/unknown command "explian"; the commands are explain, credential-process/);
  });

  it("asks for the encoded message of decode-authorization-message", () => {
    expect(() => parseCliArgs(["decode-authorization-message"], {})).toThrow(/encoded message is missing/);
  });

  it("does not echo the value of an option argument that starts with a dash", () => {
    let message = "";
    try {
      parseCliArgs(["--external-id", "-secret-looking"], {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("--external-id");
    expect(message).not.toContain("-secret-looking");
  });
});

describe("exit codes and help", () => {
  it("exits 2 with the error and a pointer to --help on stderr for an unknown option", async () => {
    const { io, stdout, stderr } = captureIo({});
    expect(await runCli(["explain", "--bogus"], io)).toBe(2);
    expect(stdout()).toBe("");
    expect(stderr()).toContain("Unknown option '--bogus'");
    expect(stderr()).toContain("env-or-profile explain --help");
  });

  it("exits 2 for a malformed --role-arn, naming the flag", async () => {
    const { io, stderr } = captureIo({});
    expect(await runCli(["credential-process", "--role-arn", "not-an-arn"], io)).toBe(2);
    expect(stderr()).toContain("--role-arn");
  });

  it.each(["status", "explain", "credential-process", "decode-authorization-message"])("prints help for %s with --help and exits 0", async (command) => {
    const { io, stdout } = captureIo({});
    expect(await runCli(command === "status" ? ["--help"] : [command, "--help"], io)).toBe(0);
    expect(stdout()).toMatch(/^Usage: env-or-profile/);
  });

  it("prints a command's help with `help <command>`", async () => {
    const { io, stdout } = captureIo({});
    expect(await runCli(["help", "credential-process"], io)).toBe(0);
    expect(stdout()).toContain("credential_process = ");
  });

  it("prints the package version with --version", async () => {
    const { io, stdout } = captureIo({});
    expect(await runCli(["--version"], io)).toBe(0);
    expect(stdout()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
