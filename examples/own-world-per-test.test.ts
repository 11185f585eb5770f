/**
 * A test file as an app's developer writes it: every test sets up its own world — its own keys, its
 * own profile file, its own emulator — and calls a brand-new provider, with no reset call anywhere.
 * env-or-profile shares credentials between providers only when they read the same world (the same
 * keys, files, endpoints, clock…), so no test is ever served what an earlier test cached: each
 * passes alone and in any order, as with the AWS SDK's own providers.
 *
 * Run it (a vitest file; no AWS account needed):
 *   npm run example own-world-per-test
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { envOrProfile, fromImds, fromWebIdentity, memoize } from "env-or-profile";
import { isolatedEnv, manualClock, startImdsEmulator, startStsEmulator } from "env-or-profile/testing";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const ROLE = "arn:aws:iam::123456789012:role/app";
const keys = (n: number) => ({ AWS_ACCESS_KEY_ID: `AKIAOWNWORLD0000000${n}`, AWS_SECRET_ACCESS_KEY: `own-world-secret-${n}-0123456789` });

/** A config file with one profile's keys, in a directory of its own. */
function profileFile(name: string, n: number): string {
  const path = join(mkdtempSync(join(tmpdir(), "own-world-")), "config");
  writeFileSync(path, `[${name === "default" ? "default" : `profile ${name}`}]\naws_access_key_id = ${keys(n).AWS_ACCESS_KEY_ID}\naws_secret_access_key = ${keys(n).AWS_SECRET_ACCESS_KEY}\n`);
  return path;
}

// In a random order on every run: no test may depend on what an earlier one left behind.
describe.shuffle("each test its own world, no reset between them", () => {
  it("uses the keys this test sets", async () => {
    const credentials = envOrProfile({ env: { env: isolatedEnv(keys(1)) } });
    expect((await credentials()).accessKeyId).toBe(keys(1).AWS_ACCESS_KEY_ID);
  });

  it("uses other keys in the next test", async () => {
    const credentials = envOrProfile({ env: { env: isolatedEnv(keys(2)) } });
    expect((await credentials()).accessKeyId).toBe(keys(2).AWS_ACCESS_KEY_ID);
  });

  it("uses the keys this test puts in process.env", async () => {
    process.env["AWS_ACCESS_KEY_ID"] = keys(3).AWS_ACCESS_KEY_ID;
    process.env["AWS_SECRET_ACCESS_KEY"] = keys(3).AWS_SECRET_ACCESS_KEY;
    expect((await envOrProfile()()).accessKeyId).toBe(keys(3).AWS_ACCESS_KEY_ID);
  });

  it("uses other keys put in process.env by the next test", async () => {
    process.env["AWS_ACCESS_KEY_ID"] = keys(4).AWS_ACCESS_KEY_ID;
    process.env["AWS_SECRET_ACCESS_KEY"] = keys(4).AWS_SECRET_ACCESS_KEY;
    expect((await envOrProfile()()).accessKeyId).toBe(keys(4).AWS_ACCESS_KEY_ID);
  });

  it("uses the profile file this test writes", async () => {
    const credentials = envOrProfile({ env: { env: isolatedEnv({ AWS_CONFIG_FILE: profileFile("dev", 5), AWS_PROFILE: "dev" }) } });
    expect((await credentials()).accessKeyId).toBe(keys(5).AWS_ACCESS_KEY_ID);
  });

  it("uses another profile file in the next test", async () => {
    const credentials = envOrProfile({ env: { env: isolatedEnv({ AWS_CONFIG_FILE: profileFile("default", 6) }) } });
    expect((await credentials()).accessKeyId).toBe(keys(6).AWS_ACCESS_KEY_ID);
  });

  it("uses the IMDS emulator this test starts", async () => {
    const imds = await startImdsEmulator();
    closers.push(() => imds.close());
    const credentials = envOrProfile({ env: { env: isolatedEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint }) } });
    expect((await credentials()).accessKeyId).toBe(imds.current.accessKeyId);
  });

  it("uses another IMDS emulator in the next test, with its own clock", async () => {
    const clock = manualClock();
    const imds = await startImdsEmulator({ clock });
    closers.push(() => imds.close());
    expect((await memoize(fromImds({ endpoint: imds.endpoint, clock }), { clock })()).accessKeyId).toBe(imds.current.accessKeyId);
  });

  it("assumes a role with this test's STS and keys", async () => {
    const sts = await startStsEmulator({ baseCredentials: [{ accessKeyId: keys(7).AWS_ACCESS_KEY_ID, secretAccessKey: keys(7).AWS_SECRET_ACCESS_KEY }] });
    closers.push(() => sts.close());
    const env = isolatedEnv({ ...keys(7), AWS_ENDPOINT_URL_STS: sts.endpoint });
    const credentials = envOrProfile({ env: { env }, assumeRole: { roleArn: ROLE, externalId: "tenant-7" } });
    expect((await credentials()).accessKeyId).toBe(sts.issued[0]?.accessKeyId);
    expect(sts.calls).toBe(1);
  });

  it("assumes the same role again with the next test's STS and keys", async () => {
    const sts = await startStsEmulator({ baseCredentials: [{ accessKeyId: keys(8).AWS_ACCESS_KEY_ID, secretAccessKey: keys(8).AWS_SECRET_ACCESS_KEY }] });
    closers.push(() => sts.close());
    const env = isolatedEnv({ ...keys(8), AWS_ENDPOINT_URL_STS: sts.endpoint });
    const credentials = envOrProfile({ env: { env }, assumeRole: { roleArn: ROLE, externalId: "tenant-7" } });
    expect((await credentials()).accessKeyId).toBe(sts.issued[0]?.accessKeyId);
    expect(sts.calls).toBe(1);
  });

  it("exchanges a web identity token with this test's STS", async () => {
    const sts = await startStsEmulator({ webIdentityToken: () => true });
    closers.push(() => sts.close());
    const tokenFile = join(mkdtempSync(join(tmpdir(), "own-world-")), "token");
    writeFileSync(tokenFile, "eyJ.own-world-token.sig");
    const env = isolatedEnv({ AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ENDPOINT_URL_STS: sts.endpoint });
    expect((await memoize(fromWebIdentity({ env }))()).accessKeyId).toBe(sts.issued[0]?.accessKeyId);
  });
});
