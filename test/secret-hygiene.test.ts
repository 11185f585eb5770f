/*
 * Secret hygiene, end to end: one walk through every error path the library has (environment,
 * IMDS, STS, the chain, memoize, the config parser), collecting each error and every log line, and
 * then one check that no secret, session token, IMDS token or full access key id appears in any
 * rendering of any of them — message, stack, the whole cause chain (recursively, `errors` arrays
 * included), `util.inspect` with `depth: Infinity` and `showHidden`, `JSON.stringify`, and every
 * string held in an own property. The logger sees healthy runs, refreshes, background-refresh
 * failures, grace and failures.
 */
import type { AwsCredentialIdentity } from "@smithy/types";
import { afterEach, describe, expect, it } from "vitest";
import { fromConfig, type CredentialsConfig } from "../src/config.js";
import { CredentialsError, type CredentialsErrorCode } from "../src/errors.js";
import { envOrProfile } from "../src/env-or-profile.js";
import { memoize } from "../src/memoize.js";
import type { ImdsOptions } from "../src/providers/imds/from-imds.js";
import { readInstanceProfile } from "../src/providers/imds/read-instance-profile.js";
import { startImdsEmulator, type ImdsEmulator } from "../src/testing/imds-emulator.js";
import { manualClock, type ManualClock } from "../src/testing/manual-clock.js";
import { resetSharedState } from "../src/sharing/process-state.js";
import { startStsEmulator, type StsEmulator, type StsFault } from "../src/testing/sts-emulator.js";
import { collectingLogger, expectNoSecrets, rawServer, renderEverything } from "./helpers/leak-check.js";
import { closedPortEndpoint } from "./providers/imds/helpers.js";

const MINUTE = 60_000;
const ROLE_LIST = "/latest/meta-data/iam/security-credentials/";
const TOKEN_PATH = "/latest/api/token";
const ROLE_ARN = "arn:aws:iam::123456789012:role/hygiene";
const EXTERNAL_ID = "hygiene-EXTERNAL-ID-7Qm2";
const PLANTED = "PLANTED/SECRET+hygiene9Zk";
const ENV_KEY_ID = "AKIAHYGIENEENV000001";
const ENV_SECRET = "env/SECRET/hygiene+wJalrXUtnFEMIK7MDENG";
const ENV_TOKEN = "env-SESSION-TOKEN-hygiene-IQoJb3JpZ2luX2Vj";
const QUICK = { retry: { retries: 1, minTimeout: 1, maxTimeout: 2 }, jitter: false as const };

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  resetSharedState();
});

