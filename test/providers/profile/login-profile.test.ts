/*
 * Issue 18 item 1: `login_session` profiles (`aws login`, console sign-in for the CLI) through the
 * AWS SDK's own fromLoginCredentials — alone, as a source_profile, in the chain — with the SDK's
 * fromIni as the control. The cached login is written as `aws login` writes it
 * (test/helpers/aws-login-cache.ts); the sign-in service's token refresh is a local server.
 */
import { readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fromIni } from "@aws-sdk/credential-providers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CredentialsError } from "../../../src/errors.js";
import { envOrProfile } from "../../../src/env-or-profile.js";
import { memoize } from "../../../src/memoize.js";
import { fromProfile } from "../../../src/providers/profile/from-profile.js";
import { startStsEmulator, type StsEmulator } from "../../../src/testing/sts-emulator.js";
import { loginCacheFileName, makeLoginToken, writeAwsLoginCache, type AwsLoginToken } from "../../helpers/aws-login-cache.js";
import { expectClean } from "../../helpers/leak-check.js";
import { rejection, tempAws, type TempAws } from "./temp-aws.js";

const SESSION = "arn:aws:iam::123456789012:user/Admin";
const KEYS = { accessKeyId: "ASIAIOSFODNN7LOGIN001", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYLOGIN00001", sessionToken: "IQoJb3JpZ2luX2VjLOGIN-SESSION-TOKEN-0001" };
const HOUR = 3_600_000;

let aws: TempAws;
let cacheDir: string;
let token: AwsLoginToken;
let signin: Server | undefined;
let signinEndpoint = "";
let signinAnswer: { status: number; headers?: Record<string, string>; body: unknown };
let signinSeen: { path: string | undefined; headers: IncomingHttpHeaders; body: string }[];

beforeEach(() => {
  aws = tempAws();
  vi.stubEnv("HOME", aws.home); // the SDK finds ~/.aws/login/cache under process.env.HOME
  vi.stubEnv("AWS_LOGIN_CACHE_DIRECTORY", undefined);
  cacheDir = join(aws.home, ".aws", "login", "cache");
  token = makeLoginToken(SESSION, KEYS, Date.now() + HOUR);
  aws.writeConfig(`[profile console]\nlogin_session = ${SESSION}\nregion = us-east-1\n`);
  signinSeen = [];
});
afterEach(async () => {
  vi.unstubAllEnvs();
  if (signin !== undefined) await new Promise((resolve) => signin?.close(resolve));
  signin = undefined;
  aws.remove();
});

/** A sign-in service answering CreateOAuth2Token (`POST /v1/token`) with `signinAnswer`. */
async function startSignin(): Promise<void> {
  signin = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      signinSeen.push({ path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(signinAnswer.status, { "content-type": "application/json", ...signinAnswer.headers });
      res.end(JSON.stringify(signinAnswer.body));
    });
  });
  await new Promise<void>((resolve) => signin?.listen(0, "127.0.0.1", resolve));
  signinEndpoint = `http://127.0.0.1:${(signin.address() as AddressInfo).port}`;
}

const resolve = (profile = "console", extra: Record<string, string> = {}) => fromProfile({ profile, env: aws.env({ AWS_ENDPOINT_URL_SIGNIN: signinEndpoint || "http://127.0.0.1:9", ...extra }) })();

async function failure(promise: Promise<unknown>): Promise<CredentialsError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(CredentialsError);
  return error as CredentialsError;
}

