import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { serveCredentialProcessFromCache } from "../../src/cli/commands/credential-process-warm.js";
import { runCli } from "../../src/cli/run-cli.js";
import { resetSharedState } from "../../src/sharing/process-state.js";
import type { ManualClock } from "../../src/testing/manual-clock.js";
import type { RolesAnywhereEmulator } from "../../src/testing/roles-anywhere-emulator.js";
import { startStsEmulator, type StsEmulator } from "../../src/testing/sts-emulator.js";
import { createCa, createLeaf, keyPem, type TestCa, type TestLeaf } from "../providers/roles-anywhere/pki.js";
import { emulatorTrusting, PROFILE_ARN, ROLE_ARN, TRUST_ANCHOR_ARN } from "../providers/roles-anywhere/world.js";
import { captureIo, leakedSecrets } from "./cli-test-io.js";

/*
 * `env-or-profile … --roles-anywhere` in-process: credential-process (cached across runs, keyed by
 * the certificate), --print-config and setup-aws-profile (the line), explain and status; and a
 * profile whose credential_process is aws_signing_helper, as explain and status show it.
 */

const PARTNER_ROLE_ARN = "arn:aws:iam::210987654321:role/partner-upload";

let root: TestCa;
let intermediate: TestCa;
let leaf: TestLeaf;
beforeAll(async () => {
  root = await createCa("p256", "CLI Root");
  intermediate = await createCa("p256", "CLI Intermediate", root);
  leaf = await createLeaf("p256", intermediate);
});

let home = "";
let emulator: RolesAnywhereEmulator;
let clock: ManualClock;
let sts: StsEmulator | undefined;
beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), "eop-cli-ra-"));
  ({ emulator, clock } = await emulatorTrusting([root]));
  writePair(leaf);
  writeFileSync(join(home, "chain.pem"), intermediate.pem);
});
afterEach(async () => {
  await sts?.close();
  sts = undefined;
  rmSync(home, { recursive: true, force: true });
  resetSharedState();
});

function writePair(pair: TestLeaf): void {
  writeFileSync(join(home, "host.pem"), pair.certificatePem);
  writeFileSync(join(home, "host.key"), keyPem(pair.key, "sec1"));
}

/** aws_signing_helper's flags for the test's certificate and emulator. */
function flags(extra: string[] = []): string[] {
  return [
    "--roles-anywhere",
    "--certificate",
    join(home, "host.pem"),
    "--private-key",
    join(home, "host.key"),
    "--intermediates",
    join(home, "chain.pem"),
    "--trust-anchor-arn",
    TRUST_ANCHOR_ARN,
    "--profile-arn",
    PROFILE_ARN,
    "--role-arn",
    ROLE_ARN,
    "--endpoint",
    emulator.endpoint,
    ...extra,
  ];
}

function env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { HOME: home, ENV_OR_PROFILE_CACHE: undefined, ENV_OR_PROFILE_CACHE_DIR: join(home, "cache"), AWS_CONFIG_FILE: join(home, "config"), AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"), ...extra };
}

