/*
 * refreshOnRejectedCredentials against moto (`python3 -m moto.server`) with signature checks on
 * (INITIAL_NO_AUTH_ACTION_COUNT): real S3 (REST-XML) and STS (query) implementations, not ours. An
 * IAM user's first access key is replaced by a second and deleted — "keys deactivated and
 * replaced" — while the client's cache still holds the first: moto refuses it as AWS does (S3
 * `InvalidAccessKeyId`, STS `InvalidClientTokenId`), and the plugin recovers with the second.
 * (DynamoDB is tested against our JSON double only: moto answers its refusal in XML, which no
 * DynamoDB client can parse, where DynamoDB answers JSON `UnrecognizedClientException`.)
 */
import { execFileSync } from "node:child_process";
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, FinalizeRequestMiddleware, MiddlewareStack } from "@smithy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoize } from "../../src/memoize.js";
import { refreshOnRejectedCredentials } from "../../src/sdk/refresh-on-rejected-credentials.js";
import { startMoto, type MotoServer } from "../helpers/moto.js";

/**
 * Five unauthenticated set-up requests (a user allowed everything, two access keys), then the
 * first key deleted with a request signed by the second; prints both keys.
 */
const SETUP = [
  "import boto3, json, sys",
  "url = sys.argv[1]",
  "iam = boto3.client('iam', endpoint_url=url, region_name='us-east-1', aws_access_key_id='setup', aws_secret_access_key='setup')",
  "iam.create_user(UserName='app')",
  "policy = iam.create_policy(PolicyName='all', PolicyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': '*', 'Resource': '*'}]}))['Policy']['Arn']",
  "iam.attach_user_policy(UserName='app', PolicyArn=policy)",
  "old = iam.create_access_key(UserName='app')['AccessKey']",
  "new = iam.create_access_key(UserName='app')['AccessKey']",
  "signed = boto3.client('iam', endpoint_url=url, region_name='us-east-1', aws_access_key_id=new['AccessKeyId'], aws_secret_access_key=new['SecretAccessKey'])",
  "signed.delete_access_key(UserName='app', AccessKeyId=old['AccessKeyId'])",
  "keys = [{'accessKeyId': k['AccessKeyId'], 'secretAccessKey': k['SecretAccessKey']} for k in (old, new)]",
  "print(json.dumps(keys))",
].join("\n");

let moto: MotoServer | undefined;
let deleted: AwsCredentialIdentity;
let current: AwsCredentialIdentity;

beforeAll(async () => {
  moto = await startMoto({ verifySignatures: 5 });
  const env: NodeJS.ProcessEnv = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: "/nonexistent" };
  [deleted, current] = JSON.parse(execFileSync("python3", ["-c", SETUP, moto.endpoint], { env }).toString()) as [AwsCredentialIdentity, AwsCredentialIdentity];
  const setup = new S3Client({ region: "us-east-1", endpoint: moto.endpoint, forcePathStyle: true, credentials: current });
  await setup.send(new CreateBucketCommand({ Bucket: "reports" }));
  setup.destroy();
}, 60_000);

afterAll(async () => {
  await moto?.close();
});

/** A source that still serves the deleted key first (the cache's stale credential), then the current one; counts fetches. */
function rotatedSource(first: AwsCredentialIdentity = deleted, then: AwsCredentialIdentity = current) {
  let fetches = 0;
  const provider = memoize(async () => {
    fetches += 1;
    return fetches === 1 ? first : then;
  });
  return { provider, fetches: () => fetches };
}

/** Records the HTTP requests a client sends (after signing: one per attempt): the key each was signed with. */
function logRequests<Input extends object, Output extends object>(stack: MiddlewareStack<Input, Output>): string[] {
  const keys: string[] = [];
  const record: FinalizeRequestMiddleware<Input, Output> = (next) => (args) => {
    const authorization = (args.request as { headers?: Record<string, string> }).headers?.["authorization"] ?? "";
    keys.push(/Credential=([^/]+)/.exec(authorization)?.[1] ?? "");
    return next(args);
  };
  stack.add(record, { step: "finalizeRequest", priority: "low", name: "testRequestLog" });
  return keys;
}

function endpoint(): string {
  if (moto === undefined) throw new Error("moto did not start");
  return moto.endpoint;
}

function s3With(credentials: AwsCredentialIdentityProvider): { client: S3Client; keys: string[] } {
  const client = new S3Client({ region: "us-east-1", endpoint: endpoint(), forcePathStyle: true, maxAttempts: 1, credentials });
  client.middlewareStack.use(refreshOnRejectedCredentials(credentials));
  return { client, keys: logRequests(client.middlewareStack) };
}

describe("refreshOnRejectedCredentials against moto (signatures verified)", () => {
  it("S3: recovers from InvalidAccessKeyId for a deleted key with the current one: 2 requests, 2 fetches", async () => {
    const source = rotatedSource();
    const { client, keys } = s3With(source.provider);

    const listed = await client.send(new ListBucketsCommand({}));
    client.destroy();

    expect(listed.Buckets?.map((bucket) => bucket.Name)).toContain("reports");
    expect(keys).toEqual([deleted.accessKeyId, current.accessKeyId]);
    expect(source.fetches()).toBe(2);
  });

  it("S3: surfaces moto's InvalidAccessKeyId when the fresh key is refused too: 2 requests", async () => {
    const source = rotatedSource(deleted, { accessKeyId: "AKIANEVERCREATED0001", secretAccessKey: "not-a-key-moto-knows" });
    const { client, keys } = s3With(source.provider);

    const error: unknown = await client.send(new ListBucketsCommand({})).catch((e: unknown) => e);
    client.destroy();

    expect(error).toBeInstanceOf(S3ServiceException);
    expect(error).toMatchObject({ name: "InvalidAccessKeyId", $metadata: { httpStatusCode: 403 } });
    expect(keys).toHaveLength(2);
  });

  it("S3: passes NoSuchKey through untouched: 1 request, 1 fetch", async () => {
    const source = rotatedSource(current, current);
    const { client, keys } = s3With(source.provider);

    await expect(client.send(new GetObjectCommand({ Bucket: "reports", Key: "missing.csv" }))).rejects.toMatchObject({ name: "NoSuchKey" });
    client.destroy();

    expect(keys).toHaveLength(1);
    expect(source.fetches()).toBe(1);
  });

  it("S3: 50 concurrent requests signed with the deleted key all succeed, with 2 fetches in all", async () => {
    const source = rotatedSource();
    const { client, keys } = s3With(source.provider);
    await source.provider(); // the stale key is cached before the requests start

    const results = await Promise.allSettled(Array.from({ length: 50 }, () => client.send(new ListBucketsCommand({}))));
    client.destroy();

    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(50);
    expect(source.fetches()).toBe(2);
    expect(keys.filter((key) => key === current.accessKeyId)).toHaveLength(50);
  });

  it("STS (query protocol): recovers from InvalidClientTokenId: 2 requests, 2 fetches", async () => {
    const source = rotatedSource();
    const client = new STSClient({ region: "us-east-1", endpoint: endpoint(), maxAttempts: 1, credentials: source.provider });
    client.middlewareStack.use(refreshOnRejectedCredentials(source.provider));
    const keys = logRequests(client.middlewareStack);

    const identity = await client.send(new GetCallerIdentityCommand({}));
    client.destroy();

    expect(identity.Arn).toBe("arn:aws:iam::123456789012:user/app");
    expect(keys).toEqual([deleted.accessKeyId, current.accessKeyId]);
    expect(source.fetches()).toBe(2);
  });
});
