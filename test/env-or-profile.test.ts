import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it } from "vitest";
import { CredentialsError } from "../src/errors.js";
import { envOrProfile } from "../src/env-or-profile.js";
import { startImdsEmulator, type ImdsEmulator } from "../src/testing/imds-emulator.js";
import { manualClock } from "../src/testing/manual-clock.js";
import { startStsEmulator, type StsEmulator } from "../src/testing/sts-emulator.js";

const MINUTE = 60_000;
const ENV_KEYS = { AWS_ACCESS_KEY_ID: "AKIAENVEXAMPLE000001", AWS_SECRET_ACCESS_KEY: "env-secret-example-000000000000000000001" };
const ROLE = "arn:aws:iam::123456789012:role/customer-deploy";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function imdsEmulator(options: Parameters<typeof startImdsEmulator>[0] = {}): Promise<ImdsEmulator> {
  const emulator = await startImdsEmulator(options);
  closers.push(() => emulator.close());
  return emulator;
}

async function stsEmulator(options: Parameters<typeof startStsEmulator>[0] = {}): Promise<StsEmulator> {
  const emulator = await startStsEmulator(options);
  closers.push(() => emulator.close());
  return emulator;
}

/** An STS emulator that knows the environment keys as a base identity. */
async function stsTrustingEnvKeys(clock: { now(): number }, options: { externalId?: string } = {}): Promise<StsEmulator> {
  return stsEmulator({
    clock,
    baseCredentials: [{ accessKeyId: ENV_KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: ENV_KEYS.AWS_SECRET_ACCESS_KEY }],
    ...options,
  });
}

