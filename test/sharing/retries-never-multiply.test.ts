/*
 * Issue 16 item 6: a refresh makes at most `retries + 1` attempts at its source, however deep the
 * chain — a profile whose role is assumed from a source_profile, a role assumed from another role,
 * a role over IMDS. Each layer below the outermost memoize is either a plain link (one attempt) or a
 * memoized source whose spent retries are final for the layers above.
 */
import { afterEach, describe, expect, it } from "vitest";
import { envOrProfile } from "../../src/env-or-profile.js";
import { startImdsEmulator, type ImdsEmulator } from "../../src/testing/imds-emulator.js";
import { manualClock } from "../../src/testing/manual-clock.js";
import { startStsEmulator, type StsEmulator } from "../../src/testing/sts-emulator.js";
import { tempAws, type TempAws } from "../providers/profile/temp-aws.js";

const BASE = { accessKeyId: "AKIARETRYBASE0000001", secretAccessKey: "retry-base-secret-0123456789" };
const ROLE_A = "arn:aws:iam::123456789012:role/first-hop";
const ROLE_B = "arn:aws:iam::210987654321:role/second-hop";
const RETRY = { retries: 2, minTimeout: 1, maxTimeout: 2 };

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function sts(clock = manualClock()): Promise<StsEmulator> {
  const emulator = await startStsEmulator({ baseCredentials: [BASE], clock });
  closers.push(() => emulator.close());
  return emulator;
}

function aws(): TempAws {
  const files = tempAws();
  closers.push(() => files.remove());
  return files;
}

/** envOrProfile with only the profile link, on the temp files and this STS. */
function profileChain(files: TempAws, emulator: StsEmulator, profile: string, clock = manualClock()) {
  return envOrProfile({
    env: false,
    profile: { profile, env: files.env({ AWS_ENDPOINT_URL_STS: emulator.endpoint, AWS_REGION: "eu-west-1" }) },
    webIdentity: false,
    container: false,
    imds: false,
    clock,
    retry: RETRY,
  });
}

describe("a refresh makes at most retries + 1 attempts at its source, however deep the chain", () => {
  it("profile → source_profile → role, STS throttling: 3 AssumeRoles, not 9", async () => {
    const emulator = await sts();
    const files = aws();
    files.writeCredentials(`[base]\naws_access_key_id = ${BASE.accessKeyId}\naws_secret_access_key = ${BASE.secretAccessKey}\n`);
    files.writeConfig(`[profile partner]\nrole_arn = ${ROLE_A}\nsource_profile = base\nexternal_id = tenant-42\n`);
    emulator.injectFault({ kind: "throttling" }, Number.POSITIVE_INFINITY);
    await expect(profileChain(files, emulator, "partner")()).rejects.toMatchObject({ code: "STS_THROTTLED" });
    expect(emulator.calls).toBe(3);
  });

  it("role from a role from keys, the first hop throttled: 3 AssumeRoles of the first hop, none of the second", async () => {
    const emulator = await sts();
    const files = aws();
    files.writeCredentials(`[base]\naws_access_key_id = ${BASE.accessKeyId}\naws_secret_access_key = ${BASE.secretAccessKey}\n`);
    files.writeConfig(`[profile first]\nrole_arn = ${ROLE_A}\nsource_profile = base\n[profile second]\nrole_arn = ${ROLE_B}\nsource_profile = first\n`);
    emulator.injectFault({ kind: "throttling" }, Number.POSITIVE_INFINITY);
    await expect(profileChain(files, emulator, "second")()).rejects.toMatchObject({ source: "profile" });
    expect(emulator.requests.filter((request) => request.roleArn === ROLE_A)).toHaveLength(3);
    expect(emulator.requests.filter((request) => request.roleArn === ROLE_B)).toHaveLength(0);
  });

  it("role from a role from keys, the second hop throttled once expired: 3 AssumeRoles of the second hop; the first, still fresh, is not asked again", async () => {
    const clock = manualClock();
    const emulator = await sts(clock);
    const files = aws();
    files.writeCredentials(`[base]\naws_access_key_id = ${BASE.accessKeyId}\naws_secret_access_key = ${BASE.secretAccessKey}\n`);
    files.writeConfig(
      `[profile first]\nrole_arn = ${ROLE_A}\nsource_profile = base\n[profile second]\nrole_arn = ${ROLE_B}\nsource_profile = first\nduration_seconds = 900\n`,
    );
    const credentials = profileChain(files, emulator, "second", clock);
    await credentials(); // both hops assumed once
    emulator.setBaseCredentials([BASE, ...emulator.issued.map(({ accessKeyId, secretAccessKey, sessionToken }) => ({ accessKeyId, secretAccessKey, sessionToken }))]);
    emulator.injectFault({ kind: "throttling" }, Number.POSITIVE_INFINITY);
    clock.advance(16 * 60_000); // the second hop (15 minutes) has expired; the first (1 hour) is fresh
    await expect(credentials()).rejects.toMatchObject({ code: "STS_THROTTLED" });
    expect(emulator.requests.filter((request) => request.roleArn === ROLE_A)).toHaveLength(1);
    expect(emulator.requests.filter((request) => request.roleArn === ROLE_B)).toHaveLength(1 + 3);
  });

  it("envOrProfile({ assumeRole }) over an IMDS answering 500: 3 credential requests to IMDS, no AssumeRole", async () => {
    const emulator = await sts();
    const imds: ImdsEmulator = await startImdsEmulator();
    closers.push(() => imds.close());
    const path = `/latest/meta-data/iam/security-credentials/${imds.roleName ?? ""}`;
    imds.fail(path, 500);
    const credentials = envOrProfile({
      env: { env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint, AWS_CONFIG_FILE: "/nonexistent/c", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/k" } },
      clock: manualClock(),
      retry: RETRY,
      assumeRole: { roleArn: ROLE_A, endpoint: emulator.endpoint, region: "us-east-1" },
    });
    await expect(credentials()).rejects.toMatchObject({ code: "STS_SOURCE_FAILED", retryable: false });
    expect(imds.count(path)).toBe(3);
    expect(emulator.calls).toBe(0);
  });
});
