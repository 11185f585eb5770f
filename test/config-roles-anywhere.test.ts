import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { fromConfig, type CredentialsConfig, type FromConfigOptions } from "../src/config.js";
import { CredentialsError } from "../src/errors.js";
import { resetSharedState } from "../src/sharing/process-state.js";
import { startStsEmulator, type StsEmulator } from "../src/testing/sts-emulator.js";
import { collectingLogger } from "./helpers/leak-check.js";
import { createCa, createLeaf, keyPem, type KeyKind, type TestCa } from "./providers/roles-anywhere/pki.js";
import { emulatorTrusting, PROFILE_ARN, ROLE_ARN, tempFolder, TRUST_ANCHOR_ARN } from "./providers/roles-anywhere/world.js";

const files = tempFolder("config-roles-anywhere-");
const PARTNER_ROLE_ARN = "arn:aws:iam::210987654321:role/partner-upload";

let roots: Record<"rsa" | "ec", TestCa>;
let intermediates: Record<"rsa" | "ec", TestCa>;
beforeAll(async () => {
  roots = { rsa: await createCa("rsa", "Config Root RSA"), ec: await createCa("p256", "Config Root EC") };
  intermediates = { rsa: await createCa("rsa", "Config Intermediate RSA", roots.rsa), ec: await createCa("p384", "Config Intermediate EC", roots.ec) };
});

let sts: StsEmulator | undefined;
afterEach(async () => {
  await sts?.close();
  sts = undefined;
  resetSharedState();
});

/** The CONFIG_INVALID error `fromConfig(config)` throws, or fails the test. */
function configError(config: unknown): CredentialsError {
  try {
    fromConfig(config as CredentialsConfig, { env: { env: {} } });
  } catch (error) {
    expect(error).toBeInstanceOf(CredentialsError);
    expect(error).toMatchObject({ code: "CONFIG_INVALID", source: "config", tryNextLink: false });
    return error as CredentialsError;
  }
  throw new Error("fromConfig did not throw");
}

/** A valid snake_case block, with files that need not exist (nothing is read when a config is checked). */
const BLOCK = Object.freeze({
  certificate: "/etc/pki/tls/certs/host.pem",
  private_key: "/etc/pki/tls/private/host.key",
  trust_anchor_arn: TRUST_ANCHOR_ARN,
  profile_arn: PROFILE_ARN,
  role_arn: ROLE_ARN,
});

describe("fromConfig({ rolesAnywhere }): the certificate is the source", () => {
  const cases = (["rsa", "p256", "p384"] as const).flatMap((kind: KeyKind) => [
    { kind, viaIntermediate: false },
    { kind, viaIntermediate: true },
  ]);

  it.each(cases)("gets the role's credentials with a $kind leaf (through an intermediate: $viaIntermediate)", async ({ kind, viaIntermediate }) => {
    const family = kind === "rsa" ? "rsa" : "ec";
    const issuer = viaIntermediate ? intermediates[family] : roots[family];
    const leaf = await createLeaf(kind, issuer);
    const { emulator, clock } = await emulatorTrusting([roots[family]]);
    const name = `${kind}-${String(viaIntermediate)}`;

    const credentials = fromConfig(
      {
        rolesAnywhere: {
          certificate: files.write(`${name}.pem`, leaf.certificatePem),
          privateKey: files.write(`${name}.key`, keyPem(leaf.key, kind === "rsa" ? "pkcs1" : "sec1")),
          ...(viaIntermediate ? { intermediates: files.write(`${name}-chain.pem`, issuer.pem) } : {}),
          trustAnchorArn: TRUST_ANCHOR_ARN,
          profileArn: PROFILE_ARN,
          roleArn: ROLE_ARN,
          endpoint: emulator.endpoint,
        },
      },
      { clock },
    );
    const [a, b] = await Promise.all([credentials(), credentials()]);

    expect(a).toBe(b);
    expect(a).toMatchObject({ accessKeyId: emulator.current?.accessKeyId, accountId: "123456789012" });
    expect(emulator.requests).toEqual([
      expect.objectContaining({ signatureValid: true, serialNumber: leaf.serialDecimal, chainLength: viaIntermediate ? 1 : 0, status: 201 }),
    ]);
    expect(credentials.memoized).toBe(true);
  });

  it("reads snake_case keys as a parsed YAML file has them, the session name and duration included", async () => {
    const leaf = await createLeaf("p256", roots.ec);
    const { emulator, clock } = await emulatorTrusting([roots.ec]);
    const yaml = {
      roles_anywhere: {
        certificate: files.write("snake.pem", leaf.certificatePem),
        private_key: files.write("snake.key", keyPem(leaf.key, "pkcs8")),
        trust_anchor_arn: TRUST_ANCHOR_ARN,
        profile_arn: PROFILE_ARN,
        role_arn: ROLE_ARN,
        region: "eu-west-1",
        duration_seconds: 7200,
        session_name: "backup@host-1",
        endpoint: emulator.endpoint,
        timeout_ms: 5000,
        intermediates: null, // YAML's empty value
      },
    };
    await fromConfig(yaml as never, { clock })();
    expect(emulator.requests[0]).toMatchObject({ durationSeconds: 7200, roleSessionName: "backup@host-1", region: "eu-west-1", signatureValid: true });
  });

  it("logs through fromConfig's logger, never a secret", async () => {
    const leaf = await createLeaf("rsa", roots.rsa);
    const { emulator, clock } = await emulatorTrusting([roots.rsa]);
    const logger = collectingLogger();
    const credential = await fromConfig(
      { rolesAnywhere: { certificate: leaf.certificatePem, privateKey: keyPem(leaf.key, "pkcs8"), trustAnchorArn: TRUST_ANCHOR_ARN, profileArn: PROFILE_ARN, roleArn: ROLE_ARN, endpoint: emulator.endpoint } },
      { clock, logger },
    )();
    expect(logger.lines.some((line) => line.includes(`roles-anywhere: CreateSession at ${emulator.endpoint}`))).toBe(true);
    expect(logger.lines.join("\n")).not.toContain(credential.secretAccessKey);
  });
});

