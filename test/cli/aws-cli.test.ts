/*
 * A real client: the AWS CLI v2 (Debian's `awscli` package) reading credentials through
 * `credential_process` pointing at our binary, checked with `aws configure export-credentials`.
 * Skipped when no AWS CLI v2 is installed, except in CI (CI=true), where that is a failure.
 * `AWS_CLI` may name the binary; otherwise `aws` on PATH, then /usr/bin/aws and /usr/local/bin/aws
 * are tried, because a pyenv shim or pip install of the v1 CLI (no `export-credentials`) often
 * comes first on PATH.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startImdsEmulator, type ImdsEmulator } from "../../src/testing/imds-emulator.js";
import { startStsEmulator, type StsEmulator } from "../../src/testing/sts-emulator.js";
import { CLI_MAIN, ensureBuilt } from "../setup/build-dist.js";
import { CLOSED_PORT_ENDPOINT } from "./cli-test-io.js";

const exec = promisify(execFile);
const ROLE_ARN = "arn:aws:iam::123456789012:role/partner-upload";
const EXTERNAL_ID = "tenant-42";
const IN_CI = process.env["CI"] === "true";

async function findAwsCliV2(): Promise<string | undefined> {
  const candidates = [process.env["AWS_CLI"], "aws", "/usr/bin/aws", "/usr/local/bin/aws"].filter(
    (candidate): candidate is string => candidate !== undefined && candidate !== "",
  );
  for (const candidate of candidates) {
    try {
      const { stdout, stderr } = await exec(candidate, ["--version"], { timeout: 20_000 });
      if (/aws-cli\/2\./.test(stdout + stderr)) {
        return candidate;
      }
    } catch {
      // not installed, or not runnable: try the next
    }
  }
  return undefined;
}

const aws = await findAwsCliV2();

describe.skipIf(aws === undefined && !IN_CI)("the AWS CLI using env-or-profile as its credential_process", () => {
  let dir = "";
  let imds: ImdsEmulator;
  let sts: StsEmulator;

  beforeAll(async () => {
    await ensureBuilt();
    dir = await mkdtemp(join(tmpdir(), "env-or-profile-awscli-"));
    imds = await startImdsEmulator();
    sts = await startStsEmulator({ baseCredentials: [{ ...imds.current }], externalId: EXTERNAL_ID });
    const command = `"${process.execPath}" "${CLI_MAIN}" credential-process`;
    await writeFile(
      join(dir, "config"),
      [
        "[profile instance]",
        `credential_process = ${command}`,
        "",
        "[profile partner]",
        `credential_process = ${command} --role-arn ${ROLE_ARN} --external-id ${EXTERNAL_ID} --session-name awscli-test`,
        "",
      ].join("\n"),
    );
  }, 90_000);

  afterAll(async () => {
    await imds?.close();
    await sts?.close();
    if (dir !== "") {
      await rm(dir, { recursive: true, force: true });
    }
  });

  /** `aws configure export-credentials --profile <profile> --format process`, in a clean environment. */
  async function exportCredentials(profile: string, imdsEndpoint: string): Promise<Record<string, unknown>> {
    if (aws === undefined) {
      throw new Error("The AWS CLI v2 is required in CI: install Debian's awscli package (apt-get install -y awscli)");
    }
    const { stdout } = await exec(aws, ["configure", "export-credentials", "--profile", profile, "--format", "process"], {
      env: {
        PATH: process.env["PATH"] ?? "",
        HOME: dir,
        AWS_CONFIG_FILE: join(dir, "config"),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials-none"),
        AWS_EC2_METADATA_SERVICE_ENDPOINT: imdsEndpoint,
        AWS_ENDPOINT_URL_STS: sts.endpoint,
        AWS_REGION: "us-east-1",
        AWS_PAGER: "",
      },
      timeout: 30_000,
    });
    return JSON.parse(stdout) as Record<string, unknown>;
  }

  it("gets the instance-profile credentials through credential_process", async () => {
    const exported = await exportCredentials("instance", imds.endpoint);
    expect(exported).toMatchObject({
      Version: 1,
      AccessKeyId: imds.current.accessKeyId,
      SecretAccessKey: imds.current.secretAccessKey,
      SessionToken: imds.current.sessionToken,
    });
    expect(new Date(String(exported["Expiration"])).getTime()).toBe(imds.current.expiration.getTime());
  });

  it("gets a role assumed with an ExternalId, signed with the instance-profile credentials", async () => {
    const exported = await exportCredentials("partner", imds.endpoint);
    const issued = sts.issued.at(-1);
    expect(issued).toBeDefined();
    expect(exported).toMatchObject({
      AccessKeyId: issued?.accessKeyId,
      SecretAccessKey: issued?.secretAccessKey,
      SessionToken: issued?.sessionToken,
    });
    expect(new Date(String(exported["Expiration"])).getTime()).toBe(issued?.expiration.getTime());
    expect(sts.lastRequest).toMatchObject({ externalId: EXTERNAL_ID, roleSessionName: "awscli-test", accessKeyId: imds.current.accessKeyId });
  });

  it("shows our explanation when there are no credentials", async () => {
    const failure = await exportCredentials("instance", CLOSED_PORT_ENDPOINT).then(
      () => undefined,
      (error: unknown) => error as { code?: unknown; stderr?: string },
    );
    expect(failure?.code).not.toBe(0);
    expect(failure?.stderr).toContain("env-or-profile credential-process: no credentials: CHAIN_EXHAUSTED");
  });
});
