import { verify, X509Certificate, type KeyObject } from "node:crypto";
import { request as httpRequestRaw } from "node:http";
import { inspect } from "node:util";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { httpRequest } from "../../src/providers/http-credentials/http-request.js";
import { signX509Request } from "../../src/providers/roles-anywhere/sign-x509-request.js";
import { canonicalQueryString, canonicalRequest, sha256Hex, stringToSign } from "../../src/providers/roles-anywhere/x509-canonical-request.js";
import { manualClock } from "../../src/testing/manual-clock.js";
import { startRolesAnywhereEmulator, type RolesAnywhereEmulator } from "../../src/testing/roles-anywhere-emulator.js";
import { verifyCertificateChain } from "../../src/testing/verify-certificate-chain.js";
import { verifyX509Request } from "../../src/testing/verify-x509-request.js";
import { createCa, createLeaf, type TestCa, type TestLeaf } from "../providers/roles-anywhere/pki.js";
import { dateOf, vector, type SignedVector } from "../providers/roles-anywhere/vectors.js";
import { emulatorTrusting, PROFILE_ARN, ROLE_ARN, TRUST_ANCHOR_ARN } from "../providers/roles-anywhere/world.js";

/** Sends a vector's request exactly as captured (its Host header included) to `endpoint`. */
function replay(endpoint: string, v: SignedVector, change: { body?: string } = {}): Promise<{ status: number; errorType: string | undefined; body: string }> {
  const url = new URL(endpoint);
  const body = change.body ?? v.body;
  return new Promise((resolve, reject) => {
    const req = httpRequestRaw(
      { host: url.hostname, port: url.port, method: v.method, path: `${v.path}?${v.query}`, headers: { ...v.headers, "content-length": String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const errorType = res.headers["x-amzn-errortype"];
          resolve({ status: res.statusCode ?? 0, errorType: typeof errorType === "string" ? errorType : undefined, body: Buffer.concat(chunks).toString("utf8") });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** An emulator set up for vector `v`'s trust anchor, profile and role, its clock at the vector's time. */
async function emulatorFor(v: SignedVector, overrides: { anchorPem?: string; roleArns?: string[]; clockOffsetMs?: number } = {}): Promise<RolesAnywhereEmulator> {
  const query = new URLSearchParams(v.query);
  const clock = manualClock(dateOf(v.headers["x-amz-date"]).getTime() + (overrides.clockOffsetMs ?? 0));
  const emulator = await startRolesAnywhereEmulator({
    clock,
    trustAnchors: [{ arn: query.get("trustAnchorArn") ?? "", certificates: overrides.anchorPem ?? v.anchorPem }],
    profiles: [{ arn: query.get("profileArn") ?? "", roleArns: overrides.roleArns ?? [query.get("roleArn") ?? ""] }],
  });
  opened.push(emulator);
  return emulator;
}
const opened: RolesAnywhereEmulator[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((emulator) => emulator.close()));
});

describe("startRolesAnywhereEmulator accepts what AWS's aws_signing_helper signed", () => {
  it("answers 201 with a credential to vector 0 (RSA, aws_signing_helper 1.1.1)", async () => {
    const v = vector(0);
    const emulator = await emulatorFor(v);
    const answer = await replay(emulator.endpoint, v);
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body)).toMatchObject({ credentialSet: [{ credentials: { accessKeyId: emulator.current?.accessKeyId }, roleArn: new URLSearchParams(v.query).get("roleArn") }] });
    expect(emulator.requests[0]).toMatchObject({ signatureValid: true, algorithm: "AWS4-X509-RSA-SHA256", serialNumber: "21", region: "us-east-2", status: 201 });
  });

  it("answers 201 to vector 1 (ECDSA P-384, non-deterministic), whose signature node:crypto verifies with the leaf's public key", async () => {
    const v = vector(1);
    const emulator = await emulatorFor(v);
    const answer = await replay(emulator.endpoint, v);
    expect(answer.status).toBe(201);
    expect(emulator.requests[0]).toMatchObject({ signatureValid: true, algorithm: "AWS4-X509-ECDSA-SHA256", serialNumber: "3" });

    const leaf = new X509Certificate(Buffer.from(v.headers["x-amz-x509"], "base64"));
    const [, scope = "", signed = "", signature = ""] = /Credential=\d+\/([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]+)$/.exec(v.headers.authorization) ?? [];
    const names = signed.split(";");
    const canonical = canonicalRequest({
      method: v.method,
      path: v.path,
      query: canonicalQueryString(new URLSearchParams(v.query)),
      headers: Object.fromEntries(names.map((name) => [name, v.headers[name] ?? ""])),
      signedHeaders: names,
      payloadHash: sha256Hex(v.body),
    });
    const toSign = stringToSign("AWS4-X509-ECDSA-SHA256", v.headers["x-amz-date"], scope, canonical);
    expect(verify("sha256", Buffer.from(toSign), leaf.publicKey, Buffer.from(signature, "hex"))).toBe(true);
  });

  it("refuses vector 0 with its body changed: the signature no longer verifies (AccessDeniedException)", async () => {
    const v = vector(0);
    const emulator = await emulatorFor(v);
    const answer = await replay(emulator.endpoint, v, { body: '{"durationSeconds":43200}' });
    expect(answer).toMatchObject({ status: 403, errorType: "AccessDeniedException" });
    expect(emulator.requests[0]).toMatchObject({ signatureValid: false, reason: expect.stringMatching(/signature does not verify/) as unknown });
    expect(emulator.sessionCount).toBe(0);
  });

  it("refuses vector 0 six minutes after it was signed: X-Amz-Date must be within five minutes of the emulator's clock", async () => {
    const v = vector(0);
    const emulator = await emulatorFor(v, { clockOffsetMs: 6 * 60_000 });
    const answer = await replay(emulator.endpoint, v);
    expect(answer).toMatchObject({ status: 403, errorType: "AccessDeniedException" });
    expect(JSON.parse(answer.body)).toEqual({ message: expect.stringMatching(/X-Amz-Date 20240706T113859Z is more than 300 s/) as unknown });
  });

  it("refuses vector 0 when its trust anchor holds another CA (an untrusted signing certificate)", async () => {
    const v = vector(0);
    const emulator = await emulatorFor(v, { anchorPem: vector(2).anchorPem });
    const answer = await replay(emulator.endpoint, v);
    expect(answer).toMatchObject({ status: 403, errorType: "AccessDeniedException" });
    expect(JSON.parse(answer.body)).toEqual({ message: expect.stringMatching(/^Untrusted signing certificate: no trusted CA/) as unknown });
  });

  it("refuses vector 0 for a role its profile does not list", async () => {
    const v = vector(0);
    const emulator = await emulatorFor(v, { roleArns: ["arn:aws:iam::291738886548:role/another"] });
    const answer = await replay(emulator.endpoint, v);
    expect(answer).toMatchObject({ status: 403, errorType: "AccessDeniedException" });
    expect(JSON.parse(answer.body)).toEqual({ message: expect.stringMatching(/Unable to assume role arn:aws:iam::291738886548:role\/rolesanywhere1/) as unknown });
  });
});

describe("the emulator's verifier", () => {
  it("accepts vector 2 (another implementation, RSA with X-Amz-X509-Chain, another service and path), and its chain leads to its CA", () => {
    const v = vector(2);
    const nowMs = dateOf(v.headers["x-amz-date"]).getTime();
    const verdict = verifyX509Request({ method: v.method, target: v.path, headers: v.headers, body: v.body }, { nowMs, maxSkewMs: 300_000, service: "service" });
    expect(verdict).toMatchObject({ ok: true, algorithm: "AWS4-X509-RSA-SHA256", region: "us-east-1", serialNumber: "337562787801933536189724934726614584366112857655" });
    if (!verdict.ok) return;
    expect(verdict.chain).toHaveLength(1);
    // Its test signed on 2022-08-27 with certificates issued a month later: the chain is checked in their window.
    const root = [new X509Certificate(v.anchorPem)];
    expect(verifyCertificateChain(verdict.certificate, verdict.chain, root, nowMs)).toMatchObject({ ok: false, reason: expect.stringMatching(/is not valid until 2022-09-25/) as unknown });
    const inWindow = Date.UTC(2023, 0, 1);
    expect(verifyCertificateChain(verdict.certificate, verdict.chain, root, inWindow)).toMatchObject({ ok: true });
    expect(verifyCertificateChain(verdict.certificate, [], root, inWindow)).toMatchObject({ ok: false });
  });

  it("refuses vector 2 signed for another service than the one expected", () => {
    const v = vector(2);
    const verdict = verifyX509Request({ method: v.method, target: v.path, headers: v.headers, body: v.body }, { nowMs: dateOf(v.headers["x-amz-date"]).getTime(), maxSkewMs: 300_000, service: "rolesanywhere" });
    expect(verdict).toMatchObject({ ok: false, reason: "the credential scope's service is service, not rolesanywhere" });
  });
});

describe("startRolesAnywhereEmulator checks the chain against its trust anchors", () => {
  let root: TestCa;
  let intermediate: TestCa;
  let viaIntermediate: TestLeaf;
  let direct: TestLeaf;
  beforeAll(async () => {
    root = await createCa("p384", "Emulator Test Root");
    intermediate = await createCa("rsa", "Emulator Test Intermediate", root);
    viaIntermediate = await createLeaf("p256", intermediate);
    direct = await createLeaf("rsa", root);
  });

  /** Signs a CreateSession with `leaf` (and `chain`) and sends it to `emulator`. */
  async function createSession(
    emulator: RolesAnywhereEmulator,
    nowMs: number,
    leaf: { certificatePem: string; key: KeyObject },
    options: { chain?: readonly string[]; body?: string; query?: Record<string, string>; region?: string; service?: string } = {},
  ) {
    const url = new URL(`${emulator.endpoint}/sessions`);
    for (const [name, value] of Object.entries(options.query ?? { profileArn: PROFILE_ARN, roleArn: ROLE_ARN, trustAnchorArn: TRUST_ANCHOR_ARN })) url.searchParams.set(name, value);
    const body = options.body ?? '{"durationSeconds":3600}';
    const signed = signX509Request({
      method: "POST",
      url,
      headers: { "content-type": "application/json" },
      body,
      service: options.service ?? "rolesanywhere",
      region: options.region ?? "eu-west-1",
      date: new Date(nowMs),
      certificate: new X509Certificate(leaf.certificatePem),
      chain: (options.chain ?? []).map((pem) => new X509Certificate(pem)),
      privateKey: leaf.key,
    });
    url.search = signed.query;
    const response = await httpRequest({ method: "POST", url: url.href, headers: signed.headers, body, timeoutMs: 2_000 });
    return { status: response.status, errorType: response.headers["x-amzn-errortype"], body: response.body };
  }

  it("creates a session for a leaf issued through an intermediate sent as X-Amz-X509-Chain", async () => {
    const { emulator, clock } = await emulatorTrusting([root]);
    const answer = await createSession(emulator, clock.now(), viaIntermediate, { chain: [intermediate.pem] });
    expect(answer.status).toBe(201);
    expect(emulator.requests[0]).toMatchObject({ chainLength: 1, algorithm: "AWS4-X509-ECDSA-SHA256", serialNumber: viaIntermediate.serialDecimal });
  });

  it("refuses that leaf without its intermediate", async () => {
    const { emulator, clock } = await emulatorTrusting([root]);
    const answer = await createSession(emulator, clock.now(), viaIntermediate);
    expect(answer).toMatchObject({ status: 403, errorType: "AccessDeniedException" });
    expect(answer.body).toMatch(/no trusted CA or intermediate sent issued CN=host\.example\.com/);
  });

  it("refuses a leaf whose intermediate has expired on its clock", async () => {
    const expiredIntermediate = await createCa("p256", "Expired Intermediate", root, { notAfter: new Date(Date.UTC(2025, 11, 1)) });
    const leaf = await createLeaf("p256", expiredIntermediate);
    const { emulator, clock } = await emulatorTrusting([root]);
    const answer = await createSession(emulator, clock.now(), leaf, { chain: [expiredIntermediate.pem] });
    expect(answer).toMatchObject({ status: 403, errorType: "AccessDeniedException" });
    expect(answer.body).toMatch(/the intermediate CN=Expired Intermediate expired at 2025-12-01/);
  });

  it("refuses a leaf that is not valid yet on its clock", async () => {
    const early = await createLeaf("rsa", root, { notBefore: new Date(Date.UTC(2026, 5, 1)) });
    const { emulator, clock } = await emulatorTrusting([root]);
    const answer = await createSession(emulator, clock.now(), early);
    expect(answer).toMatchObject({ status: 403, errorType: "AccessDeniedException" });
    expect(answer.body).toMatch(/the signing certificate \(CN=host\.example\.com\) is not valid until 2026-06-01/);
  });

  it("refuses a signature scoped to another region or service", async () => {
    const { emulator, clock } = await emulatorTrusting([root]);
    expect(await createSession(emulator, clock.now(), direct, { region: "us-east-1" })).toMatchObject({ status: 403, errorType: "AccessDeniedException" });
    expect(await createSession(emulator, clock.now(), direct, { service: "sts" })).toMatchObject({ status: 403, errorType: "AccessDeniedException" });
    expect(emulator.sessionCount).toBe(0);
  });

  it("answers ResourceNotFoundException for a trust anchor or profile it does not have", async () => {
    const { emulator, clock } = await emulatorTrusting([root]);
    const other = TRUST_ANCHOR_ARN.replace(/[0-9a-f]{12}$/, "000000000000");
    const answer = await createSession(emulator, clock.now(), direct, { query: { profileArn: PROFILE_ARN, roleArn: ROLE_ARN, trustAnchorArn: other } });
    expect(answer).toMatchObject({ status: 404, errorType: "ResourceNotFoundException" });
  });

  it("answers ValidationException for a duration outside 900–43200 and for a session name its profile does not accept", async () => {
    const { emulator, clock } = await emulatorTrusting([root]);
    expect(await createSession(emulator, clock.now(), direct, { body: '{"durationSeconds":60}' })).toMatchObject({ status: 400, errorType: "ValidationException" });
    emulator.setProfile({ arn: PROFILE_ARN, roleArns: [ROLE_ARN], acceptRoleSessionName: false });
    expect(await createSession(emulator, clock.now(), direct, { body: '{"durationSeconds":900,"roleSessionName":"nightly"}' })).toMatchObject({
      status: 400,
      errorType: "ValidationException",
    });
  });

  it("refuses every request to a disabled trust anchor or profile", async () => {
    const { emulator, clock } = await emulatorTrusting([root]);
    emulator.setTrustAnchor({ arn: TRUST_ANCHOR_ARN, certificates: root.pem, enabled: false });
    expect(await createSession(emulator, clock.now(), direct)).toMatchObject({ status: 403, errorType: "AccessDeniedException" });
    emulator.setTrustAnchor({ arn: TRUST_ANCHOR_ARN, certificates: root.pem });
    emulator.setProfile({ arn: PROFILE_ARN, roleArns: [ROLE_ARN], enabled: false });
    expect(await createSession(emulator, clock.now(), direct)).toMatchObject({ status: 403, errorType: "AccessDeniedException" });
  });

  it("grants the asked duration, at most the profile's, and never past the certificate's expiry", async () => {
    const { emulator, clock } = await emulatorTrusting([root]);
    await createSession(emulator, clock.now(), direct, { body: '{"durationSeconds":7200}' });
    expect(emulator.current?.expiration.getTime()).toBe(clock.now() + 7_200_000);
    emulator.setProfile({ arn: PROFILE_ARN, roleArns: [ROLE_ARN], durationSeconds: 900 });
    await createSession(emulator, clock.now(), direct, { body: '{"durationSeconds":7200}' });
    expect(emulator.current?.expiration.getTime()).toBe(clock.now() + 900_000);
    const shortLived = await createLeaf("rsa", root, { notAfter: new Date(clock.now() + 600_000) });
    emulator.setProfile({ arn: PROFILE_ARN, roleArns: [ROLE_ARN] });
    await createSession(emulator, clock.now(), shortLived);
    expect(emulator.current?.expiration.getTime()).toBe(clock.now() + 600_000);
  });

  it("issues a fresh credential for every session, named after the serial number unless a session name is asked", async () => {
    const { emulator, clock } = await emulatorTrusting([root]);
    await createSession(emulator, clock.now(), direct);
    await createSession(emulator, clock.now(), direct, { body: '{"durationSeconds":900,"roleSessionName":"nightly-backup"}' });
    const [first, second] = emulator.issued;
    expect(first?.accessKeyId).not.toBe(second?.accessKeyId);
    expect(first?.secretAccessKey).not.toBe(second?.secretAccessKey);
    expect(first?.roleSessionName).toBe(direct.serialHex.toLowerCase());
    expect(second?.roleSessionName).toBe("nightly-backup");
  });

  it("keeps no secret in its request records, whatever way they are shown", async () => {
    const { emulator, clock } = await emulatorTrusting([root]);
    await createSession(emulator, clock.now(), direct);
    const secrets = emulator.issued.flatMap((credential) => [credential.secretAccessKey, credential.sessionToken]);
    for (const text of [JSON.stringify(emulator.requests), inspect(emulator.requests, { depth: 10 }), emulator.requests.map((record) => Object.values(record).join(" ")).join("\n")]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
    expect(emulator.requests[0]).toMatchObject({ accessKeyId: emulator.current?.accessKeyId });
  });
});

describe("startRolesAnywhereEmulator faults", () => {
  it("answers an injected 429 as ThrottlingException, once, then normally", async () => {
    const root = await createCa("p256", "Fault Root");
    const leaf = await createLeaf("p256", root);
    const { emulator, clock } = await emulatorTrusting([root]);
    emulator.failOnce(429);
    const send = async () => {
      const url = new URL(`${emulator.endpoint}/sessions?profileArn=${encodeURIComponent(PROFILE_ARN)}&roleArn=${encodeURIComponent(ROLE_ARN)}&trustAnchorArn=${encodeURIComponent(TRUST_ANCHOR_ARN)}`);
      const body = "{}";
      const signed = signX509Request({ method: "POST", url, body, service: "rolesanywhere", region: "eu-west-1", date: new Date(clock.now()), certificate: new X509Certificate(leaf.certificatePem), privateKey: leaf.key });
      url.search = signed.query;
      return httpRequest({ method: "POST", url: url.href, headers: signed.headers, body, timeoutMs: 2_000 });
    };
    const throttled = await send();
    expect(throttled.status).toBe(429);
    expect(throttled.headers["x-amzn-errortype"]).toBe("ThrottlingException");
    expect((await send()).status).toBe(201);
    expect(emulator.requestCount).toBe(2);
  });

  it("ends a hanging request when closed, and closes twice without error", async () => {
    const emulator = await startRolesAnywhereEmulator();
    emulator.fail("hang");
    const pending = httpRequest({ method: "POST", url: `${emulator.endpoint}/sessions`, body: "{}", timeoutMs: 5_000 }).catch((error: unknown) => error);
    await new Promise<void>((resolve) => {
      const wait = (): void => {
        if (emulator.requestCount > 0) resolve();
        else setTimeout(wait, 5);
      };
      wait();
    });
    await emulator.close();
    await emulator.close();
    expect(await pending).toMatchObject({ failure: "network" });
  });

  it("refuses malformed trust anchors and profiles with a TypeError", async () => {
    await expect(startRolesAnywhereEmulator({ trustAnchors: [{ arn: TRUST_ANCHOR_ARN, certificates: "no pem here" }] })).rejects.toThrow(TypeError);
    await expect(startRolesAnywhereEmulator({ profiles: [{ arn: "arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/x", roleArns: [] }] })).rejects.toThrow(
      /Expected `arn` to be a Roles Anywhere profile ARN/,
    );
  });
});
