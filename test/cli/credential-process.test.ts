import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
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

describe("env-or-profile credential-process", () => {
  it("prints the environment credentials as credential_process JSON, version 1", async () => {
    const { io, stdout, stderr } = captureIo({ ...ENV_KEYS });
    expect(await runCli(["credential-process"], io)).toBe(0);
    expect(JSON.parse(stdout())).toEqual({
      Version: 1,
      AccessKeyId: ENV_KEYS.AWS_ACCESS_KEY_ID,
      SecretAccessKey: ENV_KEYS.AWS_SECRET_ACCESS_KEY,
      SessionToken: ENV_KEYS.AWS_SESSION_TOKEN,
    });
    expect(stderr()).toBe("");
  });

  it("includes the Expiration of instance-profile credentials", async () => {
    const clock = manualClock();
    imds = await startImdsEmulator({ clock });
    const { io, stdout } = captureIo({}, { clock, imdsEndpoint: imds.endpoint });
    expect(await runCli(["credential-process"], io)).toBe(0);
    expect(JSON.parse(stdout())).toEqual({
      Version: 1,
      AccessKeyId: imds.current.accessKeyId,
      SecretAccessKey: imds.current.secretAccessKey,
      SessionToken: imds.current.sessionToken,
      Expiration: "2026-01-01T06:00:00.000Z",
    });
  });

  it("prints the assumed role's credentials with --role-arn and --external-id", async () => {
    const sts = await startStsEmulator({
      baseCredentials: [{ accessKeyId: ENV_KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: ENV_KEYS.AWS_SECRET_ACCESS_KEY, sessionToken: ENV_KEYS.AWS_SESSION_TOKEN }],
      externalId: "tenant-42",
    });
    try {
      const { io, stdout } = captureIo({ ...ENV_KEYS, AWS_ENDPOINT_URL_STS: sts.endpoint });
      const args = ["credential-process", "--role-arn", ROLE_ARN, "--external-id", "tenant-42", "--session-name", "ci-run", "--duration", "900"];
      expect(await runCli(args, io)).toBe(0);
      const issued = sts.issued[0];
      expect(JSON.parse(stdout())).toEqual({
        Version: 1,
        AccessKeyId: issued?.accessKeyId,
        SecretAccessKey: issued?.secretAccessKey,
        SessionToken: issued?.sessionToken,
        Expiration: issued?.expiration.toISOString(),
      });
      expect(sts.lastRequest).toMatchObject({ roleSessionName: "ci-run", durationSeconds: 900, externalId: "tenant-42" });
    } finally {
      await sts.close();
    }
  });

  it("takes the role from ENV_OR_PROFILE_ROLE_ARN and ENV_OR_PROFILE_EXTERNAL_ID", async () => {
    const sts = await startStsEmulator({
      baseCredentials: [{ accessKeyId: ENV_KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: ENV_KEYS.AWS_SECRET_ACCESS_KEY, sessionToken: ENV_KEYS.AWS_SESSION_TOKEN }],
      externalId: "tenant-42",
    });
    try {
      const { io } = captureIo({
        ...ENV_KEYS,
        AWS_ENDPOINT_URL_STS: sts.endpoint,
        ENV_OR_PROFILE_ROLE_ARN: ROLE_ARN,
        ENV_OR_PROFILE_EXTERNAL_ID: "tenant-42",
      });
      expect(await runCli(["credential-process"], io)).toBe(0);
      expect(sts.lastRequest).toMatchObject({ roleArn: ROLE_ARN, externalId: "tenant-42" });
    } finally {
      await sts.close();
    }
  });

  it("exits 1 with the reason on stderr and nothing on stdout when there are no credentials", async () => {
    const { io, stdout, stderr } = captureIo({});
    expect(await runCli(["credential-process"], io)).toBe(1);
    expect(stdout()).toBe("");
    expect(stderr()).toMatch(/^env-or-profile credential-process: no credentials: CHAIN_EXHAUSTED/);
  });

  it("keeps the base secrets out of stderr when AssumeRole is denied", async () => {
    const sts = await startStsEmulator({
      baseCredentials: [{ accessKeyId: ENV_KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: ENV_KEYS.AWS_SECRET_ACCESS_KEY, sessionToken: ENV_KEYS.AWS_SESSION_TOKEN }],
      externalId: "tenant-42",
    });
    try {
      const { io, stdout, stderr } = captureIo({ ...ENV_KEYS, AWS_ENDPOINT_URL_STS: sts.endpoint });
      expect(await runCli(["credential-process", "--role-arn", ROLE_ARN, "--external-id", "wrong-external-id"], io)).toBe(1);
      expect(stdout()).toBe("");
      expect(stderr()).toContain("STS_ACCESS_DENIED");
      expect(leakedSecrets(stderr(), [...Object.values(ENV_KEYS), "wrong-external-id"])).toEqual([]);
    } finally {
      await sts.close();
    }
  });
});
