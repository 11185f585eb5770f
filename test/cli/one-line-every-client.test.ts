/*
 * Issue 18 items 2, 7 and 9 with the real clients: the AWS CLI v2 (`AWS_CLI`), the AWS CLI v1 (the
 * first 1.x `aws` on PATH, or `AWS_CLI_V1`), boto3 and a Node app (the AWS SDK's own default chain,
 * and envOrProfile) all run one `credential_process` line that `env-or-profile setup-aws-profile`
 * printed and wrote:
 * - selected by `--profile partner`, by `AWS_PROFILE=partner`, and as `[default]`, they make one
 *   AssumeRole in total (the line names its source, so the file cache key holds no AWS_PROFILE);
 * - the line as it was before (no source) loops under AWS_PROFILE=partner: stopped at the first
 *   nested run, the AWS CLI shows PROCESS_LOOP with the fix;
 * - an MFA role: one code typed on the terminal (the AWS CLI v2 on a pseudo-terminal), then every
 *   other client — with no terminal at all — gets the same credential from the cache;
 * - an `aws login` profile through the line, for clients that cannot read one themselves (this
 *   AWS CLI v2 predates `aws login`; boto3 needs awscrt for it), the same credential as the SDK's
 *   fromIni reads;
 * - `ec2_metadata_v1_disabled = true` in the config against an IMDS that refuses the token PUT.
 * Every client but the one on the pty runs in a session with no controlling terminal (setsid), so
 * a prompt it should not make fails instead of waiting. HOME, the files and the cache are temporary.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromIni } from "@aws-sdk/credential-providers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startImdsEmulator, type ImdsEmulator } from "../../src/testing/imds-emulator.js";
import { startStsEmulator, type StsEmulator } from "../../src/testing/sts-emulator.js";
import { makeLoginToken, writeAwsLoginCache } from "../helpers/aws-login-cache.js";
import { AWS_CLI, awsCliV1, usePeers } from "../helpers/peers.js";
import { runOnPty } from "../helpers/pty-run.js";
import { CLI_MAIN, ensureBuilt, ROOT } from "../setup/build-dist.js";

const PARTNER_ROLE = "arn:aws:iam::123456789012:role/partner-upload";
const ADMIN_ROLE = "arn:aws:iam::123456789012:role/admin";
const MFA = "arn:aws:iam::123456789012:mfa/alice";
const CODE = "246810";
const BASE = { accessKeyId: "AKIAIOSFODNN7ONELINE1", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYONELINE01" };
const TOKEN_PATH = "/latest/api/token";
const IMDS_ROLE_PATH = "/latest/meta-data/iam/security-credentials/env-or-profile-demo-role";

const peers = usePeers("aws-cli-v2", "aws-cli-v1", "boto3", "python3");
let dir = "";
let imds: ImdsEmulator;
let sts: StsEmulator;

beforeAll(async () => {
  if (!peers.ready) return;
  await ensureBuilt();
  imds = await startImdsEmulator();
  sts = await startStsEmulator({ baseCredentials: [imds.current, BASE] });
  sts.setRole(PARTNER_ROLE, { externalId: "tenant-42" });
  sts.setRole(ADMIN_ROLE, { mfa: { serialNumber: MFA, code: CODE } });
}, 120_000);
afterAll(async () => {
  await imds?.close();
  await sts?.close();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "eop-one-line-"));
  writeFileSync(join(dir, "credentials"), `[base]\naws_access_key_id = ${BASE.accessKeyId}\naws_secret_access_key = ${BASE.secretAccessKey}\n`);
  writeFileSync(join(dir, "config"), "");
  sts?.reset();
  imds?.resetCounts();
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Every client's environment: the temporary HOME, files and cache; IMDS and STS at the emulators. */
function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
    ENV_OR_PROFILE_CACHE_DIR: join(dir, "cache"),
    AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
    AWS_ENDPOINT_URL_STS: sts.endpoint,
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1", // the AWS CLI v1 reads only this one
    AWS_PAGER: "",
    ...extra,
  };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `argv` in a session of its own with no controlling terminal (python's os.setsid). */
function detached(argv: readonly string[], environment: Record<string, string>, cwd = dir): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      "python3",
      ["-c", "import os, sys; os.setsid(); os.execvpe(sys.argv[1], sys.argv[1:], os.environ)", ...argv],
      { env: environment, cwd, timeout: 90_000, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number((error as { code?: unknown }).code ?? 1), stdout, stderr }),
    );
  });
}

/** `env-or-profile setup-aws-profile …` with the built binary; what it printed on stderr. */
async function setup(args: string[]): Promise<string> {
  const run = await detached([process.execPath, CLI_MAIN, "setup-aws-profile", ...args, "--write"], env());
  expect(run.code, run.stderr).toBe(0);
  return run.stderr;
}

/** The `credential_process` lines in the config file, by section. */
function lines(): Record<string, string> {
  const out: Record<string, string> = {};
  let section = "";
  for (const line of readFileSync(join(dir, "config"), "utf8").split("\n")) {
    const header = /^\[(.+)\]$/.exec(line.trim());
    if (header !== null) section = header[1] ?? "";
    const value = /^credential_process = (.*)$/.exec(line);
    if (value !== null) out[section] = value[1] ?? "";
  }
  return out;
}

