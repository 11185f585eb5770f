import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fromWebIdentity } from "../../../src/providers/web-identity/from-web-identity.js";
import { MAX_WEB_IDENTITY_TOKEN_FILE_BYTES, readWebIdentityToken } from "../../../src/providers/web-identity/read-web-identity-token.js";
import { sha256Hex, TOKEN_A, TOKEN_B, useWorld } from "./web-identity-fixtures.js";
import { failure } from "../../helpers/credentials-failure.js";

const world = useWorld();

const HOUR = 60 * 60 * 1000;

describe("fromWebIdentity: the token file", () => {
  it("stops the chain, naming the variable and the path, when the file does not exist", async () => {
    const missing = join(world.token.dir, "no-such-token");
    const error = await failure(fromWebIdentity({ env: world.env({ AWS_WEB_IDENTITY_TOKEN_FILE: missing }), clock: world.clock })());
    expect(error).toMatchObject({ code: "WEB_IDENTITY_TOKEN_UNREADABLE", tryNextLink: false, retryable: false });
    expect(error.message).toContain("AWS_WEB_IDENTITY_TOKEN_FILE");
    expect(error.message).toContain(missing);
    expect(error.message).toContain("no such file");
    expect(world.sts.requests).toHaveLength(0);
  });

  it("names the option instead when the path came from `webIdentityTokenFile`", async () => {
    const missing = join(world.token.dir, "no-such-token");
    const error = await failure(world.provider({ webIdentityTokenFile: missing })());
    expect(error.message).toContain("`webIdentityTokenFile` option");
  });

  it("stops the chain when the file is empty", async () => {
    world.token.write("");
    const error = await failure(world.provider()());
    expect(error).toMatchObject({ code: "WEB_IDENTITY_TOKEN_EMPTY", tryNextLink: false });
    expect(error.message).toContain(world.token.tokenFile);
    expect(world.sts.requests).toHaveLength(0);
  });

  it("stops the chain when the file holds only whitespace", async () => {
    world.token.write(" \n\t\n");
    expect((await failure(world.provider()())).code).toBe("WEB_IDENTITY_TOKEN_EMPTY");
  });

  it("stops the chain when the path cannot be read as a file (a directory, a path through a file)", async () => {
    const directory = join(world.token.dir, "dir");
    mkdirSync(directory);
    for (const path of [directory, join(world.token.tokenFile, "inside")]) {
      const error = await failure(world.provider({ webIdentityTokenFile: path })());
      expect(error.code, path).toBe("WEB_IDENTITY_TOKEN_UNREADABLE");
      expect(error.message, path).toContain(path);
    }
    expect(world.sts.requests).toHaveLength(0);
  });

  it("refuses a file far larger than any token without reading it whole", async () => {
    world.token.write("x".repeat(MAX_WEB_IDENTITY_TOKEN_FILE_BYTES + 1));
    const error = await failure(world.provider()());
    expect(error.code).toBe("WEB_IDENTITY_TOKEN_UNREADABLE");
    expect(error.message).toMatch(/\d+ bytes, more than any token/);
  });

  it("refuses content STS would not take as a token (two lines), without echoing it", async () => {
    world.token.write(`${TOKEN_A}\n${TOKEN_B}\n`);
    const error = await failure(world.provider()());
    expect(error.code).toBe("WEB_IDENTITY_TOKEN_UNREADABLE");
    expect(error.message).not.toContain(TOKEN_A.slice(0, 16));
  });

  it("sends the token without the file's trailing newline", async () => {
    world.token.write(`${TOKEN_A}\n`);
    await world.provider()();
    expect(world.sts.lastRequest?.webIdentityTokenSha256).toBe(await sha256Hex(TOKEN_A));
  });

  it("shares one read between concurrent readers of the same file (no descriptor per caller), and reads afresh after", async () => {
    const first = readWebIdentityToken(world.token.tokenFile, "AWS_WEB_IDENTITY_TOKEN_FILE");
    expect(readWebIdentityToken(world.token.tokenFile, "AWS_WEB_IDENTITY_TOKEN_FILE")).toBe(first);
    expect((await first).sha256).toBeTruthy();
    world.token.write(TOKEN_B);
    const later = await readWebIdentityToken(world.token.tokenFile, "AWS_WEB_IDENTITY_TOKEN_FILE");
    expect(later.token).toBe(TOKEN_B);
  });

  it("reports a file deleted after a good start, on the next refresh", async () => {
    const provider = world.provider();
    await provider();
    rmSync(world.token.tokenFile);
    world.clock.advance(HOUR);
    expect((await failure(provider())).code).toBe("WEB_IDENTITY_TOKEN_UNREADABLE");
  });
});

