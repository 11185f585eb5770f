/*
 * Issue 18 items 2, 5 and 6 against our STS emulator, which records and checks what AssumeRole
 * sends: session tags, transitive tag keys, source identity and policies — from options, from
 * profile keys, from fromConfig — reach STS as given; MFA sends SerialNumber and TokenCode (from
 * mfaCodeProvider or a profile's mfa_process), once per credential lifetime, never retried after a
 * refused code, never sent without a code; and with no region configured the request goes to (and
 * is signed for) the role ARN's partition's STS region.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AwsCredentialIdentity } from "@smithy/types";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fromConfig } from "../../../src/config.js";
import { CredentialsError } from "../../../src/errors.js";
import { memoize } from "../../../src/memoize.js";
import { fromAssumeRole, type AssumeRoleOptions } from "../../../src/providers/assume-role.js";
import { fromProfile } from "../../../src/providers/profile/from-profile.js";
import { fromWebIdentity } from "../../../src/providers/web-identity/from-web-identity.js";
import { resetSharedState } from "../../../src/sharing/process-state.js";
import { manualClock } from "../../../src/testing/manual-clock.js";
import { startStsEmulator, type StsEmulator, type StsEmulatorOptions } from "../../../src/testing/sts-emulator.js";
import { expectClean } from "../../helpers/leak-check.js";
import { tempAws, type TempAws } from "../profile/temp-aws.js";

const ROLE = "arn:aws:iam::123456789012:role/deploy";
const MFA = "arn:aws:iam::111122223333:mfa/alice";
const BASE = { accessKeyId: "AKIAIOSFODNN7BASE018", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYBASE00018" };
const POLICY = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::reports/*" }] });
const READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess";

let sts: StsEmulator;
let aws: TempAws;
let scripts: string;
beforeAll(() => {
  scripts = mkdtempSync(join(tmpdir(), "eop-mfa-process-"));
});
afterAll(() => {
  rmSync(scripts, { recursive: true, force: true });
});
beforeEach(async () => {
  resetSharedState();
  aws = tempAws({ credentials: `[base]\naws_access_key_id = ${BASE.accessKeyId}\naws_secret_access_key = ${BASE.secretAccessKey}\n` });
  sts = await startStsEmulator({ baseCredentials: [BASE] });
});
afterEach(async () => {
  await sts.close();
  aws.remove();
});

async function restart(options: StsEmulatorOptions): Promise<void> {
  await sts.close();
  sts = await startStsEmulator({ baseCredentials: [BASE], ...options });
}

const source = async (): Promise<AwsCredentialIdentity> => ({ ...BASE });
const role = (options: Partial<AssumeRoleOptions> = {}) => fromAssumeRole({ roleArn: ROLE, endpoint: sts.endpoint, region: "eu-west-1", source, ...options });

/** A script that prints `output` (and `stderr`) and exits with `code`: an mfa_process. */
function script(name: string, body: string): string {
  const path = join(scripts, name);
  writeFileSync(path, `#!${process.execPath}\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

async function failure(promise: Promise<unknown>): Promise<CredentialsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CredentialsError);
  return error as CredentialsError;
}

describe("session tags, transitive tag keys, source identity and session policies reach STS", () => {
  it("from fromAssumeRole's options", async () => {
    await role({ tags: { team: "data", "cost center": "42" }, transitiveTagKeys: ["team"], sourceIdentity: "alice", policy: POLICY, policyArns: [READ_ONLY] })();
    expect(sts.lastRequest).toMatchObject({ tags: { team: "data", "cost center": "42" }, transitiveTagKeys: ["team"], sourceIdentity: "alice", policy: POLICY, policyArns: [READ_ONLY] });
  });

  it("from a profile's session_tags, transitive_session_tags and source_identity", async () => {
    aws.writeConfig(
      `[profile deploy]\nrole_arn = ${ROLE}\nsource_profile = base\nsession_tags = team=data, project = apollo\ntransitive_session_tags = project\nsource_identity = alice\n`,
    );
    await fromProfile({ profile: "deploy", env: aws.env({ AWS_ENDPOINT_URL_STS: sts.endpoint, AWS_REGION: "eu-west-1" }) })();
    expect(sts.lastRequest).toMatchObject({ tags: { team: "data", project: "apollo" }, transitiveTagKeys: ["project"], sourceIdentity: "alice" });
  });

  it("from fromConfig's assume_role (snake case)", async () => {
    const credentials = fromConfig(
      { access_key_id: BASE.accessKeyId, secret_access_key: BASE.secretAccessKey, assume_role: { role_arn: ROLE, endpoint: sts.endpoint, region: "eu-west-1", tags: { team: "data" }, transitive_tag_keys: ["team"], source_identity: "alice", policy: POLICY, policy_arns: [READ_ONLY] } },
      { env: { env: {} } },
    );
    await credentials();
    expect(sts.lastRequest).toMatchObject({ tags: { team: "data" }, transitiveTagKeys: ["team"], sourceIdentity: "alice", policy: POLICY, policyArns: [READ_ONLY] });
  });

  it("fromConfig refuses bad session options at once, each named, with no request", () => {
    let message = "";
    try {
      fromConfig({ credentials_source: "env_or_profile", assume_role: { role_arn: ROLE, source_identity: "aws:root", policy_arns: ["not-an-arn"], mfa_serial: "x" } });
    } catch (error) {
      expect(error).toMatchObject({ code: "CONFIG_INVALID" });
      message = (error as Error).message;
    }
    for (const key of ["assume_role.mfa_serial", "assume_role.source_identity", "assume_role.policy_arns"]) expect(message).toContain(`\`${key}\``);
    expect(sts.requests).toEqual([]);
  });

  it("a web identity's session policies (policy, policyArns) reach AssumeRoleWithWebIdentity", async () => {
    const tokenFile = aws.writeFile("token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhcHAifQ.c2ln");
    await fromWebIdentity({ roleArn: ROLE, webIdentityTokenFile: tokenFile, endpoint: sts.endpoint, region: "eu-west-1", policy: POLICY, policyArns: [READ_ONLY], env: {} })();
    expect(sts.lastRequest).toMatchObject({ action: "AssumeRoleWithWebIdentity", policy: POLICY, policyArns: [READ_ONLY] });
  });

  it("a profile's session_tags that break STS's rules are PROFILE_INVALID naming the key, with no request", async () => {
    aws.writeConfig(`[profile deploy]\nrole_arn = ${ROLE}\nsource_profile = base\nsession_tags = team\n`);
    const error = await failure(fromProfile({ profile: "deploy", env: aws.env({ AWS_ENDPOINT_URL_STS: sts.endpoint }) })());
    expect(error).toMatchObject({ code: "PROFILE_INVALID" });
    expect(error.message).toContain(`\`session_tags\` in [profile deploy] of ${aws.configFile}`);
    expect(sts.requests).toEqual([]);
  });
});