/** Who STS says the caller is, through each client, selected as asked. */
const CLIENTS = {
  awsV2: (selection: Selection) => awsCli(AWS_CLI, selection),
  awsV1: (selection: Selection) => awsCli(awsCliV1() ?? "aws", selection),
  boto3: (selection: Selection) =>
    caller(
      detached(
        ["python3", "-c", "import boto3, sys; s = boto3.Session(profile_name=sys.argv[1] or None); print(s.client('sts').get_caller_identity()['Arn'])", selection.flag ?? ""],
        env(selection.env),
      ),
    ),
  nodeSdk: (selection: Selection) =>
    caller(
      detached(
        [
          process.execPath,
          "--input-type=module",
          "-e",
          `import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts"; const profile = process.argv[1]; const client = new STSClient(profile ? { profile } : {}); console.log((await client.send(new GetCallerIdentityCommand({}))).Arn);`,
          selection.flag ?? "",
        ],
        env(selection.env),
        ROOT,
      ),
    ),
  envOrProfile: (selection: Selection) =>
    caller(
      detached(
        [
          process.execPath,
          "--input-type=module",
          "-e",
          `import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts"; import { envOrProfile } from "env-or-profile"; const profile = process.argv[1]; const client = new STSClient({ credentials: envOrProfile(profile ? { profile: { profile } } : {}) }); console.log((await client.send(new GetCallerIdentityCommand({}))).Arn);`,
          selection.flag ?? "",
        ],
        env(selection.env),
        ROOT,
      ),
    ),
} as const;

/** How a client selects the profile: `--profile x` (or its SDK's profile option), `AWS_PROFILE=x`, or nothing (`[default]`). */
interface Selection {
  flag?: string;
  env?: Record<string, string>;
}

async function awsCli(binary: string, selection: Selection): Promise<string> {
  // This AWS CLI v2 (2.9) predates AWS_ENDPOINT_URL_STS: its own call is pointed at the emulator.
  return caller(detached([binary, "sts", "get-caller-identity", "--endpoint-url", sts.endpoint, "--output", "text", "--query", "Arn", ...(selection.flag === undefined ? [] : ["--profile", selection.flag])], env(selection.env)));
}

async function caller(running: Promise<Run>): Promise<string> {
  const run = await running;
  if (run.code !== 0) throw new Error(`client failed (${run.code}): ${run.stderr}`);
  return run.stdout.trim();
}

describe("one setup-aws-profile line, every client, however it is selected", () => {
  it("makes one AssumeRole in total: AWS CLI v2 and v1, boto3, the Node SDK and envOrProfile, by --profile, AWS_PROFILE and as [default]", async () => {
    const role = ["--role-arn", PARTNER_ROLE, "--external-id", "tenant-42", "--session-name", "one-line"];
    expect(await setup(["partner", ...role])).toContain("--no-profile");
    await setup(["default", ...role]);
    const written = lines();
    expect(written["profile partner"]).toBe(written["default"]);
    expect(written["default"]).toContain(" credential-process --no-profile --role-arn ");

    const selections: Selection[] = [{ flag: "partner" }, { env: { AWS_PROFILE: "partner" } }, {}];
    const arns = new Set<string>();
    for (const selection of selections) {
      for (const client of Object.values(CLIENTS)) {
        arns.add(await client(selection));
      }
    }
    expect([...arns]).toEqual(["arn:aws:sts::123456789012:assumed-role/partner-upload/one-line"]);
    expect(sts.callsByRole.get(PARTNER_ROLE)).toBe(1);
    expect(imds.count(IMDS_ROLE_PATH)).toBe(1);
  }, 300_000);

  it("the line with no source, under AWS_PROFILE=partner, loops no further than one nested run, and the AWS CLI shows why and the fix", async () => {
    writeFileSync(join(dir, "config"), `[profile partner]\ncredential_process = "${process.execPath}" "${CLI_MAIN}" credential-process --role-arn ${PARTNER_ROLE} --external-id tenant-42\n`);
    const run = await detached([AWS_CLI, "sts", "get-caller-identity", "--endpoint-url", sts.endpoint], env({ AWS_PROFILE: "partner" }));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("PROCESS_LOOP");
    expect(run.stderr).toContain("AWS_PROFILE=partner, which the program inherits");
    expect(run.stderr).toContain("--profile SOURCE");
    expect(run.stderr).not.toContain("PROCESS_FAILED");
    expect(sts.calls).toBe(0);
  }, 120_000);
});

