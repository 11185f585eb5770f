/*
 * Property-based fuzzing of the environment link: any environment at all either gives a well-formed
 * credential or a CredentialsError (ENV_NOT_SET, ENV_INVALID, CREDENTIALS_EXPIRED) whose every
 * rendering leaves out the secret, the session token and the full access key id.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CredentialsError } from "../../src/errors.js";
import { ENV_VARIABLES, readEnvCredentials } from "../../src/providers/env.js";
import { manualClock } from "../../src/testing/manual-clock.js";
import { expectNoSecrets, expectWellFormedError, renderEverything } from "../helpers/leak-check.js";
import { MARKER, dirtySecretArb, expirationArb, keyIdArb, secretArb, wildStringArb } from "./arbitraries.js";

const NOW = Date.UTC(2026, 0, 1);
const CODES = ["ENV_NOT_SET", "ENV_INVALID", "CREDENTIALS_EXPIRED"];

/** Mostly a good value, sometimes anything. */
const mostly = (good: fc.Arbitrary<string>, ...bad: fc.Arbitrary<string>[]): fc.Arbitrary<string> =>
  fc.oneof({ weight: 5, arbitrary: good }, ...bad.map((arbitrary) => ({ weight: 1, arbitrary })));

const envArb = fc.record(
  {
    [ENV_VARIABLES.accessKeyId]: mostly(keyIdArb, keyIdArb.map((k) => `${k}\n`), wildStringArb.filter((s) => !s.includes(MARKER)), fc.constant("")),
    [ENV_VARIABLES.secretAccessKey]: mostly(secretArb, dirtySecretArb, fc.constant("")),
    [ENV_VARIABLES.sessionToken]: mostly(secretArb, dirtySecretArb, fc.constant("")),
    [ENV_VARIABLES.expiration]: mostly(
      expirationArb(NOW).filter((value): value is string => typeof value === "string" && !value.includes(MARKER)),
      secretArb,
    ),
    [ENV_VARIABLES.accountId]: mostly(fc.stringMatching(/^\d{12}$/), wildStringArb.filter((s) => !s.includes(MARKER))),
    AWS_PROFILE: wildStringArb.filter((s) => !s.includes(MARKER)),
  },
  { requiredKeys: [] },
);

describe("fuzz: readEnvCredentials", () => {
  it("returns a clean credential or a clean CredentialsError for any environment", () => {
    const clock = manualClock(NOW);
    let accepted = 0;
    fc.assert(
      fc.property(envArb, (env) => {
        const keyId = env[ENV_VARIABLES.accessKeyId];
        let identity;
        try {
          identity = readEnvCredentials(env, clock);
        } catch (error) {
          expectWellFormedError(error);
          expect(error).toBeInstanceOf(CredentialsError);
          expect(CODES).toContain((error as { code?: unknown }).code);
          expect(error).toMatchObject({ source: "env" });
          // Only key ids of real length (16+): a short random one ("ength") turns up in any rendering.
          const mustNotShow = [MARKER, ...(keyId !== undefined && keyId.trim().length >= 16 ? [keyId.trim()] : [])];
          expectNoSecrets(renderEverything(error), mustNotShow);
          return;
        }
        accepted += 1;
        expect(identity.accessKeyId).toBe(keyId);
        expect(identity.secretAccessKey).toBe(env[ENV_VARIABLES.secretAccessKey]);
        for (const value of [identity.accessKeyId, identity.secretAccessKey, identity.sessionToken ?? "x"]) {
          expect(value).not.toMatch(/\s/);
          expect(value).not.toBe("");
        }
        if (identity.expiration !== undefined) expect(identity.expiration.getTime()).toBeGreaterThan(NOW);
        // Optional fields are present only when set.
        expect(Object.values(identity)).not.toContain(undefined);
      }),
      { numRuns: 1_500 },
    );
    expect(accepted).toBeGreaterThan(20);
  });

  it("treats an environment with neither key as not set (falls through), whatever else is in it", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 20 }), wildStringArb), (env) => {
        const rest = { ...env, [ENV_VARIABLES.accessKeyId]: undefined, [ENV_VARIABLES.secretAccessKey]: "", [ENV_VARIABLES.sessionToken]: undefined };
        expect(() => readEnvCredentials(rest)).toThrow(expect.objectContaining({ code: "ENV_NOT_SET", tryNextLink: true }) as Error);
      }),
      { numRuns: 300 },
    );
  });
});
