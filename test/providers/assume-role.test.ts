import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import type { AwsCredentialIdentity } from "@smithy/types";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CredentialsError } from "../../src/errors.js";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { envOrProfile } from "../../src/env-or-profile.js";
import { memoize } from "../../src/memoize.js";
import { fromAssumeRole, type AssumeRoleOptions } from "../../src/providers/assume-role.js";
import { resetSharedState } from "../../src/sharing/process-state.js";
import { manualClock, type ManualClock } from "../../src/testing/manual-clock.js";
import { startStsEmulator, type StsEmulator, type StsEmulatorOptions } from "../../src/testing/sts-emulator.js";

const ROLE = "arn:aws:iam::123456789012:role/deploy";
const EXTERNAL_ID = "tenant-42";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYBASESECRET";
const TOKEN = "IQoJb3JpZ2luX2VjBASE-SESSION-TOKEN";
const BASE = { accessKeyId: "AKIAIOSFODNN7BASE001", secretAccessKey: SECRET, sessionToken: TOKEN };

let sts: StsEmulator;
let clock: ManualClock;
let sourceCalls: number;

const staticSource = async (): Promise<AwsCredentialIdentity> => {
  sourceCalls += 1;
  return { ...BASE };
};

/** Starts this test's STS; it requires {@link EXTERNAL_ID} unless `requireExternalId` is false. */
async function start(options: StsEmulatorOptions = {}, requireExternalId = true): Promise<StsEmulator> {
  sts = await startStsEmulator({ baseCredentials: [BASE], clock, ...(requireExternalId ? { externalId: EXTERNAL_ID } : {}), ...options });
  return sts;
}

async function restartWithoutExternalId(): Promise<void> {
  await sts.close();
  await start({}, false);
}

type LooseOptions = { [K in keyof AssumeRoleOptions]?: AssumeRoleOptions[K] | undefined };

/** A provider against the emulator, with the static base source and this test's own clock (one attempt per call, no cache). */
function provider(options: LooseOptions = {}) {
  const merged: LooseOptions = {
    roleArn: ROLE,
    externalId: EXTERNAL_ID,
    endpoint: sts.endpoint,
    region: "eu-west-1",
    source: staticSource,
    clock,
    timeoutMs: 2_000,
    ...options,
  };
  // `undefined` means "leave the option out" (exactOptionalPropertyTypes forbids passing it).
  return fromAssumeRole(Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)) as unknown as AssumeRoleOptions);
}

/** The provider memoized, as users run it: on this test's clock, no jitter, quick retries. */
function memoized(options: LooseOptions = {}) {
  return memoize(provider(options), { clock, random: NO_JITTER, retry: { retries: 2, minTimeout: 1, maxTimeout: 2 } });
}
const NO_JITTER = (): number => 0;

async function failure(promise: Promise<unknown>): Promise<CredentialsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof CredentialsError)) {
    throw new Error(`expected a CredentialsError, got ${inspect(error)}`);
  }
  return error;
}

/** Every way an error can be shown. */
function renderings(error: CredentialsError): string {
  return [error.message, error.stack ?? "", JSON.stringify(error), inspect(error, { depth: 10 }), String(error)].join("\n");
}

beforeEach(async () => {
  clock = manualClock();
  sourceCalls = 0;
  await start();
});

afterEach(async () => {
  await sts.close();
});