describe("fromProfile: login_session profiles (aws login), through the SDK's fromLoginCredentials", () => {
  it("gives the cached login's credential — the one the SDK's fromIni gives", async () => {
    writeAwsLoginCache(cacheDir, SESSION, token);
    const ours = await resolve();
    const sdk = await fromIni({ profile: "console", filepath: aws.credentialsFile, configFilepath: aws.configFile, ignoreCache: true })();
    expect(ours).toMatchObject({ ...KEYS, accountId: "123456789012", expiration: new Date(token.accessToken.expiresAt) });
    expect(ours).toMatchObject({ accessKeyId: sdk.accessKeyId, secretAccessKey: sdk.secretAccessKey, sessionToken: sdk.sessionToken, accountId: sdk.accountId, expiration: sdk.expiration });
  });

  it("is a source_profile: the role is assumed with the login's keys (and so does fromIni's)", async () => {
    writeAwsLoginCache(cacheDir, SESSION, token);
    const sts: StsEmulator = await startStsEmulator({ baseCredentials: [KEYS] });
    try {
      aws.writeConfig(`[profile console]\nlogin_session = ${SESSION}\n\n[profile deploy]\nrole_arn = arn:aws:iam::210987654321:role/deploy\nsource_profile = console\n`);
      vi.stubEnv("AWS_ENDPOINT_URL_STS", sts.endpoint);
      vi.stubEnv("AWS_REGION", "us-east-1");
      const ours = await resolve("deploy", { AWS_ENDPOINT_URL_STS: sts.endpoint, AWS_REGION: "us-east-1" });
      expect(ours.accessKeyId).toBe(sts.issued[0]?.accessKeyId);
      await fromIni({ profile: "deploy", filepath: aws.credentialsFile, configFilepath: aws.configFile, ignoreCache: true })();
      expect(sts.requests.map((request) => [request.action, request.accessKeyId, request.signatureValid])).toEqual([
        ["AssumeRole", KEYS.accessKeyId, true],
        ["AssumeRole", KEYS.accessKeyId, true],
      ]);
    } finally {
      await sts.close();
    }
  });

  it("answers in the chain for AWS_PROFILE=console", async () => {
    writeAwsLoginCache(cacheDir, SESSION, token);
    expect(await envOrProfile({ env: { env: aws.env({ AWS_PROFILE: "console" }) }, imds: false })()).toMatchObject({ accessKeyId: KEYS.accessKeyId });
  });

  it("says LOGIN_REQUIRED with `aws login --profile console` when nothing is cached, without asking anyone", async () => {
    const error = await failure(resolve());
    expect(error).toMatchObject({ source: "profile", code: "LOGIN_REQUIRED", tryNextLink: false, retryable: false });
    expect(error.message).toContain("run `aws login --profile console`");
    expect(error.message).toContain(join(cacheDir, ""));
  });

  it("says LOGIN_REQUIRED for a cached login missing a field (a refresh token), and shows none of its secrets", async () => {
    const broken: Partial<AwsLoginToken> = { ...token };
    delete broken.refreshToken;
    writeAwsLoginCache(cacheDir, SESSION, broken as AwsLoginToken);
    const error = await failure(resolve());
    expect(error).toMatchObject({ code: "LOGIN_REQUIRED" });
    expect(error.message).toContain("aws login --profile console");
    expectClean(error, [KEYS.secretAccessKey, KEYS.sessionToken, token.dpopKey.split("\n")[1] ?? "", token.idToken]);
  });

  it("refreshes an expired login with the sign-in service (DPoP-signed) and writes it back, as the SDK does", async () => {
    await startSignin();
    writeAwsLoginCache(cacheDir, SESSION, makeLoginToken(SESSION, KEYS, Date.now() - 60_000));
    const fresh = { accessKeyId: "ASIAIOSFODNN7LOGIN002", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYLOGIN00002", sessionToken: "IQoJb3JpZ2luX2VjLOGIN-SESSION-TOKEN-0002" };
    signinAnswer = { status: 200, body: { accessToken: fresh, tokenType: "aws_sigv4", expiresIn: 900, refreshToken: "aorAAAAAGRefreshed", idToken: token.idToken } };
    const credential = await resolve();
    expect(credential).toMatchObject(fresh);
    expect(signinSeen).toHaveLength(1);
    expect(signinSeen[0]).toMatchObject({ path: "/v1/token" });
    expect(typeof signinSeen[0]?.headers["dpop"]).toBe("string");
    const written = JSON.parse(readFileSync(join(cacheDir, loginCacheFileName(SESSION)), "utf8")) as AwsLoginToken;
    expect(written.accessToken.accessKeyId).toBe(fresh.accessKeyId);
  });

  it("says LOGIN_REQUIRED when the sign-in service refuses the refresh (TOKEN_EXPIRED)", async () => {
    await startSignin();
    writeAwsLoginCache(cacheDir, SESSION, makeLoginToken(SESSION, KEYS, Date.now() - 60_000));
    signinAnswer = { status: 400, headers: { "x-amzn-errortype": "AccessDeniedException" }, body: { error: "TOKEN_EXPIRED", message: "The session has expired" } };
    const error = await failure(resolve());
    expect(error).toMatchObject({ code: "LOGIN_REQUIRED", tryNextLink: false });
    expect(error.message).toContain("aws login --profile console");
  });

  it("says LOGIN_FAILED, retryable, when the sign-in service cannot be reached for an expired login", async () => {
    writeAwsLoginCache(cacheDir, SESSION, makeLoginToken(SESSION, KEYS, Date.now() - 60_000));
    const error = await failure(resolve()); // AWS_ENDPOINT_URL_SIGNIN: a closed port
    expect(error).toMatchObject({ code: "LOGIN_FAILED", tryNextLink: false, retryable: true });
  });

  it("gives a new provider the new login after `aws login` again (the cached login's identity is in the key)", async () => {
    writeAwsLoginCache(cacheDir, SESSION, token);
    expect(await memoize(fromProfile({ profile: "console", env: aws.env() }))()).toMatchObject({ accessKeyId: KEYS.accessKeyId });
    const again = { accessKeyId: "ASIAIOSFODNN7LOGIN003", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYLOGIN00003", sessionToken: "IQoJb3JpZ2luX2VjLOGIN-SESSION-TOKEN-0003" };
    writeAwsLoginCache(cacheDir, SESSION, makeLoginToken(SESSION, again, Date.now() + 2 * HOUR));
    expect(await memoize(fromProfile({ profile: "console", env: aws.env() }))()).toMatchObject({ accessKeyId: again.accessKeyId });
  });

  it("after `aws logout` (the cached login removed) a new provider says LOGIN_REQUIRED", async () => {
    const path = writeAwsLoginCache(cacheDir, SESSION, token);
    await memoize(fromProfile({ profile: "console", env: aws.env() }))();
    rmSync(path);
    expect(await failure(memoize(fromProfile({ profile: "console", env: aws.env() }))())).toMatchObject({ code: "LOGIN_REQUIRED" });
  });

  it("finds the login in AWS_LOGIN_CACHE_DIRECTORY when set", async () => {
    const elsewhere = join(aws.home, "logins");
    vi.stubEnv("AWS_LOGIN_CACHE_DIRECTORY", elsewhere);
    writeAwsLoginCache(elsewhere, SESSION, token);
    expect(await resolve()).toMatchObject({ accessKeyId: KEYS.accessKeyId });
  });

  it("refuses a login_session with blanks in it, naming the key and the file", async () => {
    aws.writeConfig("[profile console]\nlogin_session = arn:aws:iam::123456789012:user/Ad min\n");
    const error = await failure(resolve());
    expect(error).toMatchObject({ code: "PROFILE_INVALID" });
    expect(error.message).toContain(`\`login_session\` in [profile console] of ${aws.configFile}`);
  });

  it("comes after the credentials file's keys and before credential_process, as in botocore", async () => {
    writeAwsLoginCache(cacheDir, SESSION, token);
    aws.writeConfig(`[profile console]\nlogin_session = ${SESSION}\ncredential_process = /bin/false\n`);
    expect(await resolve()).toMatchObject({ accessKeyId: KEYS.accessKeyId });
    aws.writeCredentials("[console]\naws_access_key_id = AKIAIOSFODNN7STATIC1\naws_secret_access_key = static-secret-static-secret\n");
    expect(await resolve()).toMatchObject({ accessKeyId: "AKIAIOSFODNN7STATIC1" });
  });
});
