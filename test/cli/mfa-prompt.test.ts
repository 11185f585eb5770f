/*
 * Issue 18 item 2: credential-process asks for an MFA code on the terminal — /dev/tty, never stdout
 * (the credential JSON) and never stdin (the AWS CLI's) — once, keeps the MFA-backed credential in
 * its file cache (the next run asks nothing), and without a terminal says MFA_REQUIRED and how to
 * get one. In-process with the terminal injected as streams, then the built binary on a real
 * pseudo-terminal (python3's pty) and without any controlling terminal (setsid).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CliTerminal } from "../../src/cli/cli-io.js";
import { runCli } from "../../src/cli/run-cli.js";
import { resetSharedState } from "../../src/sharing/process-state.js";
import { startStsEmulator, type StsEmulator } from "../../src/testing/sts-emulator.js";
import { usePeers } from "../helpers/peers.js";
import { runOnPty } from "../helpers/pty-run.js";
import { CLI_MAIN, ensureBuilt } from "../setup/build-dist.js";
import { captureIo, leakedSecrets } from "./cli-test-io.js";

const ROLE = "arn:aws:iam::123456789012:role/admin";
const MFA = "arn:aws:iam::111122223333:mfa/alice";
const CODE = "246810";
const BASE = { accessKeyId: "AKIAIOSFODNN7MFABASE", secretAccessKey: "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" };
const PROMPT = `Enter MFA code for ${MFA}: `;

let dir: string;
let sts: StsEmulator;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "eop-mfa-cli-"));
  writeFileSync(join(dir, "credentials"), `[base]\naws_access_key_id = ${BASE.accessKeyId}\naws_secret_access_key = ${BASE.secretAccessKey}\n`);
  writeFileSync(join(dir, "config"), `[profile admin]\nrole_arn = ${ROLE}\nsource_profile = base\nmfa_serial = ${MFA}\n`);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  resetSharedState();
  rmSync(join(dir, "cache"), { recursive: true, force: true });
  sts = await startStsEmulator({ baseCredentials: [BASE], roles: { [ROLE]: { mfa: { serialNumber: MFA, code: CODE } } } });
});
afterEach(async () => {
  await sts.close();
});

/** The environment of a run: the temporary files and cache, STS at the emulator, no IMDS. */
function environment(): Record<string, string> {
  return {
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
    ENV_OR_PROFILE_CACHE_DIR: join(dir, "cache"),
    AWS_ENDPOINT_URL_STS: sts.endpoint,
    AWS_REGION: "us-east-1",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

/** A terminal as streams: `typed` is what the person types; `shown` what appeared on it. */
function streamTerminal(typed: string | undefined): { terminal: CliTerminal; shown: () => string } {
  const input = new PassThrough();
  if (typed !== undefined) input.end(typed);
  const shown: string[] = [];
  return { terminal: { input, output: { write: (text: string) => shown.push(text) } }, shown: () => shown.join("") };
}

async function credentialProcess(args: string[], terminal: string | CliTerminal) {
  const captured = captureIo({ ...environment(), ENV_OR_PROFILE_CACHE: undefined });
  captured.io.terminal = terminal;
  const code = await runCli(["credential-process", ...args], captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe("credential-process and an MFA role: the terminal (injected)", () => {
  it("asks on the terminal, sends the code, prints only the credential JSON on stdout", async () => {
    const terminal = streamTerminal(`${CODE}\n`);
    const result = await credentialProcess(["--profile", "admin"], terminal.terminal);
    expect(result.code).toBe(0);
    expect(terminal.shown()).toBe(PROMPT);
    expect(JSON.parse(result.stdout)).toMatchObject({ Version: 1, AccessKeyId: sts.issued[0]?.accessKeyId });
    expect(result.stdout).not.toContain("MFA");
    expect(sts.lastRequest).toMatchObject({ serialNumber: MFA, tokenCode: CODE });
  });

  it("keeps the MFA-backed credential: the next run asks nothing and makes no request", async () => {
    await credentialProcess(["--profile", "admin"], streamTerminal(`${CODE}\n`).terminal);
    const again = streamTerminal(undefined); // a terminal nobody types on
    const second = await credentialProcess(["--profile", "admin"], again.terminal);
    expect(second.code).toBe(0);
    expect(again.shown()).toBe("");
    expect(sts.calls).toBe(1);
  });

  it("with --role-arn and --mfa-serial too (a role on top of the chain)", async () => {
    const terminal = streamTerminal(`${CODE}\n`);
    const result = await credentialProcess(["--profile", "base", "--role-arn", ROLE, "--mfa-serial", MFA], terminal.terminal);
    expect(result.code).toBe(0);
    expect(terminal.shown()).toBe(PROMPT);
    expect(sts.lastRequest).toMatchObject({ roleArn: ROLE, serialNumber: MFA, tokenCode: CODE });
  });

  it("a code STS refuses: a clear error, one prompt, one request, no retry; the code is not shown", async () => {
    const terminal = streamTerminal("135791\n");
    const result = await credentialProcess(["--profile", "admin"], terminal.terminal);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`STS refused the MFA code for ${MFA}`);
    expect(terminal.shown()).toBe(PROMPT);
    expect(sts.calls).toBe(1);
    expect(leakedSecrets(result.stderr, ["135791", BASE.secretAccessKey])).toEqual([]);
  });

  it("a line that is not six digits: MFA_REQUIRED, and no request", async () => {
    const result = await credentialProcess(["--profile", "admin"], streamTerminal("12345\n").terminal);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("MFA_REQUIRED");
    expect(result.stderr).toContain("not six digits");
    expect(sts.requests).toEqual([]);
  });

  it("the terminal closed without a code: MFA_REQUIRED, and no request", async () => {
    const result = await credentialProcess(["--profile", "admin"], streamTerminal("").terminal);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("No MFA code for");
    expect(sts.requests).toEqual([]);
  });

  it("no terminal to open: MFA_REQUIRED saying how to get the credential, and no request", async () => {
    const result = await credentialProcess(["--profile", "admin"], join(dir, "no-such-tty"));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("MFA_REQUIRED");
    expect(result.stderr).toContain("there is no terminal to ask on");
    expect(result.stderr).toContain("mfa_process");
    expect(sts.requests).toEqual([]);
  });
});

describe("the built binary on a real terminal", () => {
  const peers = usePeers("python3");
  beforeAll(async () => {
    if (peers.ready) await ensureBuilt();
  }, 90_000);

  it("prompts on the pseudo-terminal (its /dev/tty), never on stdout, and prints the credential on stdout", async () => {
    const run = await runOnPty([process.execPath, CLI_MAIN, "credential-process", "--profile", "admin"], {
      env: { ...environment(), PATH: process.env["PATH"] ?? "" },
      prompt: PROMPT.trim(),
      answer: `${CODE}\n`,
    });
    expect(run).toMatchObject({ exitCode: 0, prompts: 1 });
    expect(run.terminal).toContain(CODE); // the terminal echoed what was typed
    expect(JSON.parse(run.stdout)).toMatchObject({ Version: 1, AccessKeyId: sts.issued[0]?.accessKeyId });
    expect(sts.lastRequest).toMatchObject({ tokenCode: CODE });
  });

  it("without a controlling terminal (setsid): MFA_REQUIRED at once, no request", async () => {
    // python's os.setsid gives the binary a session of its own, with no controlling terminal.
    const detached = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        "python3",
        ["-c", "import os, sys; os.setsid(); os.execv(sys.argv[1], sys.argv[1:])", process.execPath, CLI_MAIN, "credential-process", "--profile", "admin"],
        { env: { ...environment(), PATH: process.env["PATH"] ?? "" }, timeout: 30_000 },
        (error, out, err) => resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? null), stdout: out, stderr: err }),
      );
    });
    expect(detached.code).toBe(1);
    expect(detached.stdout).toBe("");
    expect(detached.stderr).toContain("MFA_REQUIRED");
    expect(detached.stderr).toContain("/dev/tty");
    expect(sts.requests).toEqual([]);
  });
});
