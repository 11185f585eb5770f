/*
 * What credential-process's file cache key holds (issue 18 item 7): only what decides the answer —
 * so the AWS CLI v2 and v1, boto3 and a Node app running the same line, selecting its profile
 * however they do, share one entry.
 */
import { describe, expect, it } from "vitest";
import { cacheKeyFacts } from "../../src/cli/commands/cache-key-facts.js";
import { captureIo } from "./cli-test-io.js";

const ROLE = { roleArn: "arn:aws:iam::123456789012:role/partner", externalId: "tenant-42" };
const keyIn = (env: Record<string, string>, profile?: string, noProfile = false, role: Parameters<typeof cacheKeyFacts>[1] = ROLE) =>
  JSON.stringify(cacheKeyFacts(captureIo({ HOME: "/nonexistent-home", ...env }).io, role, profile, noProfile));

describe("credential-process's cache key", () => {
  it("leaves out what no link reads: AWS_DATA_PATH (the AWS CLI sets it), the process chain and depth variables", () => {
    expect(keyIn({ AWS_DATA_PATH: "/usr/lib/aws", ENV_OR_PROFILE_CREDENTIAL_PROCESS_DEPTH: "1", ENV_OR_PROFILE_CREDENTIAL_PROCESS_CHAIN: "0123456789abcdef@1" }, "base")).toBe(keyIn({}, "base"));
  });

  it("leaves out AWS_PROFILE when the line names its source (--profile or --no-profile): selected by AWS_PROFILE, by --profile or as [default], one key", () => {
    expect(keyIn({ AWS_PROFILE: "partner" }, "base")).toBe(keyIn({}, "base"));
    expect(keyIn({ AWS_PROFILE: "partner" }, undefined, true)).toBe(keyIn({}, undefined, true));
  });

  it("keeps AWS_PROFILE when the line names no source: then it decides which profile the chain reads", () => {
    expect(keyIn({ AWS_PROFILE: "partner" })).not.toBe(keyIn({}));
  });

  it("tells --profile, --no-profile and neither apart, and holds the MFA device of a role", () => {
    expect(new Set([keyIn({}, "base"), keyIn({}, undefined, true), keyIn({})]).size).toBe(3);
    expect(keyIn({}, "base", false, { ...ROLE, mfaSerial: "arn:aws:iam::123456789012:mfa/alice" })).not.toBe(keyIn({}, "base"));
  });
});
