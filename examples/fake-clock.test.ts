/**
 * Testing an app's expiry handling without waiting hours: the IMDS emulator issues credentials
 * dated by a manual clock, and env-or-profile reads the same clock, so a test moves time with one
 * call. Shown twice: with `manualClock()` (injected) and with vitest's fake `Date` (no injection,
 * the library's default clock reads `Date.now()`).
 *
 * The app: S3's documentation warns that a presigned URL made with temporary credentials "will only
 * last as long as the credentials themselves". This app asks for a link lifetime and gets at most
 * what the credential has left.
 *
 * Each test gives the chain its own world — `isolatedEnv()`: no keys, profile files, container or
 * web identity variables from the machine the tests run on — so what the developer's ~/.aws holds
 * never answers instead of the emulator.
 *
 * Run it (a vitest file; no AWS account needed):
 *   npm run example fake-clock     (any supported Node: 20.19+, 22, 24)
 */
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { afterEach, describe, expect, it, vi } from "vitest";
import { envOrProfile, systemClock, type Clock } from "env-or-profile";
import { isolatedEnv, manualClock, startImdsEmulator, type ImdsEmulator } from "env-or-profile/testing";

// ---- the app code under test -------------------------------------------------------------------

/** How long a signed download link made now will really work, in seconds. */
export async function linkLifetimeSeconds(credentials: AwsCredentialIdentityProvider, wantedSeconds: number, clock: Clock = systemClock): Promise<number> {
  const { expiration } = await credentials();
  if (expiration === undefined) {
    return wantedSeconds;
  }
  return Math.max(0, Math.min(wantedSeconds, Math.floor((expiration.getTime() - clock.now()) / 1000)));
}

// ---- the tests ---------------------------------------------------------------------------------

const HOUR = 60 * 60 * 1000;
const MINUTE = 60 * 1000;

let imds: ImdsEmulator | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await imds?.close();
  imds = undefined;
});

/** IMDS credential fetches so far (the role document, not tokens or discovery). */
function credentialFetches(emulator: ImdsEmulator): number {
  return emulator.count(`/latest/meta-data/iam/security-credentials/${emulator.roleName ?? ""}`);
}

describe("download links and credential expiry (manualClock)", () => {
  it("gives a link the full hour asked for while the credential has six hours left", async () => {
    const clock = manualClock();
    imds = await startImdsEmulator({ clock });
    const credentials = envOrProfile({ env: { env: isolatedEnv() }, imds: { endpoint: imds.endpoint }, clock, jitter: false });
    expect(await linkLifetimeSeconds(credentials, 3600, clock)).toBe(3600);
  });

  it("cuts a link to the ten minutes the cached credential has left, without refetching", async () => {
    const clock = manualClock();
    imds = await startImdsEmulator({ clock });
    const credentials = envOrProfile({ env: { env: isolatedEnv() }, imds: { endpoint: imds.endpoint }, clock, jitter: false });
    await credentials();
    clock.advance(5 * HOUR + 50 * MINUTE);
    expect(await linkLifetimeSeconds(credentials, 3600, clock)).toBe(10 * 60);
    expect(credentialFetches(imds)).toBe(1);
  });

  it("gets a rotated credential, and full-length links again, inside the five-minute refresh window", async () => {
    const clock = manualClock();
    imds = await startImdsEmulator({ clock });
    const credentials = envOrProfile({ env: { env: isolatedEnv() }, imds: { endpoint: imds.endpoint }, clock, jitter: false });
    const first = await credentials();
    clock.advance(5 * HOUR + 56 * MINUTE);
    expect(await linkLifetimeSeconds(credentials, 3600, clock)).toBe(3600);
    expect((await credentials()).accessKeyId).not.toBe(first.accessKeyId);
    expect(credentialFetches(imds)).toBe(2);
  });
});

describe("download links and credential expiry (vitest fake Date)", () => {
  it("refreshes when the faked wall clock reaches the refresh window", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-03-01T00:00:00Z"));
    imds = await startImdsEmulator();
    const credentials = envOrProfile({ env: { env: isolatedEnv() }, imds: { endpoint: imds.endpoint }, jitter: false });
    const first = await credentials();
    vi.setSystemTime(new Date("2026-03-01T05:56:00Z"));
    const second = await credentials();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(await linkLifetimeSeconds(credentials, 3600)).toBe(3600);
  });
});
