import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { memoize } from "../../../src/memoize.js";
import { fromRolesAnywhere } from "../../../src/providers/roles-anywhere/from-roles-anywhere.js";
import { collectingLogger } from "../../helpers/leak-check.js";
import { createCa, createLeaf, keyPem, type KeyEncoding, type KeyKind, type TestCa, type TestLeaf } from "./pki.js";
import { emulatorTrusting, optionsFor, ROLE_ARN, tempFolder } from "./world.js";

const files = tempFolder("roles-anywhere-");
const PASSPHRASE = "correct horse battery staple";

let rsaRoot: TestCa;
let ecRoot: TestCa;
let intermediates: Record<"rsa" | "ec", TestCa>;
beforeAll(async () => {
  rsaRoot = await createCa("rsa", "Test Root RSA");
  ecRoot = await createCa("p384", "Test Root EC");
  intermediates = { rsa: await createCa("rsa", "Test Intermediate RSA", rsaRoot), ec: await createCa("p256", "Test Intermediate EC", ecRoot) };
});

describe("fromRolesAnywhere gets the role's credentials from CreateSession", () => {
  const cases: { kind: KeyKind; viaIntermediate: boolean }[] = (["rsa", "p256", "p384"] as const).flatMap((kind) => [
    { kind, viaIntermediate: false },
    { kind, viaIntermediate: true },
  ]);

  it.each(cases)("with a $kind leaf (through an intermediate: $viaIntermediate), read from files", async ({ kind, viaIntermediate }) => {
    const root = kind === "rsa" ? rsaRoot : ecRoot;
    const issuer = viaIntermediate ? intermediates[kind === "rsa" ? "rsa" : "ec"] : root;
    const leaf = await createLeaf(kind, issuer);
    const { emulator, clock } = await emulatorTrusting([root]);
    const name = `${kind}-${String(viaIntermediate)}`;
    const provider = fromRolesAnywhere({
      ...optionsFor(leaf, "", emulator, clock),
      certificate: files.write(`${name}.pem`, leaf.certificatePem),
      privateKey: files.write(`${name}.key`, keyPem(leaf.key, "pkcs8")),
      ...(viaIntermediate ? { intermediates: files.write(`${name}-chain.pem`, issuer.pem) } : {}),
    });

    const credential = await provider();

    const issued = emulator.current;
    expect(credential).toEqual({
      accessKeyId: issued?.accessKeyId,
      secretAccessKey: issued?.secretAccessKey,
      sessionToken: issued?.sessionToken,
      expiration: issued?.expiration,
      accountId: "123456789012",
    });
    expect(emulator.requests).toEqual([
      expect.objectContaining({
        signatureValid: true,
        algorithm: kind === "rsa" ? "AWS4-X509-RSA-SHA256" : "AWS4-X509-ECDSA-SHA256",
        serialNumber: leaf.serialDecimal,
        chainLength: viaIntermediate ? 1 : 0,
        roleArn: ROLE_ARN,
        durationSeconds: 3600,
        status: 201,
      }),
    ]);
  });

  const encodings: { kind: KeyKind; encoding: KeyEncoding }[] = [
    { kind: "rsa", encoding: "pkcs1" },
    { kind: "rsa", encoding: "pkcs8" },
    { kind: "rsa", encoding: "encrypted-pkcs8" },
    { kind: "p256", encoding: "sec1" },
    { kind: "p384", encoding: "pkcs8" },
    { kind: "p256", encoding: "encrypted-pkcs8" },
  ];

  it.each(encodings)("reads a $kind key in $encoding", async ({ kind, encoding }) => {
    const root = kind === "rsa" ? rsaRoot : ecRoot;
    const leaf = await createLeaf(kind, root);
    const { emulator, clock } = await emulatorTrusting([root]);
    const provider = fromRolesAnywhere(
      optionsFor(leaf, keyPem(leaf.key, encoding, PASSPHRASE), emulator, clock, encoding === "encrypted-pkcs8" ? { privateKeyPassphrase: PASSPHRASE } : {}),
    );
    const credential = await provider();
    expect(credential.accessKeyId).toBe(emulator.current?.accessKeyId);
    expect(emulator.requests[0]).toMatchObject({ signatureValid: true, serialNumber: leaf.serialDecimal });
  });

  it("reads a key file that also holds EC PARAMETERS and the certificate, and a DER certificate file", async () => {
    const leaf = await createLeaf("p384", ecRoot);
    const { emulator, clock } = await emulatorTrusting([ecRoot]);
    const keyFile = files.write("combined.key", `-----BEGIN EC PARAMETERS-----\nBgUrgQQAIg==\n-----END EC PARAMETERS-----\n${keyPem(leaf.key, "sec1")}${leaf.certificatePem}`);
    const derFile = files.write("leaf.der", new X509Certificate(leaf.certificatePem).raw);
    await fromRolesAnywhere({ ...optionsFor(leaf, "", emulator, clock), certificate: derFile, privateKey: keyFile })();
    expect(emulator.requests[0]).toMatchObject({ signatureValid: true, serialNumber: leaf.serialDecimal });
  });

  it("sends the duration and the session name it is given, and the trust anchor's region in the scope", async () => {
    const leaf = await createLeaf("p256", ecRoot);
    const { emulator, clock } = await emulatorTrusting([ecRoot]);
    const credential = await fromRolesAnywhere(optionsFor(leaf, keyPem(leaf.key, "pkcs8"), emulator, clock, { durationSeconds: 900, sessionName: "nightly-backup@host-1" }))();
    expect(emulator.requests[0]).toMatchObject({ durationSeconds: 900, roleSessionName: "nightly-backup@host-1", region: "eu-west-1" });
    expect(credential.expiration?.getTime()).toBe(clock.now() + 900_000);
  });
});

