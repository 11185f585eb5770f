import { createHash } from "node:crypto";
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  DecodeAuthorizationMessageCommand,
  GetCallerIdentityCommand,
  STSClient,
} from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it } from "vitest";
import { manualClock } from "../../src/testing/manual-clock.js";
import { startStsEmulator, type StsEmulator, type StsEmulatorOptions } from "../../src/testing/sts-emulator.js";

const ROLE = "arn:aws:iam::123456789012:role/deploy";
const BASE = { accessKeyId: "AKIAEMULATORBASE0001", secretAccessKey: "emulator-base-secret", sessionToken: "emulator-base-token" };

let sts: StsEmulator | undefined;
afterEach(async () => {
  await sts?.close();
  sts = undefined;
});

async function start(options: StsEmulatorOptions = {}): Promise<StsEmulator> {
  sts = await startStsEmulator({ baseCredentials: [BASE], ...options });
  return sts;
}

function client(emulator: StsEmulator, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = BASE) {
  return new STSClient({
    region: "eu-west-1",
    endpoint: emulator.endpoint,
    credentials,
    maxAttempts: 1,
    requestHandler: { requestTimeout: 2_000, throwOnRequestTimeout: true },
  });
}

const assumeRole = (extra: Partial<{ ExternalId: string; RoleArn: string }> = {}) =>
  new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "emulator-test", ...extra });

