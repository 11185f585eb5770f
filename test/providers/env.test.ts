import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { CredentialsError } from "../../src/errors.js";
import { fromEnv } from "../../src/providers/env.js";
import { manualClock } from "../../src/testing/manual-clock.js";
import { SECRET, TOKEN } from "../helpers/fake-source.js";

const KEY = "AKIAIOSFODNN7EXAMPLE";

async function failure(env: Record<string, string | undefined>): Promise<CredentialsError> {
  const error = await fromEnv({ env, clock: manualClock() })().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CredentialsError);
  return error as CredentialsError;
}

describe("fromEnv", () => {
  it("reads the key id, secret and session token", async () => {
    const identity = await fromEnv({ env: { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN } })();
    expect(identity).toEqual({ accessKeyId: KEY, secretAccessKey: SECRET, sessionToken: TOKEN });
  });

  it("leaves optional fields out when they are not set", async () => {
    const identity = await fromEnv({ env: { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET } })();
    expect(Object.keys(identity).sort()).toEqual(["accessKeyId", "secretAccessKey"]);
  });

  it("reads AWS_CREDENTIAL_EXPIRATION and AWS_ACCOUNT_ID", async () => {
    const clock = manualClock(Date.UTC(2026, 0, 1));
    const identity = await fromEnv({
      clock,
      env: { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_CREDENTIAL_EXPIRATION: "2026-01-01T06:00:00Z", AWS_ACCOUNT_ID: "123456789012" },
    })();
    expect(identity.expiration?.toISOString()).toBe("2026-01-01T06:00:00.000Z");
    expect(identity.accountId).toBe("123456789012");
  });

  it("reads process.env by default", async () => {
    const saved = { ...process.env };
    try {
      process.env["AWS_ACCESS_KEY_ID"] = KEY;
      process.env["AWS_SECRET_ACCESS_KEY"] = SECRET;
      await expect(fromEnv()()).resolves.toMatchObject({ accessKeyId: KEY });
    } finally {
      process.env = saved;
    }
  });

  it("falls through when nothing is set", async () => {
    const error = await failure({});
    expect(error).toMatchObject({ code: "ENV_NOT_SET", tryNextLink: true, source: "env" });
  });

  it("treats empty variables as not set", async () => {
    expect(await failure({ AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" })).toMatchObject({ code: "ENV_NOT_SET" });
  });

  it("stops the chain when a key id has no secret, naming the variable", async () => {
    const error = await failure({ AWS_ACCESS_KEY_ID: KEY });
    expect(error).toMatchObject({ code: "ENV_INVALID", tryNextLink: false });
    expect(error.message).toContain("AWS_SECRET_ACCESS_KEY is not");
    expect(error.message).not.toContain(KEY);
    expect(error.message).toContain("…MPLE");
  });

  it("shows no character of a secret pasted after the key id (AWS_ACCESS_KEY_ID=\"AKIA… <secret>\")", async () => {
    const pasted = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8x";
    const error = await failure({ AWS_ACCESS_KEY_ID: `${KEY} ${pasted}` });
    expect(error).toMatchObject({ code: "ENV_INVALID", tryNextLink: false });
    expect(error.message).toContain("(…MPLE)");
    expect(error.message).not.toContain("zq8x");
    expect(inspect(error, { showHidden: true, depth: 5 })).not.toContain("zq8x");
  });

  it("shows no hint at all when the key id variable holds something that is not a key id", async () => {
    const error = await failure({ AWS_ACCESS_KEY_ID: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8x" });
    expect(error.message).toContain("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    expect(error.message).not.toContain("zq8x");
  });

  it("stops the chain when a secret has no key id", async () => {
    const error = await failure({ AWS_SECRET_ACCESS_KEY: SECRET });
    expect(error).toMatchObject({ code: "ENV_INVALID", tryNextLink: false });
    expect(error.message).toContain("AWS_ACCESS_KEY_ID is not");
  });

  it("stops the chain when only a session token is set", async () => {
    expect((await failure({ AWS_SESSION_TOKEN: TOKEN })).message).toContain("AWS_SESSION_TOKEN is set");
  });

  it("stops the chain on an unparseable expiration", async () => {
    const error = await failure({ AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_CREDENTIAL_EXPIRATION: "tomorrow" });
    expect(error).toMatchObject({ code: "ENV_INVALID", tryNextLink: false });
    expect(error.message).toContain("AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 date-time");
  });

  it("rejects an expiration without a time zone, which would be read in local time", async () => {
    const error = await failure({ AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_CREDENTIAL_EXPIRATION: "2030-01-01T00:00:00" });
    expect(error.code).toBe("ENV_INVALID");
  });

  it("stops the chain on an expiration in the past", async () => {
    const error = await failure({ AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_CREDENTIAL_EXPIRATION: "2020-01-01T00:00:00Z" });
    expect(error).toMatchObject({ code: "CREDENTIALS_EXPIRED", tryNextLink: false });
  });

  it("stops the chain on a key with a stray newline", async () => {
    const error = await failure({ AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: `${SECRET}\n` });
    expect(error.message).toContain("AWS_SECRET_ACCESS_KEY contains whitespace");
  });

  it("stops the chain on an account id that is not 12 digits", async () => {
    const error = await failure({ AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_ACCOUNT_ID: "12345" });
    expect(error.message).toContain("AWS_ACCOUNT_ID must be 12 digits");
  });

  it("never puts the secret or token in any error output", async () => {
    const cases = [
      { AWS_SECRET_ACCESS_KEY: SECRET },
      { AWS_SESSION_TOKEN: TOKEN },
      { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN, AWS_CREDENTIAL_EXPIRATION: "x" },
      { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: ` ${SECRET}`, AWS_SESSION_TOKEN: TOKEN },
      { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: `${TOKEN} ` },
    ];
    for (const env of cases) {
      const error = await failure(env);
      for (const text of [error.message, error.stack ?? "", JSON.stringify(error), inspect(error, { depth: 10 })]) {
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain(TOKEN);
        expect(text).not.toContain(KEY);
      }
    }
  });
});