describe("fromWebIdentity: rotation and refresh", () => {
  it("serves the credential from memory, without reading the file, until 5 minutes before it expires", async () => {
    const provider = world.provider();
    const first = await provider();
    rmSync(world.token.tokenFile); // a read now would fail
    world.clock.advance(HOUR - 5 * 60 * 1000 - 1);
    expect((await provider()).accessKeyId).toBe(first.accessKeyId);
    expect(world.sts.webIdentityCalls).toBe(1);
  });

  it("re-reads the token file on each refresh and sends what it holds then", async () => {
    const provider = world.provider();
    await provider();
    world.token.write(TOKEN_B);
    world.clock.advance(HOUR - 5 * 60 * 1000);
    const second = await provider();
    expect(world.sts.webIdentityCalls).toBe(2);
    expect(world.sts.requests.map((r) => r.webIdentityTokenSha256)).toEqual([await sha256Hex(TOKEN_A), await sha256Hex(TOKEN_B)]);
    expect(second.accessKeyId).toBe(world.sts.issued[1]?.accessKeyId);
  });

  it("treats a rotated token file as the same identity: a new provider shares the credential, and the next refresh sends the new token", async () => {
    const first = await world.provider()();
    world.token.write(TOKEN_B);
    const fresh = await world.provider()();
    expect(fresh.accessKeyId).toBe(first.accessKeyId);
    expect(world.sts.webIdentityCalls).toBe(1);
    world.clock.advance(HOUR - 5 * 60 * 1000);
    await world.provider()();
    expect(world.sts.webIdentityCalls).toBe(2);
    expect(world.sts.lastRequest?.webIdentityTokenSha256).toBe(await sha256Hex(TOKEN_B));
  });

  it("shares one credential between providers while the token is the same", async () => {
    const a = await world.provider()();
    const b = await world.provider()();
    expect(b.accessKeyId).toBe(a.accessKeyId);
    expect(world.sts.webIdentityCalls).toBe(1);
  });

  it("does not share between different roles or session names for the same token", async () => {
    await world.provider()();
    await world.provider({ roleSessionName: "another-session" })();
    await world.provider({ roleArn: "arn:aws:iam::123456789012:role/other" })();
    expect(world.sts.webIdentityCalls).toBe(3);
  });

  it("recovers as soon as a stale (expired) token file is rotated", async () => {
    world.sts.injectFault({ kind: "expired-token" });
    const provider = world.provider();
    expect((await failure(provider())).code).toBe("WEB_IDENTITY_TOKEN_EXPIRED");
    world.token.write(TOKEN_B);
    expect((await provider()).accessKeyId).toBe(world.sts.issued[0]?.accessKeyId);
    expect(world.sts.webIdentityCalls).toBe(2);
  });

  it("never hands out a credential past its refresh point, even when STS answers with a short one", async () => {
    world.sts.lifetimeMs = 15 * 60 * 1000;
    const provider = world.provider();
    const first = await provider();
    world.clock.advance(10 * 60 * 1000);
    const second = await provider();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(world.sts.webIdentityCalls).toBe(2);
  });
});
