import { describe, expect, it } from "vitest";
import { fromImds } from "../../../src/providers/imds/from-imds.js";
import { DEFAULT_IMDS_TIMEOUT_MS, resolveImdsOptions } from "../../../src/providers/imds/imds-options.js";
import { rejection } from "./helpers.js";

describe("ImdsOptions", () => {
  it.each([0, 21_601, 1.5, -1, Number.NaN])("rejects tokenTtlSeconds %s with a TypeError at once", (tokenTtlSeconds) => {
    expect(() => fromImds({ tokenTtlSeconds, env: {} })).toThrow(new RegExp("^Expected `tokenTtlSeconds` to be an integer from 1 to 21600"));
  });

  it.each([1, 21_600])("accepts tokenTtlSeconds %s", (tokenTtlSeconds) => {
    expect(() => fromImds({ tokenTtlSeconds, env: {} })).not.toThrow();
  });

  it("rejects a non-positive timeoutMs", () => {
    expect(() => fromImds({ timeoutMs: 0, env: {} })).toThrow(/^Expected `timeoutMs` to be a positive finite number/);
  });

  it("rejects a fractional maxAttempts", () => {
    expect(() => fromImds({ maxAttempts: 1.5, env: {} })).toThrow(/^Expected `maxAttempts` to be an integer/);
  });

  it("rejects an invalid roleName", () => {
    expect(() => fromImds({ roleName: "a/b", env: {} })).toThrow(/^Expected `roleName` to be an IAM role name/);
  });

  it("rejects an invalid endpoint option at once", () => {
    expect(() => fromImds({ endpoint: "https://example.com", env: {} })).toThrow(TypeError);
  });

  it("defaults to a 1 s timeout, memoize's attempts, IMDSv1 allowed and a 6 h token", () => {
    const resolved = resolveImdsOptions({ env: {} });
    expect(resolved).toMatchObject({ timeoutMs: DEFAULT_IMDS_TIMEOUT_MS, maxAttempts: undefined, allowImdsV1: true, tokenTtlSeconds: 21_600, staticStability: false });
    expect(resolved.endpoint).toBe("http://169.254.169.254");
  });

  it("reads AWS_METADATA_SERVICE_TIMEOUT as seconds and AWS_METADATA_SERVICE_NUM_ATTEMPTS as a count", () => {
    const resolved = resolveImdsOptions({ env: { AWS_METADATA_SERVICE_TIMEOUT: "2", AWS_METADATA_SERVICE_NUM_ATTEMPTS: "3" } });
    expect(resolved).toMatchObject({ timeoutMs: 2_000, maxAttempts: 3 });
  });

  it("lets options win over the environment", () => {
    const env = { AWS_METADATA_SERVICE_TIMEOUT: "2", AWS_METADATA_SERVICE_NUM_ATTEMPTS: "3", AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:9" };
    expect(resolveImdsOptions({ env, timeoutMs: 50, maxAttempts: 1, endpoint: "http://127.0.0.1:8" })).toMatchObject({
      timeoutMs: 50,
      maxAttempts: 1,
      endpoint: "http://127.0.0.1:8",
    });
  });

  it("reads the endpoint from AWS_EC2_METADATA_SERVICE_ENDPOINT", () => {
    expect(resolveImdsOptions({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:9/" } }).endpoint).toBe("http://127.0.0.1:9");
  });

  it("reads the IPv6 endpoint from AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", () => {
    expect(resolveImdsOptions({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "IPv6" } }).endpoint).toBe("http://[fd00:ec2::254]");
  });

  it("reports a bad environment variable as CONFIG_INVALID when the provider is called, without I/O", async () => {
    const provider = fromImds({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "IPv5", AWS_METADATA_SERVICE_TIMEOUT: "soon" } });
    const error = await rejection(provider());
    expect(error).toMatchObject({ code: "CONFIG_INVALID", tryNextLink: false });
    expect(error.message).toContain("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
    expect(error.message).toContain("AWS_METADATA_SERVICE_TIMEOUT");
  });

  it("reads process.env when no env option is given", () => {
    const saved = process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"];
    process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:7";
    try {
      expect(resolveImdsOptions().endpoint).toBe("http://127.0.0.1:7");
    } finally {
      if (saved === undefined) delete process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"];
      else process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = saved;
    }
  });
});
