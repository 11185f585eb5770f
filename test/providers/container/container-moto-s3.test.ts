/*
 * An S3Client signing with container credentials against moto's S3 with signature checks on
 * (INITIAL_NO_AUTH_ACTION_COUNT): the container endpoint serves a task role's temporary credentials
 * that moto's own STS issued, so moto verifies every request's SigV4 signature and session token.
 */
import { execFileSync } from "node:child_process";
import { CreateBucketCommand, ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromContainer } from "../../../src/providers/container/from-container.js";
import { startContainerEmulator, type ContainerEmulator } from "../../../src/testing/container-emulator.js";
import { startMoto, type MotoServer } from "../../helpers/moto.js";
import { usePeers } from "../../helpers/peers.js";

let moto: MotoServer | undefined;
let container: ContainerEmulator | undefined;
let taskRole: { accessKeyId: string; secretAccessKey: string; sessionToken: string };

/** Six unauthenticated set-up requests, then a role assumed with the user's signed request. */
const SETUP = [
  "import boto3, json, sys",
  "url = sys.argv[1]",
  "iam = boto3.client('iam', endpoint_url=url, region_name='us-east-1', aws_access_key_id='setup', aws_secret_access_key='setup')",
  "iam.create_user(UserName='deployer')",
  "policy = iam.create_policy(PolicyName='all', PolicyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': '*', 'Resource': '*'}]}))['Policy']['Arn']",
  "iam.attach_user_policy(UserName='deployer', PolicyArn=policy)",
  "key = iam.create_access_key(UserName='deployer')['AccessKey']",
  "trust = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'AWS': 'arn:aws:iam::123456789012:user/deployer'}, 'Action': 'sts:AssumeRole'}]}",
  "iam.create_role(RoleName='task-role', AssumeRolePolicyDocument=json.dumps(trust))",
  "iam.attach_role_policy(RoleName='task-role', PolicyArn=policy)",
  "sts = boto3.client('sts', endpoint_url=url, region_name='us-east-1', aws_access_key_id=key['AccessKeyId'], aws_secret_access_key=key['SecretAccessKey'])",
  "c = sts.assume_role(RoleArn='arn:aws:iam::123456789012:role/task-role', RoleSessionName='task')['Credentials']",
  "print(json.dumps({'accessKeyId': c['AccessKeyId'], 'secretAccessKey': c['SecretAccessKey'], 'sessionToken': c['SessionToken']}))",
].join("\n");

// moto for S3 and STS, boto3 to set up its IAM user and role.
const peers = usePeers("moto", "boto3");

beforeAll(async () => {
  if (!peers.ready) return;
  moto = await startMoto({ verifySignatures: 6 });
  const env: NodeJS.ProcessEnv = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: "/nonexistent" };
  taskRole = JSON.parse(execFileSync("python3", ["-c", SETUP, moto.endpoint], { env }).toString()) as typeof taskRole;
  container = await startContainerEmulator({ authorizationToken: "pod-token" });
}, 60_000);

afterAll(async () => {
  await container?.close();
  await moto?.close();
});

function s3With(secretAccessKey: string): S3Client {
  if (container === undefined || moto === undefined) throw new Error("set-up failed");
  container.rotate({ ...taskRole, secretAccessKey });
  const env = { AWS_CONTAINER_CREDENTIALS_FULL_URI: container.endpoint, AWS_CONTAINER_AUTHORIZATION_TOKEN: "pod-token" };
  return new S3Client({ region: "us-east-1", endpoint: moto.endpoint, forcePathStyle: true, maxAttempts: 1, credentials: fromContainer({ env }) });
}

describe("an S3Client with container credentials against moto (signatures verified)", () => {
  it("signs requests that moto verifies with the task role's key, secret and session token", async () => {
    const client = s3With(taskRole.secretAccessKey);
    await client.send(new CreateBucketCommand({ Bucket: "container-signed" }));
    const listed = await client.send(new ListBucketsCommand({}));
    client.destroy();
    expect(listed.Buckets?.map((bucket) => bucket.Name)).toContain("container-signed");
  });

  it("is refused by moto when the container endpoint serves a wrong secret", async () => {
    const client = s3With("not-the-task-roles-secret-000000000000000");
    await expect(client.send(new ListBucketsCommand({}))).rejects.toMatchObject({ name: "SignatureDoesNotMatch" });
    client.destroy();
  });
});
