import { describe, expect, it } from "vitest";
import { scrubProcessText } from "../../../src/providers/process/scrub-process-text.js";

describe("scrubProcessText: a helper's stderr, fit to quote", () => {
  it.each([
    ["Cannot read the AWS config file /home/me/.aws/config: EACCES (permission denied)"],
    ["/usr/local/lib/node_modules/env-or-profile/dist/cli/main.js: not found"],
    ["run ./bin/get-credentials or ../tools/helper.sh, or ~/.aws/config"],
    ["/Users/JohnSmith/Library/Application Support/x"],
  ])("keeps paths, which are not secrets: %s", (text) => {
    expect(scrubProcessText(text)).toBe(text);
  });

  it.each([
    ["a secret key", "secret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY done", "wJalrXUtnFEMI"],
    ["a secret that starts with a slash", "got /K7MDENG/bPxRfiCYEXAMPLEKEY0/aBcD9 back", "bPxRfiCYEXAMPLEKEY0"],
    ["a token in a path", "/tmp/cache/FwoGZXIvYXdzEXAMPLEtokenAAAAAAAAAAAA.json", "FwoGZXIvYXdzEXAMPLEtoken"],
    ["a session token", "token IQoJb3JpZ2luX2VjEXAMPLE0123456789abcdefABCDEF", "IQoJb3JpZ2luX2Vj"],
    ["base64 padding in a path segment", "/x/aGVsbG8gd29y==", "aGVsbG8gd29y"],
  ])("still redacts %s", (_name, text, secret) => {
    const out = scrubProcessText(text);
    expect(out).toContain("[redacted]");
    expect(out).not.toContain(secret);
  });

  it("cuts an access key id to its last four characters", () => {
    expect(scrubProcessText("key AKIAIOSFODNN7EXAMPLE refused")).toBe("key …MPLE refused");
  });

  it("keeps a long one-line message whole, up to 1000 characters", () => {
    const hint = `PROCESS_LOOP: ${"word ".repeat(150)}end`;
    expect(scrubProcessText(hint)).toBe(hint.replace(/\s+/g, " ").trim());
    expect(scrubProcessText("x ".repeat(600)).endsWith("…")).toBe(true);
  });
});
