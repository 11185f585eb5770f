import { afterEach, describe, expect, it } from "vitest";
import { startContainerEmulator, type ContainerEmulator, type ContainerEmulatorOptions } from "../../../src/testing/container-emulator.js";
import { manualClock } from "../../../src/testing/manual-clock.js";

const HOUR = 60 * 60 * 1000;
let running: ContainerEmulator | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(options: ContainerEmulatorOptions = {}): Promise<ContainerEmulator> {
  running = await startContainerEmulator(options);
  return running;
}

async function get(url: string, authorization?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, authorization === undefined ? {} : { headers: { authorization } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("startContainerEmulator", () => {
  it("serves the IMDS-shaped credentials JSON at a full URI on 127.0.0.1", async () => {
    const clock = manualClock();
    const emulator = await start({ clock, accountId: "123456789012" });
    expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2\/credentials\/env-or-profile-emulator$/);
    const { status, body } = await get(emulator.endpoint);
    expect(status).toBe(200);
    expect(body).toEqual({
      AccountId: "123456789012",
      AccessKeyId: emulator.current.accessKeyId,
      Expiration: "2026-01-01T06:00:00Z",
      RoleArn: "arn:aws:iam::123456789012:role/env-or-profile-task-role",
      SecretAccessKey: emulator.current.secretAccessKey,
      Token: emulator.current.sessionToken,
    });
  });

  it("answers 401 without the Authorization header and 403 with a wrong one", async () => {
    const emulator = await start({ authorizationToken: "right" });
    expect((await get(emulator.endpoint)).status).toBe(401);
    expect((await get(emulator.endpoint, "wrong")).status).toBe(403);
    expect((await get(emulator.endpoint, "right")).status).toBe(200);
    expect(emulator.log.map((entry) => entry.authorized)).toEqual([false, false, true]);
    expect([emulator.requestCount, emulator.credentialRequests]).toEqual([3, 1]);
  });

  it("asks a token function on every request, so a test can rotate the expected token", async () => {
    let token = "one";
    const emulator = await start({ authorizationToken: () => token });
    expect((await get(emulator.endpoint, "one")).status).toBe(200);
    token = "two";
    expect((await get(emulator.endpoint, "one")).status).toBe(403);
    expect((await get(emulator.endpoint, "two")).status).toBe(200);
  });

  it("rotates on its clock within 15 minutes of expiry, and on rotate()", async () => {
    const clock = manualClock();
    const emulator = await start({ clock });
    const first = emulator.current;
    clock.advance(5 * HOUR);
    await get(emulator.endpoint);
    expect(emulator.current.accessKeyId).toBe(first.accessKeyId);
    clock.advance(46 * 60 * 1000);
    await get(emulator.endpoint);
    expect(emulator.current.accessKeyId).not.toBe(first.accessKeyId);
    const third = emulator.rotate({ lifetimeMs: HOUR });
    expect(third.expiration.getTime()).toBe(clock.now() + HOUR);
    expect(emulator.issued).toHaveLength(3);
  });

  it("answers 404 for another path and plays faults a set number of times", async () => {
    const emulator = await start();
    expect((await get(`${new URL(emulator.endpoint).origin}/elsewhere`)).status).toBe(404);
    emulator.fail(503, { times: 2 });
    expect((await get(emulator.endpoint)).status).toBe(503);
    expect((await get(emulator.endpoint)).status).toBe(503);
    expect((await get(emulator.endpoint)).status).toBe(200);
    emulator.resetCounts();
    expect(emulator.requestCount).toBe(0);
  });

  it("ends a hanging request on close(), and close() is idempotent", async () => {
    const emulator = await start();
    emulator.fail("hang");
    const pending = fetch(emulator.endpoint).then(
      () => "answered",
      () => "ended",
    );
    await expect.poll(() => emulator.requestCount).toBe(1);
    await emulator.close();
    await emulator.close();
    expect(await pending).toBe("ended");
  });
});
