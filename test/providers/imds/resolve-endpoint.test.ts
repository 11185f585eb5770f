import { describe, expect, it } from "vitest";
import { CredentialsError } from "../../../src/errors.js";
import { IMDS_IPV4_ENDPOINT, IMDS_IPV6_ENDPOINT, resolveImdsEndpoint } from "../../../src/providers/imds/resolve-endpoint.js";

describe("resolveImdsEndpoint", () => {
  it("defaults to the IPv4 link-local address", () => {
    expect(resolveImdsEndpoint({ env: {} })).toBe("http://169.254.169.254");
    expect(IMDS_IPV4_ENDPOINT).toBe("http://169.254.169.254");
  });

  it.each(["IPv6", "ipv6", "IPV6"])("picks the IPv6 address when the mode is %s", (mode) => {
    expect(resolveImdsEndpoint({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: mode } })).toBe(IMDS_IPV6_ENDPOINT);
  });

  it("picks the IPv4 address when the mode is ipv4", () => {
    expect(resolveImdsEndpoint({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "ipv4" } })).toBe(IMDS_IPV4_ENDPOINT);
  });

  it("rejects an unknown mode with CONFIG_INVALID naming the variable", () => {
    let caught: unknown;
    try {
      resolveImdsEndpoint({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "ipv5" } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CredentialsError);
    expect(caught).toMatchObject({ code: "CONFIG_INVALID", tryNextLink: false });
    expect((caught as Error).message).toContain("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
  });

  it("uses AWS_EC2_METADATA_SERVICE_ENDPOINT over the mode", () => {
    const env = { AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:1338/", AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "IPv6" };
    expect(resolveImdsEndpoint({ env })).toBe("http://127.0.0.1:1338");
  });

  it("lets the endpoint option win over the environment", () => {
    const env = { AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://127.0.0.1:1338" };
    expect(resolveImdsEndpoint({ endpoint: "http://localhost:9999", env })).toBe("http://localhost:9999");
  });

  it("keeps an IPv6 literal endpoint", () => {
    expect(resolveImdsEndpoint({ endpoint: "http://[::1]:8080/", env: {} })).toBe("http://[::1]:8080");
  });

  it("rejects a non-http endpoint option with a TypeError", () => {
    expect(() => resolveImdsEndpoint({ endpoint: "ftp://x", env: {} })).toThrow(/Expected `endpoint` to be an http:\/\/ URL/);
    expect(() => resolveImdsEndpoint({ endpoint: "not a url", env: {} })).toThrow(TypeError);
  });

  it("rejects a bad AWS_EC2_METADATA_SERVICE_ENDPOINT with CONFIG_INVALID", () => {
    expect(() => resolveImdsEndpoint({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: "169.254.169.254" } })).toThrow(
      /AWS_EC2_METADATA_SERVICE_ENDPOINT must be an http:\/\/ URL/,
    );
  });
});
