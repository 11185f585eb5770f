/*
 * refreshOnRejectedCredentials against signed loopback doubles of S3 (REST-XML) and DynamoDB
 * (JSON 1.0), with a rotating IMDS emulator as the credential source: the double accepts only the
 * credential IMDS serves now, so a client whose cache still holds the previous one is rejected as
 * real services reject a rotated or expired credential.
 */
import { Readable } from "node:stream";
import { DynamoDBClient, DynamoDBServiceException, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { afterEach, describe, expect, it } from "vitest";
import { memoize } from "../../src/memoize.js";
import { fromImds } from "../../src/providers/imds/from-imds.js";
import { refreshOnRejectedCredentials } from "../../src/sdk/refresh-on-rejected-credentials.js";
import { startImdsEmulator, type ImdsEmulator } from "../../src/testing/imds-emulator.js";
import { startServiceDouble, type ServiceDouble, type ServiceProtocol } from "./helpers/service-double.js";

/** One service under test: how to build its client and send one request that the double answers. */
interface Service {
  readonly name: string;
  readonly protocol: ServiceProtocol;
  /** Sends one ordinary request with a client for `endpoint` signing with `credentials`. */
  send(client: ServiceClient): Promise<unknown>;
  client(endpoint: string, credentials: AwsCredentialIdentityProvider): ServiceClient;
  /** The client's service exception class. */
  readonly exception: abstract new (...args: never[]) => Error;
  /** Codes the service answers for something that is not about the credential. */
  readonly otherErrors: readonly string[];
}

type ServiceClient = S3Client | DynamoDBClient;

const s3: Service = {
  name: "S3 (REST-XML)",
  protocol: "s3",
  client: (endpoint, credentials) => new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, maxAttempts: 1, credentials }),
  // The body is read: an unread one keeps its connection, and the client has 50.
  send: async (client) => (await (client as S3Client).send(new GetObjectCommand({ Bucket: "reports", Key: "2026/01.csv" }))).Body?.transformToString(),
  exception: S3ServiceException,
  otherErrors: ["AccessDenied", "NoSuchKey", "SlowDown"],
};

const dynamodb: Service = {
  name: "DynamoDB (JSON 1.0)",
  protocol: "dynamodb",
  client: (endpoint, credentials) => new DynamoDBClient({ region: "us-east-1", endpoint, maxAttempts: 1, credentials }),
  send: (client) => (client as DynamoDBClient).send(new GetItemCommand({ TableName: "orders", Key: { id: { S: "order-1" } } })),
  exception: DynamoDBServiceException,
  otherErrors: ["AccessDeniedException", "ResourceNotFoundException", "ThrottlingException"],
};

/** A test's world: an IMDS emulator, a memoized provider over it, a double that accepts what IMDS serves, a client with the plugin. */
interface World {
  imds: ImdsEmulator;
  double: ServiceDouble;
  credentials: AwsCredentialIdentityProvider;
  client: ServiceClient;
  warnings: string[];
  /** IMDS credential fetches so far. */
  fetches(): number;
  /** IMDS serves new keys, and the double accepts only them: the cached credential is now refused. */
  rotate(): AwsCredentialIdentity;
}

const open: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function world(service: Service, protocol: ServiceProtocol = service.protocol): Promise<World> {
  const imds = await startImdsEmulator();
  open.push(imds);
  const double = await startServiceDouble(protocol, { accept: imds.current });
  open.push(double);
  const credentials = memoize(fromImds({ endpoint: imds.endpoint }));
  const client = service.client(double.endpoint, credentials);
  open.push({ close: () => client.destroy() });
  const warnings: string[] = [];
  client.middlewareStack.use(refreshOnRejectedCredentials(credentials, { logger: { warn: (line) => warnings.push(line) } }));
  const credentialsPath = `/latest/meta-data/iam/security-credentials/${imds.roleName ?? ""}`;
  return {
    imds,
    double,
    credentials,
    client,
    warnings,
    fetches: () => imds.count(credentialsPath),
    rotate() {
      const fresh = imds.rotate();
      double.accept(fresh);
      return fresh;
    },
  };
}

