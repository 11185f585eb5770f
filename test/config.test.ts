import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { fromConfig, type CredentialsConfig } from "../src/config.js";
import { CredentialsError } from "../src/errors.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startContainerEmulator } from "../src/testing/container-emulator.js";
import { startImdsEmulator, type ImdsEmulator } from "../src/testing/imds-emulator.js";
import { startStsEmulator } from "../src/testing/sts-emulator.js";

const KEYS = Object.freeze({ accessKeyId: "AKIACONFIGEXAMPLE7Q2W", secretAccessKey: "config-secret-DO-NOT-PRINT-1a2b3c" });
const ROLE_ARN = "arn:aws:iam::123456789012:role/partner-upload";
const CLOSED = "http://127.0.0.1:9";

let imds: ImdsEmulator | undefined;
afterEach(async () => {
  await imds?.close();
  imds = undefined;
});

/** Options that keep a test away from process.env and the real IMDS. */
function isolated(endpoint = CLOSED, env: Record<string, string> = {}): Parameters<typeof fromConfig>[1] {
  return { env: { env }, imds: { endpoint, env: {} } };
}

/** The CONFIG_INVALID error `fromConfig(config)` throws, or fails the test. */
function configError(config: unknown, options: Parameters<typeof fromConfig>[1] = isolated()): CredentialsError {
  try {
    fromConfig(config as CredentialsConfig, options);
  } catch (error) {
    expect(error).toBeInstanceOf(CredentialsError);
    expect(error).toMatchObject({ code: "CONFIG_INVALID", source: "config", tryNextLink: false });
    return error as CredentialsError;
  }
  throw new Error("fromConfig did not throw");
}

describe("fromConfig: the sources", () => {
  it("takes instance-profile credentials for Fog's use_iam_profile: true", async () => {
    imds = await startImdsEmulator();
    const credentials = fromConfig({ use_iam_profile: true }, isolated(imds.endpoint));
    await expect(credentials()).resolves.toMatchObject({ accessKeyId: imds.current.accessKeyId });
  });

  it("ignores environment keys under useIamProfile: true", async () => {
    imds = await startImdsEmulator();
    const env = { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey };
    const credentials = fromConfig({ useIamProfile: true }, isolated(imds.endpoint, env));
    await expect(credentials()).resolves.toMatchObject({ accessKeyId: imds.current.accessKeyId });
  });

  it("takes environment keys first for BOSH's credentials_source: env_or_profile", async () => {
    imds = await startImdsEmulator();
    const env = { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey };
    const credentials = fromConfig({ credentials_source: "env_or_profile" }, isolated(imds.endpoint, env));
    await expect(credentials()).resolves.toEqual(KEYS);
    expect(imds.requestCount).toBe(0);
  });

  it("falls back to the instance profile for env_or_profile when the environment has no keys", async () => {
    imds = await startImdsEmulator();
    const credentials = fromConfig({ credentialsSource: "env_or_profile" }, isolated(imds.endpoint));
    await expect(credentials()).resolves.toMatchObject({ accessKeyId: imds.current.accessKeyId });
  });

  it("returns the keys of credentialsSource: static, without a sessionToken field when none is set", async () => {
    const identity = await fromConfig({ credentialsSource: "static", ...KEYS }, isolated())();
    expect(identity).toEqual(KEYS);
    expect("sessionToken" in identity).toBe(false);
  });

  it("treats plain keys without a source flag as static, with the session token", async () => {
    const config = { access_key_id: KEYS.accessKeyId, secret_access_key: KEYS.secretAccessKey, session_token: "token-1" };
    await expect(fromConfig(config, isolated())()).resolves.toEqual({ ...KEYS, sessionToken: "token-1" });
  });

  it("accepts Fog's aws_access_key_id and aws_secret_access_key", async () => {
    const config = { aws_access_key_id: KEYS.accessKeyId, aws_secret_access_key: KEYS.secretAccessKey };
    await expect(fromConfig(config, isolated())()).resolves.toEqual(KEYS);
  });

  it("treats a null value as absent, as YAML's empty value", async () => {
    const config = JSON.parse('{"credentials_source":"env_or_profile","access_key_id":null,"secret_access_key":null}') as CredentialsConfig;
    imds = await startImdsEmulator();
    await expect(fromConfig(config, isolated(imds.endpoint))()).resolves.toMatchObject({ accessKeyId: imds.current.accessKeyId });
  });

  it("returns a provider the AWS SDK will not cache again", () => {
    expect(fromConfig({ ...KEYS }, isolated()).memoized).toBe(true);
  });

  it("assumes a role with its ExternalId on top of static keys (snake_case assume_role)", async () => {
    const sts = await startStsEmulator({ baseCredentials: [KEYS], externalId: "tenant-42" });
    try {
      const credentials = fromConfig(
        { credentials_source: "static", ...KEYS, assume_role: { role_arn: ROLE_ARN, external_id: "tenant-42", endpoint: sts.endpoint, region: "eu-west-1" } } as never,
        isolated(),
      );
      const identity = await credentials();
      expect(identity.accessKeyId).toBe(sts.issued[0]?.accessKeyId);
      expect(sts.lastRequest).toMatchObject({ accessKeyId: KEYS.accessKeyId, externalId: "tenant-42", region: "eu-west-1" });
    } finally {
      await sts.close();
    }
  });

  it("assumes a role signed with instance-profile credentials under useIamProfile: true", async () => {
    imds = await startImdsEmulator();
    const sts = await startStsEmulator({ baseCredentials: [{ ...imds.current }] });
    try {
      const credentials = fromConfig({ useIamProfile: true, assumeRole: { roleArn: ROLE_ARN, endpoint: sts.endpoint, region: "us-east-1" } }, isolated(imds.endpoint));
      const identity = await credentials();
      expect(identity.accessKeyId).toBe(sts.issued[0]?.accessKeyId);
      expect(sts.lastRequest?.accessKeyId).toBe(imds.current.accessKeyId);
    } finally {
      await sts.close();
    }
  });
});

