import { inspect } from "node:util";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { memoize } from "../../../src/memoize.js";
import { fromAssumeRole } from "../../../src/providers/assume-role.js";
import type { StsFault } from "../../../src/testing/sts-emulator.js";
import { collectingLogger, expectClean, expectNoSecrets, rawServer } from "../../helpers/leak-check.js";
import { ROLE, TOKEN_A, TOKEN_B, useWorld } from "./web-identity-fixtures.js";

const world = useWorld();

describe("fromWebIdentity: one request for many callers", () => {
  it("1,000 concurrent callers of one provider make one STS request and get the same credential", async () => {
    const provider = world.provider();
    const credentials = await Promise.all(Array.from({ length: 1_000 }, () => provider()));
    expect(world.sts.webIdentityCalls).toBe(1);
    expect(new Set(credentials.map((c) => c.accessKeyId)).size).toBe(1);
  });

  it("1,000 concurrent first calls of 1,000 providers (one per client) make one STS request", async () => {
    const providers = Array.from({ length: 1_000 }, () => world.provider());
    const credentials = await Promise.all(providers.map((provider) => provider()));
    expect(world.sts.webIdentityCalls).toBe(1);
    expect(new Set(credentials.map((c) => c.accessKeyId)).size).toBe(1);
  });

  it("1,000 concurrent callers at refresh time make one more STS request", async () => {
    const provider = world.provider();
    await provider();
    world.clock.advance(60 * 60 * 1000);
    await Promise.all(Array.from({ length: 1_000 }, () => provider()));
    expect(world.sts.webIdentityCalls).toBe(2);
  });

  it("1,000 concurrent callers share one failure: one request, every caller told", async () => {
    world.sts.injectFault({ kind: "access-denied" }, Number.POSITIVE_INFINITY);
    const provider = world.provider();
    const outcomes = await Promise.allSettled(Array.from({ length: 1_000 }, () => provider()));
    expect(outcomes.every((o) => o.status === "rejected")).toBe(true);
    expect(world.sts.webIdentityCalls).toBe(1);
  });
});

describe("fromWebIdentity: with AWS SDK clients", () => {
  it("an S3Client signs its requests with the web identity credentials (key id, session token)", async () => {
    const seen: { authorization: string; token: string }[] = [];
    const s3 = await rawServer((req, res) => {
      seen.push({ authorization: req.headers.authorization ?? "", token: String(req.headers["x-amz-security-token"] ?? "") });
      req.resume();
      res.writeHead(200, { "content-type": "application/xml" });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
          `<Owner><ID>o</ID></Owner><Buckets></Buckets></ListAllMyBucketsResult>`,
      );
    });
    const client = new S3Client({ region: "eu-west-1", endpoint: s3.endpoint, forcePathStyle: true, credentials: world.provider() });
    try {
      await client.send(new ListBucketsCommand({}));
      const issued = world.sts.issued[0];
      expect(seen[0]?.authorization).toContain(`Credential=${issued?.accessKeyId}/`);
      expect(seen[0]?.authorization).toContain("/eu-west-1/s3/aws4_request");
      expect(seen[0]?.token).toBe(issued?.sessionToken);
    } finally {
      client.destroy();
      await s3.close();
    }
  });

  it("the issued secret signs correctly: STS verifies a GetCallerIdentity signed with it", async () => {
    const client = new STSClient({ region: "eu-west-1", endpoint: world.sts.endpoint, credentials: memoize(world.provider(), { clock: world.clock }) });
    try {
      const me = await client.send(new GetCallerIdentityCommand({}));
      expect(me.Arn).toBe(world.sts.issued[0]?.assumedRoleArn);
      expect(world.sts.lastRequest?.signatureValid).toBe(true);
    } finally {
      client.destroy();
    }
  });

  it("is a source for fromAssumeRole: web identity, then AssumeRole with an ExternalId", async () => {
    world.sts.setRole("arn:aws:iam::999988887777:role/partner", { externalId: "tenant-42" });
    world.sts.setRole(ROLE, {});
    const partner = fromAssumeRole({
      roleArn: "arn:aws:iam::999988887777:role/partner",
      externalId: "tenant-42",
      endpoint: world.sts.endpoint,
      source: world.provider(),
      clock: world.clock,
    });
    const credential = await partner();
    const [irsa, assumed] = world.sts.issued;
    expect(assumed).toMatchObject({ action: "AssumeRole", roleArn: "arn:aws:iam::999988887777:role/partner" });
    expect(credential.accessKeyId).toBe(assumed?.accessKeyId);
    expect(world.sts.lastRequest).toMatchObject({ action: "AssumeRole", accessKeyId: irsa?.accessKeyId, externalId: "tenant-42", signatureValid: true });
  });
});

