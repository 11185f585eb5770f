import { describe, expect, it } from "vitest";
import { CredentialsError } from "../../../src/errors.js";
import type { CredentialLink } from "../../../src/providers/http-credentials/credential-link.js";
import { parseCredentialJson } from "../../../src/providers/http-credentials/parse-credential-json.js";
import { expectClean } from "../../helpers/leak-check.js";

const NOW = Date.UTC(2026, 0, 1);
const SECRET = "container/SECRET/wJalrXUtnFEMIK7MDENG+parse";
const TOKEN = "container-SESSION-TOKEN-IQoJb3JpZ2lu-parse";
/** What the ECS/EKS container endpoint answers: no Code, Type or LastUpdated; AccountId and RoleArn. */
const CONTAINER_ANSWER = {
  AccessKeyId: "ASIACONTAINER0000001",
  SecretAccessKey: SECRET,
  Token: TOKEN,
  Expiration: "2026-01-01T06:00:00Z",
  AccountId: "123456789012",
  RoleArn: "arn:aws:iam::123456789012:role/task-role",
};
const LINK: CredentialLink = { source: "container", name: "The container credentials endpoint", badResponseCode: "PROVIDER_FAILED" };

function failure(body: string, code: "required" | "optional" = "optional"): CredentialsError {
  try {
    parseCredentialJson(body, { link: LINK, nowMs: NOW, code });
  } catch (error) {
    expect(error).toBeInstanceOf(CredentialsError);
    expectClean(error, [SECRET, TOKEN]);
    return error as CredentialsError;
  }
  throw new Error("expected parseCredentialJson to throw");
}

describe("parseCredentialJson", () => {
  it("accepts the container shape without Code, keeping AccountId and RoleArn", () => {
    expect(parseCredentialJson(JSON.stringify(CONTAINER_ANSWER), { link: LINK, nowMs: NOW, code: "optional" })).toEqual({
      identity: {
        accessKeyId: "ASIACONTAINER0000001",
        secretAccessKey: SECRET,
        sessionToken: TOKEN,
        expiration: new Date("2026-01-01T06:00:00Z"),
        accountId: "123456789012",
      },
      roleArn: "arn:aws:iam::123456789012:role/task-role",
    });
  });

  it("reports in the family of the link it is given", () => {
    const error = failure("{}");
    expect(error).toMatchObject({ source: "container", code: "PROVIDER_FAILED", tryNextLink: false, retryable: false });
    expect(error.message).toMatch(/^The container credentials endpoint returned unusable credentials: /);
  });

  it("still requires Code to be Success when the link requires it", () => {
    expect(failure(JSON.stringify(CONTAINER_ANSWER), "required").message).toContain("Code is missing");
  });

  it("rejects a Code other than Success even when Code is optional", () => {
    expect(failure(JSON.stringify({ ...CONTAINER_ANSWER, Code: "Failure" })).message).toContain('Code is "Failure"');
  });

  it("leaves out a RoleArn that is not a role ARN", () => {
    const parsed = parseCredentialJson(JSON.stringify({ ...CONTAINER_ANSWER, RoleArn: "not-an-arn" }), { link: LINK, nowMs: NOW, code: "optional" });
    expect("roleArn" in parsed).toBe(false);
  });

  it("lists every missing field of a container answer at once, quoting no value", () => {
    const message = failure(JSON.stringify({ SecretAccessKey: SECRET, Expiration: "2025-01-01T00:00:00Z" })).message;
    expect(message).toContain("AccessKeyId is missing");
    expect(message).toContain("Token is missing");
    expect(message).toContain("not in the future");
  });

  it("names non-JSON in the link's terms without keeping the SyntaxError", () => {
    const error = failure(JSON.stringify(CONTAINER_ANSWER).slice(0, -20));
    expect(error.message).toContain("The container credentials endpoint returned credentials that is not valid JSON");
    expect(error.cause).toBeUndefined();
  });
});
