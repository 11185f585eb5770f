/*
 * A real client: the AWS CLI v2 (`AWS_CLI`, default Debian's `awscli` package, /usr/bin/aws — the `aws` first on PATH
 * here may be the v1 CLI, which has no `export-credentials`) reading credentials through
 * `credential_process` pointing at our binary. A missing AWS CLI v2: not run outside CI, a failure under
 * CI=true (helpers/peers.ts).
 * HOME, the AWS config and our cache directory are temporary: never the real ~/.aws or ~/.cache.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { CLIENT_EXTERNAL_ID, CLIENT_ROLE_ARN, CREDENTIAL_PROCESS_COMMAND, useSdkClientWorld } from "../helpers/sdk-client-world.js";
import { AWS_CLI as AWS, usePeers } from "../helpers/peers.js";
import { CLOSED_PORT_ENDPOINT } from "./cli-test-io.js";

const exec = promisify(execFile);
const ROLE_ARN = CLIENT_ROLE_ARN;
const EXTERNAL_ID = CLIENT_EXTERNAL_ID;

describe("the AWS CLI v2 using env-or-profile as its credential_process", () => {
  usePeers("aws-cli-v2");
  const world = useSdkClientWorld("env-or-profile-awscli-", [
    "[profile instance]",
    `credential_process = ${CREDENTIAL_PROCESS_COMMAND}`,
    "",
    "[profile partner]",
    `credential_process = ${CREDENTIAL_PROCESS_COMMAND} --role-arn ${ROLE_ARN} --external-id ${EXTERNAL_ID} --session-name awscli-test`,
  ]);

  /** `aws <args>` in a clean environment: the temporary config, our cache, IMDS at `imdsEndpoint`. */
  async function aws(args: string[], imdsEndpoint = world.imds.endpoint): Promise<string> {
    const { stdout } = await exec(AWS, args, {
      // AWS_ENDPOINT_URL_STS is read by our credential-process (this AWS CLI predates the variable).
      env: { ...world.clientEnv({ imds: imdsEndpoint }), AWS_PAGER: "" },
      timeout: 30_000,
    });
    return stdout;
  }

  const exportCredentials = async (profile: string, imdsEndpoint?: string): Promise<Record<string, unknown>> =>
    JSON.parse(await aws(["configure", "export-credentials", "--profile", profile, "--format", "process"], imdsEndpoint)) as Record<string, unknown>;
  const credentialFetches = (): number => world.imds.count("/latest/meta-data/iam/security-credentials/env-or-profile-demo-role");

  it("is the AWS CLI v2", async () => {
    const { stdout, stderr } = await exec(AWS, ["--version"], { timeout: 20_000 });
    expect(stdout + stderr).toMatch(/^aws-cli\/2\./);
  });

  it("gets the instance-profile credentials through credential_process", async () => {
    const exported = await exportCredentials("instance");
    expect(exported).toMatchObject({
      Version: 1,
      AccessKeyId: world.imds.current.accessKeyId,
      SecretAccessKey: world.imds.current.secretAccessKey,
      SessionToken: world.imds.current.sessionToken,
    });
    expect(new Date(String(exported["Expiration"])).getTime()).toBe(world.imds.current.expiration.getTime());
  });

  it("gets a role assumed with an ExternalId, signed with the instance-profile credentials", async () => {
    const exported = await exportCredentials("partner");
    const issued = world.sts.issued.at(-1);
    expect(issued).toBeDefined();
    expect(exported).toMatchObject({
      AccessKeyId: issued?.accessKeyId,
      SecretAccessKey: issued?.secretAccessKey,
      SessionToken: issued?.sessionToken,
    });
    expect(new Date(String(exported["Expiration"])).getTime()).toBe(issued?.expiration.getTime());
    expect(world.sts.lastRequest).toMatchObject({ externalId: EXTERNAL_ID, roleSessionName: "awscli-test", accessKeyId: world.imds.current.accessKeyId });
  });

  it("ten aws commands through our credential_process make one IMDS credentials fetch and one AssumeRole", async () => {
    const assumeRolesBefore = world.sts.calls;
    const identities = new Set<string>();
    for (let command = 0; command < 10; command++) {
      if (command % 2 === 0) {
        const identity = JSON.parse(await aws(["sts", "get-caller-identity", "--profile", "partner", "--endpoint-url", world.sts.endpoint])) as { Arn: string };
        identities.add(identity.Arn);
      } else {
        identities.add(String((await exportCredentials("partner"))["AccessKeyId"]));
      }
    }
    expect(credentialFetches()).toBe(1);
    expect(world.sts.calls - assumeRolesBefore).toBe(1);
    expect([...identities].some((arn) => arn.includes(":assumed-role/partner-upload/awscli-test"))).toBe(true);
  }, 120_000);

  it("shows our explanation when there are no credentials", async () => {
    const failure = await exportCredentials("instance", CLOSED_PORT_ENDPOINT).then(
      () => undefined,
      (error: unknown) => error as { code?: unknown; stderr?: string },
    );
    expect(failure?.code).not.toBe(0);
    expect(failure?.stderr).toContain("env-or-profile credential-process: no credentials: CHAIN_EXHAUSTED");
  });
});
