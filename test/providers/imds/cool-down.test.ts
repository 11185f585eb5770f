/*
 * Issue 12 item 5: a cool-down says "no IMDS here" only when that is what was learnt.
 */
import { describe, expect, it } from "vitest";
import type { CredentialsError } from "../../../src/errors.js";
import { manualClock } from "../../../src/testing/manual-clock.js";
import { imdsProvider, rejection, useEmulators } from "./helpers.js";

const start = useEmulators();

describe("the IMDS cool-down", () => {
  it("does not lock a longer-timeout provider out after a short-timeout one gave up on a slow IMDS", async () => {
    const imds = await start();
    imds.fail("*", { delayMs: 150 });
    expect((await rejection(imdsProvider(imds, { timeoutMs: 60 })())).code).toBe("IMDS_TIMEOUT");
    expect(await imdsProvider(imds, { timeoutMs: 2_000 })()).toEqual(imds.current);
  });

  it("still locks out providers with the same or a shorter timeout", async () => {
    const imds = await start();
    imds.fail("*", "hang");
    await rejection(imdsProvider(imds, { timeoutMs: 100 })());
    const before = imds.requestCount;
    expect((await rejection(imdsProvider(imds, { timeoutMs: 50 })())).code).toBe("IMDS_UNAVAILABLE");
    expect(imds.requestCount).toBe(before);
  });

  it("does not lock out a system-clock provider for a day when a provider's clock is a day ahead", async () => {
    const imds = await start();
    imds.fail("*", "hang", { times: 2 });
    const ahead = manualClock(Date.now() + 24 * 60 * 60_000);
    await rejection(imdsProvider(imds, { timeoutMs: 100, clock: ahead })());
    expect(await imdsProvider(imds, { timeoutMs: 100 })()).toEqual(imds.current);
  });

  it("treats a refused connection after IMDS answered as a retryable restart, not 'not on EC2' with a cool-down", async () => {
    const imds = await start();
    const provider = imdsProvider(imds, { timeoutMs: 500 });
    await provider();
    await imds.close(); // the metadata agent restarts: the port refuses for a moment
    // The pooled keep-alive socket may first report a reset; the next attempt dials and is refused.
    let refused: CredentialsError | undefined;
    for (let attempt = 0; attempt < 3 && refused === undefined; attempt += 1) {
      const error = await rejection(provider());
      if ((error.cause as { code?: string } | undefined)?.code === "ECONNREFUSED") refused = error;
    }
    expect(refused).toMatchObject({ code: "IMDS_UNAVAILABLE", tryNextLink: false, retryable: true });
    expect(refused?.message).not.toContain("not on EC2");
    const next = await rejection(provider());
    expect(next.message).not.toContain("not trying again");
    expect((next.cause as { code?: string } | undefined)?.code).toBe("ECONNREFUSED");
  });
});
