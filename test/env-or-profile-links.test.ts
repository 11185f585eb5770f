import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { envOrProfile } from "../src/env-or-profile.js";
import { CredentialsError } from "../src/errors.js";
import { fromAssumeRole } from "../src/providers/assume-role.js";
import { startContainerEmulator, type ContainerEmulator, type ContainerEmulatorOptions } from "../src/testing/container-emulator.js";
import { startImdsEmulator, type ImdsEmulator } from "../src/testing/imds-emulator.js";
import { manualClock } from "../src/testing/manual-clock.js";
import { startStsEmulator, type StsEmulator } from "../src/testing/sts-emulator.js";
import { collectingLogger, expectClean, expectNoSecrets, rawServer } from "./helpers/leak-check.js";
import { startMoto, type MotoServer } from "./helpers/moto.js";
import { usePeers } from "./helpers/peers.js";

const ENV_A = { AWS_ACCESS_KEY_ID: "AKIATENANTAEXAMPLE01", AWS_SECRET_ACCESS_KEY: "tenant-a-secret-000000000000000000000001" };
const ENV_B = { AWS_ACCESS_KEY_ID: "AKIATENANTBEXAMPLE02", AWS_SECRET_ACCESS_KEY: "tenant-b-secret-000000000000000000000002" };
const ROLE = "arn:aws:iam::123456789012:role/partner-upload";
const FULL = "AWS_CONTAINER_CREDENTIALS_FULL_URI";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});
const dir = mkdtempSync(join(tmpdir(), "env-or-profile-links-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function container(options: ContainerEmulatorOptions = {}): Promise<ContainerEmulator> {
  const emulator = await startContainerEmulator(options);
  closers.push(() => emulator.close());
  return emulator;
}
async function imdsEmulator(clock: { now(): number }): Promise<ImdsEmulator> {
  const emulator = await startImdsEmulator({ clock });
  closers.push(() => emulator.close());
  return emulator;
}
async function sts(options: Parameters<typeof startStsEmulator>[0]): Promise<StsEmulator> {
  const emulator = await startStsEmulator(options);
  closers.push(() => emulator.close());
  return emulator;
}
const imdsCredentialPath = (imds: ImdsEmulator): string => `/latest/meta-data/iam/security-credentials/${imds.roleName ?? ""}`;

/** A chain that sees only `environment` (HOME pointed at an empty directory: no ~/.aws). */
function isolated(environment: Record<string, string>, extra: Parameters<typeof envOrProfile>[0] = {}): Parameters<typeof envOrProfile>[0] {
  return { env: { env: { HOME: dir, ...environment } }, imds: { endpoint: "http://127.0.0.1:9", env: {} }, ...extra };
}

describe("envOrProfile: sharing is decided by the identity of the source", () => {
  it("never serves tenant B the keys of tenant A when both started from look-alike empty env objects", async () => {
    const clock = manualClock();
    const tenantA: Record<string, string> = {};
    const tenantB: Record<string, string> = {};
    const a = envOrProfile({ env: { env: tenantA }, profile: false, webIdentity: false, container: false, imds: false, clock });
    const b = envOrProfile({ env: { env: tenantB }, profile: false, webIdentity: false, container: false, imds: false, clock });

    Object.assign(tenantA, ENV_A);
    await expect(a()).resolves.toMatchObject({ accessKeyId: ENV_A.AWS_ACCESS_KEY_ID });
    Object.assign(tenantB, ENV_B);
    await expect(b()).resolves.toMatchObject({ accessKeyId: ENV_B.AWS_ACCESS_KEY_ID });
  });

  it("gives two look-alike loggers (shared methods, state behind `this`) their own providers and lines", async () => {
    const clock = manualClock();
    const methods = {
      warn(this: { lines: string[] }, message: string) {
        this.lines.push(message);
      },
    };
    const first = { lines: [] as string[], warn: methods.warn };
    const second = { lines: [] as string[], warn: methods.warn };
    const environment = { ...ENV_A, AWS_PROFILE: "ignored-profile", HOME: dir };
    const a = envOrProfile({ env: { env: environment }, imds: false, clock, logger: first });
    const b = envOrProfile({ env: { env: environment }, imds: false, clock, logger: second });
    await a();
    await b();
    expect([first.lines.length, second.lines.length]).toEqual([1, 1]);
  });

  it("still shares one provider between envOrProfile() calls given the same env object", async () => {
    const clock = manualClock();
    const emulator = await container({ clock });
    const environment = { HOME: dir, [FULL]: emulator.endpoint };
    const options = { env: { env: environment }, imds: false as const, clock };
    const providers = Array.from({ length: 100 }, () => envOrProfile(options));
    const identities = await Promise.all(Array.from({ length: 1_000 }, (_, i) => providers[i % 100]!()));
    expect(new Set(identities.map((identity) => identity.accessKeyId)).size).toBe(1);
    expect(emulator.requestCount).toBe(1);
  });

  it("makes a new provider when the container authorization token changes between calls", async () => {
    const clock = manualClock();
    const emulator = await container({ clock, authorizationToken: "token-1" });
    const environment: Record<string, string> = { HOME: dir, [FULL]: emulator.endpoint, AWS_CONTAINER_AUTHORIZATION_TOKEN: "token-1" };
    const options = { env: { env: environment }, imds: false as const, clock };
    await envOrProfile(options)();
    await envOrProfile(options)();
    environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "token-2";
    emulator.authorizationToken = "token-2";
    await envOrProfile(options)();
    expect(emulator.log.map((entry) => entry.authorization)).toEqual(["token-1", "token-2"]);
  });

  it("makes a new provider when process.env's container URI changes between calls", async () => {
    const clock = manualClock();
    const first = await container({ clock });
    const second = await container({ clock });
    const environment: Record<string, string> = { HOME: dir, [FULL]: first.endpoint };
    const options = { env: { env: environment }, imds: false as const, clock };
    await envOrProfile(options)();
    environment[FULL] = second.endpoint;
    await envOrProfile(options)();
    expect([first.requestCount, second.requestCount]).toEqual([1, 1]);
  });
});

describe("envOrProfile: the order env → profile → web identity → container → IMDS", () => {
  it("takes the container credentials before the EC2 instance profile", async () => {
    const clock = manualClock();
    const imds = await imdsEmulator(clock);
    const emulator = await container({ clock });
    const credentials = envOrProfile({ env: { env: { HOME: dir, [FULL]: emulator.endpoint } }, imds: { endpoint: imds.endpoint }, clock });
    await expect(credentials()).resolves.toMatchObject({ accessKeyId: emulator.current.accessKeyId });
    expect(imds.requestCount).toBe(0);
  });

  it("never falls through to the instance profile when the container endpoint is configured but down", async () => {
    const clock = manualClock();
    const imds = await imdsEmulator(clock);
    const down = await rawServer((req) => req.socket.destroy());
    closers.push(() => down.close());
    const credentials = envOrProfile({
      env: { env: { HOME: dir, [FULL]: `${down.endpoint}/creds` } },
      imds: { endpoint: imds.endpoint },
      clock,
      retry: { retries: 1, minTimeout: 1, maxTimeout: 1 },
    });
    await expect(credentials()).rejects.toMatchObject({ code: "CONTAINER_UNAVAILABLE", source: "container" });
    expect(down.requests).toBe(2); // one attempt per refresh inside the chain, retried once by the chain's cache
    expect(imds.count(imdsCredentialPath(imds))).toBe(0);
  });

  it("stops on a container URI whose host is not allowed, before any request, instead of using IMDS", async () => {
    const clock = manualClock();
    const imds = await imdsEmulator(clock);
    const credentials = envOrProfile({ env: { env: { HOME: dir, [FULL]: "http://169.254.170.2.evil.example/creds" } }, imds: { endpoint: imds.endpoint }, clock });
    await expect(credentials()).rejects.toMatchObject({ code: "CONTAINER_HOST_NOT_ALLOWED", tryNextLink: false });
    expect(imds.requestCount).toBe(0);
  });

  it("skips the container link with `container: false`", async () => {
    const clock = manualClock();
    const imds = await imdsEmulator(clock);
    const emulator = await container({ clock });
    const credentials = envOrProfile({ env: { env: { HOME: dir, [FULL]: emulator.endpoint } }, container: false, imds: { endpoint: imds.endpoint }, clock });
    await expect(credentials()).resolves.toMatchObject({ accessKeyId: imds.current.accessKeyId });
    expect(emulator.requestCount).toBe(0);
  });

  it("takes web identity (IRSA) before container credentials (Pod Identity)", async () => {
    const clock = manualClock(Date.now());
    const emulator = await container({ clock });
    const stsEmulator = await sts({ clock });
    const tokenFile = join(dir, "irsa-token");
    writeFileSync(tokenFile, "eyJhbGciOiJSUzI1NiJ9.irsa-token.signature");
    const credentials = envOrProfile(
      isolated({ AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ENDPOINT_URL_STS: stsEmulator.endpoint, [FULL]: emulator.endpoint }, { clock }),
    );
    const identity = await credentials();
    expect(identity.accessKeyId).toBe(stsEmulator.issued[0]?.accessKeyId);
    expect(stsEmulator.webIdentityCalls).toBe(1);
    expect(emulator.requestCount).toBe(0);
  });
});

describe("envOrProfile: a race of 1,000 callers makes one request per source", () => {
  it("web identity: 1,000 callers across 100 envOrProfile() → one AssumeRoleWithWebIdentity", async () => {
    const clock = manualClock(Date.now());
    const stsEmulator = await sts({ clock });
    const tokenFile = join(dir, "irsa-token-race");
    writeFileSync(tokenFile, "eyJhbGciOiJSUzI1NiJ9.race.signature");
    const options = isolated({ AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ENDPOINT_URL_STS: stsEmulator.endpoint }, { clock });
    const providers = Array.from({ length: 100 }, () => envOrProfile(options));
    const identities = await Promise.all(Array.from({ length: 1_000 }, (_, i) => providers[i % 100]!()));
    expect(new Set(identities.map((identity) => identity.accessKeyId)).size).toBe(1);
    expect(stsEmulator.webIdentityCalls).toBe(1);
  });

  it("container then AssumeRole: 1,000 callers → one container request and one AssumeRole", async () => {
    const clock = manualClock(Date.now());
    const emulator = await container({ clock });
    const stsEmulator = await sts({ clock, baseCredentials: [emulator.current], externalId: "tenant-42" });
    const options = {
      ...isolated({ [FULL]: emulator.endpoint }),
      clock,
      assumeRole: { roleArn: ROLE, externalId: "tenant-42", endpoint: stsEmulator.endpoint, region: "us-east-1" },
    };
    const identities = await Promise.all(Array.from({ length: 1_000 }, () => envOrProfile(options)()));
    expect(new Set(identities.map((identity) => identity.accessKeyId)).size).toBe(1);
    expect([emulator.requestCount, stsEmulator.calls]).toEqual([1, 1]);
  });
});

describe("envOrProfile: never the wrong identity in silence", () => {
  it("warns once, at warn, that env keys won over a configured container URI", async () => {
    const clock = manualClock();
    const logger = collectingLogger();
    const emulator = await container({ clock });
    const credentials = envOrProfile({ ...isolated({ ...ENV_A, [FULL]: emulator.endpoint }), clock, logger });
    await credentials();
    await credentials({ forceRefresh: true });
    const warnings = logger.lines.filter((line) => line.startsWith("warn"));
    expect(warnings).toEqual([
      expect.stringMatching(/credentials come from env; also configured but ignored: container \(AWS_CONTAINER_CREDENTIALS_FULL_URI\)/),
    ]);
    expect(emulator.requestCount).toBe(0);
  });

  it("lets an explicitly chosen profile (the `profile` option) win over env keys, as botocore's Session(profile_name=…), and warns", async () => {
    const logger = collectingLogger();
    const credentialsFile = join(dir, "credentials-explicit");
    writeFileSync(credentialsFile, `[work]\naws_access_key_id = ${ENV_B.AWS_ACCESS_KEY_ID}\naws_secret_access_key = ${ENV_B.AWS_SECRET_ACCESS_KEY}\n`);
    const environment = { ...ENV_A, HOME: dir, AWS_SHARED_CREDENTIALS_FILE: credentialsFile, AWS_CONFIG_FILE: join(dir, "no-config") };
    const identity = await envOrProfile({ env: { env: environment }, profile: { profile: "work" }, imds: false, clock: manualClock(), logger })();
    expect(identity.accessKeyId).toBe(ENV_B.AWS_ACCESS_KEY_ID);
    expect(logger.lines).toContainEqual(
      expect.stringMatching(/^warn .*from profile; also configured but ignored: env \(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; an explicitly chosen profile negates the environment keys/),
    );
  });

  it("names the link that won even when its key holds a `|` (a profile file under a folder named a|b)", async () => {
    const logger = collectingLogger();
    const folder = mkdtempSync(join(dir, "pipe|in|name-"));
    const credentialsFile = join(folder, "credentials");
    writeFileSync(credentialsFile, `[work]\naws_access_key_id = ${ENV_B.AWS_ACCESS_KEY_ID}\naws_secret_access_key = ${ENV_B.AWS_SECRET_ACCESS_KEY}\n`);
    const environment = { AWS_PROFILE: "work", AWS_SHARED_CREDENTIALS_FILE: credentialsFile, AWS_CONFIG_FILE: join(folder, "no-config"), [FULL]: "http://127.0.0.1:9/creds" };
    const identity = await envOrProfile({ ...isolated(environment), clock: manualClock(), logger })();
    expect(identity.accessKeyId).toBe(ENV_B.AWS_ACCESS_KEY_ID);
    expect(logger.lines.filter((line) => line.startsWith("warn"))).toEqual([
      expect.stringMatching(/credentials come from profile; also configured but ignored: container \(AWS_CONTAINER_CREDENTIALS_FULL_URI\)/),
    ]);
  });

  it("warns that env keys won over AWS_PROFILE, naming the profile", async () => {
    const logger = collectingLogger();
    await envOrProfile({ ...isolated({ ...ENV_A, AWS_PROFILE: "work" }), clock: manualClock(), logger })();
    expect(logger.lines).toContainEqual(expect.stringMatching(/^warn .*from env; also configured but ignored: profile \(AWS_PROFILE=work\)/));
  });

  it("warns that web identity won over Pod Identity", async () => {
    const clock = manualClock(Date.now());
    const logger = collectingLogger();
    const stsEmulator = await sts({ clock });
    const tokenFile = join(dir, "irsa-token-2");
    writeFileSync(tokenFile, "eyJhbGciOiJSUzI1NiJ9.irsa-token.signature");
    await envOrProfile({
      ...isolated({ AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ENDPOINT_URL_STS: stsEmulator.endpoint, [FULL]: "http://127.0.0.1:9/pod" }),
      clock,
      logger,
    })();
    expect(logger.lines).toContainEqual(
      expect.stringMatching(/^warn .*from web-identity; also configured but ignored: container \(AWS_CONTAINER_CREDENTIALS_FULL_URI\)/),
    );
  });

  it("warns that the container won over an explicitly configured IMDS (a container on an EC2 host)", async () => {
    const clock = manualClock();
    const logger = collectingLogger();
    const emulator = await container({ clock });
    await envOrProfile({ env: { env: { HOME: dir, [FULL]: emulator.endpoint } }, imds: { endpoint: "http://127.0.0.1:9" }, clock, logger })();
    expect(logger.lines).toContainEqual(expect.stringMatching(/^warn .*from container; also configured but ignored: imds \(the IMDS `endpoint` option\)/));
  });

  it("says nothing when only one source is configured", async () => {
    const logger = collectingLogger();
    await envOrProfile({ ...isolated(ENV_A), clock: manualClock(), logger })();
    expect(logger.lines.filter((line) => line.startsWith("warn"))).toEqual([]);
  });
});

describe("envOrProfile: container secrets stay out of errors and logs", () => {
  it("shows neither the token nor the credentials a broken answer carries, in the error or any log line", async () => {
    const clock = manualClock();
    const logger = collectingLogger();
    const emulator = await container({ clock, authorizationToken: "pod-token-secret-value-1234" });
    emulator.fail("bad-json");
    const credentials = envOrProfile({
      ...isolated({ [FULL]: emulator.endpoint, AWS_CONTAINER_AUTHORIZATION_TOKEN: "pod-token-secret-value-1234" }),
      clock,
      logger,
      retry: { retries: 1, minTimeout: 1, maxTimeout: 1 },
    });
    const error = await credentials().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CONTAINER_BAD_RESPONSE" });
    const secrets = ["pod-token-secret-value-1234", emulator.current.secretAccessKey, emulator.current.sessionToken];
    expectClean(error, secrets);
    expectNoSecrets(logger.lines, secrets);
  });
});

describe("envOrProfile: container credentials, then AssumeRole with an ExternalId", () => {
  it("assumes the role with the container credentials against our STS emulator, signed with the container key and token", async () => {
    const clock = manualClock(Date.now());
    const emulator = await container({ clock, authorizationToken: "pod-token" });
    const stsEmulator = await sts({ clock, baseCredentials: [emulator.current], externalId: "tenant-42" });
    const credentials = envOrProfile({
      ...isolated({ [FULL]: emulator.endpoint, AWS_CONTAINER_AUTHORIZATION_TOKEN: "pod-token" }),
      clock,
      assumeRole: { roleArn: ROLE, externalId: "tenant-42", endpoint: stsEmulator.endpoint, region: "us-east-1" },
    });
    const identity = await credentials();
    expect(identity.accessKeyId).toBe(stsEmulator.issued[0]?.accessKeyId);
    expect(stsEmulator.lastRequest).toMatchObject({
      action: "AssumeRole",
      signatureValid: true,
      externalId: "tenant-42",
      accessKeyId: emulator.current.accessKeyId,
      sessionToken: emulator.current.sessionToken,
    });
  });

  it("stops with STS_ACCESS_DENIED when the ExternalId is wrong", async () => {
    const clock = manualClock(Date.now());
    const emulator = await container({ clock });
    const stsEmulator = await sts({ clock, baseCredentials: [emulator.current], externalId: "tenant-42" });
    const credentials = envOrProfile({
      ...isolated({ [FULL]: emulator.endpoint }),
      clock,
      assumeRole: { roleArn: ROLE, externalId: "someone-else", endpoint: stsEmulator.endpoint, region: "us-east-1" },
    });
    const error = (await credentials().catch((e: unknown) => e)) as CredentialsError;
    expect(error).toBeInstanceOf(CredentialsError);
    expect(error.code).toBe("STS_ACCESS_DENIED");
  });

  it("is also fromAssumeRole()'s default source: the whole chain, container link included", async () => {
    const clock = manualClock(Date.now());
    const emulator = await container({ clock });
    const stsEmulator = await sts({ clock, baseCredentials: [emulator.current] });
    vi.stubEnv("HOME", dir);
    vi.stubEnv(FULL, emulator.endpoint);
    vi.stubEnv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9");
    for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]) {
      vi.stubEnv(name, undefined);
    }
    try {
      const identity = await fromAssumeRole({ roleArn: ROLE, endpoint: stsEmulator.endpoint, region: "us-east-1", clock })();
      expect(identity.accessKeyId).toBe(stsEmulator.issued[0]?.accessKeyId);
      expect(stsEmulator.lastRequest).toMatchObject({ signatureValid: true, accessKeyId: emulator.current.accessKeyId });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  describe("against moto (a real STS)", () => {
    const peers = usePeers("moto");
    let moto: MotoServer;
    beforeAll(async () => {
      if (peers.ready) moto = await startMoto();
    }, 40_000);
    afterAll(async () => {
      if (peers.ready) await moto.close();
    });

    it("assumes the role with the ExternalId and the assumed credentials work for GetCallerIdentity", async () => {
      const emulator = await container();
      const credentials = envOrProfile({
        ...isolated({ [FULL]: emulator.endpoint }),
        assumeRole: { roleArn: ROLE, externalId: "tenant-42", roleSessionName: "container-chain", endpoint: moto.endpoint, region: "us-east-1" },
      });
      const identity = await credentials();
      expect(identity.accessKeyId).toMatch(/^ASIA/);
      expect(identity.accessKeyId).not.toBe(emulator.current.accessKeyId);
      expect(emulator.requestCount).toBe(1);

      const client = new STSClient({ region: "us-east-1", endpoint: moto.endpoint, credentials });
      const caller = await client.send(new GetCallerIdentityCommand({}));
      client.destroy();
      expect(caller.Arn).toBe("arn:aws:sts::123456789012:assumed-role/partner-upload/container-chain");
    });
  });
});