describe.each([s3, dynamodb])("refreshOnRejectedCredentials with $name", (service) => {
  it("re-sends a rejected request once, signed with a fresh credential: 2 requests, 2 fetches", async () => {
    const w = await world(service);
    await service.send(w.client); // caches the first credential
    const old = w.imds.current.accessKeyId;
    const fresh = w.rotate();

    await expect(service.send(w.client)).resolves.toBeDefined();

    expect(w.double.signedWith.slice(1)).toEqual([old, fresh.accessKeyId]);
    expect(w.double.requests.slice(1).map((r) => r.errorCode)).toEqual([service.protocol === "s3" ? "ExpiredToken" : "ExpiredTokenException", undefined]);
    expect(w.fetches()).toBe(2);
  });

  it("logs one warning per recovery, with key ids cut to their last four characters and no secret", async () => {
    const w = await world(service);
    await service.send(w.client);
    const old = w.imds.current;
    const fresh = w.rotate();

    await service.send(w.client);

    expect(w.warnings).toHaveLength(1);
    expect(w.warnings[0]).toContain(`…${old.accessKeyId.slice(-4)}`);
    expect(w.warnings[0]).toContain(`re-sent once with fresh credential …${fresh.accessKeyId.slice(-4)}: succeeded`);
    for (const secret of [old.accessKeyId, old.secretAccessKey, old.sessionToken, fresh.accessKeyId, fresh.secretAccessKey, fresh.sessionToken]) {
      expect(w.warnings[0]).not.toContain(secret);
    }
  });

  it("surfaces the service's own error, unchanged, when the re-sent request is rejected too: 2 requests", async () => {
    const w = await world(service);
    await service.send(w.client);
    w.imds.rotate(); // IMDS rotates, but the service honours neither credential
    w.double.accept(undefined);

    const error: unknown = await service.send(w.client).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(service.exception);
    expect(error).toMatchObject({ name: w.double.rejectAs, $metadata: { httpStatusCode: 400 } });
    expect(error).not.toHaveProperty("notResentReason");
    expect(w.double.requests).toHaveLength(3);
    expect(w.fetches()).toBe(2);
  });

  it.each(service.otherErrors)("passes %s through untouched: 1 request, no fetch", async (code) => {
    const w = await world(service);
    await service.send(w.client);
    w.double.failNext(code);

    const error: unknown = await service.send(w.client).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(service.exception);
    expect(error).toMatchObject({ name: code });
    expect(w.double.requests).toHaveLength(2);
    expect(w.fetches()).toBe(1);
    expect(w.warnings).toEqual([]);
  });

  it("recovers 50 concurrent rejected requests with one fetch: all 50 succeed, ≤ 2 fetches in all", async () => {
    const w = await world(service);
    await service.send(w.client);
    const fresh = w.rotate();

    const results = await Promise.allSettled(Array.from({ length: 50 }, () => service.send(w.client)));

    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(50);
    expect(w.fetches()).toBe(2);
    expect(w.double.requests).toHaveLength(1 + 100);
    expect(w.double.signedWith.filter((key) => key === fresh.accessKeyId)).toHaveLength(50);
  });

  it("does not re-send when the provider answers with the same credential again (the source has not rotated): 1 request", async () => {
    const w = await world(service);
    await service.send(w.client);
    w.double.accept(undefined); // the service refuses the credential, but IMDS still serves it

    const error: unknown = await service.send(w.client).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(service.exception);
    expect(error).toMatchObject({ name: w.double.rejectAs });
    expect(w.double.requests).toHaveLength(2);
    expect(w.fetches()).toBe(2); // asked once: it was the same
    expect(w.warnings).toEqual([expect.stringContaining("not re-sent: the provider answered with the same credential again")]);
  });
});

describe("refreshOnRejectedCredentials and request bodies (S3 PutObject)", () => {
  it("does not re-send a streaming body; says so in the error, keeping its class, name and code", async () => {
    const w = await world(s3);
    await s3.send(w.client);
    w.rotate();

    const error: unknown = await (w.client as S3Client)
      .send(new PutObjectCommand({ Bucket: "reports", Key: "2026/02.csv", Body: Readable.from(["a,b\n", "1,2\n"]), ContentLength: 8 }))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(S3ServiceException);
    expect(error).toMatchObject({ name: "ExpiredToken", Code: "ExpiredToken", notResentReason: "STREAMING_BODY" });
    expect((error as Error).message).toContain("not re-sent with a fresh credential: its Body is a stream");
    expect(w.double.requests).toHaveLength(2);
    expect(w.warnings).toEqual([expect.stringContaining("not re-sent: its Body is a stream")]);
  });

  it("still tells the provider, so the next request is signed with a fresh credential: 1 request", async () => {
    const w = await world(s3);
    await s3.send(w.client);
    const fresh = w.rotate();
    await (w.client as S3Client)
      .send(new PutObjectCommand({ Bucket: "reports", Key: "2026/02.csv", Body: Readable.from(["a,b\n"]), ContentLength: 4 }))
      .catch(() => undefined);

    await s3.send(w.client);

    expect(w.double.signedWith.at(-1)).toBe(fresh.accessKeyId);
    expect(w.double.requests).toHaveLength(3);
    expect(w.fetches()).toBe(2);
  });

  it("re-sends a body given as bytes or a string: 2 requests, the same body twice", async () => {
    const w = await world(s3);
    await s3.send(w.client);
    const fresh = w.rotate();

    await (w.client as S3Client).send(new PutObjectCommand({ Bucket: "reports", Key: "2026/03.csv", Body: new TextEncoder().encode("a,b\n1,2\n") }));
    await (w.client as S3Client).send(new PutObjectCommand({ Bucket: "reports", Key: "2026/04.csv", Body: "a,b\n" }));

    expect(w.double.signedWith.slice(1)).toEqual([w.double.signedWith[0], fresh.accessKeyId, fresh.accessKeyId]);
  });
});

