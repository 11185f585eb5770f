import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { startContainerEmulator } from "../../src/testing/container-emulator.js";
import { startImdsEmulator, type ImdsEmulator } from "../../src/testing/imds-emulator.js";
import { startStsEmulator } from "../../src/testing/sts-emulator.js";
import { manualClock } from "../../src/testing/manual-clock.js";
import { captureIo, ENV_KEYS, leakedSecrets } from "./cli-test-io.js";

const ROLE_ARN = "arn:aws:iam::123456789012:role/partner-upload";

let imds: ImdsEmulator | undefined;
afterEach(async () => {
  await imds?.close();
  imds = undefined;
});

describe("env-or-profile (status)", () => {
  it("reports the environment as the source with the key id cut to its last four characters", async () => {
    const { io, stdout, stderr } = captureIo({ ...ENV_KEYS });
    expect(await runCli([], io)).toBe(0);
    expect(stdout()).toMatch(/Source:\s+env \(environment variables\)/);
    expect(stdout()).toContain("…Q2WX (temporary, with a session token)");
    expect(stdout()).not.toContain(ENV_KEYS.AWS_ACCESS_KEY_ID);
    expect(stderr()).toBe("");
  });

  it("says long-term keys never expire", async () => {
    const { io, stdout } = captureIo({ AWS_ACCESS_KEY_ID: ENV_KEYS.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: ENV_KEYS.AWS_SECRET_ACCESS_KEY });
    expect(await runCli([], io)).toBe(0);
    expect(stdout()).toMatch(/Expires:\s+never/);
    expect(stdout()).toContain("(long-term key)");
  });

  it("reports IMDS with the expiry, the time left and the instance profile ARN", async () => {
    const clock = manualClock();
    imds = await startImdsEmulator({ clock, instanceProfileArn: "arn:aws:iam::123456789012:instance-profile/web" });
    const { io, stdout } = captureIo({}, { clock, imdsEndpoint: imds.endpoint });
    expect(await runCli([], io)).toBe(0);
    expect(stdout()).toMatch(/Source:\s+imds \(EC2 instance profile\)/);
    expect(stdout()).toContain(`…${imds.current.accessKeyId.slice(-4)}`);
    expect(stdout()).toMatch(/Expires:\s+2026-01-01T06:00:00Z \(in 6h 00m\)/);
    expect(stdout()).toMatch(/Instance profile:\s+arn:aws:iam::123456789012:instance-profile\/web/);
  });

  it("prints the same facts as JSON with --json, and no secret", async () => {
    const clock = manualClock();
    imds = await startImdsEmulator({ clock });
    const { io, stdout } = captureIo({}, { clock, imdsEndpoint: imds.endpoint });
    expect(await runCli(["--json"], io)).toBe(0);
    expect(JSON.parse(stdout())).toEqual({
      ok: true,
      source: "imds",
      base: "imds",
      accessKeyIdLast4: imds.current.accessKeyId.slice(-4),
      temporary: true,
      expiration: "2026-01-01T06:00:00Z",
      secondsLeft: 6 * 3600,
      marks: { CREDENTIALS_IMDS: "0" },
      instanceProfileArn: "arn:aws:iam::123456789012:instance-profile/env-or-profile-demo-profile",
    });
    expect(leakedSecrets(stdout(), [imds.current.secretAccessKey, imds.current.sessionToken, imds.current.accessKeyId])).toEqual([]);
  });

  it("reports an assumed role as the source and the link that signed it", async () => {
    const sts = await startStsEmulator({
      baseCredentials: [{ accessKeyId: ENV_KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: ENV_KEYS.AWS_SECRET_ACCESS_KEY, sessionToken: ENV_KEYS.AWS_SESSION_TOKEN }],
      externalId: "tenant-42",
    });
    try {
      const { io, stdout } = captureIo({ ...ENV_KEYS, AWS_ENDPOINT_URL_STS: sts.endpoint });
      expect(await runCli(["--role-arn", ROLE_ARN, "--external-id", "tenant-42", "--json"], io)).toBe(0);
      const status = JSON.parse(stdout()) as Record<string, unknown>;
      expect(status).toMatchObject({ ok: true, source: "assume-role", base: "env", roleArn: ROLE_ARN, accountId: "123456789012" });
      // The base's mark, then the role step's: the user agent of a client signing with it says both.
      expect(status["marks"]).toEqual({ CREDENTIALS_ENV_VARS: "g", CREDENTIALS_STS_ASSUME_ROLE: "i" });
      expect(status["accessKeyIdLast4"]).toBe(sts.issued[0]?.accessKeyId.slice(-4));
    } finally {
      await sts.close();
    }
  });

  it("exits 1 with the reason on stderr when there are no credentials", async () => {
    const { io, stdout, stderr } = captureIo({});
    expect(await runCli([], io)).toBe(1);
    expect(stdout()).toBe("");
    expect(stderr()).toContain("CHAIN_EXHAUSTED");
    expect(stderr()).toContain("env-or-profile explain");
  });

  it("prints ok: false and the error code as JSON with --json when there are no credentials", async () => {
    const { io, stdout } = captureIo({});
    expect(await runCli(["--json"], io)).toBe(1);
    expect(JSON.parse(stdout())).toMatchObject({ ok: false, error: { code: "CHAIN_EXHAUSTED" } });
  });

  it("does not print the secret of half-set environment credentials in the error", async () => {
    const { io, stdout, stderr } = captureIo({ AWS_SECRET_ACCESS_KEY: ENV_KEYS.AWS_SECRET_ACCESS_KEY });
    expect(await runCli([], io)).toBe(1);
    expect(stderr()).toContain("ENV_INVALID");
    expect(leakedSecrets(stdout() + stderr(), [ENV_KEYS.AWS_SECRET_ACCESS_KEY])).toEqual([]);
  });

  it("reports the container link as the source and names the configured IMDS it ignored", async () => {
    const container = await startContainerEmulator({ accountId: "123456789012" });
    try {
      const { io, stdout } = captureIo({ AWS_CONTAINER_CREDENTIALS_FULL_URI: container.endpoint });
      expect(await runCli([], io)).toBe(0);
      expect(stdout()).toMatch(/Source:\s+container \(ECS task role \/ EKS Pod Identity endpoint\)/);
      expect(stdout()).toMatch(/Ignored:\s+imds \(AWS_EC2_METADATA_SERVICE_ENDPOINT\) — configured too, not used/);
      expect(leakedSecrets(stdout(), [container.current.secretAccessKey, container.current.sessionToken, container.current.accessKeyId])).toEqual([]);
    } finally {
      await container.close();
    }
  });

  it("lists the ignored sources in --json when env keys win over a container URI and AWS_PROFILE", async () => {
    const { io, stdout } = captureIo({ ...ENV_KEYS, AWS_PROFILE: "work", AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/pod" });
    expect(await runCli(["--json"], io)).toBe(0);
    expect(JSON.parse(stdout())).toMatchObject({
      ok: true,
      source: "env",
      ignored: [
        { link: "profile", why: "AWS_PROFILE=work" },
        { link: "container", why: "AWS_CONTAINER_CREDENTIALS_FULL_URI" },
      ],
    });
  });
});