describe("startStsEmulator", () => {
  it("listens on an ephemeral 127.0.0.1 port", async () => {
    const emulator = await start();
    expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("answers AssumeRole with XML the AWS SDK parses", async () => {
    const emulator = await start();
    const out = await client(emulator).send(assumeRole());
    const issued = emulator.issued[0];
    expect(out.Credentials?.AccessKeyId).toBe(issued?.accessKeyId);
    expect(out.Credentials?.SecretAccessKey).toBe(issued?.secretAccessKey);
    expect(out.Credentials?.SessionToken).toBe(issued?.sessionToken);
    expect(out.AssumedRoleUser?.Arn).toBe("arn:aws:sts::123456789012:assumed-role/deploy/emulator-test");
  });

  it("dates credentials by its clock and the requested DurationSeconds", async () => {
    const clock = manualClock();
    const emulator = await start({ clock });
    const out = await client(emulator).send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "s1", DurationSeconds: 900 }));
    expect(out.Credentials?.Expiration?.getTime()).toBe(clock.now() + 900_000);
  });

  it("dates credentials by lifetimeMs when set", async () => {
    const clock = manualClock();
    const emulator = await start({ clock, lifetimeMs: 60_000 });
    const out = await client(emulator).send(assumeRole());
    expect(out.Credentials?.Expiration?.getTime()).toBe(clock.now() + 60_000);
  });

  it("rejects a signature made with the wrong secret as SignatureDoesNotMatch", async () => {
    const emulator = await start();
    const error = await client(emulator, { ...BASE, secretAccessKey: "not-the-secret" })
      .send(assumeRole())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "SignatureDoesNotMatch", $metadata: { httpStatusCode: 403 } });
    expect(emulator.lastRequest?.signatureValid).toBe(false);
  });

  it("rejects an unknown access key id as InvalidClientTokenId", async () => {
    const emulator = await start();
    const error = await client(emulator, { ...BASE, accessKeyId: "AKIAUNKNOWN000000000" })
      .send(assumeRole())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "InvalidClientTokenId" });
  });

  it("rejects a request whose session token differs from the base's", async () => {
    const emulator = await start();
    const error = await client(emulator, { ...BASE, sessionToken: "some-other-token" })
      .send(assumeRole())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "InvalidClientTokenId" });
  });

  it("rejects an unsigned request as MissingAuthenticationToken", async () => {
    const emulator = await start();
    const response = await fetch(emulator.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=AssumeRole&Version=2011-06-15",
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("<Code>MissingAuthenticationToken</Code>");
  });

  it("records the access key id and session token that signed the request", async () => {
    const emulator = await start();
    await client(emulator).send(assumeRole());
    expect(emulator.lastRequest).toMatchObject({
      action: "AssumeRole",
      accessKeyId: BASE.accessKeyId,
      sessionToken: BASE.sessionToken,
      region: "eu-west-1",
      signatureValid: true,
      status: 200,
    });
  });

  it("denies a wrong ExternalId with AccessDenied and a request id", async () => {
    const emulator = await start({ externalId: "tenant-42" });
    const error = await client(emulator)
      .send(assumeRole({ ExternalId: "tenant-43" }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "AccessDenied", $metadata: { httpStatusCode: 403, requestId: emulator.lastRequest?.requestId } });
  });

  it("accepts the configured ExternalId", async () => {
    const emulator = await start({ roles: { [ROLE]: { externalId: "tenant-42" } } });
    await expect(client(emulator).send(assumeRole({ ExternalId: "tenant-42" }))).resolves.toBeDefined();
  });

  it("denies roles not listed when roles are given", async () => {
    const emulator = await start({ roles: { [ROLE]: {} } });
    const error = await client(emulator)
      .send(assumeRole({ RoleArn: "arn:aws:iam::123456789012:role/other" }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "AccessDenied" });
  });

  it("counts AssumeRole calls in total and per role", async () => {
    const emulator = await start();
    const other = "arn:aws:iam::123456789012:role/other";
    await client(emulator).send(assumeRole());
    await client(emulator).send(assumeRole());
    await client(emulator).send(assumeRole({ RoleArn: other }));
    expect(emulator.calls).toBe(3);
    expect(emulator.callsByRole.get(ROLE)).toBe(2);
    expect(emulator.callsByRole.get(other)).toBe(1);
  });

  it("injects Throttling as HTTP 400 with code Throttling", async () => {
    const emulator = await start();
    emulator.injectFault({ kind: "throttling" });
    await expect(client(emulator).send(assumeRole())).rejects.toMatchObject({ name: "Throttling", $metadata: { httpStatusCode: 400 } });
  });

  it("injects a 5xx with the status asked for", async () => {
    const emulator = await start();
    emulator.injectFault({ kind: "server-error", status: 503 });
    await expect(client(emulator).send(assumeRole())).rejects.toMatchObject({ $fault: "server", $metadata: { httpStatusCode: 503 } });
  });

  it("injects a malformed body the SDK cannot parse", async () => {
    const emulator = await start();
    emulator.injectFault({ kind: "malformed" });
    await expect(client(emulator).send(assumeRole())).rejects.toThrow(/parse/i);
  });

  it("applies a fault the given number of times, then answers normally", async () => {
    const emulator = await start();
    emulator.injectFault({ kind: "throttling" }, 2);
    await expect(client(emulator).send(assumeRole())).rejects.toMatchObject({ name: "Throttling" });
    await expect(client(emulator).send(assumeRole())).rejects.toMatchObject({ name: "Throttling" });
    await expect(client(emulator).send(assumeRole())).resolves.toBeDefined();
  });

  it("delays an answer by the injected delay", async () => {
    const emulator = await start();
    emulator.injectFault({ kind: "delay", ms: 50 });
    const started = performance.now();
    await client(emulator).send(assumeRole());
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it("leaves a hanging request open until close() destroys its socket", async () => {
    const emulator = await start();
    emulator.injectFault({ kind: "hang" });
    const pending = client(emulator).send(assumeRole()).catch((e: unknown) => e);
    await expect.poll(() => emulator.calls).toBe(1);
    await emulator.close();
    sts = undefined;
    expect(await pending).toBeInstanceOf(Error);
  });

  it("answers GetCallerIdentity for credentials it issued", async () => {
    const emulator = await start();
    const out = await client(emulator).send(assumeRole());
    const c = out.Credentials;
    const identity = await client(emulator, {
      accessKeyId: c?.AccessKeyId ?? "",
      secretAccessKey: c?.SecretAccessKey ?? "",
      sessionToken: c?.SessionToken ?? "",
    }).send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({ Account: "123456789012", Arn: "arn:aws:sts::123456789012:assumed-role/deploy/emulator-test" });
  });

  it("forgets counters on reset()", async () => {
    const emulator = await start();
    await client(emulator).send(assumeRole());
    emulator.reset();
    expect([emulator.calls, emulator.requests.length, emulator.issued.length]).toEqual([0, 0, 0]);
  });
});

const WEB_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJlbXVsYXRvciJ9.c2ln";
const webIdentity = (extra: Partial<{ WebIdentityToken: string; DurationSeconds: number; RoleArn: string }> = {}) =>
  new AssumeRoleWithWebIdentityCommand({ RoleArn: ROLE, RoleSessionName: "irsa-test", WebIdentityToken: WEB_TOKEN, ...extra });

/** An STS client with no credentials at all: AssumeRoleWithWebIdentity is unsigned. */
function anonymous(emulator: StsEmulator): STSClient {
  return new STSClient({
    region: "eu-west-1",
    endpoint: emulator.endpoint,
    maxAttempts: 1,
    credentials: async () => {
      throw new Error("an unsigned call must not ask for credentials");
    },
    requestHandler: { requestTimeout: 2_000, throwOnRequestTimeout: true },
  });
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

describe("startStsEmulator: AssumeRoleWithWebIdentity", () => {
  it("answers an unsigned request with credentials the SDK parses", async () => {
    const emulator = await start({ webIdentityToken: WEB_TOKEN });
    const out = await anonymous(emulator).send(webIdentity());
    const issued = emulator.issued[0];
    expect(out.Credentials?.AccessKeyId).toBe(issued?.accessKeyId);
    expect(out.Credentials?.SessionToken).toBe(issued?.sessionToken);
    expect(out.AssumedRoleUser?.Arn).toBe("arn:aws:sts::123456789012:assumed-role/deploy/irsa-test");
    expect(issued?.action).toBe("AssumeRoleWithWebIdentity");
    expect(emulator.lastRequest).toMatchObject({ signatureValid: false, status: 200 });
  });

  it("records RoleArn, RoleSessionName, DurationSeconds and the token's SHA-256 — never the token", async () => {
    const emulator = await start();
    await anonymous(emulator).send(webIdentity({ DurationSeconds: 1800 }));
    const record = emulator.lastRequest;
    expect(record).toMatchObject({
      action: "AssumeRoleWithWebIdentity",
      roleArn: ROLE,
      roleSessionName: "irsa-test",
      durationSeconds: 1800,
      webIdentityTokenSha256: sha256(WEB_TOKEN),
    });
    expect(JSON.stringify(emulator.requests)).not.toContain(WEB_TOKEN);
  });

  it("answers InvalidIdentityToken for a token other than the expected one", async () => {
    const emulator = await start({ webIdentityToken: WEB_TOKEN });
    const error = await anonymous(emulator).send(webIdentity({ WebIdentityToken: "eyJ.other.token" })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "InvalidIdentityTokenException" });
    expect(emulator.issued).toHaveLength(0);
  });

  it("checks the token with a function when given one, and with setWebIdentityToken later", async () => {
    const emulator = await start({ webIdentityToken: (token) => token.startsWith("eyJ") });
    await anonymous(emulator).send(webIdentity());
    emulator.setWebIdentityToken("rotated-token-value");
    await expect(anonymous(emulator).send(webIdentity())).rejects.toMatchObject({ name: "InvalidIdentityTokenException" });
    await anonymous(emulator).send(webIdentity({ WebIdentityToken: "rotated-token-value" }));
    expect(emulator.webIdentityCalls).toBe(3);
  });

  it("dates web identity credentials by its clock and DurationSeconds", async () => {
    const clock = manualClock();
    const emulator = await start({ clock });
    const out = await anonymous(emulator).send(webIdentity({ DurationSeconds: 900 }));
    expect(out.Credentials?.Expiration?.getTime()).toBe(clock.now() + 900_000);
  });

  it("denies roles not listed when roles are given", async () => {
    const emulator = await start({ roles: { "arn:aws:iam::123456789012:role/other": {} } });
    await expect(anonymous(emulator).send(webIdentity())).rejects.toMatchObject({ name: "AccessDenied" });
  });

  it.each([
    ["invalid-identity-token", "InvalidIdentityTokenException", 400],
    ["expired-token", "ExpiredTokenException", 400],
    ["idp-communication-error", "IDPCommunicationErrorException", 400],
    ["idp-rejected-claim", "IDPRejectedClaimException", 403],
    ["access-denied", "AccessDenied", 403],
    ["throttling", "Throttling", 400],
  ] as const)("injects %s as the SDK's %s (HTTP %i)", async (kind, name, status) => {
    const emulator = await start();
    emulator.injectFault({ kind });
    const error = await anonymous(emulator).send(webIdentity()).catch((e: unknown) => e);
    expect(error).toMatchObject({ name, $metadata: { httpStatusCode: status } });
    await anonymous(emulator).send(webIdentity());
  });

  it("injects 5xx, malformed answers, delays and hangs into web identity requests too", async () => {
    const emulator = await start();
    emulator.injectFault({ kind: "server-error", status: 503 });
    await expect(anonymous(emulator).send(webIdentity())).rejects.toMatchObject({ $metadata: { httpStatusCode: 503 } });
    emulator.injectFault({ kind: "malformed" });
    await expect(anonymous(emulator).send(webIdentity())).rejects.toBeInstanceOf(Error);
    emulator.injectFault({ kind: "delay", ms: 60 });
    const started = performance.now();
    await anonymous(emulator).send(webIdentity());
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    emulator.injectFault({ kind: "hang" });
    const pending = anonymous(emulator).send(webIdentity()).catch((e: unknown) => e);
    await expect.poll(() => emulator.webIdentityCalls).toBe(4);
    await emulator.close();
    sts = undefined;
    expect(await pending).toBeInstanceOf(Error);
  });

  it("aims a fault at one action when asked, leaving the other untouched", async () => {
    const emulator = await start();
    emulator.injectFault({ kind: "access-denied" }, 1, "AssumeRole");
    await anonymous(emulator).send(webIdentity());
    await expect(client(emulator).send(assumeRole())).rejects.toMatchObject({ name: "AccessDenied" });
    await client(emulator).send(assumeRole());
  });

  it("counts web identity calls apart from AssumeRole calls", async () => {
    const emulator = await start();
    await anonymous(emulator).send(webIdentity());
    await client(emulator).send(assumeRole());
    expect([emulator.webIdentityCalls, emulator.calls]).toEqual([1, 1]);
    emulator.reset();
    expect(emulator.webIdentityCalls).toBe(0);
  });

  it("accepts credentials it issued by web identity to sign later requests", async () => {
    const emulator = await start();
    const c = (await anonymous(emulator).send(webIdentity())).Credentials;
    const me = await client(emulator, {
      accessKeyId: c?.AccessKeyId ?? "",
      secretAccessKey: c?.SecretAccessKey ?? "",
      sessionToken: c?.SessionToken ?? "",
    }).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe("arn:aws:sts::123456789012:assumed-role/deploy/irsa-test");
  });
});

describe("startStsEmulator: DecodeAuthorizationMessage", () => {
  const decoded = { allowed: false, explicitDeny: false, context: { action: "iam:PassRole" } };

  it("decodes a registered message for a signed caller", async () => {
    const emulator = await start({ authorizationMessages: { "encoded-message-1": decoded } });
    const out = await client(emulator).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: "encoded-message-1" }));
    expect(JSON.parse(out.DecodedMessage ?? "")).toEqual(decoded);
    expect(emulator.lastRequest).toMatchObject({ action: "DecodeAuthorizationMessage", encodedMessage: "encoded-message-1", signatureValid: true });
  });

  it("encodes a message on request, as an encoded authorization failure message would look", async () => {
    const emulator = await start();
    const encoded = emulator.encodeAuthorizationMessage(decoded);
    expect(encoded).toMatch(/^[\w-]+$/);
    const out = await client(emulator).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }));
    expect(JSON.parse(out.DecodedMessage ?? "")).toEqual(decoded);
  });

  it("answers InvalidAuthorizationMessageException for a message it does not know", async () => {
    const emulator = await start();
    await expect(client(emulator).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: "unknown" }))).rejects.toMatchObject({
      name: "InvalidAuthorizationMessageException",
    });
  });

  it("requires a valid signature", async () => {
    const emulator = await start({ authorizationMessages: { m: decoded } });
    const wrong = client(emulator, { accessKeyId: BASE.accessKeyId, secretAccessKey: "wrong-secret", sessionToken: BASE.sessionToken });
    await expect(wrong.send(new DecodeAuthorizationMessageCommand({ EncodedMessage: "m" }))).rejects.toMatchObject({ name: "SignatureDoesNotMatch" });
  });
});
