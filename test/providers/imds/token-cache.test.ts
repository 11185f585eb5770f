import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { sessionExpiry, TokenCache } from "../../../src/providers/imds/token-cache.js";
import { readInstanceProfile } from "../../../src/providers/imds/read-instance-profile.js";
import { manualClock } from "../../../src/testing/manual-clock.js";
import { imdsProvider, rejection, rolePath, TOKEN, useEmulators } from "./helpers.js";

const start = useEmulators();
const ROLE = rolePath("env-or-profile-demo-role");

describe("IMDSv2 token cache", () => {
  it("asks for a token with the default lifetime of 21600 seconds", async () => {
    const imds = await start();
    await imdsProvider(imds)();
    const put = imds.log.find((request) => request.path === TOKEN);
    expect(put?.method).toBe("PUT");
    expect(put?.headers["x-aws-ec2-metadata-token-ttl-seconds"]).toBe("21600");
  });

  it("asks for the configured tokenTtlSeconds", async () => {
    const imds = await start();
    await imdsProvider(imds, { tokenTtlSeconds: 300 })();
    expect(imds.log.find((request) => request.path === TOKEN)?.headers["x-aws-ec2-metadata-token-ttl-seconds"]).toBe("300");
  });

  it("reuses one token for its whole life", async () => {
    const clock = manualClock();
    const imds = await start({ clock });
    const provider = imdsProvider(imds, { clock, tokenTtlSeconds: 600 });
    await provider();
    clock.advance(8 * 60_000); // still inside 600 s less the one-minute margin
    await provider();
    expect(imds.tokenRequests).toBe(1);
  });

  it("fetches a new token once the old one is within its safety margin of the end", async () => {
    const clock = manualClock();
    const imds = await start({ clock });
    const provider = imdsProvider(imds, { clock, tokenTtlSeconds: 600 });
    await provider();
    clock.advance(9 * 60_000);
    await provider();
    expect(imds.tokenRequests).toBe(2);
  });

  it("shares one token between two providers on the same endpoint", async () => {
    const imds = await start();
    await imdsProvider(imds)();
    await imdsProvider(imds)();
    expect(imds.tokenRequests).toBe(1);
  });

  it("shares one token request between concurrent providers", async () => {
    const imds = await start();
    await Promise.all(Array.from({ length: 20 }, () => imdsProvider(imds)()));
    expect(imds.tokenRequests).toBe(1);
  });

  it("shares the token with readInstanceProfile", async () => {
    const imds = await start();
    await imdsProvider(imds)();
    await readInstanceProfile({ endpoint: imds.endpoint, env: {} });
    expect(imds.tokenRequests).toBe(1);
  });

  it("fetches a new token and retries once when a GET answers 401", async () => {
    const imds = await start();
    const provider = imdsProvider(imds);
    await provider();
    imds.revokeTokens();
    expect(await provider()).toEqual(imds.current);
    expect(imds.tokenRequests).toBe(2);
    expect(imds.count(ROLE)).toBe(3);
  });

  it("stops with IMDS_HTTP_ERROR when a fresh token is rejected too", async () => {
    const imds = await start();
    imds.fail(ROLE, 401);
    const error = await rejection(imdsProvider(imds)());
    expect(error).toMatchObject({ code: "IMDS_HTTP_ERROR", tryNextLink: false });
    expect(imds.tokenRequests).toBe(2);
  });

  it("keeps a token whose lifetime the emulator's clock has not ended", async () => {
    const clock = manualClock();
    const imds = await start({ clock, mode: "token-required" });
    const provider = imdsProvider(imds, { clock, tokenTtlSeconds: 120 });
    await provider();
    clock.advance(59_000);
    await provider();
    expect(imds.tokenRequests).toBe(1);
  });
});

describe("TokenCache", () => {
  it("stops serving a session at its expiry", () => {
    const cache = new TokenCache();
    cache.set("e", { kind: "token", token: "t", issuedAt: 0, expiresAt: 1_000 });
    expect(cache.get("e", 999)?.kind).toBe("token");
    expect(cache.get("e", 1_000)).toBeUndefined();
  });

  it("does not drop a newer token when invalidating an older one", () => {
    const cache = new TokenCache();
    cache.set("e", { kind: "token", token: "new", issuedAt: 0, expiresAt: 10 });
    cache.invalidate("e", { kind: "token", token: "old", issuedAt: 0, expiresAt: 10 });
    expect(cache.get("e", 0)).toMatchObject({ token: "new" });
  });

  it("keeps tokens out of inspect and JSON", () => {
    const cache = new TokenCache();
    cache.set("e", { kind: "token", token: "very-secret-token", issuedAt: 0, expiresAt: 10 });
    expect(inspect(cache)).not.toContain("very-secret-token");
    expect(JSON.stringify(cache)).not.toContain("very-secret-token");
  });

  it("ends a session a minute early, or half its life when short", () => {
    expect(sessionExpiry(0, 21_600)).toBe(21_600_000 - 60_000);
    expect(sessionExpiry(0, 1)).toBe(500);
  });
});
