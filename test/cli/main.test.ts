import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { startStsEmulator } from "../../src/testing/sts-emulator.js";
import { CLI_MAIN, ROOT, ensureBuilt } from "../setup/build-dist.js";
import { CLOSED_PORT_ENDPOINT, ENV_KEYS, leakedSecrets } from "./cli-test-io.js";

const exec = promisify(execFile);

interface Spawned {
  code: number;
  stdout: string;
  stderr: string;
}

/** This test file's temporary home and cache directory, as the isolate-home setup made them. */
function temporaryHome(): Record<string, string> {
  const { HOME = "", ENV_OR_PROFILE_CACHE_DIR = "" } = process.env;
  if (!HOME.startsWith(tmpdir())) {
    throw new Error(`HOME is not a temporary directory (${HOME}): is test/setup/isolate-home.ts in vitest's setupFiles?`);
  }
  return { HOME, ENV_OR_PROFILE_CACHE_DIR };
}

/** Runs `node dist/cli/main.js …args` with only the given environment (plus PATH). */
async function cli(args: string[], env: Record<string, string> = {}): Promise<Spawned> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI_MAIN, ...args], {
      cwd: ROOT,
      // The file cache off, and the test file's temporary home (see test/setup/isolate-home.ts): a child
      // without HOME would find the real one in the password file.
      env: { PATH: process.env["PATH"] ?? "", ...temporaryHome(), AWS_EC2_METADATA_SERVICE_ENDPOINT: CLOSED_PORT_ENDPOINT, ENV_OR_PROFILE_CACHE: "off", ...env },
      timeout: 15_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    return { code: typeof failed.code === "number" ? failed.code : -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

beforeAll(ensureBuilt, 90_000);

describe("the env-or-profile binary", () => {
  it("starts with a node shebang", async () => {
    const { readFile } = await import("node:fs/promises");
    expect((await readFile(CLI_MAIN, "utf8")).startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("explains every link and exits 1 on a machine with no credentials", async () => {
    const result = await cli(["explain"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/1\. env\s+skipped.*ENV_NOT_SET/);
    expect(result.stdout).toMatch(/5\. imds\s+skipped.*IMDS_UNAVAILABLE/);
    expect(result.stdout).toContain("Result: no credentials.");
    expect(result.stderr).toContain("no credentials");
  });

  it("prints exactly one line of credential_process JSON on stdout", async () => {
    const result = await cli(["credential-process"], ENV_KEYS);
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split("\n")).toHaveLength(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ Version: 1, AccessKeyId: ENV_KEYS.AWS_ACCESS_KEY_ID });
  });

  it("prints no secret in the status, explain, help or error output", async () => {
    const outputs = await Promise.all([cli([], ENV_KEYS), cli(["--json"], ENV_KEYS), cli(["explain", "--json"], ENV_KEYS), cli(["--help"], ENV_KEYS), cli(["--nope"], ENV_KEYS)]);
    for (const output of outputs) {
      expect(leakedSecrets(output.stdout + output.stderr, Object.values(ENV_KEYS))).toEqual([]);
    }
  });

  it("keeps stderr free of the AWS SDK's Node-version warning, which the AWS CLI would show on every call", async () => {
    const sts = await startStsEmulator({
      baseCredentials: [{ accessKeyId: ENV_KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: ENV_KEYS.AWS_SECRET_ACCESS_KEY, sessionToken: ENV_KEYS.AWS_SESSION_TOKEN }],
    });
    try {
      const result = await cli(["credential-process", "--role-arn", "arn:aws:iam::123456789012:role/partner"], {
        ...ENV_KEYS,
        AWS_ENDPOINT_URL_STS: sts.endpoint,
      });
      expect(result.code).toBe(0);
      expect(sts.calls).toBe(1);
      expect(result.stderr).not.toContain("NodeVersionSupportWarning");
    } finally {
      await sts.close();
    }
  });

  it("exits 2 for a bad command line", async () => {
    const result = await cli(["explain", "--bogus"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--bogus");
  });

  /** Runs the CLI with a preload that reports, at exit, how many AWS SDK modules were loaded. */
  async function sdkModulesLoaded(args: string[], env: Record<string, string>): Promise<number> {
    const probe =
      "data:text/javascript," +
      encodeURIComponent(
        'import{createRequire}from"node:module";const r=createRequire("file:///probe.js");' +
          'process.on("exit",()=>process.stderr.write("SDK_MODULES="+Object.keys(r.cache).filter(k=>k.includes("@aws-sdk")).length+"\\n"));',
      );
    const result = await exec(process.execPath, ["--import", probe, CLI_MAIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env["PATH"] ?? "", ...temporaryHome(), AWS_EC2_METADATA_SERVICE_ENDPOINT: CLOSED_PORT_ENDPOINT, ...ENV_KEYS, ...env },
    }).catch((error: unknown) => error as { stderr: string });
    return Number(/SDK_MODULES=(\d+)/.exec(result.stderr)?.[1] ?? "-1");
  }

  it("does not load the AWS SDK for the status", async () => {
    expect(await sdkModulesLoaded(["--json"], {})).toBe(0);
  });

  it("loads the AWS SDK for decode-authorization-message, so the probe above can see it", async () => {
    expect(await sdkModulesLoaded(["decode-authorization-message", "abc"], { AWS_ENDPOINT_URL_STS: CLOSED_PORT_ENDPOINT })).toBeGreaterThan(0);
  });
});
