/*
 * A real SDK: boto3 (python3) with a profile whose credential_process is our binary. botocore runs
 * the process again before every API call once the credential is inside its 15-minute advisory
 * window — always, with --duration 900 — so without the cache each call costs an AssumeRole.
 * STS is our emulator (it counts AssumeRoles) or moto (a real STS implementation). HOME, the AWS
 * config and the cache directory are temporary. A missing boto3 or moto: not run outside CI, a failure
 * under CI=true (helpers/peers.ts).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMoto, type MotoServer } from "../helpers/moto.js";
import { usePeers } from "../helpers/peers.js";
import { CLIENT_EXTERNAL_ID, CLIENT_ROLE_ARN, CREDENTIAL_PROCESS_COMMAND, useSdkClientWorld } from "../helpers/sdk-client-world.js";

const exec = promisify(execFile);
const ROLE_ARN = CLIENT_ROLE_ARN;
const EXTERNAL_ID = CLIENT_EXTERNAL_ID;

/** One boto3 session making `calls` GetCallerIdentity calls; prints the ARNs as JSON. */
const SESSION_SCRIPT = `
import boto3, json, sys
session = boto3.Session(profile_name=sys.argv[1])
client = session.client("sts", endpoint_url=sys.argv[2], region_name="us-east-1")
print(json.dumps([client.get_caller_identity()["Arn"] for _ in range(int(sys.argv[3]))]))
`;

describe("boto3 using env-or-profile as its credential_process", () => {
  const peers = usePeers("boto3", "moto");
  const command = `${CREDENTIAL_PROCESS_COMMAND} --role-arn ${ROLE_ARN} --external-id ${EXTERNAL_ID} --session-name boto3-test`;
  const world = useSdkClientWorld("env-or-profile-boto3-", [
    "[profile short]",
    `credential_process = ${command} --duration 900`,
    "[profile short-uncached]",
    `credential_process = ${command} --duration 900 --no-cache`,
    "[profile hour]",
    `credential_process = ${command}`,
  ]);
  let moto: MotoServer;

  beforeAll(async () => {
    if (peers.ready) moto = await startMoto();
  }, 90_000);

  afterAll(async () => {
    await moto?.close();
  });

  /** Runs one boto3 session; `stsEndpoint` is where both boto3's calls and our AssumeRole go. */
  async function session(profile: string, calls: number, stsEndpoint = world.sts.endpoint): Promise<string[]> {
    const { stdout } = await exec("python3", ["-c", SESSION_SCRIPT, profile, stsEndpoint, String(calls)], {
      env: world.clientEnv({ sts: stsEndpoint }),
      timeout: 60_000,
    });
    return JSON.parse(stdout) as string[];
  }

  it("with --duration 900 and no cache, botocore runs credential-process before every call: one AssumeRole per call and one more", async () => {
    const before = world.sts.calls;
    await session("short-uncached", 5);
    expect(world.sts.calls - before).toBe(6);
  }, 60_000);

  it("with --duration 900 and the cache, five calls make one AssumeRole", async () => {
    const before = world.sts.calls;
    const arns = await session("short", 5);
    expect(world.sts.calls - before).toBe(1);
    expect(new Set(arns).size).toBe(1);
    expect(arns[0]).toContain(":assumed-role/partner-upload/boto3-test");
  }, 60_000);

  it("three sessions with a one-hour role share one AssumeRole", async () => {
    const before = world.sts.calls;
    for (let run = 0; run < 3; run++) {
      await session("hour", 2);
    }
    expect(world.sts.calls - before).toBe(1);
  }, 60_000);

  it("against moto's STS: the session gets the assumed role's identity, every call", async () => {
    const arns = await session("hour", 3, moto.endpoint);
    expect(arns).toHaveLength(3);
    expect(new Set(arns).size).toBe(1);
    expect(arns[0]).toMatch(/^arn:aws:sts::123456789012:assumed-role\/partner-upload\/boto3-test$/);
  }, 60_000);
});