describe("fromConfig({ rolesAnywhere, assumeRole }): role chaining into another account", () => {
  it("assumes the partner's role with its ExternalId, signed with the Roles Anywhere credential: one CreateSession, one AssumeRole", async () => {
    const leaf = await createLeaf("p384", roots.ec);
    const { emulator, clock } = await emulatorTrusting([roots.ec]);
    sts = await startStsEmulator({ trustIssuedBy: [emulator], roles: { [PARTNER_ROLE_ARN]: { externalId: "tenant-42" } }, clock });
    const config = {
      roles_anywhere: {
        ...BLOCK,
        certificate: files.write("chain.pem", leaf.certificatePem),
        private_key: files.write("chain.key", keyPem(leaf.key, "pkcs8")),
        endpoint: emulator.endpoint,
      },
      assume_role: { role_arn: PARTNER_ROLE_ARN, external_id: "tenant-42", role_session_name: "nightly", endpoint: sts.endpoint, region: "eu-west-1" },
    };
    const options: FromConfigOptions = { clock, env: { env: {} } };

    const credentials = fromConfig(config, options);
    const again = fromConfig(config, options);
    const results = await Promise.all([credentials(), credentials(), again()]);

    expect(new Set(results.map((credential) => credential.accessKeyId))).toEqual(new Set([sts.issued[0]?.accessKeyId]));
    expect(results[0]?.accountId).toBe("210987654321");
    expect(emulator.sessionCount).toBe(1);
    expect(sts.requests).toEqual([
      expect.objectContaining({
        action: "AssumeRole",
        roleArn: PARTNER_ROLE_ARN,
        externalId: "tenant-42",
        roleSessionName: "nightly",
        accessKeyId: emulator.current?.accessKeyId,
        signatureValid: true,
        status: 200,
      }),
    ]);
  });

  it("assumes a role that demands MFA with fromConfig's mfaCodeProvider: one CreateSession, one AssumeRole carrying the code", async () => {
    const leaf = await createLeaf("p256", roots.ec);
    const { emulator, clock } = await emulatorTrusting([roots.ec]);
    const serialNumber = "arn:aws:iam::123456789012:mfa/ops";
    sts = await startStsEmulator({ trustIssuedBy: [emulator], roles: { [PARTNER_ROLE_ARN]: { mfa: { serialNumber, code: "123456" } } }, clock });
    const asked: string[] = [];
    const credentials = fromConfig(
      {
        rolesAnywhere: { certificate: leaf.certificatePem, privateKey: keyPem(leaf.key, "pkcs8"), trustAnchorArn: TRUST_ANCHOR_ARN, profileArn: PROFILE_ARN, roleArn: ROLE_ARN, endpoint: emulator.endpoint },
        assumeRole: { roleArn: PARTNER_ROLE_ARN, mfaSerial: serialNumber, endpoint: sts.endpoint, region: "eu-west-1" },
      },
      {
        clock,
        env: { env: {} },
        mfaCodeProvider: async (serial) => {
          asked.push(serial);
          return "123456";
        },
      },
    );

    const credential = await credentials();

    expect(credential.accessKeyId).toBe(sts.issued[0]?.accessKeyId);
    expect(asked).toEqual([serialNumber]);
    expect(emulator.sessionCount).toBe(1);
    expect(sts.requests).toEqual([expect.objectContaining({ action: "AssumeRole", roleArn: PARTNER_ROLE_ARN, accessKeyId: emulator.current?.accessKeyId, status: 200 })]);
  });

  it("stops at a wrong ExternalId with STS's AccessDenied, after one CreateSession", async () => {
    const leaf = await createLeaf("rsa", roots.rsa);
    const { emulator, clock } = await emulatorTrusting([roots.rsa]);
    sts = await startStsEmulator({ trustIssuedBy: [emulator], roles: { [PARTNER_ROLE_ARN]: { externalId: "tenant-42" } }, clock });
    const credentials = fromConfig(
      {
        rolesAnywhere: { certificate: leaf.certificatePem, privateKey: keyPem(leaf.key, "pkcs1"), trustAnchorArn: TRUST_ANCHOR_ARN, profileArn: PROFILE_ARN, roleArn: ROLE_ARN, endpoint: emulator.endpoint },
        assumeRole: { roleArn: PARTNER_ROLE_ARN, externalId: "tenant-43", endpoint: sts.endpoint, region: "eu-west-1" },
      },
      { clock, env: { env: {} } },
    );
    await expect(credentials()).rejects.toMatchObject({ code: "STS_ACCESS_DENIED" });
    expect(emulator.sessionCount).toBe(1);
  });
});