async function run(args: string[], extra: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const captured = captureIo(env(extra), { clock });
  const code = await runCli(args, { ...captured.io, binary: { node: "/usr/bin/node", script: "/opt/env-or-profile/dist/cli/main.js" } });
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

const output = (stdout: string): Record<string, string> => JSON.parse(stdout) as Record<string, string>;

describe("credential-process --roles-anywhere", () => {
  it("prints the Roles Anywhere credential as credential_process JSON", async () => {
    const { code, stdout, stderr } = await run(["credential-process", ...flags()]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const issued = emulator.current;
    expect(output(stdout)).toEqual({
      Version: 1,
      AccessKeyId: issued?.accessKeyId,
      SecretAccessKey: issued?.secretAccessKey,
      SessionToken: issued?.sessionToken,
      Expiration: issued?.expiration.toISOString(),
    });
    expect(emulator.requests[0]).toMatchObject({ signatureValid: true, chainLength: 1, serialNumber: leaf.serialDecimal });
  });

  it("keeps the credential across runs: ten runs, one CreateSession; the warm path answers from the cache alone", async () => {
    const keys = new Set<string>();
    for (let index = 0; index < 10; index++) {
      keys.add(output((await run(["credential-process", ...flags()])).stdout)["AccessKeyId"] ?? "");
    }
    expect(keys.size).toBe(1);
    expect(emulator.sessionCount).toBe(1);

    const warm = captureIo(env(), { clock });
    expect(serveCredentialProcessFromCache(flags(), warm.io)).toBe(true);
    expect(output(warm.stdout())["AccessKeyId"]).toBe([...keys][0]);
  });

  it("fetches anew once the certificate and key are renewed in place", async () => {
    const first = output((await run(["credential-process", ...flags()])).stdout);
    const renewed = await createLeaf("p256", intermediate);
    writePair(renewed);
    const second = output((await run(["credential-process", ...flags()])).stdout);
    expect(second["AccessKeyId"]).not.toBe(first["AccessKeyId"]);
    expect(emulator.requests.map((request) => request.serialNumber)).toEqual([leaf.serialDecimal, renewed.serialDecimal]);
    await run(["credential-process", ...flags()]);
    expect(emulator.sessionCount).toBe(2);
  });

  it("keys the cache by every flag that decides the answer: another session name is another entry", async () => {
    await run(["credential-process", ...flags()]);
    await run(["credential-process", ...flags(["--role-session-name", "nightly"])]);
    await run(["credential-process", ...flags(["--session-duration", "7200"])]);
    expect(emulator.sessionCount).toBe(3);
  });

  it("fetches every time with --no-cache", async () => {
    await run(["credential-process", ...flags(["--no-cache"])]);
    await run(["credential-process", ...flags(["--no-cache"])]);
    expect(emulator.sessionCount).toBe(2);
  });

  it("assumes a role on top with --assume-role-arn and --external-id, signed with the Roles Anywhere credential, once for several runs", async () => {
    sts = await startStsEmulator({ trustIssuedBy: [emulator], roles: { [PARTNER_ROLE_ARN]: { externalId: "tenant-42" } }, clock });
    const args = ["credential-process", ...flags(["--assume-role-arn", PARTNER_ROLE_ARN, "--external-id", "tenant-42", "--session-name", "cli"])];
    const outputs = [];
    for (let index = 0; index < 3; index++) {
      outputs.push(output((await run(args, { AWS_ENDPOINT_URL_STS: sts.endpoint, AWS_REGION: "eu-west-1" })).stdout));
    }
    expect(new Set(outputs.map((entry) => entry["AccessKeyId"]))).toEqual(new Set([sts.issued[0]?.accessKeyId]));
    expect(emulator.sessionCount).toBe(1);
    expect(sts.requests).toEqual([
      expect.objectContaining({ roleArn: PARTNER_ROLE_ARN, externalId: "tenant-42", roleSessionName: "cli", accessKeyId: emulator.current?.accessKeyId, signatureValid: true }),
    ]);
  });

  it("reports a failure on stderr with the code, and prints no credential", async () => {
    emulator.setProfile({ arn: PROFILE_ARN, roleArns: [] });
    const { code, stdout, stderr } = await run(["credential-process", ...flags()]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^env-or-profile credential-process: no credentials: ROLES_ANYWHERE_ACCESS_DENIED: /);
  });
});

describe("the command line of --roles-anywhere", () => {
  it.each([
    [["--certificate", "/etc/pki/host.pem"], "--certificate is a flag of --roles-anywhere"],
    [["--assume-role-arn", PARTNER_ROLE_ARN], "--assume-role-arn is the role assumed on top of --roles-anywhere; without --roles-anywhere, give the role to assume as --role-arn"],
  ])("refuses %j without --roles-anywhere", async (args, message) => {
    const { code, stderr } = await run(["credential-process", ...args]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it("lists every missing flag", async () => {
    const { code, stderr } = await run(["credential-process", "--roles-anywhere", "--certificate", "/etc/pki/host.pem"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--roles-anywhere needs --private-key, --trust-anchor-arn, --profile-arn, --role-arn");
  });

  it("asks for the MFA code of a role on top (--mfa-serial) on the terminal, and keeps --mfa-serial in the printed line", async () => {
    const MFA = "arn:aws:iam::210987654321:mfa/ops";
    sts = await startStsEmulator({ trustIssuedBy: [emulator], roles: { [PARTNER_ROLE_ARN]: { mfa: { serialNumber: MFA, code: "123456" } } }, clock });
    const args = [...flags(["--assume-role-arn", PARTNER_ROLE_ARN, "--mfa-serial", MFA])];
    const captured = captureIo(env({ AWS_ENDPOINT_URL_STS: sts.endpoint, AWS_REGION: "eu-west-1" }), { clock });
    const input = new PassThrough();
    input.end("123456\n");
    const shown: string[] = [];
    captured.io.terminal = { input, output: { write: (text: string) => shown.push(text) } };
    expect(await runCli(["credential-process", ...args], captured.io)).toBe(0);
    expect(shown.join("")).toContain(`Enter MFA code for ${MFA}`);
    expect(sts.requests).toEqual([expect.objectContaining({ roleArn: PARTNER_ROLE_ARN, serialNumber: MFA, tokenCode: "123456", signatureValid: true })]);
    expect(output(captured.stdout())["AccessKeyId"]).toBe(sts.issued[0]?.accessKeyId);

    const line = await run(["credential-process", ...args, "--print-config"]);
    expect(line.stdout).toContain(`--assume-role-arn ${PARTNER_ROLE_ARN} --mfa-serial ${MFA}`);
    expect((await run(["credential-process", ...flags(["--mfa-serial", MFA])])).stderr).toContain("--mfa-serial is for a role assumed on top");
  });

  it("refuses --profile with it, and a role option without --assume-role-arn", async () => {
    expect((await run(["credential-process", ...flags(["--profile", "work"])])).stderr).toContain("--roles-anywhere names the source (the certificate); --profile names another: use one");
    expect((await run(["credential-process", ...flags(["--external-id", "tenant-42"])])).stderr).toContain(
      "--external-id is for a role assumed on top: with --roles-anywhere give it as --assume-role-arn (--role-arn is the Roles Anywhere role)",
    );
  });

  it("names the flag for what fromRolesAnywhere refuses, before any request", async () => {
    const { code, stderr } = await run(["credential-process", ...flags(["--session-duration", "60"])]);
    expect(code).toBe(2);
    expect(stderr).toContain("Expected --session-duration to be a whole number from 900 to 43200, got 60");
    const wrongRegion = await run(["credential-process", ...flags(["--region", "us-east-1"])]);
    expect(wrongRegion.stderr).toContain("Expected --region to be the trust anchor's region eu-west-1");
    expect(emulator.requestCount).toBe(0);
  });

  it("does not read the ENV_OR_PROFILE_ROLE_* variables with it: the line says all it does", async () => {
    const { code } = await run(["credential-process", ...flags()], { ENV_OR_PROFILE_ROLE_ARN: PARTNER_ROLE_ARN, ENV_OR_PROFILE_EXTERNAL_ID: "x1" });
    expect(code).toBe(0);
    expect(emulator.sessionCount).toBe(1);
  });
});

describe("the credential_process line for --roles-anywhere", () => {
  it("setup-aws-profile prints the profile block with absolute paths, no npx", async () => {
    const { code, stdout } = await run(["setup-aws-profile", "onprem", ...flags(["--assume-role-arn", PARTNER_ROLE_ARN, "--external-id", "tenant-42"])]);
    expect(code).toBe(0);
    expect(stdout).toBe(
      "[profile onprem]\n" +
        `credential_process = /usr/bin/node /opt/env-or-profile/dist/cli/main.js credential-process --roles-anywhere --certificate ${join(home, "host.pem")} ` +
        `--private-key ${join(home, "host.key")} --intermediates ${join(home, "chain.pem")} --trust-anchor-arn ${TRUST_ANCHOR_ARN} --profile-arn ${PROFILE_ARN} ` +
        `--role-arn ${ROLE_ARN} --endpoint ${emulator.endpoint} --assume-role-arn ${PARTNER_ROLE_ARN} --external-id tenant-42\n`,
    );
  });

  it("makes relative file paths absolute", async () => {
    const relativeFlags = flags().map((word) => (word.startsWith(home) ? relative(process.cwd(), word) : word));
    const { stdout } = await run(["credential-process", ...relativeFlags, "--print-config"]);
    expect(stdout).toContain(`--certificate ${join(home, "host.pem")} --private-key ${join(home, "host.key")}`);
  });

  it("is not printed when it could not work", async () => {
    const { code, stdout, stderr } = await run(["setup-aws-profile", "onprem", ...flags(["--trust-anchor-arn", PROFILE_ARN])]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("Expected --trust-anchor-arn to be a Roles Anywhere trust-anchor ARN");
  });
});

describe("explain and status show Roles Anywhere", () => {
  it("explain --roles-anywhere tries the certificate only, and says so", async () => {
    const { code, stdout } = await run(["explain", ...flags()]);
    expect(code).toBe(0);
    expect(stdout).toContain("Credential links, with --roles-anywhere (the certificate is the source; the chain is not read):");
    expect(stdout).toMatch(new RegExp(`1\\. roles-anywhere\\s+OK\\s+\\d+ ms\\s+IAM Roles Anywhere CreateSession for ${ROLE_ARN} with the certificate in ${join(home, "host.pem")}`));
    expect(stdout).toMatch(/2\. assume-role\s+not configured\s+no role asked for on top \(--assume-role-arn\)/);
    expect(stdout).not.toMatch(/\benv\b.*skipped/);
  });

  it("status --roles-anywhere names the source, and never a secret", async () => {
    const { code, stdout } = await run(flags()); // status: no command
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Source:\s+roles-anywhere \(IAM Roles Anywhere: this host's X\.509 certificate\)$/m);
    expect(stdout).toMatch(/^Account:\s+123456789012$/m);
    expect(leakedSecrets(stdout, [emulator.current?.secretAccessKey, emulator.current?.sessionToken])).toEqual([]);
  });

  it("explain --roles-anywhere --cache serves credential-process's entry without asking the service", async () => {
    await run(["credential-process", ...flags()]);
    const { stdout } = await run(["explain", "--cache", ...flags()]);
    expect(stdout).toMatch(/^Cache: hit — served /m);
    expect(stdout).toMatch(/1\. roles-anywhere\s+not tried\s+not asked: the credential came from the cache/);
    expect(emulator.sessionCount).toBe(1);
  });

  it("shows a profile whose credential_process is aws_signing_helper as done natively", async () => {
    mkdirSync(join(home, "bin"));
    const line = ["aws_signing_helper", "credential-process", ...flags().slice(1)].join(" ");
    writeFileSync(join(home, "config"), `[profile onprem]\ncredential_process = ${line}\n`);

    const explain = await run(["explain", "--profile", "onprem"]);
    expect(explain.stdout).toMatch(
      new RegExp(`2\\. profile\\s+OK\\s+\\d+ ms\\s+profile "onprem" \\(--profile\\) from .*; its credential_process is aws_signing_helper, run natively: IAM Roles Anywhere CreateSession for role ${ROLE_ARN}`),
    );
    const status = await run(["--profile", "onprem"]);
    expect(status.stdout).toMatch(new RegExp(`^Via:\\s+its credential_process is aws_signing_helper, run natively: IAM Roles Anywhere CreateSession for role ${ROLE_ARN}$`, "m"));
    const json = JSON.parse((await run(["--json", "--profile", "onprem"])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ source: "profile", via: expect.stringContaining("run natively") as unknown });
  });
});
