import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { memoize } from "../../../src/memoize.js";
import { fromProfile } from "../../../src/providers/profile/from-profile.js";
import { resetSharedState } from "../../../src/sharing/process-state.js";
import { collectingLogger } from "../../helpers/leak-check.js";
import { createCa, createLeaf, keyPem, type TestCa, type TestLeaf } from "../roles-anywhere/pki.js";
import { emulatorTrusting, PROFILE_ARN, ROLE_ARN, TRUST_ANCHOR_ARN } from "../roles-anywhere/world.js";
import { rejection, tempAws, type TempAws } from "./temp-aws.js";

/*
 * A profile whose credential_process runs AWS's aws_signing_helper: done natively (Roles Anywhere)
 * when every flag is one we support, spawned as before otherwise. The proof that nothing is spawned
 * is a stand-in `aws_signing_helper` first on PATH that writes down every run.
 */

const HELPER_KEY = "AKIAHELPERSTANDIN001";

let root: TestCa;
let leaf: TestLeaf;
beforeAll(async () => {
  root = await createCa("rsa", "Profile Root");
  leaf = await createLeaf("rsa", root);
});

let aws: TempAws;
let runs: string;
beforeEach(() => {
  aws = tempAws();
  mkdirSync(join(aws.home, "bin"));
  runs = join(aws.home, "helper-runs.txt");
  // The stand-in: records its arguments, prints a fixed Version 1 credential without AccountId.
  aws.writeFile(
    "bin/aws_signing_helper",
    `#!/bin/sh\nprintf '%s\\n' "$*" >> '${runs}'\nprintf '{"Version":1,"AccessKeyId":"${HELPER_KEY}","SecretAccessKey":"helper-secret","SessionToken":"helper-token","Expiration":"2026-01-01T06:00:00Z"}'\n`,
    0o755,
  );
});
afterEach(() => {
  aws.remove();
  resetSharedState();
});

/** The environment: the temp HOME, the stand-in first on PATH. */
function env(): Record<string, string | undefined> {
  return aws.env({ PATH: `${join(aws.home, "bin")}:${process.env["PATH"] ?? ""}` });
}

/** Certificate and key files in the temp HOME, and the aws_signing_helper line for them. */
function helperLine(endpoint: string, extra = "", pair: TestLeaf = leaf): string {
  const certificate = aws.writeFile("host.pem", pair.certificatePem);
  const privateKey = aws.writeFile("host.key", keyPem(pair.key, "pkcs8"));
  return (
    `aws_signing_helper credential-process --certificate ${certificate} --private-key ${privateKey} ` +
    `--trust-anchor-arn ${TRUST_ANCHOR_ARN} --profile-arn ${PROFILE_ARN} --role-arn ${ROLE_ARN} --endpoint ${endpoint}${extra}`
  );
}

const helperRuns = (): string[] => (existsSync(runs) ? readFileSync(runs, "utf8").trim().split("\n") : []);

