/*
 * sso_session / sso_* profiles go to the AWS SDK's own fromSSO, pointed at a local SSO portal
 * (AWS_ENDPOINT_URL_SSO); the token cache is the one `aws sso login` writes under HOME.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fromIni } from "@aws-sdk/credential-providers";
import { CredentialsError } from "../../../src/errors.js";
import { fromProfile } from "../../../src/providers/profile/from-profile.js";
import { credentialMarks } from "../../../src/sdk/credential-marks.js";
import { expectClean } from "../../helpers/leak-check.js";
import { rejection, tempAws, type TempAws } from "./temp-aws.js";

const ACCESS_TOKEN = "aoaAAAAAGSSO-ACCESS-TOKEN-EXAMPLE-0001";
const KEY = "ASIAIOSFODNN7SSO0001";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSSO0000001";
const TOKEN = "IQoJb3JpZ2luX2VjSSO-SESSION-TOKEN-00001";
const EXPIRES = Date.parse("2999-01-01T00:00:00Z");

let aws: TempAws;
let portal: Server;
let endpoint: string;
let answer: { status: number; body: unknown };
let seen: { url: string | undefined; bearer: string | string[] | undefined }[];

beforeEach(async () => {
  aws = tempAws();
  vi.stubEnv("HOME", aws.home); // the SDK's token cache lives under process.env.HOME
  seen = [];
  answer = { status: 200, body: { roleCredentials: { accessKeyId: KEY, secretAccessKey: SECRET, sessionToken: TOKEN, expiration: EXPIRES } } };
  portal = createServer((req, res) => {
    seen.push({ url: req.url, bearer: req.headers["x-amz-sso_bearer_token"] });
    res.writeHead(answer.status, { "content-type": "application/json", ...(answer.status === 401 ? { "x-amzn-errortype": "UnauthorizedException" } : {}) });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => portal.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(portal.address() as AddressInfo).port}`;
  aws.writeConfig(
    "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Developer\nregion = eu-west-1\n" +
      "[sso-session corp]\nsso_region = eu-west-1\nsso_start_url = https://corp.awsapps.com/start\nsso_registration_scopes = sso:account:access\n",
  );
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await new Promise((resolve) => portal.close(resolve));
  aws.remove();
});

function writeToken(expiresAt: string): void {
  const dir = join(aws.home, ".aws", "sso", "cache");
  mkdirSync(dir, { recursive: true });
  const file = `${createHash("sha1").update("corp").digest("hex")}.json`;
  writeFileSync(join(dir, file), JSON.stringify({ accessToken: ACCESS_TOKEN, expiresAt, region: "eu-west-1", startUrl: "https://corp.awsapps.com/start" }));
}

function resolve() {
  return fromProfile({ profile: "dev", env: aws.env({ AWS_ENDPOINT_URL_SSO: endpoint }) })();
}

async function failure(): Promise<CredentialsError> {
  const error = await rejection(resolve());
  expect(error).toBeInstanceOf(CredentialsError);
  return error as CredentialsError;
}

describe("fromProfile: SSO profiles, through the SDK's fromSSO", () => {
  it("gets the role's credentials from the portal with the cached login token", async () => {
    writeToken("2999-01-01T00:00:00Z");
    const credential = await resolve();
    expect(credential).toMatchObject({ accessKeyId: KEY, secretAccessKey: SECRET, sessionToken: TOKEN, expiration: new Date(EXPIRES) });
    expect(seen).toEqual([{ url: "/federation/credentials?account_id=123456789012&role_name=Developer", bearer: ACCESS_TOKEN }]);
  });

  it("says to run aws sso login when there is no cached token", async () => {
    const error = await failure();
    expect(error).toMatchObject({ source: "profile", code: "SSO_LOGIN_REQUIRED", tryNextLink: false });
    expect(error.message).toContain("aws sso login --profile dev");
    expect(seen).toEqual([]);
  });

  it("says to run aws sso login when the cached token has expired", async () => {
    writeToken("2000-01-01T00:00:00Z");
    const error = await failure();
    expect(error.code).toBe("SSO_LOGIN_REQUIRED");
    expect(error.message).toContain("aws sso login --profile dev");
    expectClean(error, [ACCESS_TOKEN]);
  });

  it("says to run aws sso login when the portal refuses the token", async () => {
    writeToken("2999-01-01T00:00:00Z");
    answer = { status: 401, body: { message: "Session token not found or invalid" } };
    const error = await failure();
    expect(error.code).toBe("SSO_LOGIN_REQUIRED");
    expectClean(error, [ACCESS_TOKEN]);
  });

  it("reports a portal outage as a retryable SSO failure, after one request (retries are memoize's)", async () => {
    writeToken("2999-01-01T00:00:00Z");
    answer = { status: 500, body: { message: "internal" } };
    const error = await failure();
    expect(error).toMatchObject({ code: "SSO_FAILED", tryNextLink: false, retryable: true });
    expect(seen).toHaveLength(1);
    expectClean(error, [ACCESS_TOKEN]);
  });
});

describe("fromProfile: an SSO profile's feature marks", () => {
  it("are the SDK's fromIni's: its fromSSO's CREDENTIALS_SSO, then CREDENTIALS_PROFILE_SSO (an sso_session profile)", async () => {
    writeToken("2999-01-01T00:00:00Z");
    const ours = await resolve();
    vi.stubEnv("AWS_CONFIG_FILE", aws.configFile);
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", aws.credentialsFile);
    vi.stubEnv("AWS_ENDPOINT_URL_SSO", endpoint);
    const theirs = await fromIni({ profile: "dev", ignoreCache: true })();
    expect(Object.entries(credentialMarks(ours))).toEqual(Object.entries(credentialMarks(theirs)));
    expect(credentialMarks(ours)).toEqual({ CREDENTIALS_SSO: "s", CREDENTIALS_PROFILE_SSO: "r" });
  });
});
