import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultRoleSessionName, parseRoleArn, ROLE_SESSION_NAME_PATTERN } from "../../../src/providers/sts/role-checks.js";

describe("defaultRoleSessionName", () => {
  it("is env-or-profile@<host>", () => {
    expect(defaultRoleSessionName("build-7.internal")).toBe("env-or-profile@build-7.internal");
  });

  it("is a valid session name for any host name", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (host) => {
        expect(defaultRoleSessionName(host)).toMatch(ROLE_SESSION_NAME_PATTERN);
      }),
    );
  });
});

describe("parseRoleArn", () => {
  it("returns the partition, account and role name", () => {
    expect(parseRoleArn("arn:aws-us-gov:iam::123456789012:role/team/ci/deploy")).toEqual({
      partition: "aws-us-gov",
      accountId: "123456789012",
      roleName: "deploy",
    });
  });

  it("rejects a non-string", () => {
    expect(() => parseRoleArn(42)).toThrow(TypeError);
  });
});
