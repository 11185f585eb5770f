/*
 * noteClockOffset: the memoize hook behind the client plugin's clock-skew measurement. A service
 * whose clock is ahead of ours considers a credential expired earlier than our clock says; told by
 * how much, the cache refreshes, waits and refuses that much earlier — never later.
 */
import { describe, expect, it } from "vitest";
import { envOrProfile } from "../src/env-or-profile.js";
import { memoize, noteClockOffset } from "../src/memoize.js";
import { manualClock } from "../src/testing/manual-clock.js";
import { fakeSource } from "./helpers/fake-source.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const noJitter = { jitter: false as const };

describe("noteClockOffset", () => {
  it("makes the cached credential due that much earlier: ten minutes ahead, refreshed fifteen minutes before expiry", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const provider = memoize(source.provider, { clock, ...noJitter });
    const first = await provider();

    expect(noteClockOffset(provider, 10 * MINUTE)).toBe(true);
    clock.advance(HOUR - 15 * MINUTE - 1);
    expect(await provider()).toBe(first);
    clock.advance(1);
    expect((await provider()).accessKeyId).not.toBe(first.accessKeyId);
    expect(source.calls).toBe(2);
  });

  it("applies to credentials fetched after the note too", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const provider = memoize(source.provider, { clock, ...noJitter });
    noteClockOffset(provider, 10 * MINUTE);

    await provider();
    clock.advance(HOUR - 15 * MINUTE);
    await provider();
    expect(source.calls).toBe(2);
  });

  it("never makes a credential last longer: an offset at or below zero changes nothing", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const provider = memoize(source.provider, { clock, ...noJitter });
    await provider();

    noteClockOffset(provider, -30 * MINUTE);
    clock.advance(HOUR - 5 * MINUTE);
    await provider();
    expect(source.calls).toBe(2);
  });

  it("takes the latest note: zero withdraws an earlier one", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: HOUR });
    const provider = memoize(source.provider, { clock, ...noJitter });
    await provider();

    noteClockOffset(provider, 10 * MINUTE);
    noteClockOffset(provider, 0);
    clock.advance(HOUR - 5 * MINUTE - 1);
    await provider();
    expect(source.calls).toBe(1);
  });

  it("refuses a credential from the source that the service already considers expired", async () => {
    const clock = manualClock();
    const source = fakeSource(clock, { lifetimeMs: 8 * MINUTE });
    const provider = memoize(source.provider, { clock, retry: { retries: 0 }, ...noJitter });
    noteClockOffset(provider, 10 * MINUTE);

    await expect(provider()).rejects.toMatchObject({ code: "CREDENTIALS_EXPIRED" });
  });

  it("reaches the shared cache of an envOrProfile() (noted before its first call, too)", async () => {
    const clock = manualClock();
    const env = { AWS_ACCESS_KEY_ID: "AKIAEXAMPLE000000002", AWS_SECRET_ACCESS_KEY: "secret-secret-secret", AWS_CREDENTIAL_EXPIRATION: new Date(clock.now() + 8 * MINUTE).toISOString() };
    const provider = envOrProfile({ env: { env }, profile: false, webIdentity: false, container: false, imds: false, clock });
    expect(noteClockOffset(provider, 10 * MINUTE)).toBe(true);
    await expect(provider()).rejects.toMatchObject({ code: "CREDENTIALS_EXPIRED" });
  });

  it("leaves a provider without the hook alone", () => {
    const plain = async () => ({ accessKeyId: "AKIAEXAMPLE000000001", secretAccessKey: "secret" });
    expect(noteClockOffset(plain, 10 * MINUTE)).toBe(false);
    expect(noteClockOffset(undefined, 10 * MINUTE)).toBe(false);
  });
});
