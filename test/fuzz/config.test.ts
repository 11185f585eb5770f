/*
 * Property-based fuzzing of fromConfig, the parser of app configs (parsed YAML/JSON, camelCase or
 * snake_case). Any config either builds a provider or throws a CredentialsError CONFIG_INVALID (a
 * TypeError only for bad code-level options), and no message ever shows the secret, the session
 * token, the ExternalId or the full access key id.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromConfig, type CredentialsConfig } from "../../src/config.js";
import { CredentialsError } from "../../src/errors.js";
import { manualClock } from "../../src/testing/manual-clock.js";
import { expectNoSecrets, expectWellFormedError, renderEverything } from "../helpers/leak-check.js";
import { MARKER, dirtySecretArb, keyIdArb, plainValueArb, secretArb, wildStringArb } from "./arbitraries.js";

const clock = manualClock();
/** No I/O happens when a provider is built; these only make sure none could reach a real IMDS. */
const OPTIONS = { clock, env: { env: {} }, imds: { endpoint: "http://127.0.0.1:1", env: {} } };


const plainKeyArb = fc.string({ maxLength: 24 }).filter((key) => !key.includes(MARKER) && key !== "__proto__");
const externalIdArb = fc.stringMatching(/^[\w+=,.@:/-]{2,30}$/).map((tail) => `${MARKER}${tail}`);

/** Keys whose values are secrets (or key ids), and every other key a config may hold. */
const SECRET_KEYS = ["access_key_id", "aws_access_key_id", "accessKeyId", "secret_access_key", "aws_secret_access_key", "secretAccessKey", "session_token", "aws_session_token", "sessionToken", "secret_acces_key", "sesion_token"];
const OTHER_KEYS = ["use_iam_profile", "useIamProfile", "credentials_source", "credentialsSource", "use_iam_profil", "credential_source", "region", "assume_role", "assumeRole"];
const ROLE_SECRET_KEYS = ["external_id", "externalId", "externl_id"];
const ROLE_OTHER_KEYS = ["role_arn", "roleArn", "role_session_name", "duration_seconds", "durationSeconds", "region", "endpoint", "rol_arn", "policy"];

/** One extra (key, value) that may break the config: a second spelling, a typo, a wrong type. */
const noiseArb = (secretKeys: string[], otherKeys: string[]): fc.Arbitrary<[string, unknown]> =>
  fc.oneof(
    fc.tuple(fc.constantFrom(...secretKeys), fc.oneof(secretArb, dirtySecretArb, keyIdArb, fc.constant(""), plainValueArb.filter((v) => typeof v !== "string"))),
    fc.tuple(fc.constantFrom(...otherKeys), fc.oneof(plainValueArb, fc.constantFrom("env_or_profile", "static", true, false))),
    fc.tuple(plainKeyArb, plainValueArb),
  );

const withNoise = (base: fc.Arbitrary<Record<string, unknown>>, noise: fc.Arbitrary<[string, unknown]>) =>
  fc
    .tuple(base, fc.oneof({ weight: 3, arbitrary: fc.constant([] as [string, unknown][]) }, { weight: 2, arbitrary: fc.array(noise, { minLength: 1, maxLength: 2 }) }))
    .map(([config, extra]) => ({ ...config, ...Object.fromEntries(extra) }));

const assumeRoleArb = withNoise(
  fc.record(
    {
      role_arn: fc.constantFrom("arn:aws:iam::123456789012:role/partner", "arn:aws-cn:iam::123456789012:role/path/x"),
      external_id: fc.oneof(externalIdArb, secretArb.map((s) => `${s} !`)),
      role_session_name: fc.constant("ci-run"),
      duration_seconds: fc.oneof(fc.integer({ min: 900, max: 43_200 }), fc.integer()),
      region: fc.constantFrom("eu-west-1", "EU WEST"),
      endpoint: fc.constantFrom("http://127.0.0.1:1", "https://user:pw@x"),
    },
    { requiredKeys: ["role_arn"], noNullPrototype: true },
  ),
  noiseArb(ROLE_SECRET_KEYS, ROLE_OTHER_KEYS),
);

const sourceArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.constant({ use_iam_profile: true }),
  fc.constant({ useIamProfile: true }),
  fc.constant({ credentials_source: "env_or_profile" }),
  fc.record(
    { credentials_source: fc.constant("static"), access_key_id: keyIdArb, secret_access_key: secretArb, session_token: secretArb },
    { requiredKeys: ["credentials_source", "access_key_id", "secret_access_key"], noNullPrototype: true },
  ),
  fc.record({ accessKeyId: keyIdArb, secretAccessKey: secretArb, sessionToken: secretArb }, { requiredKeys: ["accessKeyId", "secretAccessKey"], noNullPrototype: true }),
  fc.record({ aws_access_key_id: keyIdArb, aws_secret_access_key: dirtySecretArb }, { noNullPrototype: true }),
);

const configArb = withNoise(
  fc
    .tuple(sourceArb, fc.option(assumeRoleArb, { nil: undefined }), fc.boolean())
    .map(([source, role, snake]) => (role === undefined ? source : { ...source, [snake ? "assume_role" : "assumeRole"]: role })),
  noiseArb(SECRET_KEYS, OTHER_KEYS),
);

/** Every access key id in the config, which may be shown cut to its last four characters only. */
const keyIds = (config: Record<string, unknown>): string[] =>
  ["access_key_id", "aws_access_key_id", "accessKeyId"]
    .map((key) => config[key])
    .filter((value): value is string => typeof value === "string" && value.trim().length >= 16) // real key ids are 16+ chars
    .map((value) => value.trim());

describe("fuzz: fromConfig", () => {
  it.each([false, true])("builds a provider or reports CONFIG_INVALID without showing a secret (allowUnknownKeys: %s)", (allowUnknownKeys) => {
    let built = 0;
    fc.assert(
      fc.property(configArb, (config) => {
        let provider: unknown;
        try {
          provider = fromConfig(config, { ...OPTIONS, allowUnknownKeys });
        } catch (error) {
          expectWellFormedError(error);
          expect(error).toBeInstanceOf(CredentialsError);
          expect(error).toMatchObject({ code: "CONFIG_INVALID", source: "config", tryNextLink: false });
          expectNoSecrets(renderEverything(error), [MARKER, ...keyIds(config)]);
          return;
        }
        built += 1;
        expect(typeof provider).toBe("function");
      }),
      { numRuns: 700 },
    );
    expect(built).toBeGreaterThan(40);
    expect(built).toBeLessThan(650);
  });

  it("rejects configs that are not objects with CONFIG_INVALID", () => {
    fc.assert(
      fc.property(fc.oneof(wildStringArb, fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.array(secretArb)), (config) => {
        expect(() => fromConfig(config as unknown as CredentialsConfig, OPTIONS)).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }) as Error);
        try {
          fromConfig(config as unknown as CredentialsConfig, OPTIONS);
        } catch (error) {
          expectNoSecrets(renderEverything(error), [MARKER]);
        }
      }),
      { numRuns: 200 },
    );
  });
});