describe("refreshOnRejectedCredentials shared by clients of two services", () => {
  it("one plugin on an S3Client and a DynamoDBClient sharing a provider: both recover, with one fetch between them", async () => {
    const imds = await startImdsEmulator();
    open.push(imds);
    const bucket = await startServiceDouble("s3", { accept: imds.current });
    const table = await startServiceDouble("dynamodb", { accept: imds.current });
    open.push(bucket, table);
    const credentials = memoize(fromImds({ endpoint: imds.endpoint }));
    const plugin = refreshOnRejectedCredentials(credentials);
    const s3Client = s3.client(bucket.endpoint, credentials);
    const dynamodbClient = dynamodb.client(table.endpoint, credentials);
    open.push({ close: () => s3Client.destroy() }, { close: () => dynamodbClient.destroy() });
    s3Client.middlewareStack.use(plugin);
    dynamodbClient.middlewareStack.use(plugin);
    await Promise.all([s3.send(s3Client), dynamodb.send(dynamodbClient)]);
    const fresh = imds.rotate();
    bucket.accept(fresh);
    table.accept(fresh);

    await Promise.all([s3.send(s3Client), dynamodb.send(dynamodbClient)]);

    expect([bucket.signedWith.at(-1), table.signedWith.at(-1)]).toEqual([fresh.accessKeyId, fresh.accessKeyId]);
    expect(imds.count(`/latest/meta-data/iam/security-credentials/${imds.roleName ?? ""}`)).toBe(2);
  });
});

describe("refreshOnRejectedCredentials with a provider that is not memoized", () => {
  it("signs the re-sent request with the fresh credential even though the client's own cache still holds the rejected one", async () => {
    const imds = await startImdsEmulator();
    open.push(imds);
    const double = await startServiceDouble("s3", { accept: imds.current });
    open.push(double);
    const raw = fromImds({ endpoint: imds.endpoint }); // not memoized: the S3Client wraps it in its own cache
    const client = s3.client(double.endpoint, raw);
    open.push({ close: () => client.destroy() });
    const warnings: string[] = [];
    client.middlewareStack.use(refreshOnRejectedCredentials(raw, { logger: { warn: (l) => warnings.push(l) } }));
    await s3.send(client);
    const fresh = imds.rotate();
    double.accept(fresh);

    await s3.send(client);

    expect(double.signedWith.slice(1)).toEqual([double.signedWith[0], fresh.accessKeyId]);
  });
});

describe("refreshOnRejectedCredentials options", () => {
  it("refuses an unknown option with a TypeError naming it", () => {
    const credentials = memoize(async () => ({ accessKeyId: "AKIAEXAMPLE000000001", secretAccessKey: "secret" }));
    expect(() => refreshOnRejectedCredentials(credentials, { logger: console, retries: 2 } as never)).toThrow(new TypeError("Unknown option `retries` of refreshOnRejectedCredentials (expected `logger` or `clock`)"));
  });

  it("refuses credentials that are not a provider", () => {
    expect(() => refreshOnRejectedCredentials({ accessKeyId: "AKIAEXAMPLE000000001", secretAccessKey: "secret" } as never)).toThrow(TypeError);
  });

  it("refuses a clock without now()", () => {
    const credentials = memoize(async () => ({ accessKeyId: "AKIAEXAMPLE000000001", secretAccessKey: "secret" }));
    expect(() => refreshOnRejectedCredentials(credentials, { clock: {} as never })).toThrow(/`clock`/);
  });
});
