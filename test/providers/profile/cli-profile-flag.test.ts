/*
 * `--profile P` on the CLI commands that resolve credentials: the chain's profile link uses P,
 * explicitly (a missing P stops the chain), and `explain` shows the profile link and its files.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseCliArgs } from "../../../src/cli/parse-cli-args.js";
import { runCli } from "../../../src/cli/run-cli.js";
import { UsageError } from "../../../src/cli/usage-error.js";
import { captureIo } from "../../cli/cli-test-io.js";
import { tempAws, type TempAws } from "./temp-aws.js";

const KEY = "AKIAIOSFODNN7CLIFLAG1";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYCLIFLAG001";

let aws: TempAws;
beforeEach(() => {
  aws = tempAws({ credentials: `[work]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n` });
});
afterEach(() => {
  aws.remove();
});

describe("the CLI's --profile", () => {
  it("is accepted by every command that resolves credentials", () => {
    for (const argv of [
      ["--profile", "work"],
      ["explain", "--profile", "work"],
      ["credential-process", "--profile", "work"],
      ["decode-authorization-message", "x", "--profile", "work"],
      ["setup-aws-profile", "app", "--profile", "work"],
    ]) {
      const args = parseCliArgs(argv, {});
      expect(args.command !== "help" && args.command !== "version" ? args.profile : undefined, argv.join(" ")).toBe("work");
    }
  });

  it("refuses an empty profile name", () => {
    expect(() => parseCliArgs(["--profile", ""], {})).toThrow(UsageError);
  });

  it("makes the status use that profile", async () => {
    const { io, stdout } = captureIo(aws.env());
    expect(await runCli(["--profile", "work", "--json"], io)).toBe(0);
    expect(JSON.parse(stdout())).toMatchObject({ ok: true, source: "profile", accessKeyIdLast4: KEY.slice(-4) });
  });

  it("prints the profile's credentials from credential-process", async () => {
    const { io, stdout } = captureIo(aws.env());
    expect(await runCli(["credential-process", "--profile", "work", "--no-cache"], io)).toBe(0);
    expect(JSON.parse(stdout())).toMatchObject({ Version: 1, AccessKeyId: KEY, SecretAccessKey: SECRET });
  });

  it("stops at a missing profile rather than trying the links after it, and explain says so with the files", async () => {
    const { io, stdout, stderr } = captureIo(aws.env());
    expect(await runCli(["explain", "--profile", "wrok"], io)).toBe(1);
    expect(stdout()).toMatch(/2\. profile\s+FAILED.*PROFILE_NOT_FOUND/);
    expect(stdout()).toContain('did you mean "work"?');
    expect(stdout()).toMatch(/imds\s+not tried/);
    expect(stdout()).toContain(aws.credentialsFile);
    expect(stderr()).toContain("PROFILE_NOT_FOUND");
    expect(stdout() + stderr()).not.toContain(SECRET);
  });
});