describe("MFA", () => {
  beforeEach(async () => {
    await restart({ roles: { [ROLE]: { mfa: { serialNumber: MFA, code: "246810" } } } });
  });

  it("sends SerialNumber and the code mfaCodeProvider gives, asked with the device's serial", async () => {
    const asked: string[] = [];
    const credential = await role({ mfaSerial: MFA, mfaCodeProvider: async (serial) => (asked.push(serial), "246810") })();
    expect(credential.accessKeyId).toBe(sts.issued[0]?.accessKeyId);
    expect(asked).toEqual([MFA]);
    expect(sts.lastRequest).toMatchObject({ serialNumber: MFA, tokenCode: "246810" });
  });

  it("asks for a code once per credential lifetime under memoize", async () => {
    const clock = manualClock();
    let asked = 0;
    const credentials = memoize(role({ mfaSerial: MFA, clock, mfaCodeProvider: async () => (asked += 1, "246810") }), { clock });
    await credentials();
    await credentials();
    clock.advance(30 * 60_000);
    await credentials();
    expect(asked).toBe(1);
  });

  it("without mfaCodeProvider: MFA_REQUIRED naming the role and the device, and no request", async () => {
    const error = await failure(role({ mfaSerial: MFA })());
    expect(error).toMatchObject({ source: "assume-role", code: "MFA_REQUIRED", tryNextLink: false });
    expect(error.message).toContain(ROLE);
    expect(error.message).toContain(MFA);
    expect(sts.requests).toEqual([]);
  });

  it("a profile's mfa_serial with no code provider: MFA_REQUIRED naming the profile, the file and the device, no request", async () => {
    aws.writeConfig(`[profile admin]\nrole_arn = ${ROLE}\nsource_profile = base\nmfa_serial = ${MFA}\n`);
    const error = await failure(fromProfile({ profile: "admin", env: aws.env({ AWS_ENDPOINT_URL_STS: sts.endpoint }) })());
    expect(error).toMatchObject({ code: "MFA_REQUIRED" });
    expect(error.message).toContain(`mfa_serial of [profile admin] of ${aws.configFile}`);
    expect(error.message).toContain("mfa_process");
    expect(sts.requests).toEqual([]);
  });

  it("a refused code is STS_ACCESS_DENIED saying so, asked for once and sent once even under memoize's retries", async () => {
    let asked = 0;
    const credentials = memoize(role({ mfaSerial: MFA, mfaCodeProvider: async () => (asked += 1, "135791") }), { retry: { retries: 3, minTimeout: 1, maxTimeout: 2 } });
    const error = await failure(credentials());
    expect(error).toMatchObject({ code: "STS_ACCESS_DENIED", retryable: false });
    expect(error.message).toContain(`refused the MFA code for ${MFA}`);
    expect([asked, sts.calls]).toEqual([1, 1]);
    expectClean(error, ["135791"]);
  });

  it("a code that is not six digits is MFA_REQUIRED, and no request is sent", async () => {
    const error = await failure(role({ mfaSerial: MFA, mfaCodeProvider: async () => "12345" })());
    expect(error).toMatchObject({ code: "MFA_REQUIRED" });
    expect(sts.requests).toEqual([]);
  });

  it("fromConfig passes its mfaCodeProvider to a profile's mfa_serial and to assume_role.mfa_serial", async () => {
    aws.writeConfig(`[profile admin]\nrole_arn = ${ROLE}\nsource_profile = base\nmfa_serial = ${MFA}\n`);
    const env = aws.env({ AWS_ENDPOINT_URL_STS: sts.endpoint, AWS_REGION: "eu-west-1" });
    await fromConfig({ profile: "admin" }, { env: { env }, mfaCodeProvider: async () => "246810" })();
    await restart({ roles: { [ROLE]: { mfa: { serialNumber: MFA, code: "135791" } } } });
    await fromConfig(
      { access_key_id: BASE.accessKeyId, secret_access_key: BASE.secretAccessKey, assume_role: { role_arn: ROLE, mfa_serial: MFA, endpoint: sts.endpoint, region: "eu-west-1" } },
      { env: { env: {} }, mfaCodeProvider: async () => "135791" },
    )();
    expect(sts.lastRequest).toMatchObject({ serialNumber: MFA, tokenCode: "135791", signatureValid: true });
  });

  describe("a profile's mfa_process", () => {
    const env = () => aws.env({ AWS_ENDPOINT_URL_STS: sts.endpoint, AWS_REGION: "eu-west-1" });
    const write = (command: string) => aws.writeConfig(`[profile admin]\nrole_arn = ${ROLE}\nsource_profile = base\nmfa_serial = ${MFA}\nmfa_process = ${command}\n`);

    it("is run without a shell and its code sent; it wins over mfaCodeProvider", async () => {
      write(`${script("code", 'process.stdout.write("246810\\n")')} --device 'alice phone'`);
      let asked = 0;
      await fromProfile({ profile: "admin", env: env(), mfaCodeProvider: async () => (asked += 1, "000000") })();
      expect(sts.lastRequest).toMatchObject({ serialNumber: MFA, tokenCode: "246810" });
      expect(asked).toBe(0);
    });

    it("failing: PROCESS_FAILED with its stderr (scrubbed), and no request", async () => {
      write(script("fails", 'process.stderr.write("no YubiKey found\\n"); process.exit(3)'));
      const error = await failure(fromProfile({ profile: "admin", env: env() })());
      expect(error).toMatchObject({ code: "PROCESS_FAILED", tryNextLink: false, retryable: false });
      expect(error.message).toContain('mfa_process "fails" of profile "admin" exited with code 3: no YubiKey found');
      expect(sts.requests).toEqual([]);
    });

    it("printing something that is not a code: PROCESS_BAD_OUTPUT, never showing it, and no request", async () => {
      write(script("junk", 'process.stdout.write("hunter2-password\\n")'));
      const error = await failure(fromProfile({ profile: "admin", env: env() })());
      expect(error).toMatchObject({ code: "PROCESS_BAD_OUTPUT" });
      expectClean(error, ["hunter2-password"]);
      expect(sts.requests).toEqual([]);
    });

    it("without mfa_serial is PROFILE_INVALID naming the key", async () => {
      aws.writeConfig(`[profile admin]\nrole_arn = ${ROLE}\nsource_profile = base\nmfa_process = /bin/true\n`);
      const error = await failure(fromProfile({ profile: "admin", env: env() })());
      expect(error).toMatchObject({ code: "PROFILE_INVALID" });
      expect(error.message).toContain("`mfa_process` in [profile admin]");
    });
  });
});

describe("STS region from the role ARN's partition when none is configured", () => {
  it.each([
    ["aws-cn", "arn:aws-cn:iam::123456789012:role/deploy", "cn-north-1"],
    ["aws-us-gov", "arn:aws-us-gov:iam::123456789012:role/deploy", "us-gov-west-1"],
    ["aws", "arn:aws:iam::123456789012:role/deploy", "us-east-1"],
  ])("sends an %s role's AssumeRole (%s) signed for %s", async (_partition, roleArn, region) => {
    aws.writeConfig(`[profile p]\nrole_arn = ${roleArn}\nsource_profile = base\n`);
    await fromProfile({ profile: "p", env: aws.env({ AWS_ENDPOINT_URL_STS: sts.endpoint }) })();
    expect(sts.lastRequest).toMatchObject({ action: "AssumeRole", roleArn, region });
  });

  it("keeps a configured region (AWS_REGION) over the partition's", async () => {
    await fromAssumeRole({ roleArn: "arn:aws-cn:iam::123456789012:role/deploy", source, env: { AWS_ENDPOINT_URL_STS: sts.endpoint, AWS_REGION: "cn-northwest-1" } })();
    expect(sts.lastRequest).toMatchObject({ region: "cn-northwest-1" });
  });
});