describe("fromAssumeRole", () => {
  describe("assuming the role", () => {
    it("returns the credential STS issued, with the role's account id", async () => {
      const credential = await provider()();
      const issued = sts.issued[0];
      expect(credential).toEqual({
        accessKeyId: issued?.accessKeyId,
        secretAccessKey: issued?.secretAccessKey,
        sessionToken: issued?.sessionToken,
        expiration: new Date(clock.now() + 3_600_000),
        accountId: "123456789012",
      });
    });

    it("sends the role ARN, ExternalId, session name and duration as configured", async () => {
      await provider({ roleSessionName: "ci-run-7", durationSeconds: 900 })();
      expect(sts.lastRequest).toMatchObject({ roleArn: ROLE, externalId: EXTERNAL_ID, roleSessionName: "ci-run-7", durationSeconds: 900 });
    });

    it("defaults the session name to a valid env-or-profile@<host> name", async () => {
      await provider()();
      expect(sts.lastRequest?.roleSessionName).toMatch(/^env-or-profile(@[\w+=,.@-]+)?$/);
      expect(sts.lastRequest?.roleSessionName?.length).toBeLessThanOrEqual(64);
    });

    it("signs AssumeRole with the base key and sends the base session token", async () => {
      await provider()();
      expect(sts.lastRequest).toMatchObject({ accessKeyId: BASE.accessKeyId, sessionToken: TOKEN, signatureValid: true });
    });

    it("omits ExternalId when none is configured", async () => {
      await restartWithoutExternalId();
      await provider({ externalId: undefined })();
      expect(sts.lastRequest?.externalId).toBeUndefined();
    });
  });

  describe("the default source and the environment", () => {
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    /** Sets (or, for `undefined`, removes) variables until the test ends. */
    function setEnv(values: Record<string, string | undefined>): void {
      for (const [name, value] of Object.entries(values)) {
        vi.stubEnv(name, value);
      }
    }

    it("reads the region and AWS_ENDPOINT_URL_STS from the `env` option instead of process.env when given", async () => {
      setEnv({ AWS_ENDPOINT_URL_STS: "http://127.0.0.1:1", AWS_REGION: "eu-west-1" });
      const credentials = provider({ endpoint: undefined, region: undefined, env: { AWS_ENDPOINT_URL_STS: sts.endpoint, AWS_REGION: "ap-south-1" } });
      await credentials();
      expect(sts.lastRequest).toMatchObject({ region: "ap-south-1", signatureValid: true });
    });

    it("signs with base credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN", async () => {
      setEnv({ AWS_ACCESS_KEY_ID: BASE.accessKeyId, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN, AWS_CREDENTIAL_EXPIRATION: undefined });
      const credential = await fromAssumeRole({ roleArn: ROLE, externalId: EXTERNAL_ID, endpoint: sts.endpoint, clock })();
      expect(credential.accessKeyId).toBe(sts.issued[0]?.accessKeyId);
      expect(sts.lastRequest).toMatchObject({ accessKeyId: BASE.accessKeyId, sessionToken: TOKEN, signatureValid: true });
    });

    it("takes the endpoint from AWS_ENDPOINT_URL_STS and the region from AWS_REGION", async () => {
      setEnv({ AWS_ENDPOINT_URL_STS: sts.endpoint, AWS_REGION: "ap-southeast-2", AWS_DEFAULT_REGION: "eu-central-1" });
      await fromAssumeRole({ roleArn: ROLE, externalId: EXTERNAL_ID, source: staticSource, clock })();
      expect(sts.lastRequest?.region).toBe("ap-southeast-2");
    });

    it("falls back to AWS_DEFAULT_REGION when AWS_REGION is unset", async () => {
      setEnv({ AWS_REGION: undefined, AWS_DEFAULT_REGION: "eu-central-1" });
      await fromAssumeRole({ roleArn: ROLE, externalId: EXTERNAL_ID, endpoint: sts.endpoint, source: staticSource, clock })();
      expect(sts.lastRequest?.region).toBe("eu-central-1");
    });

    it("signs for us-east-1 when no region is configured anywhere", async () => {
      setEnv({ AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined });
      await fromAssumeRole({ roleArn: ROLE, externalId: EXTERNAL_ID, endpoint: sts.endpoint, source: staticSource, clock })();
      expect(sts.lastRequest?.region).toBe("us-east-1");
    });

    it("reads process.env on the first AssumeRole, not when created: a malformed AWS_REGION fails that call with CONFIG_INVALID", async () => {
      setEnv({ AWS_REGION: "not a region!" });
      const credentials = fromAssumeRole({ roleArn: ROLE, externalId: EXTERNAL_ID, endpoint: sts.endpoint, source: staticSource, clock });
      const error = await failure(credentials());
      expect(error).toMatchObject({ code: "CONFIG_INVALID", tryNextLink: false });
      expect(error.message).toMatch(/AWS_REGION/);
      expect(sts.calls).toBe(0);
    });

    it("prefers the region option over AWS_REGION", async () => {
      setEnv({ AWS_REGION: "ap-southeast-2" });
      await provider({ region: "sa-east-1" })();
      expect(sts.lastRequest?.region).toBe("sa-east-1");
    });
  });

  describe("validation, before any request", () => {
    const invalid: [string, LooseOptions, RegExp][] = [
      ["a role ARN in an unknown partition", { roleArn: "arn:aws-xx:iam::123456789012:role/deploy" }, /roleArn/],
      ["a role ARN with an 11-digit account", { roleArn: "arn:aws:iam::12345678901:role/deploy" }, /roleArn/],
      ["a user ARN instead of a role ARN", { roleArn: "arn:aws:iam::123456789012:user/deploy" }, /roleArn/],
      ["a role ARN with a region", { roleArn: "arn:aws:iam:us-east-1:123456789012:role/deploy" }, /roleArn/],
      ["a role ARN without a name", { roleArn: "arn:aws:iam::123456789012:role/" }, /roleArn/],
      ["a one-character ExternalId", { externalId: "x" }, /externalId/],
      ["an ExternalId longer than 1224 characters", { externalId: "x".repeat(1225) }, /externalId/],
      ["an ExternalId with a space", { externalId: "tenant 42" }, /externalId/],
      ["a one-character session name", { roleSessionName: "a" }, /roleSessionName/],
      ["a session name longer than 64 characters", { roleSessionName: "a".repeat(65) }, /roleSessionName/],
      ["a session name with a colon", { roleSessionName: "ci:run" }, /roleSessionName/],
      ["a duration under 900 seconds", { durationSeconds: 899 }, /durationSeconds/],
      ["a duration over 43200 seconds", { durationSeconds: 43_201 }, /durationSeconds/],
      ["plain http to a real AWS endpoint", { endpoint: "http://sts.eu-west-1.amazonaws.com" }, /https for an AWS endpoint/],
      ["a fractional duration", { durationSeconds: 1000.5 }, /durationSeconds/],
      ["a region that is not one", { region: "EU West 1" }, /region/],
      ["an endpoint that is not an http(s) URL", { endpoint: "ftp://sts.example" }, /endpoint/],
      ["a zero timeout", { timeoutMs: 0 }, /timeoutMs/],
      ["an option of earlier versions, with why it is gone", { cache: false } as LooseOptions, /Unknown option `cache`.*memoize/],
      ["a misspelt option, with a suggestion", { externalID: "tenant-42" } as LooseOptions, /Unknown option `externalID`.*did you mean `externalId`/],
      ["more than 50 session tags", { tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])) }, /at most 50 tags/],
      ["a transitive tag key that is not a session tag", { tags: { team: "a" }, transitiveTagKeys: ["project"] }, /transitiveTagKeys/],
      ["a source identity starting with aws:", { sourceIdentity: "aws:admin" }, /sourceIdentity/],
      ["an inline policy that is not JSON", { policy: "{not json" }, /policy/],
      ["more than 10 policy ARNs", { policyArns: Array.from({ length: 11 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`) }, /policyArns/],
      ["an MFA code provider without an MFA device", { mfaCodeProvider: async () => "123456" }, /mfaSerial/],
    ];

    it.each(invalid)("rejects %s with a TypeError naming the option, making no request", (_, bad, name) => {
      expect(() => provider(bad)).toThrow(TypeError);
      expect(() => provider(bad)).toThrow(name);
      expect(sts.calls).toBe(0);
      expect(sourceCalls).toBe(0);
    });

    it("accepts the aws-cn and aws-us-gov partitions and role paths", () => {
      expect(() => provider({ roleArn: "arn:aws-cn:iam::123456789012:role/deploy" })).not.toThrow();
      expect(() => provider({ roleArn: "arn:aws-us-gov:iam::123456789012:role/team/ci/deploy" })).not.toThrow();
    });

    it("accepts ExternalIds of 2 and 1224 characters with : and /", () => {
      expect(() => provider({ externalId: "ab" })).not.toThrow();
      expect(() => provider({ externalId: `a:b/${"c".repeat(1220)}` })).not.toThrow();
    });

    it("does not echo the ExternalId in its TypeError", () => {
      let message = "";
      try {
        provider({ externalId: "secret ish value" });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/externalId/);
      expect(message).not.toContain("ish value");
    });
  });

  describe("failures", () => {
    it("reports a wrong ExternalId as STS_ACCESS_DENIED naming the role, the trust policy and the request id", async () => {
      const error = await failure(provider({ externalId: "tenant-43" })());
      expect(error).toMatchObject({ code: "STS_ACCESS_DENIED", source: "assume-role", tryNextLink: false, retryable: false });
      expect(error.message).toContain(ROLE);
      expect(error.message).toContain("sts:ExternalId");
      expect(error.message).toContain("sts:AssumeRole");
      expect(error.message).toContain(sts.lastRequest?.requestId);
    });

    it("bounds the whole call by timeoutMs, even when STS trickles its answer a byte at a time", async () => {
      const trickle = createServer((request, response) => {
        request.resume();
        response.writeHead(200, { "content-type": "text/xml" });
        const timer = setInterval(() => response.write(" "), 20);
        response.on("close", () => clearInterval(timer));
      });
      await new Promise<void>((resolve) => trickle.listen(0, "127.0.0.1", resolve));
      try {
        const started = Date.now();
        const error = await failure(provider({ endpoint: `http://127.0.0.1:${(trickle.address() as AddressInfo).port}`, timeoutMs: 300 })());
        expect(error).toMatchObject({ code: "STS_ERROR", retryable: true });
        expect(Date.now() - started).toBeLessThan(2_000);
      } finally {
        trickle.closeAllConnections();
        await new Promise((resolve) => trickle.close(resolve));
      }
    });

    it("remembers nothing: the next call after an AccessDenied asks STS again (a fixed trust policy is seen at once)", async () => {
      const credentials = provider({ externalId: "tenant-43" });
      await failure(credentials());
      await failure(credentials());
      expect(sts.calls).toBe(2);
    });

    it("reports a wrong base secret, caught by the signature check, as STS_INVALID_BASE_CREDENTIALS", async () => {
      const error = await failure(provider({ source: async () => ({ ...BASE, secretAccessKey: `${SECRET}-wrong` }) })());
      expect(sts.lastRequest?.errorCode).toBe("SignatureDoesNotMatch");
      expect(error).toMatchObject({ code: "STS_INVALID_BASE_CREDENTIALS", tryNextLink: false, retryable: false });
    });

    it("reports Throttling as STS_THROTTLED and retryable", async () => {
      sts.injectFault({ kind: "throttling" });
      expect(await failure(provider()())).toMatchObject({ code: "STS_THROTTLED", retryable: true, tryNextLink: false });
    });

    it("does not remember a throttling failure", async () => {
      sts.injectFault({ kind: "throttling" });
      const credentials = provider();
      await failure(credentials());
      await credentials();
      expect(sts.calls).toBe(2);
    });

    it.each([500, 503])("reports HTTP %i as STS_ERROR and retryable", async (status) => {
      sts.injectFault({ kind: "server-error", status });
      expect(await failure(provider()())).toMatchObject({ code: "STS_ERROR", retryable: true });
    });

    it("reports malformed XML as STS_BAD_RESPONSE", async () => {
      sts.injectFault({ kind: "malformed" });
      expect(await failure(provider()())).toMatchObject({ code: "STS_BAD_RESPONSE", retryable: false });
    });

    it("reports an answer without Credentials as STS_BAD_RESPONSE", async () => {
      sts.injectFault({ kind: "missing-credentials" });
      expect(await failure(provider()())).toMatchObject({ code: "STS_BAD_RESPONSE" });
    });

    it("gives up on a hanging STS after timeoutMs, as retryable STS_ERROR", async () => {
      sts.injectFault({ kind: "hang" });
      expect(await failure(provider({ timeoutMs: 100 })())).toMatchObject({ code: "STS_ERROR", retryable: true });
    });

    it("reports an unreachable STS as retryable STS_ERROR", async () => {
      const credentials = provider();
      await sts.close();
      expect(await failure(credentials())).toMatchObject({ code: "STS_ERROR", retryable: true });
      await start();
    });

    it("says the base credentials failed when the source fails, keeping the cause; a retryable cause is retried once, by the source's own memoize", async () => {
      let calls = 0;
      const cause = new CredentialsError("IMDS timed out", { source: "imds", code: "IMDS_TIMEOUT", retryable: true });
      const error = await failure(
        provider({
          source: async () => {
            calls += 1;
            throw cause;
          },
        })(),
      );
      // The plain function is memoized as the role's base (as an SDK client memoizes its
      // credentials): its memoize made 3 attempts, so the role step's failure is not retryable again.
      expect(error).toMatchObject({ code: "STS_SOURCE_FAILED", tryNextLink: false, retryable: false, cause });
      expect(calls).toBe(3);
      expect(error.message).toMatch(/base credentials/);
      expect(sts.calls).toBe(0);
    });

    it("keeps a retryable base failure retryable when the base is a provider that does not retry (marked memoized, as an SDK client's)", async () => {
      const cause = new CredentialsError("IMDS timed out", { source: "imds", code: "IMDS_TIMEOUT", retryable: true });
      const source = Object.assign(
        async () => {
          throw cause;
        },
        { memoized: true as const },
      );
      const error = await failure(provider({ source })());
      expect(error).toMatchObject({ code: "STS_SOURCE_FAILED", retryable: true, cause });
    });

    it("never shows a base or issued secret, token or full key id in any error", async () => {
      const errors: CredentialsError[] = [];
      errors.push(await failure(provider({ externalId: "tenant-43" })()));
      errors.push(await failure(provider({ source: async () => ({ ...BASE, secretAccessKey: `${SECRET}-x` }) })()));
      for (const fault of [{ kind: "throttling" }, { kind: "server-error" }, { kind: "malformed" }, { kind: "missing-credentials" }] as const) {
        sts.injectFault(fault);
        errors.push(await failure(provider()()));
      }
      errors.push(
        await failure(
          provider({
            source: async () => {
              throw new CredentialsError("no base", { source: "env", code: "ENV_INVALID" });
            },
          })(),
        ),
      );
      const issuedSecrets = sts.issued.flatMap((c) => [c.secretAccessKey, c.sessionToken]);
      for (const error of errors) {
        const text = renderings(error);
        for (const secret of [SECRET, TOKEN, BASE.accessKeyId, ...issuedSecrets]) {
          expect(text).not.toContain(secret);
        }
      }
    });
  });

  describe("shared through memoize", () => {
    it("serves N memoized providers for the same role and base from one AssumeRole", async () => {
      const providers = Array.from({ length: 20 }, () => memoized());
      for (const p of providers) {
        await p();
      }
      expect(sts.calls).toBe(1);
    });

    it("shares one in-flight AssumeRole among thousands of concurrent first calls, memoized or not", async () => {
      sts.injectFault({ kind: "delay", ms: 20 });
      const memoizedOnes = Array.from({ length: 10 }, () => memoized());
      const rawOnes = Array.from({ length: 10 }, () => provider());
      const results = await Promise.all(Array.from({ length: 2_000 }, (_, i) => (i % 2 === 0 ? memoizedOnes[i % 10]! : rawOnes[i % 10]!)()));
      expect(sts.calls).toBe(1);
      expect(new Set(results.map((c) => c.accessKeyId)).size).toBe(1);
    });

    it("makes a request on every call when not memoized (one attempt, nothing kept)", async () => {
      const credentials = provider();
      await credentials();
      await credentials();
      expect(sts.calls).toBe(2);
    });

    it("makes a separate AssumeRole for a different base identity", async () => {
      const other = { accessKeyId: "AKIAIOSFODNN7BASE002", secretAccessKey: `${SECRET}-2` };
      sts.setBaseCredentials([BASE, other]);
      await memoized()();
      await memoized({ source: async () => other })();
      expect(sts.calls).toBe(2);
    });

    it("makes a separate AssumeRole for a different ExternalId, session name, duration, tags or policy", async () => {
      await restartWithoutExternalId();
      await memoized()();
      await memoized({ externalId: "tenant-7" })();
      await memoized({ roleSessionName: "other-session" })();
      await memoized({ durationSeconds: 7200 })();
      await memoized({ tags: { team: "data" } })();
      await memoized({ policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] })();
      expect(sts.calls).toBe(6);
    });

    it("serves from the cache until five minutes before expiration, then makes a new AssumeRole", async () => {
      const credentials = memoized();
      const first = await credentials();
      clock.advance(3_600_000 - 300_000 - 1);
      expect((await credentials()).accessKeyId).toBe(first.accessKeyId);
      expect(sts.calls).toBe(1);
      clock.advance(1);
      expect((await credentials()).accessKeyId).not.toBe(first.accessKeyId);
      expect(sts.calls).toBe(2);
    });

    it("honours memoize's refresh window", async () => {
      const credentials = memoize(provider(), { clock, random: NO_JITTER, refreshWindowMs: 900_000 });
      await credentials();
      clock.advance(3_600_000 - 900_000);
      await credentials();
      expect(sts.calls).toBe(2);
    });

    it("lets a memoize around it refresh in the background, before callers must wait", async () => {
      const credentials = memoize(provider(), { clock, random: () => 0.999_999 });
      const first = await credentials();
      clock.set(first.expiration!.getTime() - 9 * 60_000); // inside memoize's jitter band
      expect(await credentials()).toEqual(first); // answered at once…
      await vi.waitFor(() => expect(sts.calls).toBe(2)); // …while the refresh reaches STS
    });

    it("keeps 150 tenants' roles polled in turn, a new provider per call, all shared (the registry's bound is above the cycle)", async () => {
      await restartWithoutExternalId();
      const roles = Array.from({ length: 150 }, (_, i) => `arn:aws:iam::123456789012:role/tenant-${i}`);
      for (const roleArn of roles) await memoized({ roleArn, externalId: undefined })();
      expect(sts.calls).toBe(150);
      for (const roleArn of roles) await memoized({ roleArn, externalId: undefined })();
      expect(sts.calls).toBe(150);
    });

    it("makes a new AssumeRole after resetSharedState(), even for a provider holding its credential (its next refresh)", async () => {
      const credentials = memoized();
      await credentials();
      resetSharedState();
      await memoized()();
      expect(sts.calls).toBe(2);
    });

    it("hands callers a frozen credential, so one caller's change cannot reach another", async () => {
      const a = await memoized()();
      expect(() => a.expiration?.setTime(0)).toThrow(/read-only/);
      expect(() => {
        (a as { sessionToken?: string }).sessionToken = "changed";
      }).toThrow(TypeError);
      const b = await memoized()();
      expect(b.expiration?.getTime()).toBeGreaterThan(clock.now());
      expect(b.sessionToken).toBe(sts.issued[0]?.sessionToken);
    });

    it("hands out a credential an SDK client takes as static credentials (the SDK marks it in $source)", async () => {
      const issued = await provider()();
      const client = new STSClient({ region: "eu-west-1", endpoint: sts.endpoint, credentials: issued });
      const identity = await client.send(new GetCallerIdentityCommand({}));
      expect(identity.Arn).toContain("assumed-role");
      client.destroy();
    });
  });

  describe("logging", () => {
    it("logs one debug line per AssumeRole, with the key id cut to four characters and no secret", async () => {
      const lines: string[] = [];
      const logger = { debug: (line: string) => lines.push(line) };
      await provider({ logger })();
      await failure(provider({ logger, externalId: "tenant-43" })());
      expect(lines.filter((line) => line.includes("assume-role"))).toEqual([
        expect.stringMatching(/assume-role: assumed .*…/),
        expect.stringMatching(/assume-role: .* failed: STS_ACCESS_DENIED/),
      ]);
      const text = lines.join("\n");
      for (const secret of [SECRET, TOKEN, BASE.accessKeyId, ...sts.issued.flatMap((c) => [c.secretAccessKey, c.sessionToken])]) {
        expect(text).not.toContain(secret);
      }
    });
  });

  describe("one attempt per call; memoize is the one retry layer", () => {
    it("makes one attempt on its own, however retryable the failure", async () => {
      sts.injectFault({ kind: "throttling" }, 2);
      expect(await failure(provider()())).toMatchObject({ code: "STS_THROTTLED", retryable: true });
      expect(sts.calls).toBe(1);
    });

    it("memoized, retries Throttling and then succeeds, as the SDK's fromTemporaryCredentials does", async () => {
      sts.injectFault({ kind: "throttling" }, 2);
      const credential = await memoized()();
      expect(credential.accessKeyId).toBe(sts.issued[0]?.accessKeyId);
      expect(sts.calls).toBe(3);
    });

    it("memoized, retries a 5xx but gives up after three attempts", async () => {
      sts.injectFault({ kind: "server-error", status: 503 }, 5);
      expect(await failure(memoized()())).toMatchObject({ code: "STS_ERROR", retryable: true });
      expect(sts.calls).toBe(3);
    });

    it("memoized, does not retry an AccessDenied", async () => {
      expect(await failure(memoized({ externalId: "tenant-43" })())).toMatchObject({ code: "STS_ACCESS_DENIED" });
      expect(sts.calls).toBe(1);
    });

    it("inside envOrProfile({ assumeRole }) makes retries + 1 requests in all, not (retries + 1)²", async () => {
      sts.injectFault({ kind: "throttling" }, 20);
      const credentials = envOrProfile({
        env: { env: { AWS_ACCESS_KEY_ID: BASE.accessKeyId, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN } },
        profile: false,
        webIdentity: false,
        container: false,
        imds: false,
        clock,
        retry: { retries: 2, minTimeout: 1, maxTimeout: 2 },
        assumeRole: { roleArn: ROLE, externalId: EXTERNAL_ID, endpoint: sts.endpoint, region: "eu-west-1" },
      });
      expect(await failure(credentials())).toMatchObject({ code: "STS_THROTTLED" });
      expect(sts.calls).toBe(3);
    });

    it("a base whose own memoize spent its retries is not retried again by the role step's", async () => {
      let baseCalls = 0;
      const base = memoize(
        async () => {
          baseCalls += 1;
          throw new CredentialsError("IMDS answered 500", { source: "imds", code: "IMDS_HTTP_ERROR", retryable: true, tryNextLink: false });
        },
        { clock, retry: { retries: 2, minTimeout: 1, maxTimeout: 2 } },
      );
      const error = await failure(memoized({ source: base })());
      expect(error).toMatchObject({ code: "STS_SOURCE_FAILED" });
      expect(baseCalls).toBe(3);
      expect(sts.calls).toBe(0);
    });

    it("takes memoize's retry options", async () => {
      sts.injectFault({ kind: "throttling" }, 20);
      await failure(memoize(provider(), { clock, retry: { retries: 4, minTimeout: 1, maxTimeout: 2 } })());
      expect(sts.calls).toBe(5);
    });
  });

  describe("rotated base keys (issue 12, item 7)", () => {
    const NEW_BASE = { accessKeyId: "AKIAIOSFODNN7BASE002", secretAccessKey: `${SECRET}-rotated`, sessionToken: `${TOKEN}-rotated` };

    afterEach(() => {
      vi.unstubAllEnvs();
    });

    function setEnvKeys(keys: { accessKeyId: string; secretAccessKey: string; sessionToken: string }): void {
      vi.stubEnv("AWS_ACCESS_KEY_ID", keys.accessKeyId);
      vi.stubEnv("AWS_SECRET_ACCESS_KEY", keys.secretAccessKey);
      vi.stubEnv("AWS_SESSION_TOKEN", keys.sessionToken);
      vi.stubEnv("AWS_CREDENTIAL_EXPIRATION", undefined);
    }

    it.each([
      ["a new key id (STS: InvalidClientTokenId)", NEW_BASE],
      ["a new secret for the same key id (STS: SignatureDoesNotMatch)", { ...NEW_BASE, accessKeyId: BASE.accessKeyId }],
    ])("an existing provider reads the environment again after %s", async (_, rotated) => {
      setEnvKeys(BASE);
      const credentials = fromAssumeRole({ roleArn: ROLE, externalId: EXTERNAL_ID, endpoint: sts.endpoint, region: "eu-west-1", clock });
      await credentials();
      setEnvKeys(rotated);
      sts.setBaseCredentials([rotated]);
      clock.advance(55 * 60_000); // past the cached credential's refresh point: a new AssumeRole is due

      const credential = await credentials();
      expect(credential.accessKeyId).toBe(sts.issued.at(-1)?.accessKeyId);
      expect(sts.lastRequest).toMatchObject({ accessKeyId: rotated.accessKeyId, signatureValid: true });
    });

    it("an existing envOrProfile({ assumeRole }) provider recovers after STS says ExpiredToken for the old keys", async () => {
      setEnvKeys(BASE);
      const credentials = envOrProfile({ imds: false, clock, assumeRole: { roleArn: ROLE, externalId: EXTERNAL_ID, endpoint: sts.endpoint, region: "eu-west-1" } });
      await credentials();
      setEnvKeys(NEW_BASE);
      sts.setBaseCredentials([NEW_BASE]);
      sts.injectFault({ kind: "expired-token" }, 1);
      clock.advance(56 * 60_000);

      const credential = await credentials();
      expect(credential.accessKeyId).toBe(sts.issued.at(-1)?.accessKeyId);
      expect(sts.lastRequest).toMatchObject({ accessKeyId: NEW_BASE.accessKeyId, signatureValid: true });
    });

    it("keeps reporting the rejection when the source still has the rejected keys", async () => {
      setEnvKeys(BASE);
      const credentials = fromAssumeRole({ roleArn: ROLE, externalId: EXTERNAL_ID, endpoint: sts.endpoint, region: "eu-west-1", clock });
      sts.setBaseCredentials([NEW_BASE]);
      expect(await failure(credentials())).toMatchObject({ code: "STS_INVALID_BASE_CREDENTIALS" });
      expect(sts.calls).toBe(1);
    });
  });
});