describe("fromConfig: useIamProfile is the role attached to where this runs", () => {
  const FULL = "AWS_CONTAINER_CREDENTIALS_FULL_URI";

  it("takes the ECS/EKS container credentials before the instance profile (the task's role, not the node's)", async () => {
    imds = await startImdsEmulator();
    const container = await startContainerEmulator();
    try {
      const credentials = fromConfig({ use_iam_profile: true }, isolated(imds.endpoint, { [FULL]: container.endpoint }));
      await expect(credentials()).resolves.toMatchObject({ accessKeyId: container.current.accessKeyId });
      expect(imds.requestCount).toBe(0);
    } finally {
      await container.close();
    }
  });

  it("takes web identity (IRSA) first, as fog-aws's use_iam_profile does", async () => {
    const sts = await startStsEmulator({});
    const container = await startContainerEmulator();
    const dir = mkdtempSync(join(tmpdir(), "config-irsa-"));
    try {
      writeFileSync(join(dir, "token"), "eyJhbGciOiJSUzI1NiJ9.irsa.sig");
      const env = { AWS_ROLE_ARN: ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE: join(dir, "token"), AWS_ENDPOINT_URL_STS: sts.endpoint, [FULL]: container.endpoint };
      const identity = await fromConfig({ useIamProfile: true }, isolated(CLOSED, env))();
      expect(identity.accessKeyId).toBe(sts.issued[0]?.accessKeyId);
      expect(container.requestCount).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await Promise.all([sts.close(), container.close()]);
    }
  });

  it("never takes environment keys or an AWS profile, even with nothing else configured", async () => {
    const env = { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey, AWS_PROFILE: "default" };
    const error = (await fromConfig({ useIamProfile: true }, { ...isolated(CLOSED, env), retry: { retries: 0 } })().catch((e: unknown) => e)) as CredentialsError;
    expect(error.code).toBe("CHAIN_EXHAUSTED");
    expect(error.message).not.toMatch(/\benv: |profile: /);
    expect(error.errors.map((reason) => (reason as CredentialsError).source)).toEqual(["web-identity", "container", "imds"]);
  });

  it("is exactly envOrProfile() for credentials_source: env_or_profile: the container link is in it", async () => {
    const container = await startContainerEmulator();
    try {
      const credentials = fromConfig({ credentials_source: "env_or_profile" }, isolated(CLOSED, { [FULL]: container.endpoint }));
      await expect(credentials()).resolves.toMatchObject({ accessKeyId: container.current.accessKeyId });
    } finally {
      await container.close();
    }
  });
});