describe("fromRolesAnywhere re-reads its files on every call", () => {
  it("sends the renewed certificate's serial number after the files are rewritten in place", async () => {
    const first = await createLeaf("rsa", rsaRoot);
    const second = await createLeaf("rsa", rsaRoot);
    const { emulator, clock } = await emulatorTrusting([rsaRoot]);
    const certificate = files.write("rotating.pem", first.certificatePem);
    const privateKey = files.write("rotating.key", keyPem(first.key, "pkcs1"));
    const provider = fromRolesAnywhere({ ...optionsFor(first, "", emulator, clock), certificate, privateKey });

    await provider();
    files.write("rotating.pem", second.certificatePem);
    files.write("rotating.key", keyPem(second.key, "pkcs1"));
    await provider();

    expect(emulator.requests.map((request) => request.serialNumber)).toEqual([first.serialDecimal, second.serialDecimal]);
  });

  it("makes one attempt per call and caches nothing: two calls, two sessions", async () => {
    const leaf = await createLeaf("p256", ecRoot);
    const { emulator, clock } = await emulatorTrusting([ecRoot]);
    const provider = fromRolesAnywhere(optionsFor(leaf, keyPem(leaf.key, "sec1"), emulator, clock));
    const [a, b] = [await provider(), await provider()];
    expect(a.accessKeyId).not.toBe(b.accessKeyId);
    expect(emulator.sessionCount).toBe(2);
  });

  it("serves memoize's cache: one session for many calls until the refresh window", async () => {
    const leaf = await createLeaf("p256", ecRoot);
    const { emulator, clock } = await emulatorTrusting([ecRoot]);
    const credentials = memoize(fromRolesAnywhere(optionsFor(leaf, keyPem(leaf.key, "sec1"), emulator, clock)), { clock, jitter: false });
    await Promise.all(Array.from({ length: 50 }, () => credentials()));
    clock.advance(50 * 60_000);
    await credentials();
    expect(emulator.sessionCount).toBe(1);
    clock.advance(6 * 60_000); // inside the last five minutes of the hour
    await credentials();
    expect(emulator.sessionCount).toBe(2);
  });
});

describe("fromRolesAnywhere logs", () => {
  it("one debug line per decision, naming the certificate and the credential's expiry, never a secret", async () => {
    const leaf: TestLeaf = await createLeaf("rsa", rsaRoot);
    const { emulator, clock } = await emulatorTrusting([rsaRoot]);
    const logger = collectingLogger();
    const credential = await fromRolesAnywhere(optionsFor(leaf, keyPem(leaf.key, "pkcs8"), emulator, clock, { logger }))();
    expect(logger.lines).toEqual([
      expect.stringMatching(
        new RegExp(`^debug env-or-profile: roles-anywhere: CreateSession at ${emulator.endpoint} for role ${ROLE_ARN}, signed with certificate serial ${leaf.serialDecimal} \\(CN=host\\.example\\.com; issued by CN=Test Root RSA; expires 2027-01-01T00:00:00\\.000Z\\) with its RSA key$`),
      ),
      `debug env-or-profile: roles-anywhere: credentials …${credential.accessKeyId.slice(-4)} for role ${ROLE_ARN} expire at ${credential.expiration?.toISOString() ?? ""}`,
    ]);
    for (const line of logger.lines) {
      expect(line).not.toContain(credential.secretAccessKey);
      expect(line).not.toContain(credential.sessionToken);
    }
  });

  it("says why no CreateSession was sent when a check fails before the request", async () => {
    const leaf: TestLeaf = await createLeaf("rsa", rsaRoot);
    const { emulator, clock } = await emulatorTrusting([rsaRoot]);
    const logger = collectingLogger();
    clock.set(Date.UTC(2027, 5, 1));
    await expect(fromRolesAnywhere(optionsFor(leaf, keyPem(leaf.key, "pkcs8"), emulator, clock, { logger }))()).rejects.toMatchObject({ code: "ROLES_ANYWHERE_CERTIFICATE_INVALID" });
    expect(logger.lines).toEqual([expect.stringMatching(/^debug env-or-profile: roles-anywhere: no CreateSession sent: ROLES_ANYWHERE_CERTIFICATE_INVALID: The certificate .* expired at 2027-01-01/)]);
    expect(emulator.requestCount).toBe(0);
  });
});