describe("fromConfig({ rolesAnywhere }): checked when called", () => {
  it("suggests the right key for a misspelt one, inside the block and around it", () => {
    const message = configError({ roles_anywhre: BLOCK }).message;
    expect(message).toContain("unknown key `roles_anywhre`; did you mean `roles_anywhere`?");
    const inner = configError({ roles_anywhere: { ...BLOCK, trust_anchor_arn: undefined, trust_ancor_arn: TRUST_ANCHOR_ARN } }).message;
    expect(inner).toContain("unknown key `roles_anywhere.trust_ancor_arn`; did you mean `roles_anywhere.trust_anchor_arn`?");
  });

  it("reports every problem of the block at once, naming the keys as the config spells them", () => {
    const message = configError({
      roles_anywhere: {
        certificate: "/etc/pki/host.pem",
        trust_anchor_arn: "arn:aws:rolesanywhere:eu-west-1:123456789012:profile/6f4943fb-13d4-4242-89c4-be367595c380",
        profile_arn: PROFILE_ARN,
        role_arn: "arn:aws:iam::123456789012:user/alice",
        duration_seconds: 60,
        region: "eu west 1",
      },
    }).message;
    expect(message).toContain("`roles_anywhere.private_key` is required");
    expect(message).toContain("expected `roles_anywhere.trust_anchor_arn` to be a Roles Anywhere trust-anchor ARN");
    expect(message).toContain("(a profile ARN, not a trust-anchor ARN)");
    expect(message).toContain("expected `roles_anywhere.role_arn` to look like arn:aws:iam::123456789012:role/name");
    expect(message).toContain("expected `roles_anywhere.duration_seconds` to be a whole number from 900 to 43200, got 60");
    expect(message).toMatch(/`roles_anywhere\.region`/);
    expect(message.split("; ").length).toBeGreaterThanOrEqual(5);
  });

  it("reports what only the whole block says once each field is sound: a profile in another region", () => {
    const message = configError({ rolesAnywhere: { ...camel(BLOCK), profileArn: PROFILE_ARN.replace("eu-west-1", "us-east-1") } }).message;
    expect(message).toContain("expected `rolesAnywhere.profileArn` to be in the trust anchor's partition and region (aws, eu-west-1), got aws, us-east-1");
  });

  it("refuses a PKCS#11 key, naming aws_signing_helper", () => {
    const message = configError({ roles_anywhere: { ...BLOCK, private_key: "pkcs11:token=host;object=key" } }).message;
    expect(message).toContain("`roles_anywhere.private_key`");
    expect(message).toContain("aws_signing_helper");
  });

  it("says a clock or logger in the block belongs in fromConfig's options", () => {
    expect(configError({ rolesAnywhere: { ...camel(BLOCK), clock: {} } }).message).toContain("`rolesAnywhere.clock` is code, not configuration: pass `clock` in fromConfig's options");
  });

  it("refuses another source next to it, and says how to chain a role instead", () => {
    const message = configError({ roles_anywhere: BLOCK, use_iam_profile: true }).message;
    expect(message).toContain("`roles_anywhere` is the source (the certificate, exchanged by IAM Roles Anywhere), but `use_iam_profile` is set too; use one");
    expect(message).toContain("add `assume_role`");
    expect(configError({ rolesAnywhere: camel(BLOCK), profile: "work" }).message).toContain("but `profile` is set too");
  });

  it("names rolesAnywhere among the sources when none is configured", () => {
    expect(configError({}).message).toContain("`rolesAnywhere` (a certificate, for a server outside AWS)");
  });

  it("never echoes the passphrase or inline key material", () => {
    const key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n";
    const message = configError({ roles_anywhere: { ...BLOCK, private_key: key, private_key_passphrase: "correct horse battery staple", duration_seconds: 1 } }).message;
    expect(message).not.toContain("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7");
    expect(message).not.toContain("correct horse");
  });

  it("checks the config without reading any file", () => {
    expect(() => fromConfig({ roles_anywhere: { ...BLOCK, certificate: "/nonexistent/host.pem" } })).not.toThrow();
  });
});

/** The snake_case block in camelCase. */
function camel(block: typeof BLOCK): CredentialsConfig["rolesAnywhere"] & object {
  return { certificate: block.certificate, privateKey: block.private_key, trustAnchorArn: block.trust_anchor_arn, profileArn: block.profile_arn, roleArn: block.role_arn };
}