describe("fromWebIdentity: secrets never leak", () => {
  const secretsOf = (): string[] => [TOKEN_A, TOKEN_B, ...world.sts.issued.flatMap((c) => [c.secretAccessKey, c.sessionToken])];

  const faults: StsFault[] = [
    { kind: "access-denied" },
    { kind: "invalid-identity-token" },
    { kind: "expired-token" },
    { kind: "idp-communication-error" },
    { kind: "idp-rejected-claim" },
    { kind: "throttling" },
    { kind: "server-error", status: 503 },
    { kind: "malformed" },
    { kind: "missing-credentials" },
  ];
  it.each(faults.map((fault) => [fault.kind, fault] as const))("no token or issued secret in the error or the log (%s)", async (_, fault) => {
    const logger = collectingLogger();
    // A good credential first, so there are issued secrets to look for.
    await world.provider({ logger })();
    world.sts.injectFault(fault, Number.POSITIVE_INFINITY);
    const error = await world.provider({ logger, roleSessionName: "second", maxAttempts: 1 })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expectClean(error, secretsOf());
    expectNoSecrets(logger.lines, secretsOf());
  });

  it("takes the token out of a server's error text that echoes it (whole or cut)", async () => {
    const echo = await rawServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      req.on("end", () => {
        const token = new URLSearchParams(body).get("WebIdentityToken") ?? "";
        res.writeHead(400, { "content-type": "text/xml" });
        res.end(
          `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidParameterValue</Code>` +
            `<Message>bad token ${token} (starts ${token.slice(0, 20)}, ends ${token.slice(-20)})</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
        );
      });
    });
    const logger = collectingLogger();
    try {
      const error = await world.provider({ endpoint: echo.endpoint, logger })().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "STS_ERROR" });
      expectClean(error, [TOKEN_A, TOKEN_A.slice(0, 20), TOKEN_A.slice(-20)]);
      expectNoSecrets(logger.lines, [TOKEN_A, TOKEN_A.slice(0, 20), TOKEN_A.slice(-20)]);
    } finally {
      await echo.close();
    }
  });

  it("no token in the errors of the token file checks (two lines, oversize) or of a half-set environment", async () => {
    world.token.write(`${TOKEN_A}\n${TOKEN_B}`);
    const twoLines = await world.provider()().catch((e: unknown) => e);
    expectClean(twoLines, [TOKEN_A, TOKEN_B]);
    const half = await world.provider({ env: { AWS_WEB_IDENTITY_TOKEN_FILE: world.token.tokenFile } })().catch((e: unknown) => e);
    expectClean(half, [TOKEN_A, TOKEN_B]);
  });

  it("no token or issued secret in the success log lines or in inspect() of the provider", async () => {
    const logger = collectingLogger();
    const provider = world.provider({ logger });
    await provider();
    await provider();
    expect(logger.lines.length).toBeGreaterThan(0);
    expectNoSecrets(logger.lines, secretsOf());
    expectNoSecrets([inspect(provider, { showHidden: true, depth: Number.POSITIVE_INFINITY })], secretsOf());
  });
});
