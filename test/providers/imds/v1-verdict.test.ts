/*
 * Issue 12 item 1: an IMDSv1 verdict is neither shared with providers that refuse IMDSv1 nor
 * trusted for hours.
 */
import { describe, expect, it } from "vitest";
import { readInstanceProfile } from "../../../src/providers/imds/read-instance-profile.js";
import { V1_VERDICT_MS } from "../../../src/providers/imds/token-cache.js";
import { manualClock } from "../../../src/testing/manual-clock.js";
import { imdsProvider, TOKEN, useEmulators } from "./helpers.js";

const start = useEmulators();

describe("the IMDSv1 verdict", () => {
  it("does not stop a v1-refusing provider from asking for a token after one 405 to a v1-allowing one", async () => {
    const imds = await start();
    imds.failOnce(TOKEN, 405);
    await imdsProvider(imds)(); // v1 allowed: IMDSv1 for now
    expect(await imdsProvider(imds, { allowImdsV1: false })()).toEqual(imds.current);
    expect(imds.tokenRequests).toBe(2);
    expect(imds.log.at(-1)?.headers["x-aws-ec2-metadata-token"]).toBeDefined();
  });

  it("does not stop a v1-refusing provider from asking for a token after one slow token answer", async () => {
    const imds = await start();
    imds.failOnce(TOKEN, "hang");
    await imdsProvider(imds, { timeoutMs: 200 })(); // token unanswered, plain GET worked
    expect(await imdsProvider(imds, { allowImdsV1: false, timeoutMs: 200 })()).toEqual(imds.current);
    expect(imds.log.at(-1)?.headers["x-aws-ec2-metadata-token"]).toBeDefined();
  });

  it("asks for a token again a minute after one 405, not hours later", async () => {
    const clock = manualClock();
    const imds = await start({ clock });
    imds.failOnce(TOKEN, 405);
    const provider = imdsProvider(imds, { clock });
    await provider();
    clock.advance(V1_VERDICT_MS);
    await provider();
    expect(V1_VERDICT_MS).toBeLessThanOrEqual(5 * 60_000);
    expect(imds.tokenRequests).toBe(2);
    expect(imds.log.at(-1)?.headers["x-aws-ec2-metadata-token"]).toBeDefined();
  });

  it("is not trusted by a provider whose clock reads before the verdict was reached", async () => {
    const behind = manualClock(Date.UTC(2026, 0, 1));
    const ahead = manualClock(Date.UTC(2026, 0, 2));
    const imds = await start();
    imds.failOnce(TOKEN, 405);
    await imdsProvider(imds, { clock: ahead })();
    await readInstanceProfile({ endpoint: imds.endpoint, env: {}, clock: behind });
    expect(imds.tokenRequests).toBe(2);
  });
});
