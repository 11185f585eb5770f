/*
 * The AWS CLI v2 (`AWS_CLI`, default /usr/bin/aws) reading IAM Roles Anywhere credentials through
 * the credential_process line `env-or-profile setup-aws-profile NAME --roles-anywhere …` prints,
 * run by the built binary: several aws commands, one CreateSession (the emulator counts); a renewed
 * certificate, a new one. Real time here (the AWS CLI runs our binary with the wall clock), so the
 * certificates are valid from yesterday for a month. HOME, the AWS config and our cache are
 * temporary. A missing AWS CLI v2: not run outside CI, a failure under CI=true (helpers/peers.ts).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startRolesAnywhereEmulator, type RolesAnywhereEmulator } from "../../src/testing/roles-anywhere-emulator.js";
import { startStsEmulator, type StsEmulator } from "../../src/testing/sts-emulator.js";
import { AWS_CLI as AWS, usePeers } from "../helpers/peers.js";
import { createCa, createLeaf, keyPem, type TestCa, type TestLeaf } from "../providers/roles-anywhere/pki.js";
import { PROFILE_ARN, ROLE_ARN, TRUST_ANCHOR_ARN } from "../providers/roles-anywhere/world.js";
import { CLI_MAIN, ensureBuilt } from "../setup/build-dist.js";

const exec = promisify(execFile);
const PARTNER_ROLE_ARN = "arn:aws:iam::210987654321:role/partner-upload";
const DAY = 86_400_000;

describe("the AWS CLI v2 reading Roles Anywhere credentials through env-or-profile's credential_process", () => {
  const peers = usePeers("aws-cli-v2");
  let dir = "";
  let root: TestCa;
  let rolesAnywhere: RolesAnywhereEmulator | undefined;
  let sts: StsEmulator | undefined;
  const validity = (): { notBefore: Date; notAfter: Date } => ({ notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 30 * DAY) });
  const emulator = (): RolesAnywhereEmulator => {
    if (rolesAnywhere === undefined) throw new Error("not started");
    return rolesAnywhere;
  };

  beforeAll(async () => {
    if (!peers.ready) return;
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "eop-awscli-ra-"));
    root = await createCa("rsa", "AWS CLI Test Root", undefined, validity());
    rolesAnywhere = await startRolesAnywhereEmulator({
      trustAnchors: [{ arn: TRUST_ANCHOR_ARN, certificates: root.pem }],
      profiles: [{ arn: PROFILE_ARN, roleArns: [ROLE_ARN] }],
    });
    sts = await startStsEmulator({ trustIssuedBy: [rolesAnywhere], roles: { [PARTNER_ROLE_ARN]: { externalId: "tenant-42" } } });
    writePair(await createLeaf("rsa", root, validity()));
    const ra = [
      "--roles-anywhere",
      ...["--certificate", join(dir, "host.pem"), "--private-key", join(dir, "host.key")],
      ...["--trust-anchor-arn", TRUST_ANCHOR_ARN, "--profile-arn", PROFILE_ARN, "--role-arn", ROLE_ARN, "--endpoint", rolesAnywhere.endpoint],
    ];
    // The lines our CLI prints, as a user would paste them.
    const onprem = await exec(process.execPath, [CLI_MAIN, "setup-aws-profile", "onprem", ...ra], { env: clientEnv() });
    const partner = await exec(process.execPath, [CLI_MAIN, "setup-aws-profile", "partner", ...ra, "--assume-role-arn", PARTNER_ROLE_ARN, "--external-id", "tenant-42"], { env: clientEnv() });
    writeFileSync(join(dir, "config"), `${onprem.stdout}\n${partner.stdout}`);
  }, 90_000);
  afterAll(async () => {
    await rolesAnywhere?.close();
    await sts?.close();
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    rmSync(join(dir, "cache"), { recursive: true, force: true });
  });

  function writePair(pair: TestLeaf): void {
    writeFileSync(join(dir, "host.pem"), pair.certificatePem);
    writeFileSync(join(dir, "host.key"), keyPem(pair.key, "pkcs1"));
  }

  function clientEnv(): Record<string, string> {
    return {
      PATH: process.env["PATH"] ?? "",
      HOME: dir,
      AWS_CONFIG_FILE: join(dir, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials-none"),
      ENV_OR_PROFILE_CACHE_DIR: join(dir, "cache"),
      AWS_ENDPOINT_URL_STS: sts?.endpoint ?? "",
      AWS_REGION: "eu-west-1",
      AWS_PAGER: "",
    };
  }

  async function aws(args: string[]): Promise<string> {
    const { stdout } = await exec(AWS, args, { env: clientEnv(), timeout: 30_000 });
    return stdout;
  }
  const exportCredentials = async (profile: string): Promise<Record<string, unknown>> =>
    JSON.parse(await aws(["configure", "export-credentials", "--profile", profile, "--format", "process"])) as Record<string, unknown>;

  it("prints a credential_process line that runs our binary with absolute paths, not npx", () => {
    const text = readFileSync(join(dir, "config"), "utf8");
    expect(text).toContain(`[profile onprem]\ncredential_process = ${process.execPath} ${CLI_MAIN} credential-process --roles-anywhere --certificate ${join(dir, "host.pem")}`);
    expect(text).not.toContain("npx");
  });

  it("gets the Roles Anywhere credential for several aws commands with one CreateSession", async () => {
    const before = emulator().sessionCount;
    const keys = new Set<string>();
    for (let command = 0; command < 4; command++) {
      keys.add(String((await exportCredentials("onprem"))["AccessKeyId"]));
    }
    const identity = JSON.parse(await aws(["sts", "get-caller-identity", "--profile", "onprem", "--endpoint-url", sts?.endpoint ?? ""])) as { Account: string };
    expect(identity.Account).toBe("111122223333"); // the STS emulator's name for a credential another emulator issued
    expect(emulator().sessionCount - before).toBe(1);
    expect(keys).toEqual(new Set([emulator().current?.accessKeyId]));
    expect(emulator().requests.at(-1)).toMatchObject({ signatureValid: true, algorithm: "AWS4-X509-RSA-SHA256", roleArn: ROLE_ARN });
  }, 120_000);

  it("assumes the partner role on top, with its ExternalId: one CreateSession and one AssumeRole for several commands", async () => {
    const sessionsBefore = emulator().sessionCount;
    const assumeRolesBefore = sts?.calls ?? 0;
    const keys = new Set<string>();
    for (let command = 0; command < 3; command++) {
      keys.add(String((await exportCredentials("partner"))["AccessKeyId"]));
    }
    expect(keys).toEqual(new Set([sts?.issued.at(-1)?.accessKeyId]));
    expect(emulator().sessionCount - sessionsBefore).toBe(1);
    expect((sts?.calls ?? 0) - assumeRolesBefore).toBe(1);
    expect(sts?.lastRequest).toMatchObject({ roleArn: PARTNER_ROLE_ARN, externalId: "tenant-42", accessKeyId: emulator().current?.accessKeyId, signatureValid: true });
  }, 120_000);

  it("asks for a new session once the certificate and key are renewed in place", async () => {
    const first = await exportCredentials("onprem");
    const renewed = await createLeaf("rsa", root, validity());
    writePair(renewed);
    const before = emulator().sessionCount;
    const second = await exportCredentials("onprem");
    await exportCredentials("onprem");
    expect(second["AccessKeyId"]).not.toBe(first["AccessKeyId"]);
    expect(emulator().sessionCount - before).toBe(1);
    expect(emulator().requests.at(-1)?.serialNumber).toBe(renewed.serialDecimal);
  }, 120_000);
});