describe("a profile whose credential_process is aws_signing_helper credential-process", () => {
  it("is done natively: one CreateSession for many calls, and the helper is never run", async () => {
    const { emulator, clock } = await emulatorTrusting([root]);
    aws.writeConfig(`[profile onprem]\ncredential_process = ${helperLine(emulator.endpoint)}\n`);
    const credentials = memoize(fromProfile({ profile: "onprem", env: env(), clock }), { clock, jitter: false });

    const results = await Promise.all(Array.from({ length: 20 }, () => credentials()));
    clock.advance(30 * 60_000);
    await credentials();

    expect(new Set(results.map((credential) => credential.accessKeyId))).toEqual(new Set([emulator.current?.accessKeyId]));
    expect(results[0]?.accountId).toBe("123456789012");
    expect(emulator.sessionCount).toBe(1);
    expect(emulator.requests[0]).toMatchObject({ signatureValid: true, serialNumber: leaf.serialDecimal, roleArn: ROLE_ARN });
    expect(helperRuns()).toEqual([]);
  });

  it("says so in one debug line naming the role", async () => {
    const { emulator, clock } = await emulatorTrusting([root]);
    aws.writeConfig(`[profile onprem]\ncredential_process = ${helperLine(emulator.endpoint)}\n`);
    const logger = collectingLogger();
    await fromProfile({ profile: "onprem", env: env(), clock, logger })();
    expect(logger.lines).toContain(
      `debug env-or-profile: profile: credential_process is aws_signing_helper in profile "onprem", run natively: IAM Roles Anywhere CreateSession for role ${ROLE_ARN}`,
    );
  });

  it("uses the renewed certificate after the files are rewritten in place", async () => {
    const { emulator, clock } = await emulatorTrusting([root]);
    aws.writeConfig(`[profile onprem]\ncredential_process = ${helperLine(emulator.endpoint)}\n`);
    const first = await memoize(fromProfile({ profile: "onprem", env: env(), clock }), { clock })();
    const renewed = await createLeaf("rsa", root);
    helperLine(emulator.endpoint, "", renewed); // rewrites host.pem and host.key
    const second = await memoize(fromProfile({ profile: "onprem", env: env(), clock }), { clock })();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(emulator.requests.map((request) => request.serialNumber)).toEqual([leaf.serialDecimal, renewed.serialDecimal]);
    expect(helperRuns()).toEqual([]);
  });

  it("reports a missing certificate file as the helper would fail, naming the profile, without running it", async () => {
    const { emulator, clock } = await emulatorTrusting([root]);
    const line = helperLine(emulator.endpoint).replace(join(aws.home, "host.pem"), join(aws.home, "renewing.pem"));
    aws.writeConfig(`[profile onprem]\ncredential_process = ${line}\n`);
    const error = await rejection(fromProfile({ profile: "onprem", env: env(), clock })());
    expect(error).toMatchObject({ source: "profile", code: "ROLES_ANYWHERE_FILE_UNREADABLE", tryNextLink: false });
    expect((error as Error).message).toContain('Profile "onprem"');
    expect((error as Error).message).toContain("renewing.pem");
    expect(emulator.requestCount).toBe(0);
    expect(helperRuns()).toEqual([]);
  });
});

describe("an aws_signing_helper line we do not do natively is run as before", () => {
  it("runs the helper for a flag only it has (--with-proxy), saying why, with the profile's aws_account_id", async () => {
    const { emulator, clock } = await emulatorTrusting([root]);
    aws.writeConfig(`[profile proxied]\ncredential_process = ${helperLine(emulator.endpoint, " --with-proxy")}\naws_account_id = 111122223333\n`);
    const logger = collectingLogger();

    const credential = await fromProfile({ profile: "proxied", env: env(), clock, logger })();

    expect(credential).toMatchObject({ accessKeyId: HELPER_KEY, accountId: "111122223333" });
    expect(helperRuns()).toEqual([expect.stringMatching(/^credential-process --certificate .* --with-proxy$/)]);
    expect(emulator.requestCount).toBe(0);
    expect(logger.lines).toContain(
      'debug env-or-profile: profile: credential_process is aws_signing_helper in profile "proxied", run as a process: it uses --with-proxy, which sends CreateSession through a proxy: only aws_signing_helper does that',
    );
  });

  it("hands a TPM key found only when the file is read to the helper, at that call", async () => {
    const { emulator, clock } = await emulatorTrusting([root]);
    const line = helperLine(emulator.endpoint);
    aws.writeFile("host.key", "-----BEGIN TSS2 PRIVATE KEY-----\nMIIB\n-----END TSS2 PRIVATE KEY-----\n");
    aws.writeConfig(`[profile tpm]\ncredential_process = ${line}\n`);
    const logger = collectingLogger();

    const credential = await fromProfile({ profile: "tpm", env: env(), clock, logger })();

    expect(credential.accessKeyId).toBe(HELPER_KEY);
    expect(helperRuns()).toHaveLength(1);
    expect(emulator.requestCount).toBe(0);
    expect(logger.lines.some((line) => /credential_process is aws_signing_helper in profile "tpm", run as a process: .*TPM 2\.0 key/.test(line))).toBe(true);
  });

  it("leaves any other credential_process alone, with no line about the helper", async () => {
    const { clock } = await emulatorTrusting([root]);
    aws.writeConfig(`[profile other]\ncredential_process = aws_signing_helper_wrapper --role x\n`);
    aws.writeFile("bin/aws_signing_helper_wrapper", `#!/bin/sh\nprintf '{"Version":1,"AccessKeyId":"AKIAWRAPPER000000001","SecretAccessKey":"s"}'\n`, 0o755);
    const logger = collectingLogger();
    expect((await fromProfile({ profile: "other", env: env(), clock, logger })()).accessKeyId).toBe("AKIAWRAPPER000000001");
    expect(logger.lines.filter((line) => line.includes("is aws_signing_helper"))).toEqual([]);
  });
});