describe("secret hygiene", () => {
  it("keeps every secret out of every error path and every log line", async () => {
    const errors: { path: string; error: unknown }[] = [];
    const secrets = new Set<string>([PLANTED, ENV_SECRET, ENV_TOKEN, ENV_KEY_ID, EXTERNAL_ID]);
    const logger = collectingLogger();

    /** Runs `attempt`, which must fail, and keeps the error under `path`. */
    const expectFailure = async (path: string, attempt: () => Promise<unknown>): Promise<void> => {
      const outcome = await attempt().then(
        () => ({ failed: false as const }),
        (error: unknown) => ({ failed: true as const, error }),
      );
      expect(outcome.failed, `${path} should fail`).toBe(true);
      if (outcome.failed) errors.push({ path, error: outcome.error });
    };
    const expectThrow = (path: string, attempt: () => unknown): void => {
      try {
        attempt();
      } catch (error) {
        errors.push({ path, error });
        return;
      }
      expect.fail(`${path} should throw`);
    };
    const remember = (imds: ImdsEmulator): void => {
      for (const secret of [imds.current.secretAccessKey, imds.current.sessionToken, imds.current.accessKeyId, ...imds.issuedTokens]) secrets.add(secret);
    };
    const rememberSts = (sts: StsEmulator): void => {
      for (const c of sts.issued) for (const secret of [c.secretAccessKey, c.sessionToken, c.accessKeyId]) secrets.add(secret);
    };
    const startImds = async (clock: ManualClock): Promise<ImdsEmulator> => {
      const imds = await startImdsEmulator({ clock });
      closers.push(() => imds.close());
      remember(imds);
      return imds;
    };

    // --- The environment: half set, dirty, expired, malformed.
    const envCases: Record<string, Record<string, string>> = {
      "env: key id without secret": { AWS_ACCESS_KEY_ID: ENV_KEY_ID },
      "env: secret without key id": { AWS_SECRET_ACCESS_KEY: ENV_SECRET },
      "env: token without keys": { AWS_SESSION_TOKEN: ENV_TOKEN },
      "env: whitespace in the secret": { AWS_ACCESS_KEY_ID: ENV_KEY_ID, AWS_SECRET_ACCESS_KEY: `${ENV_SECRET}\n`, AWS_SESSION_TOKEN: ENV_TOKEN },
      "env: whitespace in the token": { AWS_ACCESS_KEY_ID: ENV_KEY_ID, AWS_SECRET_ACCESS_KEY: ENV_SECRET, AWS_SESSION_TOKEN: ` ${ENV_TOKEN}` },
      "env: expired": { AWS_ACCESS_KEY_ID: ENV_KEY_ID, AWS_SECRET_ACCESS_KEY: ENV_SECRET, AWS_SESSION_TOKEN: ENV_TOKEN, AWS_CREDENTIAL_EXPIRATION: "2001-01-01T00:00:00Z" },
      "env: expiration holding a secret": { AWS_ACCESS_KEY_ID: ENV_KEY_ID, AWS_SECRET_ACCESS_KEY: ENV_SECRET, AWS_CREDENTIAL_EXPIRATION: PLANTED },
      "env: account id holding a secret": { AWS_ACCESS_KEY_ID: ENV_KEY_ID, AWS_SECRET_ACCESS_KEY: ENV_SECRET, AWS_ACCOUNT_ID: PLANTED },
    };
    for (const [path, env] of Object.entries(envCases)) {
      await expectFailure(path, () => envOrProfile({ env: { env }, imds: false, clock: manualClock(), logger, ...QUICK })());
    }

    // --- IMDS: every bad answer, through the whole chain.
    const document = (imds: ImdsEmulator, changes: Record<string, unknown>): string =>
      JSON.stringify({
        Code: "Success",
        AccessKeyId: imds.current.accessKeyId,
        SecretAccessKey: imds.current.secretAccessKey,
        Token: imds.current.sessionToken,
        Expiration: imds.current.expiration.toISOString(),
        ...changes,
      });
    const imdsCases: { path: string; options?: ImdsOptions; arrange: (imds: ImdsEmulator, role: string) => void }[] = [
      { path: "imds: 500", arrange: (imds, role) => imds.fail(role, 500) },
      { path: "imds: 503", arrange: (imds, role) => imds.fail(role, 503) },
      { path: "imds: 429", arrange: (imds, role) => imds.fail(role, 429) },
      { path: "imds: 403", arrange: (imds, role) => imds.fail(role, 403) },
      { path: "imds: 401 twice", arrange: (imds, role) => imds.fail(role, 401) },
      { path: "imds: role 404 after discovery", arrange: (imds, role) => imds.fail(role, 404) },
      { path: "imds: truncated JSON", arrange: (imds, role) => imds.fail(role, "bad-json") },
      { path: "imds: cut after the secret", arrange: (imds, role) => imds.fail(role, { body: `{"SecretAccessKey":"${imds.current.secretAccessKey}","Token":"${PLANTED}` }) },
      { path: "imds: Code Failure", arrange: (imds, role) => imds.fail(role, { body: document(imds, { Code: "Failure" }) }) },
      { path: "imds: Code holding a secret", arrange: (imds, role) => imds.fail(role, { body: document(imds, { Code: PLANTED }) }) },
      { path: "imds: missing Token", arrange: (imds, role) => imds.fail(role, { body: document(imds, { Token: undefined }) }) },
      { path: "imds: secret in AccessKeyId's place", arrange: (imds, role) => imds.fail(role, { body: document(imds, { AccessKeyId: 42, Type: PLANTED }) }) },
      { path: "imds: Expiration holding a secret", arrange: (imds, role) => imds.fail(role, { body: document(imds, { Expiration: PLANTED }) }) },
      { path: "imds: Expiration in the past", arrange: (imds, role) => imds.fail(role, { body: document(imds, { Expiration: "2001-01-01T00:00:00Z" }) }) },
      { path: "imds: JSON array", arrange: (imds, role) => imds.fail(role, { body: `[${document(imds, {})}]` }) },
      { path: "imds: huge", arrange: (imds, role) => imds.fail(role, "huge") },
      { path: "imds: 3 MiB with the secret", arrange: (imds, role) => imds.fail(role, { body: document(imds, { Pad: "x".repeat(3 << 20) }) }) },
      { path: "imds: reset", arrange: (imds, role) => imds.fail(role, "reset") },
      { path: "imds: hang", arrange: (imds, role) => imds.fail(role, "hang") },
      { path: "imds: drip", arrange: (imds, role) => imds.fail(role, { dripMs: 20 }) },
      { path: "imds: everything hangs", arrange: (imds) => imds.fail("*", "hang") },
      { path: "imds: everything resets", arrange: (imds) => imds.fail("*", "reset") },
      { path: "imds: token PUT 400", arrange: (imds) => imds.fail(TOKEN_PATH, 400) },
      { path: "imds: token PUT 405, v1 off", options: { allowImdsV1: false }, arrange: (imds) => imds.fail(TOKEN_PATH, 405) },
      { path: "imds: malformed token holding a secret", arrange: (imds) => imds.fail(TOKEN_PATH, { body: `${PLANTED} ${imds.current.secretAccessKey}` }) },
      { path: "imds: role list holding a secret", arrange: (imds) => imds.fail(ROLE_LIST, { body: `${PLANTED}/x` }) },
      { path: "imds: no instance profile", arrange: (imds) => { imds.roleName = null; } },
    ];
    for (const { path, options, arrange } of imdsCases) {
      resetSharedState();
      const clock = manualClock();
      const imds = await startImds(clock);
      arrange(imds, `${ROLE_LIST}${imds.roleName ?? ""}`);
      await expectFailure(path, () =>
        envOrProfile({ env: { env: {} }, imds: { endpoint: imds.endpoint, env: {}, timeoutMs: 150, ...options }, clock, logger, ...QUICK })(),
      );
      remember(imds);
    }
    {
      resetSharedState();
      const clock = manualClock();
      const imds = await startImds(clock);
      imds.fail("/latest/meta-data/iam/info", { body: JSON.stringify({ Code: PLANTED, InstanceProfileArn: PLANTED, InstanceProfileId: PLANTED }) });
      await expectFailure("imds: instance profile holding secrets", () => readInstanceProfile({ endpoint: imds.endpoint, env: {}, clock, logger }));
    }
    await expectFailure("imds: nothing listening (chain exhausted)", async () =>
      envOrProfile({ env: { env: {} }, imds: { endpoint: await closedPortEndpoint(), env: {} }, clock: manualClock(), logger, ...QUICK })(),
    );

    // --- IMDS mid-life: refreshes, a failing background refresh, grace, then failure (for the log).
    {
      resetSharedState();
      const clock = manualClock();
      const imds = await startImds(clock);
      const role = `${ROLE_LIST}${imds.roleName ?? ""}`;
      const credentials = envOrProfile({ env: { env: {} }, imds: { endpoint: imds.endpoint, env: {}, timeoutMs: 150 }, clock, logger, retry: QUICK.retry, random: () => 0.5 });
      const first = await credentials();
      const expiresAt = first.expiration!.getTime();
      imds.fail(role, "bad-json");
      clock.set(expiresAt - 7 * MINUTE); // inside the jitter band: a background refresh, which fails
      await credentials();
      await new Promise((resolve) => setTimeout(resolve, 50));
      clock.set(expiresAt - 5 * MINUTE); // mandatory: fails, served with grace and a warning
      await credentials();
      clock.set(expiresAt - 1_000);
      imds.clearFaults();
      imds.revokeTokens(); // the refresh meets a 401 and renews its token
      await credentials();
      remember(imds);
      imds.fail(role, 500);
      clock.set(imds.current.expiration.getTime() + 1);
      await expectFailure("imds: refresh fails after expiry", () => credentials());
      remember(imds);
      expect(logger.lines.some((line) => line.startsWith("warn"))).toBe(true);
    }

    // --- STS: denied, throttled, malformed, broken, unreachable; and the base failing.
    const base = { accessKeyId: ENV_KEY_ID, secretAccessKey: ENV_SECRET, sessionToken: ENV_TOKEN };
    const envBase = { AWS_ACCESS_KEY_ID: ENV_KEY_ID, AWS_SECRET_ACCESS_KEY: ENV_SECRET, AWS_SESSION_TOKEN: ENV_TOKEN };
    const stsChain = (clock: ManualClock, endpoint: string, env: Record<string, string> = envBase) =>
      envOrProfile({
        env: { env },
        imds: false,
        clock,
        logger,
        ...QUICK,
        assumeRole: { roleArn: ROLE_ARN, externalId: EXTERNAL_ID, endpoint, region: "us-east-1", timeoutMs: 150 },
      });
    const stsFaults: [string, StsFault][] = [
      ["sts: AccessDenied", { kind: "access-denied" }],
      ["sts: throttled", { kind: "throttling" }],
      ["sts: malformed", { kind: "malformed" }],
      ["sts: no Credentials", { kind: "missing-credentials" }],
      ["sts: 500", { kind: "server-error" }],
      ["sts: 503", { kind: "server-error", status: 503 }],
      ["sts: hang", { kind: "hang" }],
    ];
    for (const [path, fault] of stsFaults) {
      const clock = manualClock();
      const sts = await startStsEmulator({ clock, baseCredentials: [base], externalId: EXTERNAL_ID });
      closers.push(() => sts.close());
      sts.injectFault(fault, Number.POSITIVE_INFINITY);
      await expectFailure(path, () => stsChain(clock, sts.endpoint)());
    }
    {
      const clock = manualClock();
      const sts = await startStsEmulator({ clock, baseCredentials: [base], externalId: "another-tenant" });
      closers.push(() => sts.close());
      await expectFailure("sts: wrong ExternalId", () => stsChain(clock, sts.endpoint)());
      sts.setBaseCredentials([{ ...base, secretAccessKey: "a-different-secret" }]);
      await expectFailure("sts: signature does not match", () => stsChain(manualClock(), sts.endpoint)());
      sts.setBaseCredentials([]);
      await expectFailure("sts: unknown base key", () => stsChain(manualClock(), sts.endpoint)());
    }
    {
      const server = await rawServer((req, res) => {
        req.resume();
        req.on("end", () => {
          res.writeHead(200, { "content-type": "text/xml" });
          res.end(`<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAPLANTEDKEY</AccessKeyId><SecretAccessKey>${PLANTED}</SecretAccessKey><SessionToken>${PLANTED}`);
        });
      });
      closers.push(() => server.close());
      secrets.add("ASIAPLANTEDKEY");
      await expectFailure("sts: truncated XML with secrets", () => stsChain(manualClock(), server.endpoint)());
      const errorBody = await rawServer((req, res) => {
        req.resume();
        req.on("end", () => {
          res.writeHead(400, { "content-type": "text/xml" });
          res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>bad\n${PLANTED}</Message></Error><Debug>${PLANTED}</Debug></ErrorResponse>`);
        });
      });
      closers.push(() => errorBody.close());
      await expectFailure("sts: error body with a secret after the first line", () => stsChain(manualClock(), errorBody.endpoint)());
    }
    await expectFailure("sts: unreachable", async () => stsChain(manualClock(), await closedPortEndpoint())());
    await expectFailure("sts: base half set", () => stsChain(manualClock(), "http://127.0.0.1:1", { AWS_ACCESS_KEY_ID: ENV_KEY_ID, AWS_SESSION_TOKEN: ENV_TOKEN })());
    {
      // STS mid-life: a refresh that is throttled (grace, warning), then one that succeeds.
      const clock = manualClock();
      const sts = await startStsEmulator({ clock, baseCredentials: [base], externalId: EXTERNAL_ID });
      closers.push(() => sts.close());
      const credentials = stsChain(clock, sts.endpoint);
      const first = await credentials();
      sts.injectFault({ kind: "throttling" }, Number.POSITIVE_INFINITY);
      clock.set(first.expiration!.getTime() - 5 * MINUTE);
      await credentials();
      sts.clearFaults();
      clock.advance(2 * MINUTE);
      await credentials();
      rememberSts(sts);
    }

    // --- memoize: what a source hands back.
    const sourceOf = (identity: unknown) => async () => identity as AwsCredentialIdentity;
    await expectFailure("memoize: expired credential", () =>
      memoize(sourceOf({ accessKeyId: ENV_KEY_ID, secretAccessKey: ENV_SECRET, sessionToken: ENV_TOKEN, expiration: new Date(Date.UTC(2001, 0, 1)) }), { clock: manualClock(), logger })(),
    );
    await expectFailure("memoize: no key id", () => memoize(sourceOf({ secretAccessKey: ENV_SECRET, sessionToken: ENV_TOKEN }), { logger })());
    await expectFailure("memoize: expiration not a Date", () =>
      memoize(sourceOf({ accessKeyId: ENV_KEY_ID, secretAccessKey: ENV_SECRET, expiration: PLANTED }), { logger })(),
    );

    // --- The config parser: secrets in every wrong place.
    const configs: Record<string, unknown> = {
      "config: key id without secret": { access_key_id: ENV_KEY_ID },
      "config: secret without key id": { secret_access_key: ENV_SECRET, session_token: ENV_TOKEN },
      "config: whitespace in keys": { accessKeyId: ` ${ENV_KEY_ID}`, secretAccessKey: `${ENV_SECRET} ` },
      "config: keys with use_iam_profile": { use_iam_profile: true, aws_access_key_id: ENV_KEY_ID, aws_secret_access_key: ENV_SECRET },
      "config: keys with env_or_profile": { credentials_source: "env_or_profile", access_key_id: ENV_KEY_ID, secret_access_key: ENV_SECRET },
      "config: misspelt secret key": { access_key_id: ENV_KEY_ID, secret_acces_key: ENV_SECRET },
      "config: bad ExternalId": { credentials_source: "env_or_profile", assume_role: { role_arn: ROLE_ARN, external_id: `${EXTERNAL_ID} !` } },
      "config: ExternalId with a bad role": { credentials_source: "env_or_profile", assume_role: { role_arn: "nope", external_id: EXTERNAL_ID, externl_id: EXTERNAL_ID } },
      "config: static without keys": { credentials_source: "static", session_token: ENV_TOKEN },
      "config: an array of secrets": [ENV_SECRET, ENV_TOKEN],
    };
    for (const [path, config] of Object.entries(configs)) {
      expectThrow(path, () => fromConfig(config as CredentialsConfig, { clock: manualClock(), logger }));
    }

    // --- The check: every error, every rendering, every log line.
    expect(errors.length).toBeGreaterThanOrEqual(60);
    for (const { path, error } of errors) {
      expect(error, path).toBeInstanceOf(CredentialsError);
      const texts = renderEverything(error);
      try {
        expectNoSecrets(texts, [...secrets]);
      } catch (failure) {
        throw new Error(`${path}: ${(failure as Error).message}`, { cause: failure });
      }
    }
    expectNoSecrets(logger.lines, [...secrets]);
    expect(logger.lines.length).toBeGreaterThan(50);

    // Every code the library throws was met on the way (directly or inside a chain's `errors`).
    const seen = new Set<CredentialsErrorCode>();
    const visit = (error: unknown): void => {
      if (!(error instanceof CredentialsError)) return;
      seen.add(error.code);
      error.errors.forEach(visit);
      visit(error.cause);
    };
    errors.forEach(({ error }) => visit(error));
    const expected: CredentialsErrorCode[] = [
      "ENV_NOT_SET", "ENV_INVALID", "IMDS_UNAVAILABLE", "IMDS_TIMEOUT", "IMDS_HTTP_ERROR", "IMDS_BAD_RESPONSE", "IMDS_NO_ROLE",
      "IMDS_V1_DISABLED", "IMDS_TOO_LARGE", "STS_ACCESS_DENIED", "STS_THROTTLED", "STS_ERROR", "STS_BAD_RESPONSE",
      "STS_INVALID_BASE_CREDENTIALS", "STS_SOURCE_FAILED", "CONFIG_INVALID", "CREDENTIALS_EXPIRED", "CHAIN_EXHAUSTED", "PROVIDER_FAILED",
    ];
    expect([...seen].sort()).toEqual(expect.arrayContaining(expected));
  }, 30_000);

  it("has a check that would catch a secret hidden deep in a cause chain, an errors array or a hidden field", () => {
    const hidden = new Error("inner");
    Object.defineProperty(hidden, "$response", { value: { body: `<x>${PLANTED}</x>` }, enumerable: false });
    // Plain errors: a CredentialsError would clean all of this when built (tested below).
    const chained = new AggregateError([new Error("a", { cause: new Error("b", { cause: hidden }) })], "outer");
    expect(() => expectNoSecrets(renderEverything(chained), [PLANTED])).toThrow(/leaked/);
    expect(() => expectNoSecrets(renderEverything(new CredentialsError("wrapped", { source: "x", cause: chained })), [PLANTED])).not.toThrow();
    expect(() => expectNoSecrets(renderEverything(new CredentialsError("clean", { source: "x", cause: new Error("y") })), [PLANTED])).not.toThrow();
  });
});
