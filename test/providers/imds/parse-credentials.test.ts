import { describe, expect, it } from "vitest";
import { CredentialsError } from "../../../src/errors.js";
import { parseImdsCredentials } from "../../../src/providers/imds/parse-credentials.js";
import { imdsProvider, rejection, renderings, rolePath, useEmulators } from "./helpers.js";

const NOW = Date.UTC(2026, 0, 1);
const SECRET = "wJalrXUtnFEMI/K7MDENG/PARSE-TEST-SECRET-KEY";
const TOKEN = "IQoJb3JpZ2luX2VjPARSE-TEST-SESSION-TOKEN";
const GOOD = {
  Code: "Success",
  LastUpdated: "2026-01-01T00:00:00Z",
  Type: "AWS-HMAC",
  AccessKeyId: "ASIAPARSETEST0000001",
  SecretAccessKey: SECRET,
  Token: TOKEN,
  Expiration: "2026-01-01T06:00:00Z",
};

function failure(body: string): CredentialsError {
  try {
    parseImdsCredentials(body, NOW);
  } catch (error) {
    expect(error).toBeInstanceOf(CredentialsError);
    const e = error as CredentialsError;
    expect(e.code).toBe("IMDS_BAD_RESPONSE");
    expect(e.tryNextLink).toBe(false);
    for (const text of renderings(e)) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(TOKEN);
    }
    return e;
  }
  throw new Error("expected parseImdsCredentials to throw");
}

const without = (key: keyof typeof GOOD) => JSON.stringify({ ...GOOD, [key]: undefined });
const with_ = (key: keyof typeof GOOD, value: unknown) => JSON.stringify({ ...GOOD, [key]: value });

describe("parseImdsCredentials", () => {
  it("turns a Success document into an identity with a Date expiration", () => {
    expect(parseImdsCredentials(JSON.stringify(GOOD), NOW)).toEqual({
      accessKeyId: GOOD.AccessKeyId,
      secretAccessKey: SECRET,
      sessionToken: TOKEN,
      expiration: new Date("2026-01-01T06:00:00Z"),
    });
  });

  it("keeps a twelve-digit AccountId as accountId", () => {
    expect(parseImdsCredentials(JSON.stringify({ ...GOOD, AccountId: "123456789012" }), NOW).accountId).toBe("123456789012");
  });

  it("leaves out an AccountId that is not twelve digits", () => {
    const parsed = parseImdsCredentials(JSON.stringify({ ...GOOD, AccountId: 42 }), NOW);
    expect("accountId" in parsed).toBe(false);
  });

  it("rejects a Code other than Success, naming it", () => {
    expect(failure(with_("Code", "Failure")).message).toContain('Code is "Failure"');
  });

  it("rejects a missing Code", () => {
    expect(failure(without("Code")).message).toContain("Code is missing");
  });

  it.each(["AccessKeyId", "SecretAccessKey", "Token"] as const)("rejects a missing %s", (key) => {
    expect(failure(without(key)).message).toContain(`${key} is missing`);
  });

  it.each(["AccessKeyId", "SecretAccessKey", "Token"] as const)("rejects an empty %s", (key) => {
    expect(failure(with_(key, "")).message).toContain(`${key} is an empty string`);
  });

  it("rejects a non-string AccessKeyId", () => {
    expect(failure(with_("AccessKeyId", 12)).message).toContain("AccessKeyId is a number");
  });

  it("rejects a missing Expiration", () => {
    expect(failure(without("Expiration")).message).toContain("Expiration is missing");
  });

  it.each(["tomorrow", "2026-01-01", "1767225600", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z"])(
    "rejects the Expiration %s as not a real ISO date-time",
    (value) => {
      expect(failure(with_("Expiration", value)).message).toMatch(/Expiration is not (an ISO 8601 date-time|a real date)/);
    },
  );

  it("rejects an Expiration in the past", () => {
    expect(failure(with_("Expiration", "2025-12-31T23:59:59Z")).message).toContain("not in the future");
  });

  it("rejects an Expiration equal to now", () => {
    expect(failure(with_("Expiration", "2026-01-01T00:00:00Z")).message).toContain("not in the future");
  });

  it("accepts an Expiration with milliseconds and an offset", () => {
    expect(parseImdsCredentials(with_("Expiration", "2026-01-01T07:00:00.123+01:00"), NOW).expiration).toEqual(
      new Date("2026-01-01T06:00:00.123Z"),
    );
  });

  it("lists every problem at once, without values", () => {
    const message = failure(JSON.stringify({ Code: "Success", SecretAccessKey: SECRET })).message;
    expect(message).toContain("AccessKeyId is missing");
    expect(message).toContain("Token is missing");
    expect(message).toContain("Expiration is missing");
  });

  it("rejects a JSON array", () => {
    expect(failure(JSON.stringify([GOOD])).message).toContain("as an array, not a JSON object");
  });

  it("rejects JSON null and strings", () => {
    expect(failure("null").message).toContain("not a JSON object");
    expect(failure('"x"').message).toContain("not a JSON object");
  });

  it("rejects truncated JSON carrying a secret without quoting it or keeping the SyntaxError", () => {
    const body = JSON.stringify(GOOD).slice(0, -30);
    expect(body).toContain(SECRET);
    const error = failure(body);
    expect(error.message).toContain("not valid JSON");
    expect(error.cause).toBeUndefined();
  });

  it("rejects an empty body", () => {
    expect(failure("").message).toContain("not valid JSON");
  });
});

describe("fromImds validation", () => {
  const start = useEmulators();

  it("rejects a truncated credentials document from IMDS without echoing its secret", async () => {
    const imds = await start();
    imds.fail(rolePath("env-or-profile-demo-role"), "bad-json");
    const error = await rejection(imdsProvider(imds)());
    expect(error.code).toBe("IMDS_BAD_RESPONSE");
    for (const text of renderings(error)) expect(text).not.toContain(imds.current.secretAccessKey);
  });

  it("rejects a Code other than Success from IMDS", async () => {
    const imds = await start();
    const c = imds.current;
    imds.fail(rolePath("env-or-profile-demo-role"), {
      body: JSON.stringify({ Code: "Failure", AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, Token: c.sessionToken, Expiration: c.expiration.toISOString() }),
    });
    expect((await rejection(imdsProvider(imds)())).message).toContain('Code is "Failure"');
  });
});
