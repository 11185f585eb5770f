import { describe, expect, it } from "vitest";
import { fromImds } from "../../../src/providers/imds/from-imds.js";
import { credentialMarks } from "../../../src/sdk/credential-marks.js";
import { manualClock } from "../../../src/testing/manual-clock.js";
import { imdsProvider, recordingLogger, rejection, rolePath, ROLE_LIST, useEmulators } from "./helpers.js";

const start = useEmulators();

describe("fromImds", () => {
  it("resolves the instance profile's credentials over IMDSv2", async () => {
    const imds = await start();
    const credentials = await imdsProvider(imds)();
    expect(credentials).toEqual(imds.current);
    expect(imds.tokenRequests).toBe(1);
    const get = imds.log.find((request) => request.path === rolePath("env-or-profile-demo-role"));
    expect(get?.headers["x-aws-ec2-metadata-token"]).toBe(imds.issuedTokens[0]);
  });

  it("returns exactly accessKeyId, secretAccessKey, sessionToken and expiration when IMDS gives no AccountId", async () => {
    const imds = await start();
    const credentials = await imdsProvider(imds)();
    expect(Object.keys(credentials).sort()).toEqual(["accessKeyId", "expiration", "secretAccessKey", "sessionToken"]);
    expect(credentials.expiration).toBeInstanceOf(Date);
  });

  it("adds accountId when IMDS gives an AccountId", async () => {
    const imds = await start({ accountId: "210987654321" });
    expect((await imdsProvider(imds)()).accountId).toBe("210987654321");
  });

  it("discovers the role name once and reuses it on later calls", async () => {
    const imds = await start();
    const provider = imdsProvider(imds);
    await provider();
    await provider();
    expect(imds.count(ROLE_LIST)).toBe(1);
    expect(imds.count(rolePath("env-or-profile-demo-role"))).toBe(2);
  });

  it("discovers the role again when the known role's path answers 404", async () => {
    const imds = await start();
    const provider = imdsProvider(imds);
    await provider();
    imds.roleName = "replacement-role";
    const credentials = await provider();
    expect(credentials).toEqual(imds.current);
    expect(imds.count(ROLE_LIST)).toBe(2);
    expect(imds.count(rolePath("replacement-role"))).toBe(1);
  });

  it("skips discovery when roleName is given", async () => {
    const imds = await start();
    await imdsProvider(imds, { roleName: "env-or-profile-demo-role" })();
    expect(imds.count(ROLE_LIST)).toBe(0);
  });

  it("stops the chain when the given roleName has no credentials (404)", async () => {
    const imds = await start();
    const error = await rejection(imdsProvider(imds, { roleName: "some-other-role" })());
    expect(error).toMatchObject({ code: "IMDS_HTTP_ERROR", tryNextLink: false, source: "imds" });
    expect(error.message).toContain("some-other-role");
  });

  it("falls through with IMDS_NO_ROLE when the role list is empty", async () => {
    const imds = await start({ roleName: "" });
    const error = await rejection(imdsProvider(imds)());
    expect(error).toMatchObject({ code: "IMDS_NO_ROLE", tryNextLink: true });
  });

  it("falls through with IMDS_NO_ROLE when the instance has no profile (role list 404)", async () => {
    const imds = await start({ roleName: null });
    const error = await rejection(imdsProvider(imds)());
    expect(error).toMatchObject({ code: "IMDS_NO_ROLE", tryNextLink: true });
  });

  it("rejects a role list whose first line is not a role name", async () => {
    const imds = await start();
    imds.fail(ROLE_LIST, { body: "not a role!\n" });
    const error = await rejection(imdsProvider(imds)());
    expect(error).toMatchObject({ code: "IMDS_BAD_RESPONSE", tryNextLink: false });
  });

  it("trims the role list and takes its first line", async () => {
    const imds = await start();
    imds.fail(ROLE_LIST, { body: "  env-or-profile-demo-role \nsecond-role\n" });
    expect(await imdsProvider(imds)()).toEqual(imds.current);
  });

  it("fails with IMDS_DISABLED and no I/O when AWS_EC2_METADATA_DISABLED=true", async () => {
    const imds = await start();
    const error = await rejection(imdsProvider(imds, { env: { AWS_EC2_METADATA_DISABLED: "TRUE" } })());
    expect(error).toMatchObject({ code: "IMDS_DISABLED", tryNextLink: true });
    expect(imds.requestCount).toBe(0);
  });

  it("reads process.env on its first call, as the AWS SDK does, not when created", async () => {
    const imds = await start();
    const saved = process.env["AWS_EC2_METADATA_DISABLED"];
    try {
      const provider = fromImds({ endpoint: imds.endpoint });
      process.env["AWS_EC2_METADATA_DISABLED"] = "true";
      expect((await rejection(provider())).code).toBe("IMDS_DISABLED");
      expect(imds.requestCount).toBe(0);
    } finally {
      if (saved === undefined) delete process.env["AWS_EC2_METADATA_DISABLED"];
      else process.env["AWS_EC2_METADATA_DISABLED"] = saved;
    }
  });

  it("reads process.env on every call: a change is seen by the next call", async () => {
    const imds = await start();
    const saved = process.env["AWS_EC2_METADATA_DISABLED"];
    process.env["AWS_EC2_METADATA_DISABLED"] = "true";
    try {
      const provider = fromImds({ endpoint: imds.endpoint });
      expect((await rejection(provider())).code).toBe("IMDS_DISABLED");
      delete process.env["AWS_EC2_METADATA_DISABLED"];
      expect(await provider()).toEqual(imds.current);
    } finally {
      if (saved === undefined) delete process.env["AWS_EC2_METADATA_DISABLED"];
      else process.env["AWS_EC2_METADATA_DISABLED"] = saved;
    }
  });

  it("still throws for an invalid option when created, without reading the environment", () => {
    expect(() => fromImds({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => fromImds({ endpoint: "ftp://127.0.0.1" })).toThrow(TypeError);
    expect(() => fromImds({ clock: {} as never })).toThrow(/clock/);
  });

  it("rejects credentials that expired per the injected clock", async () => {
    const clock = manualClock();
    const imds = await start({ clock });
    clock.advance(7 * 60 * 60 * 1000); // the emulator is pinned below, so no rotation
    imds.rotate({ expiration: new Date(clock.now() - 1_000) });
    const error = await rejection(imdsProvider(imds, { clock })());
    expect(error).toMatchObject({ code: "IMDS_BAD_RESPONSE", tryNextLink: false });
    expect(error.message).toContain("not in the future");
  });

  it("serves new keys after the emulator rotates", async () => {
    const imds = await start();
    const provider = imdsProvider(imds);
    const first = await provider();
    const rotated = imds.rotate();
    const second = await provider();
    expect(second).toEqual(rotated);
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
  });

  it("logs one debug line per decision, with the key id cut to its last four characters", async () => {
    const imds = await start();
    const logger = recordingLogger();
    await imdsProvider(imds, { logger })();
    const text = logger.lines.map((line) => line.message).join("\n");
    expect(text).toContain(`…${imds.current.accessKeyId.slice(-4)}`);
    expect(text).not.toContain(imds.current.accessKeyId);
    expect(logger.lines.every((line) => line.message.startsWith("env-or-profile: imds:"))).toBe(true);
  });
});

describe("fromImds staticStability", () => {
  it("is off by default: a failed refresh rejects", async () => {
    const imds = await start();
    const provider = imdsProvider(imds);
    await provider();
    imds.fail("*", 500);
    expect((await rejection(provider())).code).toBe("IMDS_HTTP_ERROR");
  });

  it("serves the previous credentials 5–10 minutes past now, with a warning, when a refresh fails", async () => {
    const clock = manualClock();
    const imds = await start({ clock });
    const logger = recordingLogger();
    const provider = imdsProvider(imds, { clock, logger, staticStability: true, random: () => 0.5 });
    const first = await provider();
    clock.advance(6 * 60 * 60 * 1000 + 1);
    imds.fail("*", 503);
    const served = await provider();
    expect(served.accessKeyId).toBe(first.accessKeyId);
    expect(served.expiration?.getTime()).toBe(clock.now() + 7.5 * 60_000);
    expect(credentialMarks(served)).toEqual({ CREDENTIALS_IMDS: "0" }); // still IMDS's, for the client's user agent
    const warning = logger.lines.find((line) => line.level === "warn")?.message ?? "";
    expect(warning).toContain("static stability");
    expect(warning).not.toContain(first.secretAccessKey);
    expect(warning).not.toContain(first.accessKeyId);
  });

  it("never shortens a still-long expiration when a refresh fails", async () => {
    const clock = manualClock();
    const imds = await start({ clock });
    const provider = imdsProvider(imds, { clock, staticStability: true });
    const first = await provider();
    imds.fail("*", "reset");
    expect((await provider()).expiration).toEqual(first.expiration);
  });

  it("still rejects when there were no previous credentials", async () => {
    const imds = await start();
    imds.fail("*", 500);
    expect((await rejection(imdsProvider(imds, { staticStability: true })())).code).toBe("IMDS_HTTP_ERROR");
  });
});
