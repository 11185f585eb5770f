import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { manualClock } from "../../src/testing/manual-clock.js";
import {
  DEFAULT_IMDS_EMULATOR_ROLE_NAME,
  startImdsEmulator,
  type ImdsEmulator,
  type ImdsEmulatorOptions,
} from "../../src/testing/imds-emulator.js";

const running: ImdsEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

async function start(options: ImdsEmulatorOptions = {}): Promise<ImdsEmulator> {
  const emulator = await startImdsEmulator(options);
  running.push(emulator);
  return emulator;
}

const CREDS = `/latest/meta-data/iam/security-credentials/${DEFAULT_IMDS_EMULATOR_ROLE_NAME}`;

async function token(imds: ImdsEmulator, ttl = "21600", headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${imds.endpoint}/latest/api/token`, {
    method: "PUT",
    headers: { "x-aws-ec2-metadata-token-ttl-seconds": ttl, ...headers },
  });
}

function get(imds: ImdsEmulator, path: string, tokenValue?: string): Promise<Response> {
  return fetch(`${imds.endpoint}${path}`, tokenValue === undefined ? {} : { headers: { "x-aws-ec2-metadata-token": tokenValue } });
}

describe("startImdsEmulator", () => {
  it("listens on an ephemeral 127.0.0.1 port", async () => {
    const imds = await start();
    expect(imds.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("issues a token and echoes its TTL", async () => {
    const imds = await start();
    const response = await token(imds, "300");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-aws-ec2-metadata-token-ttl-seconds")).toBe("300");
    expect(await response.text()).toBe(imds.issuedTokens[0]);
    expect(imds.tokenRequests).toBe(1);
  });

  it("answers 400 to a token request without a valid TTL", async () => {
    const imds = await start();
    expect((await token(imds, "0")).status).toBe(400);
    expect((await token(imds, "21601")).status).toBe(400);
  });

  it("answers 403 to a token request with X-Forwarded-For, as IMDS does", async () => {
    const imds = await start();
    expect((await token(imds, "60", { "x-forwarded-for": "10.0.0.1" })).status).toBe(403);
  });

  it("lists the role and serves its credentials in the IMDS shape", async () => {
    const imds = await start();
    expect(await (await get(imds, "/latest/meta-data/iam/security-credentials/")).text()).toBe(DEFAULT_IMDS_EMULATOR_ROLE_NAME);
    const body = (await (await get(imds, CREDS)).json()) as Record<string, string>;
    expect(body).toMatchObject({
      Code: "Success",
      Type: "AWS-HMAC",
      AccessKeyId: imds.current.accessKeyId,
      SecretAccessKey: imds.current.secretAccessKey,
      Token: imds.current.sessionToken,
    });
    expect(body["Expiration"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(new Date(body["Expiration"]!)).toEqual(imds.current.expiration);
  });

  it("issues AWS-shaped fake credentials living 6 hours by default", async () => {
    const clock = manualClock();
    const imds = await start({ clock });
    expect(imds.current.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(imds.current.secretAccessKey).toHaveLength(40);
    expect(imds.current.expiration.getTime()).toBe(clock.now() + 6 * 60 * 60 * 1000);
  });

  it("serves iam/info", async () => {
    const imds = await start({ instanceProfileArn: "arn:aws:iam::111122223333:instance-profile/x", instanceProfileId: "AIPAXXXXXXXXXXXXXXXX" });
    expect(await (await get(imds, "/latest/meta-data/iam/info")).json()).toMatchObject({
      Code: "Success",
      InstanceProfileArn: "arn:aws:iam::111122223333:instance-profile/x",
      InstanceProfileId: "AIPAXXXXXXXXXXXXXXXX",
    });
  });

  it("answers 404 for the role list and iam/info when there is no instance profile", async () => {
    const imds = await start({ roleName: null });
    expect((await get(imds, "/latest/meta-data/iam/security-credentials/")).status).toBe(404);
    expect((await get(imds, "/latest/meta-data/iam/info")).status).toBe(404);
  });

  it("answers 401 to a GET with an unknown token in v2-optional mode", async () => {
    const imds = await start();
    expect((await get(imds, CREDS, "not-a-token")).status).toBe(401);
    expect((await get(imds, CREDS)).status).toBe(200);
  });

  it("answers 401 to a GET without a token in token-required mode", async () => {
    const imds = await start({ mode: "token-required" });
    expect((await get(imds, CREDS)).status).toBe(401);
    const value = await (await token(imds)).text();
    expect((await get(imds, CREDS, value)).status).toBe(200);
  });

  it("answers 404 to the token request in v1-only mode", async () => {
    const imds = await start({ mode: "v1-only" });
    expect((await token(imds)).status).toBe(404);
    expect((await get(imds, CREDS)).status).toBe(200);
  });

  it("expires tokens by its clock", async () => {
    const clock = manualClock();
    const imds = await start({ clock, mode: "token-required" });
    const value = await (await token(imds, "60")).text();
    clock.advance(59_999);
    expect((await get(imds, CREDS, value)).status).toBe(200);
    clock.advance(1);
    expect((await get(imds, CREDS, value)).status).toBe(401);
  });

  it("revokes every token on revokeTokens()", async () => {
    const imds = await start();
    const value = await (await token(imds)).text();
    imds.revokeTokens();
    expect((await get(imds, CREDS, value)).status).toBe(401);
  });

  it("counts requests per path, faulted ones too", async () => {
    const imds = await start();
    imds.failOnce(CREDS, 500);
    await get(imds, CREDS);
    await get(imds, CREDS);
    expect(imds.count(CREDS)).toBe(2);
    expect(imds.requests[CREDS]).toBe(2);
    expect(imds.count("*")).toBe(2);
    imds.resetCounts();
    expect(imds.requestCount).toBe(0);
  });

  it("rotates to new keys and a new expiration", async () => {
    const clock = manualClock();
    const imds = await start({ clock });
    const before = imds.current;
    clock.advance(60_000);
    const after = imds.rotate();
    expect(after.accessKeyId).not.toBe(before.accessKeyId);
    expect(after.secretAccessKey).not.toBe(before.secretAccessKey);
    expect(after.expiration.getTime()).toBe(before.expiration.getTime() + 60_000);
    expect(imds.current).toEqual(after);
  });

  it("rotates on its own within 15 minutes of expiry, like EC2", async () => {
    const clock = manualClock();
    const imds = await start({ clock });
    const before = imds.current;
    clock.advance(6 * 60 * 60 * 1000 - 10 * 60_000);
    await get(imds, CREDS);
    expect(imds.current.accessKeyId).not.toBe(before.accessKeyId);
  });

  it("keeps a fixed expiration, even a past one", async () => {
    const clock = manualClock();
    const expiration = new Date(clock.now() - 1_000);
    const imds = await start({ clock, expiration });
    await get(imds, CREDS);
    expect(imds.current.expiration).toEqual(expiration);
  });

  it("adds AccountId when given", async () => {
    const imds = await start({ accountId: "123456789012" });
    expect(await (await get(imds, CREDS)).json()).toMatchObject({ AccountId: "123456789012" });
  });

  it("plays a status fault always until cleared", async () => {
    const imds = await start();
    imds.fail("*", 503);
    expect((await get(imds, CREDS)).status).toBe(503);
    expect((await get(imds, "/latest/meta-data/iam/info")).status).toBe(503);
    imds.clearFaults();
    expect((await get(imds, CREDS)).status).toBe(200);
  });

  it("plays a fault the given number of times", async () => {
    const imds = await start();
    imds.fail(CREDS, 429, { times: 2 });
    expect((await get(imds, CREDS)).status).toBe(429);
    expect((await get(imds, CREDS)).status).toBe(429);
    expect((await get(imds, CREDS)).status).toBe(200);
  });

  it("prefers a fault on the exact path over a * fault", async () => {
    const imds = await start();
    imds.fail("*", 500);
    imds.fail(CREDS, 404);
    expect((await get(imds, CREDS)).status).toBe(404);
  });

  it("serves a custom body", async () => {
    const imds = await start();
    imds.failOnce(CREDS, { status: 200, body: "{}" });
    expect(await (await get(imds, CREDS)).text()).toBe("{}");
  });

  it("cuts the credentials short for bad-json, keeping the secret in the body", async () => {
    const imds = await start();
    imds.failOnce(CREDS, "bad-json");
    const text = await (await get(imds, CREDS)).text();
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
    expect(text).toContain(imds.current.secretAccessKey);
  });

  it("resets the connection for reset", async () => {
    const imds = await start();
    imds.failOnce(CREDS, "reset");
    await expect(get(imds, CREDS)).rejects.toThrow();
  });

  it("delays the normal answer for delayMs", async () => {
    const imds = await start();
    imds.failOnce(CREDS, { delayMs: 80 });
    const started = performance.now();
    expect((await get(imds, CREDS)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(70);
  });

  it("sends a mebibyte without Content-Length for huge", async () => {
    const imds = await start();
    imds.failOnce(CREDS, "huge");
    expect((await (await get(imds, CREDS)).arrayBuffer()).byteLength).toBe(1024 * 1024);
  });

  it("drips the body one byte at a time", async () => {
    const imds = await start();
    imds.failOnce(CREDS, { dripMs: 1, body: "abcdef" });
    expect(await (await get(imds, CREDS)).text()).toBe("abcdef");
  });

  it("ends hanging requests on close() without waiting for them", async () => {
    const imds = await start();
    imds.fail("*", "hang");
    const pending = get(imds, CREDS).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = performance.now();
    await imds.close();
    expect(performance.now() - started).toBeLessThan(500);
    expect(await pending).toBeInstanceOf(Error);
    await imds.close(); // idempotent
  });

  it("hands out copies of current, so a test cannot change what it serves", async () => {
    const imds = await start();
    const copy = imds.current;
    copy.accessKeyId = "changed";
    expect(imds.current.accessKeyId).not.toBe("changed");
    expect(inspect(imds.log)).toBeDefined();
  });
});
