/*
 * Property-based fuzzing of every parser of IMDS answers: the credentials document, the role list,
 * the instance-profile document, and the session token (played through the emulator, since the
 * token is checked inside the client). Whatever the body, each either returns a well-formed value or
 * throws a CredentialsError with a message, and never shows a secret the body carried.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CredentialsError } from "../../src/errors.js";
import { fromImds } from "../../src/providers/imds/from-imds.js";
import { parseImdsCredentials } from "../../src/providers/imds/parse-credentials.js";
import { isValidRoleName, parseRoleName } from "../../src/providers/imds/parse-role-name.js";
import { parseInstanceProfile } from "../../src/providers/imds/read-instance-profile.js";
import { startImdsEmulator, type ImdsEmulator } from "../../src/testing/imds-emulator.js";
import { manualClock } from "../../src/testing/manual-clock.js";
import { resetSharedState } from "../../src/sharing/process-state.js";
import { collectingLogger, expectNoSecrets, expectWellFormedError, renderEverything } from "../helpers/leak-check.js";
import { MARKER, dirtySecretArb, expirationArb, keyIdArb, plainValueArb, secretArb, wildStringArb } from "./arbitraries.js";

const NOW = Date.UTC(2026, 0, 1);

/** Runs `parse`; a result is checked by `valid`, an error must be a clean CredentialsError. */
function check<T>(parse: () => T, valid: (result: T) => void, mustNotShow: readonly string[], code = "IMDS_BAD_RESPONSE"): void {
  let result: T;
  try {
    result = parse();
  } catch (error) {
    expectWellFormedError(error);
    expect(error).toBeInstanceOf(CredentialsError);
    expect(error).toMatchObject({ code });
    const texts = renderEverything(error);
    expectNoSecrets(texts, [MARKER, ...mustNotShow]);
    return;
  }
  valid(result);
}

/** Mostly the good value, sometimes anything else (so both outcomes are exercised often). */
const mostly = <T,>(good: fc.Arbitrary<T>, ...bad: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 6, arbitrary: good }, ...bad.map((arbitrary) => ({ weight: 1, arbitrary })));

/** A credentials document whose every field may be good, bad, missing or a secret in the wrong place. */
const credentialsDocumentArb = fc.record(
  {
    Code: mostly(fc.constant("Success"), fc.constantFrom("Failure", "success", ""), secretArb, plainValueArb),
    LastUpdated: mostly(expirationArb(NOW), secretArb),
    Type: mostly(fc.constant("AWS-HMAC"), plainValueArb),
    AccessKeyId: mostly(keyIdArb, plainValueArb),
    SecretAccessKey: mostly(secretArb, dirtySecretArb, plainValueArb),
    Token: mostly(secretArb, dirtySecretArb, plainValueArb),
    Expiration: mostly(
      fc.integer({ min: 1, max: 86_400 }).map((s) => new Date(NOW + s * 1000).toISOString()),
      expirationArb(NOW),
      secretArb,
    ),
    AccountId: mostly(fc.stringMatching(/^\d{12}$/), plainValueArb),
  },
  { requiredKeys: ["Code", "AccessKeyId", "SecretAccessKey", "Token", "Expiration"] },
).chain((document) =>
  // Now and then drop one field altogether.
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(document as Record<string, unknown>) },
    { weight: 1, arbitrary: fc.constantFrom(...Object.keys(document)).map((key) => ({ ...document, [key]: undefined })) },
  ),
);

const keyIdsIn = (document: Record<string, unknown>): string[] =>
  typeof document["AccessKeyId"] === "string" && document["AccessKeyId"].length >= 16 ? [document["AccessKeyId"]] : []; // real key ids are 16+ chars; a short random one turns up anywhere

describe("fuzz: parseImdsCredentials", () => {
  it("accepts only complete documents and rejects the rest with IMDS_BAD_RESPONSE, never showing a secret", () => {
    let accepted = 0;
    fc.assert(
      fc.property(credentialsDocumentArb, (document) => {
        check(
          () => parseImdsCredentials(JSON.stringify(document), NOW, 'role "r"'),
          (identity) => {
            accepted += 1;
            expect(document["Code"]).toBe("Success");
            expect(identity.expiration.getTime()).toBeGreaterThan(NOW);
            for (const field of [identity.accessKeyId, identity.secretAccessKey, identity.sessionToken ?? ""]) {
              expect(field).toBe(field.trim());
              expect(field).not.toBe("");
            }
          },
          keyIdsIn(document),
        );
      }),
      { numRuns: 600 },
    );
    // Both outcomes must be exercised, or the property proves little.
    expect(accepted).toBeGreaterThan(30);
    expect(accepted).toBeLessThan(570);
  });

  it("rejects any text cut from a document carrying secrets, never showing them", () => {
    const completeArb = fc.record({
      AccessKeyId: keyIdArb,
      SecretAccessKey: secretArb,
      Token: secretArb,
      Expiration: fc.integer({ min: 1, max: 86_400 }).map((s) => new Date(NOW + s * 1000).toISOString()),
    });
    fc.assert(
      fc.property(completeArb, fc.nat(), (fields, cut) => {
        const text = JSON.stringify({ Code: "Success", ...fields });
        const body = text.slice(0, cut % text.length);
        check(() => parseImdsCredentials(body, NOW), () => undefined, [fields.AccessKeyId]);
      }),
      { numRuns: 400 },
    );
  });

  it("survives any body at all: arbitrary text, any JSON value, secrets embedded anywhere", () => {
    const bodyArb = fc.oneof(
      fc.tuple(wildStringArb, secretArb, wildStringArb).map(([a, s, b]) => `${a}${s}${b}`),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.array(secretArb, { maxLength: 3 }).map((values) => JSON.stringify(values)),
      fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(secretArb, plainValueArb)).map((value) => JSON.stringify(value)),
    );
    fc.assert(
      fc.property(bodyArb, fc.integer({ min: 1, max: 8.64e15 }), (body, now) => {
        check(() => parseImdsCredentials(body, now), (identity) => expect(identity.expiration.getTime()).toBeGreaterThan(now), []);
      }),
      { numRuns: 600 },
    );
  });
});