/** A loopback "S3" that records the signing headers of each request. */
async function captureServer(): Promise<{ endpoint: string; headers: IncomingHttpHeaders[] }> {
  const headers: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    headers.push(request.headers);
    request.resume();
    response.writeHead(200, { "content-type": "application/xml" });
    response.end('<?xml version="1.0"?><ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, headers };
}

const credentialPath = (imds: ImdsEmulator): string => `/latest/meta-data/iam/security-credentials/${imds.roleName ?? ""}`;

describe("envOrProfile", () => {
  it("uses environment variables first and never asks IMDS", async () => {
    const clock = manualClock();
    const imds = await imdsEmulator({ clock });
    const credentials = envOrProfile({ env: { env: ENV_KEYS }, imds: { endpoint: imds.endpoint }, clock });

    await expect(credentials()).resolves.toMatchObject({ accessKeyId: ENV_KEYS.AWS_ACCESS_KEY_ID });
    expect(imds.requestCount).toBe(0);
  });

  it("falls through to the instance profile when the environment has no keys", async () => {
    const clock = manualClock();
    const imds = await imdsEmulator({ clock });
    const credentials = envOrProfile({ env: { env: {} }, imds: { endpoint: imds.endpoint }, clock });

    const identity = await credentials();
    expect(identity.accessKeyId).toBe(imds.current.accessKeyId);
    expect(identity.sessionToken).toBe(imds.current.sessionToken);
    expect(identity.expiration?.getTime()).toBe(imds.current.expiration.getTime());
  });

  it("stops on half-set environment variables instead of silently using the instance profile", async () => {
    const clock = manualClock();
    const imds = await imdsEmulator({ clock });
    const credentials = envOrProfile({ env: { env: { AWS_ACCESS_KEY_ID: ENV_KEYS.AWS_ACCESS_KEY_ID } }, imds: { endpoint: imds.endpoint }, clock });

    await expect(credentials()).rejects.toMatchObject({ code: "ENV_INVALID" });
    expect(imds.requestCount).toBe(0);
  });

  it("lists every link's reason, in order, when none has credentials", async () => {
    const clock = manualClock();
    const credentials = envOrProfile({
      env: { env: {} },
      imds: { endpoint: "http://127.0.0.1:1", env: {} },
      clock,
      retry: { retries: 0 },
    });

    const error = (await credentials().catch((e: unknown) => e)) as CredentialsError;
    expect(error).toBeInstanceOf(CredentialsError);
    expect(error.code).toBe("CHAIN_EXHAUSTED");
    expect(error.message).toMatch(/\[1\] env: ENV_NOT_SET/);
    expect(error.message).toMatch(/\[2\] profile: PROFILE_NOT_SET/);
    expect(error.message).toMatch(/\[3\] web-identity: WEB_IDENTITY_NOT_SET/);
    expect(error.message).toMatch(/\[4\] container: CONTAINER_NOT_SET/);
    expect(error.message).toMatch(/\[5\] imds: IMDS_/);
  });

  it("does not share a provider across IMDS settings read from the environment", async () => {
    const clock = manualClock();
    const first = await imdsEmulator({ clock });
    const second = await imdsEmulator({ clock });
    const saved = process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"];
    try {
      process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = first.endpoint;
      await envOrProfile({ env: false, clock })();
      process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = second.endpoint;
      await envOrProfile({ env: false, clock })();
    } finally {
      if (saved === undefined) delete process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"];
      else process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = saved;
    }
    expect(first.count(credentialPath(first))).toBe(1);
    expect(second.count(credentialPath(second))).toBe(1);
  });

  it("honours AWS_EC2_METADATA_DISABLED without any I/O", async () => {
    const clock = manualClock();
    const imds = await imdsEmulator({ clock });
    const credentials = envOrProfile({ env: { env: {} }, imds: { endpoint: imds.endpoint, env: { AWS_EC2_METADATA_DISABLED: "true" } }, clock });

    await expect(credentials()).rejects.toMatchObject({ code: "CHAIN_EXHAUSTED" });
    expect(imds.requestCount).toBe(0);
  });

  it("serves 10,000 concurrent callers across 100 providers with one credentials request and one token", async () => {
    const clock = manualClock();
    const imds = await imdsEmulator({ clock, mode: "token-required" });
    const providers = Array.from({ length: 100 }, () => envOrProfile({ env: { env: {} }, imds: { endpoint: imds.endpoint }, clock }));

    const results = await Promise.all(Array.from({ length: 10_000 }, (_, i) => providers[i % 100]!()));
    expect(new Set(results.map((identity) => identity.accessKeyId)).size).toBe(1);
    expect(imds.count(credentialPath(imds))).toBe(1);
    expect(imds.tokenRequests).toBe(1);
  });

  it("refreshes from IMDS five minutes before expiry and picks up the rotated keys", async () => {
    const clock = manualClock();
    const imds = await imdsEmulator({ clock });
    const credentials = envOrProfile({ env: { env: {} }, imds: { endpoint: imds.endpoint }, clock, jitter: false });

    const first = await credentials();
    clock.set(first.expiration!.getTime() - 5 * MINUTE - 1);
    expect((await credentials()).accessKeyId).toBe(first.accessKeyId);
    clock.advance(1);
    const second = await credentials();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(imds.count(credentialPath(imds))).toBe(2);
  });

  it("is a drop-in for an S3 client: signs with the instance key and session token", async () => {
    const clock = manualClock(Date.now());
    const imds = await imdsEmulator({ clock });
    const s3 = await captureServer();
    const client = new S3Client({
      region: "us-east-1",
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: envOrProfile({ env: { env: {} }, imds: { endpoint: imds.endpoint }, clock }),
    });

    await client.send(new ListBucketsCommand({}));
    client.destroy();
    expect(s3.headers[0]?.authorization).toContain(`Credential=${imds.current.accessKeyId}/`);
    expect(s3.headers[0]?.["x-amz-security-token"]).toBe(imds.current.sessionToken);
  });

  it("produces signatures an STS server verifies (SigV4 with the IMDS key and token)", async () => {
    const clock = manualClock(Date.now());
    const imds = await imdsEmulator({ clock });
    const sts = await stsEmulator({ clock, baseCredentials: [imds.current] });
    const client = new STSClient({
      region: "us-east-1",
      endpoint: sts.endpoint,
      credentials: envOrProfile({ env: { env: {} }, imds: { endpoint: imds.endpoint }, clock }),
    });

    await client.send(new GetCallerIdentityCommand({}));
    client.destroy();
    expect(sts.lastRequest).toMatchObject({ action: "GetCallerIdentity", signatureValid: true, accessKeyId: imds.current.accessKeyId });
  });

  it("is not wrapped in a second cache by the SDK: a rotation reaches the next request", async () => {
    // The clock starts at real time, so the SDK's own Date.now()-based cache, were it used, would
    // still consider the first credential valid for hours and keep signing with it.
    const clock = manualClock(Date.now());
    const imds = await imdsEmulator({ clock });
    const s3 = await captureServer();
    const credentials = envOrProfile({ env: { env: {} }, imds: { endpoint: imds.endpoint }, clock, jitter: false });
    const client = new S3Client({ region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true, credentials });

    await client.send(new ListBucketsCommand({}));
    const first = imds.current.accessKeyId;
    clock.set(imds.current.expiration.getTime() - 4 * MINUTE);
    await client.send(new ListBucketsCommand({}));
    client.destroy();
    expect(imds.current.accessKeyId).not.toBe(first);
    expect(s3.headers[1]?.authorization).toContain(`Credential=${imds.current.accessKeyId}/`);
  });

  describe("with assumeRole", () => {
    it("assumes the role with environment keys, sending the ExternalId", async () => {
      const clock = manualClock();
      const sts = await stsTrustingEnvKeys(clock, { externalId: "tenant-42" });
      const credentials = envOrProfile({
        env: { env: ENV_KEYS },
        imds: false,
        clock,
        assumeRole: { roleArn: ROLE, externalId: "tenant-42", endpoint: sts.endpoint, region: "us-east-1" },
      });

      const identity = await credentials();
      expect(identity.accessKeyId).toBe(sts.issued[0]?.accessKeyId);
      expect(sts.lastRequest).toMatchObject({ signatureValid: true, externalId: "tenant-42", accessKeyId: ENV_KEYS.AWS_ACCESS_KEY_ID });
    });

    it("assumes the role with instance-profile keys, signed with the IMDS key and session token", async () => {
      const clock = manualClock();
      const imds = await imdsEmulator({ clock });
      const sts = await stsEmulator({ clock, baseCredentials: [imds.current], externalId: "tenant-42" });
      const credentials = envOrProfile({
        env: { env: {} },
        imds: { endpoint: imds.endpoint },
        clock,
        assumeRole: { roleArn: ROLE, externalId: "tenant-42", endpoint: sts.endpoint, region: "us-east-1" },
      });

      await credentials();
      expect(sts.lastRequest).toMatchObject({
        signatureValid: true,
        accessKeyId: imds.current.accessKeyId,
        sessionToken: imds.current.sessionToken,
      });
    });

    it("stops with STS_ACCESS_DENIED on a wrong ExternalId, naming the role, without retrying", async () => {
      const clock = manualClock();
      const sts = await stsTrustingEnvKeys(clock, { externalId: "tenant-42" });
      const credentials = envOrProfile({
        env: { env: ENV_KEYS },
        imds: false,
        clock,
        assumeRole: { roleArn: ROLE, externalId: "wrong-tenant", endpoint: sts.endpoint, region: "us-east-1" },
      });

      const error = (await credentials().catch((e: unknown) => e)) as CredentialsError;
      expect(error.code).toBe("STS_ACCESS_DENIED");
      expect(error.message).toContain(ROLE);
      expect(error.message).toContain("sts:ExternalId");
      expect(sts.calls).toBe(1);
    });

    it("refreshes the assumed credential five minutes before its expiry", async () => {
      const clock = manualClock();
      const sts = await stsTrustingEnvKeys(clock);
      const credentials = envOrProfile({
        env: { env: ENV_KEYS },
        imds: false,
        clock,
        jitter: false,
        assumeRole: { roleArn: ROLE, endpoint: sts.endpoint, region: "us-east-1" },
      });

      const first = await credentials();
      clock.set(first.expiration!.getTime() - 5 * MINUTE - 1);
      await credentials();
      expect(sts.calls).toBe(1);
      clock.advance(1);
      const second = await credentials();
      expect(second.accessKeyId).not.toBe(first.accessKeyId);
      expect(sts.calls).toBe(2);
    });

    it("does not multiply retries: a failing base is retried once by its own cache, not again by AssumeRole's", async () => {
      const clock = manualClock();
      const imds = await imdsEmulator({ clock });
      const sts = await stsEmulator({ clock, baseCredentials: [imds.current] });
      imds.fail(credentialPath(imds), 500);
      const credentials = envOrProfile({
        env: { env: {} },
        imds: { endpoint: imds.endpoint },
        clock,
        retry: { retries: 2, minTimeout: 1, maxTimeout: 1 },
        assumeRole: { roleArn: ROLE, endpoint: sts.endpoint, region: "us-east-1" },
      });

      await expect(credentials()).rejects.toMatchObject({ code: "STS_SOURCE_FAILED", retryable: false });
      expect(imds.count(credentialPath(imds))).toBe(3); // 1 attempt + 2 retries, not 3 × 3
      expect(sts.calls).toBe(0);
    });

    it("makes one AssumeRole for fifty clients built from one config", async () => {
      const clock = manualClock();
      const sts = await stsTrustingEnvKeys(clock);
      const config = { env: { env: ENV_KEYS }, imds: false as const, clock, assumeRole: { roleArn: ROLE, endpoint: sts.endpoint, region: "us-east-1" } };
      const clients = Array.from({ length: 50 }, () => new STSClient({ region: "us-east-1", endpoint: sts.endpoint, credentials: envOrProfile(config) }));

      await Promise.all(clients.map((client) => client.config.credentials()));
      clients.forEach((client) => client.destroy());
      expect(sts.calls).toBe(1);
    });
  });

  describe("creation is cheap: the shared chain is picked on the first call (issue 12 item 16)", () => {
    /** Runs `run` with process.env's IMDS endpoint set to `endpoint` (loopback only), then puts it back. */
    function withImdsEndpoint<T>(endpoint: string, run: () => T): T {
      const saved = process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"];
      const restore = (): void => {
        if (saved === undefined) delete process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"];
        else process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = saved;
      };
      process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = endpoint;
      try {
        const result = run();
        if (result instanceof Promise) return result.finally(restore) as T;
        restore();
        return result;
      } catch (error) {
        restore();
        throw error;
      }
    }
    /** Where process.env points IMDS while providers are created: a closed loopback port. */
    const CLOSED = "http://127.0.0.1:9";
    const imdsOnly = (clock: { now(): number }) => envOrProfile({ env: false, profile: false, webIdentity: false, container: false, clock });

    it("reads process.env on the first call, as the AWS SDK does, not when created", async () => {
      const clock = manualClock();
      const imds = await imdsEmulator({ clock });
      const credentials = withImdsEndpoint(CLOSED, () => imdsOnly(clock));
      const identity = await withImdsEndpoint(imds.endpoint, () => credentials());
      expect(identity.accessKeyId).toBe(imds.current.accessKeyId);
    });

    it("keeps its credential when process.env changes, until its refresh point, where it reads process.env again (as the SDK's chain does)", async () => {
      const clock = manualClock();
      const first = await imdsEmulator({ clock });
      const second = await imdsEmulator({ clock });
      const credentials = withImdsEndpoint(CLOSED, () => imdsOnly(clock));
      const before = await withImdsEndpoint(first.endpoint, () => credentials());
      expect((await withImdsEndpoint(second.endpoint, () => credentials())).accessKeyId).toBe(before.accessKeyId);
      clock.advance(6 * 60 * MINUTE); // past the cached credential: a refresh is due
      const after = await withImdsEndpoint(second.endpoint, () => credentials());
      expect(after.accessKeyId).toBe(second.current.accessKeyId);
      expect([first.count(credentialPath(first)), second.count(credentialPath(second))]).toEqual([1, 1]);
    });

    it("shares one fetch between providers created before the environment was set and called after", async () => {
      const clock = manualClock();
      const imds = await imdsEmulator({ clock });
      const providers = withImdsEndpoint(CLOSED, () => Array.from({ length: 50 }, () => imdsOnly(clock)));
      const identities = await withImdsEndpoint(imds.endpoint, () => Promise.all(providers.map((provider) => provider())));
      expect(new Set(identities.map((identity) => identity.accessKeyId)).size).toBe(1);
      expect(imds.count(credentialPath(imds))).toBe(1);
    });

    it("still throws a bad option's TypeError when created", () => {
      expect(() => envOrProfile({ imds: { timeoutMs: -1 } })).toThrow(/timeoutMs/);
      expect(() => envOrProfile({ imds: { endpoint: "ftp://127.0.0.1" } })).toThrow(TypeError);
      expect(() => envOrProfile({ refreshWindowMs: -1 })).toThrow(/refreshWindowMs/);
      expect(() => envOrProfile({ retry: { retries: -1 } })).toThrow(TypeError);
      expect(() => envOrProfile({ clock: {} as never })).toThrow(/clock/);
      expect(() => envOrProfile({ profile: { processTimeoutMs: 0 } })).toThrow(/processTimeoutMs/);
    });

    it("invalidate() on a provider never called yet makes its first call forget the shared credential, for every provider sharing it", async () => {
      const clock = manualClock();
      const imds = await imdsEmulator({ clock });
      const options = { env: { env: {} }, imds: { endpoint: imds.endpoint }, clock };
      const used = envOrProfile(options);
      const first = await used();
      imds.rotate();
      const fresh = envOrProfile(options);
      fresh.invalidate();
      const second = await fresh();
      expect(second.accessKeyId).not.toBe(first.accessKeyId);
      expect((await used()).accessKeyId).toBe(second.accessKeyId);
      expect(imds.count(credentialPath(imds))).toBe(2);
    });

    it("carries the SDK's memoized marker before its first call", () => {
      expect(envOrProfile({ env: { env: {} }, imds: false, profile: false }).memoized).toBe(true);
    });
  });

  it("rejects a configuration with every link switched off", () => {
    expect(() => envOrProfile({ env: false, profile: false, webIdentity: false, container: false, imds: false })).toThrow(TypeError);
  });
});
