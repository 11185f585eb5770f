import { createHash, createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hmacSha256Hex, sha256 } from "../../src/cache/hmac-sha256.js";

describe("the file cache's HMAC-SHA256", () => {
  it("matches node:crypto's SHA-256 for every length around the block boundaries", () => {
    for (let length = 0; length < 200; length++) {
      const data = randomBytes(length);
      expect(Buffer.from(sha256(data)).toString("hex")).toBe(createHash("sha256").update(data).digest("hex"));
    }
  });

  it("matches node:crypto's HMAC for short, block-sized and long keys and large messages", () => {
    for (const keyLength of [0, 1, 32, 63, 64, 65, 200]) {
      const key = randomBytes(keyLength);
      const message = randomBytes(5_000 + keyLength);
      expect(hmacSha256Hex(key, message)).toBe(createHmac("sha256", key).update(message).digest("hex"));
    }
  });

  it("gives RFC 4231's test case 2", () => {
    expect(hmacSha256Hex(Buffer.from("Jefe"), Buffer.from("what do ya want for nothing?"))).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });
});