describe("an MFA role through every client, with one code", () => {
  it("asks once, on the AWS CLI v2's terminal; the AWS CLI v1, boto3 and the Node SDK (no terminal) get the same credential from the cache", async () => {
    writeFileSync(join(dir, "config"), `[profile admin]\nrole_arn = ${ADMIN_ROLE}\nsource_profile = base\nrole_session_name = alice\nmfa_serial = ${MFA}\n`);
    await setup(["mfa-shared", "--profile", "admin"]);
    const first = await runOnPty([AWS_CLI, "sts", "get-caller-identity", "--endpoint-url", sts.endpoint, "--output", "text", "--query", "Arn", "--profile", "mfa-shared"], {
      env: env(),
      prompt: `Enter MFA code for ${MFA}:`,
      answer: `${CODE}\n`,
    });
    expect(first).toMatchObject({ exitCode: 0, prompts: 1 });
    const arn = first.stdout.trim();
    expect(arn).toBe("arn:aws:sts::123456789012:assumed-role/admin/alice");
    for (const client of [CLIENTS.awsV1, CLIENTS.boto3, CLIENTS.nodeSdk]) {
      expect(await client({ flag: "mfa-shared" })).toBe(arn);
    }
    expect(sts.callsByRole.get(ADMIN_ROLE)).toBe(1);
    expect(sts.requests.find((request) => request.action === "AssumeRole")).toMatchObject({ serialNumber: MFA, tokenCode: CODE, accessKeyId: BASE.accessKeyId });
  }, 300_000);

  it("a client with no terminal and no cached credential gets MFA_REQUIRED saying what to do, and STS gets nothing", async () => {
    writeFileSync(join(dir, "config"), `[profile admin]\nrole_arn = ${ADMIN_ROLE}\nsource_profile = base\nmfa_serial = ${MFA}\n`);
    await setup(["mfa-shared", "--profile", "admin"]);
    const run = await detached(["python3", "-c", "import boto3; print(boto3.Session(profile_name='mfa-shared').client('sts').get_caller_identity()['Arn'])"], env());
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("MFA_REQUIRED");
    expect(run.stderr).toContain("there is no terminal to ask on");
    expect(sts.calls).toBe(0);
  }, 120_000);
});

describe("an aws login profile through the line", () => {
  it("gives boto3 and this AWS CLI v2 (neither can read a login here) the credential the SDK's fromIni reads", async () => {
    const session = "arn:aws:iam::123456789012:user/Admin";
    const keys = { accessKeyId: "ASIAIOSFODNN7ONELOGIN", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYONELOGIN1", sessionToken: "IQoJb3JpZ2luX2VjONE-LINE-LOGIN-TOKEN-01" };
    writeAwsLoginCache(join(dir, ".aws", "login", "cache"), session, makeLoginToken(session, keys, Date.now() + 3_600_000));
    writeFileSync(join(dir, "config"), `[profile console]\nlogin_session = ${session}\nregion = us-east-1\n`);
    await setup(["console-app", "--profile", "console"]);
    const boto3 = await caller(detached(["python3", "-c", "import boto3, json; c = boto3.Session(profile_name='console-app').get_credentials(); print(json.dumps([c.access_key, c.secret_key, c.token]))"], env()));
    const exported = await caller(detached([AWS_CLI, "configure", "export-credentials", "--profile", "console-app", "--format", "process"], env()));
    vi.stubEnv("HOME", dir);
    try {
      const control = await fromIni({ profile: "console", configFilepath: join(dir, "config"), filepath: join(dir, "credentials"), ignoreCache: true })();
      expect(JSON.parse(boto3)).toEqual([control.accessKeyId, control.secretAccessKey, control.sessionToken]);
      expect(JSON.parse(exported)).toMatchObject({ AccessKeyId: control.accessKeyId, SessionToken: control.sessionToken });
      expect(control.accessKeyId).toBe(keys.accessKeyId);
    } finally {
      vi.unstubAllEnvs();
    }
  }, 120_000);
});

describe("ec2_metadata_v1_disabled = true in the config, against an IMDS that refuses the token PUT", () => {
  afterEach(() => {
    imds.clearFaults();
  });

  it("no IMDSv1 fallback: the AWS CLI shows IMDS_V1_DISABLED naming the key, and IMDS gets no credentials request", async () => {
    imds.fail(TOKEN_PATH, 403);
    await setup(["instance", "--no-profile"]);
    writeFileSync(join(dir, "config"), `[default]\nec2_metadata_v1_disabled = true\n\n${readFileSync(join(dir, "config"), "utf8")}`);
    const run = await detached([AWS_CLI, "configure", "export-credentials", "--profile", "instance", "--format", "process"], env());
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("IMDS_V1_DISABLED");
    expect(run.stderr).toContain(`\`ec2_metadata_v1_disabled\` in [default] of ${join(dir, "config")}`);
    expect(imds.count(IMDS_ROLE_PATH) + imds.count("/latest/meta-data/iam/security-credentials/")).toBe(0);
  }, 120_000);

  it("(the control) without the setting, the same IMDS serves the credential over IMDSv1", async () => {
    imds.fail(TOKEN_PATH, 403);
    await setup(["instance", "--no-profile"]);
    const run = await detached([AWS_CLI, "configure", "export-credentials", "--profile", "instance", "--format", "process"], env());
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ AccessKeyId: imds.current.accessKeyId });
  }, 120_000);
});