describe("fromConfig: checked when called", () => {
  it("rejects an unknown credentials_source and lists the valid ones", () => {
    expect(configError({ credentials_source: "profile" }).message).toContain(
      '`credentials_source` must be one of "env_or_profile", "static", got "profile"',
    );
  });

  it("rejects credentialsSource: static without keys", () => {
    expect(configError({ credentialsSource: "static" }).message).toContain("`credentialsSource: static` needs `accessKeyId` and `secretAccessKey`");
  });

  it("rejects keys together with use_iam_profile: true", () => {
    expect(configError({ use_iam_profile: true, access_key_id: KEYS.accessKeyId, secret_access_key: KEYS.secretAccessKey }).message).toContain(
      "`use_iam_profile: true` takes credentials from the role attached to where this runs (web identity, container, instance profile), but `access_key_id`, `secret_access_key` are set too",
    );
  });

  it("rejects useIamProfile together with credentialsSource", () => {
    expect(configError({ useIamProfile: true, credentialsSource: "env_or_profile" }).message).toContain("are both set; use one");
  });

  it("rejects keys together with env_or_profile", () => {
    expect(configError({ credentialsSource: "env_or_profile", ...KEYS }).message).toContain("or use `credentialsSource: static`");
  });

  it("rejects a secret without a key id", () => {
    expect(configError({ secret_access_key: KEYS.secretAccessKey }).message).toContain("`secret_access_key` is set but `access_key_id` is not");
  });

  it("rejects a key id without a secret", () => {
    expect(configError({ accessKeyId: KEYS.accessKeyId }).message).toContain("`accessKeyId` is set but `secretAccessKey` is not");
  });

  it("rejects a session token without keys", () => {
    expect(configError({ sessionToken: "token-1" }).message).toContain("`sessionToken` is set without `accessKeyId` and `secretAccessKey`");
  });

  it("rejects a string where a boolean belongs, naming the type", () => {
    expect(configError({ use_iam_profile: "true" }).message).toContain("`use_iam_profile` must be true or false, got a string");
  });

  it("rejects a number where a key belongs", () => {
    expect(configError({ accessKeyId: 12345, secretAccessKey: "x" }).message).toContain("`accessKeyId` must be a string, got a number");
  });

  it("rejects a key with whitespace in it, showing only the key id's last four characters", () => {
    const message = configError({ accessKeyId: `${KEYS.accessKeyId}\n`, secretAccessKey: KEYS.secretAccessKey }).message;
    expect(message).toContain("`accessKeyId` (…7Q2W) contains whitespace");
    expect(message).not.toContain(KEYS.accessKeyId);
  });

  it("says nothing is configured for an empty config, and how to configure it", () => {
    expect(configError({}).message).toContain("no credential source is configured; set `credentialsSource: env_or_profile`");
  });

  it("rejects a misspelt key and suggests the right one", () => {
    expect(configError({ use_iam_profil: true }).message).toContain("unknown key `use_iam_profil`; did you mean `use_iam_profile`?");
  });

  it("rejects an unknown key and lists the known ones", () => {
    expect(configError({ useIamProfile: true, region: "eu-west-1" }).message).toMatch(/unknown key `region`; the known keys are `useIamProfile`, /);
  });

  it("rejects a top-level role_arn (BOSH's CPI has one) instead of silently serving the base identity", () => {
    for (const allowUnknownKeys of [false, true]) {
      const error = configError(
        { credentials_source: "env_or_profile", role_arn: "arn:aws:iam::123456789012:role/bosh", region: "us-east-1" },
        { ...isolated(), allowUnknownKeys },
      );
      expect(error.message).toContain("`role_arn` is a role setting, not read at the top level; put it under `assume_role`");
    }
  });

  it("rejects unknown keys inside assume_role even with allowUnknownKeys", () => {
    const error = configError(
      { credentials_source: "env_or_profile", assume_role: { role_arn: "arn:aws:iam::123456789012:role/x", sts_external_id: "tenant-42" } },
      { ...isolated(), allowUnknownKeys: true },
    );
    expect(error.message).toContain("sts_external_id");
  });

  it("never shows characters of a secret pasted after a key id", () => {
    const error = configError({ access_key_id: "AKIAEXAMPLEKEY000001 wJalrXUtnFEMIK7MDENGbPxRfiCY", secret_access_key: "x".repeat(40) });
    expect(error.message).toContain("(…0001) contains whitespace");
    expect(error.message).not.toContain("FEMI");
    expect(error.message).not.toContain("fiCY");
  });

  it("does not echo a long unknown credentials_source, which may be a secret put in the wrong key", () => {
    const secretLike = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY01";
    expect(configError({ credentials_source: secretLike }).message).not.toContain(secretLike);
  });

  it("lets unrelated keys through with allowUnknownKeys, but still rejects a misspelt one", () => {
    expect(() => fromConfig({ useIamProfile: true, region: "eu-west-1" } as CredentialsConfig, { ...isolated(), allowUnknownKeys: true })).not.toThrow();
    expect(configError({ credentials_sourse: "env_or_profile", region: "eu-west-1" }, { ...isolated(), allowUnknownKeys: true }).message).toContain(
      "did you mean `credentials_source`?",
    );
  });

  it("rejects a setting given under two spellings", () => {
    expect(configError({ useIamProfile: true, use_iam_profile: true }).message).toContain("`useIamProfile` and `use_iam_profile` are the same setting");
  });

  it("rejects a config that is not an object", () => {
    expect(configError(["use_iam_profile"]).message).toContain("expected an object of credential settings, got an array");
  });

  it("rejects a malformed role ARN, naming the key as written", () => {
    expect(configError({ use_iam_profile: true, assume_role: { role_arn: "role/deploy" } }).message).toContain(
      "`assume_role.role_arn` must look like arn:aws:iam::123456789012:role/name",
    );
  });

  it("rejects an assume_role without a role ARN", () => {
    expect(configError({ use_iam_profile: true, assume_role: { external_id: "tenant-42" } }).message).toContain("`assume_role.role_arn` is required");
  });

  it("rejects a bad ExternalId without echoing it", () => {
    const message = configError({ useIamProfile: true, assumeRole: { roleArn: ROLE_ARN, externalId: "has spaces in it" } }).message;
    expect(message).toContain("`assumeRole.externalId` must be 2–1224 characters");
    expect(message).not.toContain("has spaces in it");
  });

  it("rejects a duration out of STS's range", () => {
    expect(configError({ useIamProfile: true, assumeRole: { roleArn: ROLE_ARN, durationSeconds: 60 } }).message).toContain(
      "`assumeRole.durationSeconds` must be a whole number of seconds from 900 to 43200, got 60",
    );
  });

  it("lists every problem in one error", () => {
    const message = configError({ credentials_source: "bogus", secret_access_key: "s", use_iam_profil: true }).message;
    expect(message.split("; ").length).toBeGreaterThanOrEqual(3);
  });

  it("throws a TypeError for invalid code-level options, as every function of the library does", () => {
    expect(() => fromConfig({ useIamProfile: true }, { allowUnknownKeys: "yes" as unknown as boolean })).toThrow(TypeError);
  });

  it("never puts a secret or session token in an error message", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9/+]{8,40}$/),
        fc.stringMatching(/^[A-Za-z0-9/+]{8,40}$/),
        fc.constantFrom<Record<string, unknown>>(
          { use_iam_profile: true },
          { credentials_source: "env_or_profile" },
          { credentials_source: "bogus" },
          {},
        ),
        (secret, token, base) => {
          const message = configError({ ...base, secret_access_key: secret, session_token: token }).message;
          return !message.includes(secret) && !message.includes(token);
        },
      ),
    );
  });
});
