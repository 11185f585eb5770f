/*
 * The STS emulator's AssumeRole session options (issue 18): it records what the AWS SDK sends —
 * Tags, TransitiveTagKeys, SourceIdentity, Policy, PolicyArns, SerialNumber, TokenCode — refuses
 * what STS refuses, and holds a role to an MFA device as a trust policy's
 * aws:MultiFactorAuthPresent does: no code, a wrong code or a used code is AccessDenied.
 */
import { AssumeRoleCommand, type AssumeRoleCommandInput, STSClient } from "@aws-sdk/client-sts";
import { afterEach, describe, expect, it } from "vitest";
import { startStsEmulator, type StsEmulator, type StsEmulatorOptions } from "../../src/testing/sts-emulator.js";

const ROLE = "arn:aws:iam::123456789012:role/deploy";
const MFA = "arn:aws:iam::111122223333:mfa/alice";
const BASE = { accessKeyId: "AKIAEMULATORBASE0001", secretAccessKey: "emulator-base-secret" };

let sts: StsEmulator | undefined;
afterEach(async () => {
  await sts?.close();
  sts = undefined;
});

async function start(options: StsEmulatorOptions = {}): Promise<StsEmulator> {
  sts = await startStsEmulator({ baseCredentials: [BASE], ...options });
  return sts;
}

/** One AssumeRole through the AWS SDK's own STS client; the error's name and message when refused. */
async function send(emulator: StsEmulator, input: Partial<AssumeRoleCommandInput>): Promise<{ ok: true; sourceIdentity: string | undefined } | { ok: false; name: string; message: string }> {
  const client = new STSClient({ region: "eu-west-1", endpoint: emulator.endpoint, credentials: BASE, maxAttempts: 1 });
  try {
    const out = await client.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "options-test", ...input }));
    return { ok: true, sourceIdentity: out.SourceIdentity };
  } catch (error) {
    return { ok: false, name: (error as Error).name, message: (error as Error).message };
  } finally {
    client.destroy();
  }
}

describe("the STS emulator's AssumeRole session options", () => {
  it("records every session option as the AWS SDK sent it, and answers the SourceIdentity", async () => {
    const emulator = await start();
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });
    const out = await send(emulator, {
      Tags: [
        { Key: "team", Value: "data" },
        { Key: "cost center", Value: "42" },
      ],
      TransitiveTagKeys: ["team"],
      SourceIdentity: "alice@example.com",
      Policy: policy,
      PolicyArns: [{ arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }],
      SerialNumber: MFA,
      TokenCode: "123456",
    });
    expect(out).toEqual({ ok: true, sourceIdentity: "alice@example.com" });
    expect(emulator.lastRequest).toMatchObject({
      tags: { team: "data", "cost center": "42" },
      transitiveTagKeys: ["team"],
      sourceIdentity: "alice@example.com",
      policy,
      policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      serialNumber: MFA,
      tokenCode: "123456",
    });
  });

  it("records none of them when none is sent", async () => {
    const emulator = await start();
    await send(emulator, {});
    for (const field of ["tags", "transitiveTagKeys", "sourceIdentity", "policy", "policyArns", "serialNumber", "tokenCode"]) {
      expect(emulator.lastRequest).not.toHaveProperty(field);
    }
  });

  it.each<[string, Partial<AssumeRoleCommandInput>, string]>([
    ["51 session tags", { Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" })) }, "ValidationError"],
    ["two tag keys differing only in case", { Tags: [{ Key: "Team", Value: "a" }, { Key: "team", Value: "b" }] }, "InvalidParameterValue"],
    ["a transitive key that is not a session tag", { Tags: [{ Key: "team", Value: "a" }], TransitiveTagKeys: ["project"] }, "InvalidParameterValue"],
    ["a source identity starting with aws:", { SourceIdentity: "aws:admin" }, "ValidationError"],
    ["a policy that is not JSON", { Policy: "{not json" }, "MalformedPolicyDocumentException"],
    ["a policy over 2048 characters", { Policy: JSON.stringify({ Version: "2012-10-17", Sid: "x".repeat(2100) }) }, "ValidationError"],
    ["11 policy ARNs", { PolicyArns: Array.from({ length: 11 }, (_, i) => ({ arn: `arn:aws:iam::aws:policy/P${i}` })) }, "ValidationError"],
    ["an MFA code of five digits", { SerialNumber: MFA, TokenCode: "12345" }, "ValidationError"],
  ])("refuses %s as STS does", async (_name, input, code) => {
    const emulator = await start();
    const out = await send(emulator, input);
    expect(out).toMatchObject({ ok: false, name: code });
    expect(emulator.issued).toEqual([]);
  });

  describe("a role that requires MFA", () => {
    const mfa = { serialNumber: MFA, code: "246810" };

    it("issues a credential for the device's current code", async () => {
      const emulator = await start({ roles: { [ROLE]: { mfa } } });
      expect(await send(emulator, { SerialNumber: MFA, TokenCode: "246810" })).toMatchObject({ ok: true });
    });

    it("denies a request without a code, as the trust policy's aws:MultiFactorAuthPresent does", async () => {
      const emulator = await start({ roles: { [ROLE]: { mfa } } });
      const out = await send(emulator, {});
      expect(out).toMatchObject({ ok: false, name: "AccessDenied" });
      expect(out.ok ? "" : out.message).toContain("not authorized to perform: sts:AssumeRole");
    });

    it("denies a wrong code, or another device, with STS's MultiFactorAuthentication message", async () => {
      const emulator = await start({ roles: { [ROLE]: { mfa } } });
      const wrong = await send(emulator, { SerialNumber: MFA, TokenCode: "135791" });
      const otherDevice = await send(emulator, { SerialNumber: "arn:aws:iam::111122223333:mfa/bob", TokenCode: "246810" });
      for (const out of [wrong, otherDevice]) {
        expect(out).toMatchObject({ ok: false, name: "AccessDenied" });
        expect(out.ok ? "" : out.message).toContain("MultiFactorAuthentication failed with invalid MFA one time pass code");
      }
    });

    it("denies a code used once already (one-time codes)", async () => {
      const emulator = await start({ mfa });
      expect(await send(emulator, { SerialNumber: MFA, TokenCode: "246810" })).toMatchObject({ ok: true });
      expect(await send(emulator, { SerialNumber: MFA, TokenCode: "246810" })).toMatchObject({ ok: false, name: "AccessDenied" });
    });

    it("takes a check of the code instead of one code", async () => {
      const emulator = await start({ mfa: { serialNumber: MFA, code: (code) => code.startsWith("9") } });
      expect(await send(emulator, { SerialNumber: MFA, TokenCode: "900001" })).toMatchObject({ ok: true });
      expect(await send(emulator, { SerialNumber: MFA, TokenCode: "800001" })).toMatchObject({ ok: false });
    });
  });
});
