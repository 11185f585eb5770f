import { X509Certificate } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { fromRolesAnywhere } from "../../src/providers/roles-anywhere/from-roles-anywhere.js";
import { manualClock } from "../../src/testing/manual-clock.js";
import { startRolesAnywhereEmulator, type RolesAnywhereEmulator } from "../../src/testing/roles-anywhere-emulator.js";
import { createTestCertificates, type TestCertificateKeyType } from "../../src/testing/test-certificates.js";

const TRUST_ANCHOR_ARN = "arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/0b7e1a5c-2f6d-4e8a-9c3b-1d2e3f4a5b6c";
const PROFILE_ARN = "arn:aws:rolesanywhere:eu-west-1:123456789012:profile/6f4943fb-13d4-4242-89c4-be367595c380";
const ROLE_ARN = "arn:aws:iam::123456789012:role/app";

let emulator: RolesAnywhereEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe("createTestCertificates", () => {
  const cases = (["rsa", "ec-p256", "ec-p384"] as const).flatMap((keyType: TestCertificateKeyType) => [
    { keyType, intermediate: false },
    { keyType, intermediate: true },
  ]);

  it.each(cases)("makes a $keyType PKI (intermediate: $intermediate) that the emulator verifies like a real one", async ({ keyType, intermediate }) => {
    const clock = manualClock();
    const pki = createTestCertificates({ keyType, intermediate, clock });
    emulator = await startRolesAnywhereEmulator({ trustAnchors: [{ arn: TRUST_ANCHOR_ARN, certificates: pki.caCertificate }], profiles: [{ arn: PROFILE_ARN, roleArns: [ROLE_ARN] }], clock });

    await fromRolesAnywhere({ ...pki.leaf, trustAnchorArn: TRUST_ANCHOR_ARN, profileArn: PROFILE_ARN, roleArn: ROLE_ARN, endpoint: emulator.endpoint, clock })();

    expect(emulator.requests[0]).toMatchObject({ signatureValid: true, status: 201, serialNumber: pki.serialNumber, chainLength: intermediate ? 1 : 0 });
    expect(pki.leaf.intermediates === undefined).toBe(!intermediate);
  });

  it("writes certificates node:crypto reads as a CA and an end-entity certificate, valid from an hour ago for a year", () => {
    const clock = manualClock(Date.UTC(2030, 5, 1));
    const pki = createTestCertificates({ intermediate: true, commonName: "db-1.example.net", clock });
    const [ca, middle, leaf] = [pki.caCertificate, pki.leaf.intermediates ?? "", pki.leaf.certificate].map((text) => new X509Certificate(text));
    expect([ca?.ca, middle?.ca, leaf?.ca]).toEqual([true, true, false]);
    expect(leaf?.subject).toBe("CN=db-1.example.net");
    expect(leaf?.checkIssued(middle as X509Certificate)).toBe(true);
    expect(middle?.checkIssued(ca as X509Certificate)).toBe(true);
    expect(new Date(leaf?.validFrom ?? "").toISOString()).toBe("2030-05-31T23:00:00.000Z");
    expect(new Date(leaf?.validTo ?? "").toISOString()).toBe("2031-06-01T00:00:00.000Z");
    expect(BigInt(`0x${leaf?.serialNumber ?? ""}`).toString(10)).toBe(pki.serialNumber);
  });

  it("is refused by the emulator once expired on its clock", async () => {
    const clock = manualClock();
    const pki = createTestCertificates({ notBefore: new Date(clock.now() - 7_200_000), notAfter: new Date(clock.now() - 3_600_000) });
    await expect(fromRolesAnywhere({ ...pki.leaf, trustAnchorArn: TRUST_ANCHOR_ARN, profileArn: PROFILE_ARN, roleArn: ROLE_ARN, endpoint: "http://127.0.0.1:9", clock })()).rejects.toMatchObject({
      code: "ROLES_ANYWHERE_CERTIFICATE_INVALID",
    });
  });
});