describe("fuzz: parseRoleName", () => {
  it("returns a valid IAM role name or undefined, or rejects without quoting the line", () => {
    const bodyArb = fc.oneof(
      wildStringArb,
      fc.stringMatching(/^[\w+=,.@-]{1,70}$/),
      fc.array(fc.oneof(wildStringArb, fc.stringMatching(/^[\w+=,.@-]{1,64}$/)), { maxLength: 4 }).map((lines) => lines.join("\n")),
      fc.tuple(wildStringArb, secretArb).map(([a, s]) => `${a.replace(/\S/g, "")}${s}\nsecond-role`),
    );
    fc.assert(
      fc.property(bodyArb, (body) => {
        check(
          () => parseRoleName(body),
          (role) => {
            if (role !== undefined) expect(isValidRoleName(role)).toBe(true);
            else expect(body.trim()).toBe("");
          },
          [],
        );
      }),
      { numRuns: 600 },
    );
  });
});

describe("fuzz: parseInstanceProfile", () => {
  it("returns a profile ARN and id, or rejects with IMDS_BAD_RESPONSE without quoting the body", () => {
    const documentArb = fc.record(
      {
        Code: fc.oneof(fc.constant("Success"), secretArb, plainValueArb),
        LastUpdated: fc.oneof(expirationArb(NOW), secretArb),
        InstanceProfileArn: fc.oneof(
          fc.stringMatching(/^[a-z0-9-]{1,20}$/).map((name) => `arn:aws:iam::123456789012:instance-profile/${name}`),
          secretArb,
          plainValueArb,
        ),
        InstanceProfileId: fc.oneof(fc.stringMatching(/^[A-Z0-9]{8,30}$/), secretArb, plainValueArb),
      },
      { requiredKeys: [] },
    );
    const bodyArb = fc.oneof(
      documentArb.map((document) => JSON.stringify(document)),
      fc.tuple(wildStringArb, secretArb).map(([a, s]) => `${a}${s}`),
      fc.jsonValue().map((value) => JSON.stringify(value)),
    );
    fc.assert(
      fc.property(bodyArb, (body) => {
        check(
          () => parseInstanceProfile(body),
          (profile) => {
            expect(profile.instanceProfileArn).toMatch(/^arn:aws[a-z-]*:iam::\d{12}:instance-profile\//);
            expect(profile.instanceProfileId).toMatch(/^[A-Z0-9]{8,128}$/);
            if (profile.lastUpdated !== undefined) expect(Number.isFinite(profile.lastUpdated.getTime())).toBe(true);
          },
          [],
        );
      }),
      { numRuns: 600 },
    );
  });
});

describe("fuzz: the IMDSv2 token answer (through the emulator)", () => {
  let imds: ImdsEmulator;
  const clock = manualClock();

  beforeAll(async () => {
    imds = await startImdsEmulator({ clock });
  });
  afterAll(async () => {
    await imds.close();
    resetSharedState();
  });

  it("uses a well-shaped token or rejects a malformed one, never showing it in errors or logs", async () => {
    const tokenArb = fc.oneof(
      secretArb,
      dirtySecretArb,
      fc.tuple(wildStringArb, secretArb, wildStringArb).map(([a, s, b]) => `${a}${s}${b}`),
      fc.stringMatching(/^[\x21-\x7e]{1,60}$/).map((t) => `${MARKER}${t}`),
      fc.constantFrom("", " ", "\r\n"),
    );
    await fc.assert(
      fc.asyncProperty(tokenArb, async (token) => {
        resetSharedState();
        imds.clearFaults();
        imds.fail("/latest/api/token", { body: token });
        const logger = collectingLogger();
        const provider = fromImds({ endpoint: imds.endpoint, env: {}, clock, timeoutMs: 500, allowImdsV1: false, logger });
        const outcome = await provider().then(
          () => undefined,
          (error: unknown) => error,
        );
        // The emulator never issued this token, so a well-shaped one gets 401 twice; a malformed one is refused.
        expectWellFormedError(outcome);
        expect(outcome).toBeInstanceOf(CredentialsError);
        expect(["IMDS_BAD_RESPONSE", "IMDS_HTTP_ERROR"]).toContain((outcome as { code?: unknown }).code);
        const texts = [...renderEverything(outcome), ...logger.lines];
        expectNoSecrets(texts, [MARKER, token.trim()].filter((t) => t.length >= 6));
      }),
      { numRuns: 60 },
    );
  });
});
