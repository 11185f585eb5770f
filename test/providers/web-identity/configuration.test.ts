import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_WEB_IDENTITY_MAX_ATTEMPTS,
  DEFAULT_WEB_IDENTITY_TIMEOUT_MS,
  fromWebIdentity,
  type WebIdentityOptions,
} from "../../../src/providers/web-identity/from-web-identity.js";
import { checkWebIdentityOptions, resolveWebIdentitySettings } from "../../../src/providers/web-identity/web-identity-settings.js";
import { resolveStsLocation } from "../../../src/providers/sts/sts-location.js";
import { AWS_PARTITIONS } from "../../../src/providers/sts/aws-partitions.js";
import { defaultRoleSessionName } from "../../../src/providers/sts/role-checks.js";
import { ROLE, sha256Hex, settlesWithoutIo, TOKEN_B, useWorld } from "./web-identity-fixtures.js";
import { failure } from "../../helpers/credentials-failure.js";

const world = useWorld();

describe("fromWebIdentity: which link answers", () => {
  it("falls through, without any I/O, when neither AWS_ROLE_ARN nor AWS_WEB_IDENTITY_TOKEN_FILE is set", async () => {
    const provider = fromWebIdentity({ env: { AWS_ENDPOINT_URL_STS: world.sts.endpoint }, clock: world.clock });
    const call = provider();
    expect(await settlesWithoutIo(call)).toBe(true);
    const error = await failure(call);
    expect(error).toMatchObject({ code: "WEB_IDENTITY_NOT_SET", tryNextLink: true, source: "web-identity" });
    expect(world.sts.requests).toHaveLength(0);
  });

  it("treats empty and blank variables as not set", async () => {
    const provider = fromWebIdentity({ env: { AWS_ROLE_ARN: "", AWS_WEB_IDENTITY_TOKEN_FILE: "  " }, clock: world.clock });
    expect((await failure(provider())).code).toBe("WEB_IDENTITY_NOT_SET");
  });

  it("stops the chain, naming AWS_WEB_IDENTITY_TOKEN_FILE, when only AWS_ROLE_ARN is set", async () => {
    const provider = fromWebIdentity({ env: { AWS_ROLE_ARN: ROLE, AWS_ENDPOINT_URL_STS: world.sts.endpoint }, clock: world.clock });
    const error = await failure(provider());
    expect(error).toMatchObject({ code: "WEB_IDENTITY_INVALID", tryNextLink: false, retryable: false });
    expect(error.message).toContain("AWS_WEB_IDENTITY_TOKEN_FILE is not");
    expect(error.message).toContain("AWS_ROLE_ARN is set");
    expect(world.sts.requests).toHaveLength(0);
  });

  it("stops the chain, naming AWS_ROLE_ARN, when only AWS_WEB_IDENTITY_TOKEN_FILE is set", async () => {
    const provider = fromWebIdentity({ env: { AWS_WEB_IDENTITY_TOKEN_FILE: world.token.tokenFile }, clock: world.clock });
    const error = await failure(provider());
    expect(error).toMatchObject({ code: "WEB_IDENTITY_INVALID", tryNextLink: false });
    expect(error.message).toContain("AWS_ROLE_ARN is not");
    expect(error.message).toContain(world.token.tokenFile);
  });

  it("stops the chain, before any request, when AWS_ROLE_ARN is not a role ARN", async () => {
    const provider = fromWebIdentity({ env: world.env({ AWS_ROLE_ARN: "arn:aws:iam::123456789012:user/alice" }), clock: world.clock });
    const error = await failure(provider());
    expect(error).toMatchObject({ code: "WEB_IDENTITY_INVALID", tryNextLink: false });
    expect(error.message).toContain("AWS_ROLE_ARN");
    expect(world.sts.requests).toHaveLength(0);
  });

  it("stops the chain when AWS_ROLE_SESSION_NAME, AWS_REGION or AWS_ENDPOINT_URL_STS is malformed, naming it", async () => {
    for (const [name, value] of [
      ["AWS_ROLE_SESSION_NAME", "has spaces in it"],
      ["AWS_REGION", "EU WEST"],
      ["AWS_ENDPOINT_URL_STS", "ftp://sts.example"],
    ] as const) {
      const error = await failure(fromWebIdentity({ env: world.env({ [name]: value }), clock: world.clock })());
      expect(error.code, name).toBe("WEB_IDENTITY_INVALID");
      expect(error.message, name).toContain(name);
    }
    expect(world.sts.requests).toHaveLength(0);
  });

  it("does not throw when created in a misconfigured environment (a chain can always be built)", () => {
    expect(() => fromWebIdentity({ env: { AWS_ROLE_ARN: "nonsense" } })).not.toThrow();
  });

  it("throws a TypeError naming the option for a malformed option", () => {
    expect(() => fromWebIdentity({ roleArn: "not-an-arn" })).toThrow(/roleArn/);
    expect(() => fromWebIdentity({ roleSessionName: "x" })).toThrow(/roleSessionName/);
    expect(() => fromWebIdentity({ durationSeconds: 60 })).toThrow(/durationSeconds/);
    expect(() => fromWebIdentity({ endpoint: "http://sts.amazonaws.com" })).toThrow(/endpoint/);
    expect(() => fromWebIdentity({ webIdentityTokenFile: "" })).toThrow(/webIdentityTokenFile/);
    expect(() => fromWebIdentity({ maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => fromWebIdentity({ timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});

describe("fromWebIdentity: what it sends", () => {
  it("assumes AWS_ROLE_ARN with the token in AWS_WEB_IDENTITY_TOKEN_FILE, unsigned", async () => {
    const credential = await world.provider()();
    const request = world.sts.lastRequest;
    expect(request).toMatchObject({ action: "AssumeRoleWithWebIdentity", roleArn: ROLE, status: 200 });
    expect(request?.accessKeyId).toBeUndefined();
    expect(credential).toMatchObject({ accessKeyId: world.sts.issued[0]?.accessKeyId, accountId: "123456789012" });
    expect(credential.sessionToken).toBe(world.sts.issued[0]?.sessionToken);
    expect(credential.expiration?.getTime()).toBe(world.sts.issued[0]?.expiration.getTime());
  });

  it("uses AWS_ROLE_SESSION_NAME as the session name", async () => {
    await fromWebIdentity({ env: world.env({ AWS_ROLE_SESSION_NAME: "checkout-service" }), clock: world.clock })();
    expect(world.sts.lastRequest?.roleSessionName).toBe("checkout-service");
  });

  it("defaults the session name to a stable per-host name, not a timestamp", async () => {
    await world.provider()();
    world.clock.advance(3 * 60 * 60 * 1000);
    await world.provider()();
    const names = world.sts.requests.map((r) => r.roleSessionName);
    expect(names).toEqual([defaultRoleSessionName(), defaultRoleSessionName()]);
  });

  it("lets options override the environment", async () => {
    const other = join(world.token.dir, "other-token");
    writeFileSync(other, TOKEN_B);
    await world.provider({
      roleArn: "arn:aws:iam::210987654321:role/other",
      webIdentityTokenFile: other,
      roleSessionName: "from-options",
      durationSeconds: 900,
    })();
    expect(world.sts.lastRequest).toMatchObject({
      roleArn: "arn:aws:iam::210987654321:role/other",
      roleSessionName: "from-options",
      durationSeconds: 900,
      webIdentityTokenSha256: await sha256Hex(TOKEN_B),
      status: 200,
    });
  });

  it("accepts a role ARN in every partition the AWS SDK knows (the shared role-ARN check)", async () => {
    expect(AWS_PARTITIONS).toEqual(expect.arrayContaining(["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b"]));
    for (const partition of AWS_PARTITIONS) {
      const roleArn = `arn:${partition}:iam::123456789012:role/path/app`;
      await world.provider({ roleArn })();
      expect(world.sts.lastRequest?.roleArn, partition).toBe(roleArn);
    }
  });

  it("stops the chain for an AWS_ROLE_ARN in a partition that does not exist", async () => {
    const error = await failure(fromWebIdentity({ env: world.env({ AWS_ROLE_ARN: "arn:aws-moon:iam::123456789012:role/app" }), clock: world.clock })());
    expect(error).toMatchObject({ code: "WEB_IDENTITY_INVALID", tryNextLink: false });
    expect(world.sts.requests).toHaveLength(0);
  });

  it("reports an unreadable token file as a directory given by mistake, naming the variable", async () => {
    const dir = join(world.token.dir, "a-directory");
    mkdirSync(dir);
    const error = await failure(fromWebIdentity({ env: world.env({ AWS_WEB_IDENTITY_TOKEN_FILE: dir }), clock: world.clock })());
    expect(error).toMatchObject({ code: "WEB_IDENTITY_TOKEN_UNREADABLE", tryNextLink: false });
    expect(error.message).toContain("AWS_WEB_IDENTITY_TOKEN_FILE");
  });
});

describe("fromWebIdentity: the STS region and endpoint it would use (decided without I/O)", () => {
  const settings = (options: WebIdentityOptions) => {
    const checked = checkWebIdentityOptions(options, DEFAULT_WEB_IDENTITY_TIMEOUT_MS, DEFAULT_WEB_IDENTITY_MAX_ATTEMPTS);
    const env = options.env ?? {};
    const resolved = resolveWebIdentitySettings(checked, env);
    if (resolved.kind !== "ok") throw resolved.error;
    return resolveStsLocation({ region: checked.region, endpoint: checked.endpoint, env, roleArn: resolved.settings.roleArn });
  };
  const irsa = { AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token" };

  it("takes AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1; the option over both", () => {
    expect(settings({ env: { ...irsa, AWS_REGION: "ap-southeast-2", AWS_DEFAULT_REGION: "eu-west-3" } }).region).toBe("ap-southeast-2");
    expect(settings({ env: { ...irsa, AWS_DEFAULT_REGION: "eu-west-3" } }).region).toBe("eu-west-3");
    expect(settings({ env: irsa }).region).toBe("us-east-1");
    expect(settings({ env: { ...irsa, AWS_REGION: "ap-southeast-2" }, region: "sa-east-1" }).region).toBe("sa-east-1");
  });

  it("takes AWS_ENDPOINT_URL_STS, else none (the SDK's regional endpoint); the option over it", () => {
    expect(settings({ env: { ...irsa, AWS_ENDPOINT_URL_STS: "https://sts.eu-west-1.amazonaws.com" } }).endpoint).toBe("https://sts.eu-west-1.amazonaws.com");
    expect(settings({ env: irsa }).endpoint).toBeUndefined();
    expect(settings({ env: { ...irsa, AWS_ENDPOINT_URL_STS: "https://a.example" }, endpoint: "https://b.example" }).endpoint).toBe("https://b.example");
  });

  it("refuses plain http to an AWS endpoint: it would carry the issued keys in clear", async () => {
    const error = await failure(fromWebIdentity({ env: { ...irsa, AWS_ENDPOINT_URL_STS: "http://sts.amazonaws.com" } })());
    expect(error).toMatchObject({ code: "WEB_IDENTITY_INVALID" });
    expect(error.message).toContain("AWS_ENDPOINT_URL_STS");
  });
});
