import { describe, expect, it, vi } from "vitest";
import { CredentialsError } from "../../../src/errors.js";
import { resolveContainerEndpoint, resolveContainerSettings } from "../../../src/providers/container/resolve-container-endpoint.js";

const FULL = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
const RELATIVE = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";

/** The error `resolveContainerEndpoint` throws for `env`, or fails the test. */
function refusal(env: Record<string, string>): CredentialsError {
  try {
    resolveContainerEndpoint(env);
  } catch (error) {
    expect(error).toBeInstanceOf(CredentialsError);
    return error as CredentialsError;
  }
  throw new Error(`resolveContainerEndpoint accepted ${JSON.stringify(env)}`);
}

describe("resolveContainerEndpoint", () => {
  it("is undefined when neither URI variable is set, or both are empty", () => {
    expect(resolveContainerEndpoint({})).toBeUndefined();
    expect(resolveContainerEndpoint({ [FULL]: "", [RELATIVE]: "" })).toBeUndefined();
  });

  it("puts a relative URI on the ECS host http://169.254.170.2", () => {
    expect(resolveContainerEndpoint({ [RELATIVE]: "/v2/credentials/4f1c-a9" })).toBe("http://169.254.170.2/v2/credentials/4f1c-a9");
  });

  it("keeps the query string of a relative URI", () => {
    expect(resolveContainerEndpoint({ [RELATIVE]: "/creds?id=7" })).toBe("http://169.254.170.2/creds?id=7");
  });

  it.each([
    ["@evil.example/creds", "user info trick"],
    [":8080/creds", "a port"],
    ["creds", "no leading slash"],
    [".evil.example/creds", "a host suffix"],
  ])("refuses a relative URI that does not start with a slash (%s: %s)", (uri) => {
    const error = refusal({ [RELATIVE]: uri });
    expect(error).toMatchObject({ code: "CONTAINER_CONFIG_INVALID", tryNextLink: false, source: "container" });
    expect(error.message).toContain(RELATIVE);
  });

  it("prefers the relative URI when both are set, and says why in the note", () => {
    const settings = resolveContainerSettings({ [RELATIVE]: "/v2/credentials/x", [FULL]: "http://127.0.0.1:1234/creds" });
    expect(settings).toMatchObject({ url: "http://169.254.170.2/v2/credentials/x", variable: RELATIVE });
    expect(settings?.note).toMatch(/AWS_CONTAINER_CREDENTIALS_RELATIVE_URI wins .*AWS_CONTAINER_CREDENTIALS_FULL_URI is ignored/);
  });

  it("does not check an ignored full URI (the relative one wins before it is read)", () => {
    expect(resolveContainerEndpoint({ [RELATIVE]: "/v2/credentials/x", [FULL]: "http://evil.example/" })).toBe("http://169.254.170.2/v2/credentials/x");
  });

  describe("the full-URI host allow-list, decided from the text alone", () => {
    it.each([
      ["http://127.0.0.1:8080/creds", "http://127.0.0.1:8080/creds"],
      ["http://127.255.3.4/creds", "http://127.255.3.4/creds"],
      ["http://localhost/creds", "http://localhost/creds"],
      ["http://LOCALHOST:9/Creds", "http://localhost:9/Creds"],
      ["HTTP://127.0.0.1/", "http://127.0.0.1/"],
      ["http://[::1]:8080/creds", "http://[::1]:8080/creds"],
      ["http://[0:0:0:0:0:0:0:1]/creds", "http://[::1]/creds"],
      ["http://169.254.170.2/v1/creds", "http://169.254.170.2/v1/creds"],
      ["http://169.254.170.23/v1/credentials", "http://169.254.170.23/v1/credentials"],
      ["http://[fd00:ec2::23]/v1/credentials", "http://[fd00:ec2::23]/v1/credentials"],
      ["http://[FD00:EC2:0:0::23]/v1/credentials", "http://[fd00:ec2::23]/v1/credentials"],
      ["http://127.1/creds", "http://127.0.0.1/creds"],
      ["http://0x7f.0.0.1/creds", "http://127.0.0.1/creds"],
      ["http://2130706433/creds", "http://127.0.0.1/creds"],
      ["http://127.0.0.1./creds", "http://127.0.0.1/creds"],
      ["https://credentials.example.com/role", "https://credentials.example.com/role"],
      ["https://10.0.0.5:8443/role", "https://10.0.0.5:8443/role"],
    ])("accepts %s as %s", (uri, url) => {
      expect(resolveContainerEndpoint({ [FULL]: uri })).toBe(url);
    });

    it.each([
      ["http://169.254.170.2.evil.com/creds", "a name that starts like the ECS host"],
      ["http://127.0.0.1.nip.io/creds", "a wildcard-DNS name for loopback"],
      ["http://localhost./creds", "localhost with a trailing dot (a DNS name)"],
      ["http://localhost.localdomain/creds", "another name for localhost"],
      ["http://[::ffff:127.0.0.1]/creds", "IPv4-mapped IPv6 loopback"],
      ["http://[::ffff:169.254.170.2]/creds", "IPv4-mapped IPv6 ECS host"],
      ["http://169.254.169.254/latest/meta-data/", "the IMDS address"],
      ["http://[fd00:ec2::254]/", "the IMDS IPv6 address"],
      ["http://[fd00:ec2::24]/", "a neighbour of the EKS IPv6 host"],
      ["http://169.254.170.3/", "a neighbour of the ECS host"],
      ["http://0.0.0.0:8080/", "the unspecified address"],
      ["http://10.0.0.5/creds", "a private address over plain http"],
      ["http://128.0.0.1/", "just outside 127/8"],
      ["http://example.com/creds", "a public name over plain http"],
      ["http://127.0.0.1@evil.com/creds", "loopback as user info"],
      ["http://169.254.170.2@evil.com/creds", "the ECS host as user info"],
      ["http://user:pass@127.0.0.1/creds", "user info on an allowed host"],
      ["https://user@credentials.example.com/", "user info on https"],
      ["ftp://127.0.0.1/creds", "another scheme"],
      ["file:///etc/passwd", "a file URL"],
    ])("refuses %s (%s) with CONTAINER_HOST_NOT_ALLOWED", (uri) => {
      const error = refusal({ [FULL]: uri });
      expect(error).toMatchObject({ code: "CONTAINER_HOST_NOT_ALLOWED", tryNextLink: false, source: "container" });
      expect(error.message).toContain("refused before any request");
    });

    it.each([
      ["not a url", "no scheme"],
      ["http://127.0.0.1\n.evil.com/", "a newline the URL parser would drop"],
      ["http://127.0.0.1/creds\r\nX-Injected: 1", "CR/LF"],
      ["http://[::1/", "an unterminated IPv6 literal"],
    ])("refuses %j (%s) with CONTAINER_CONFIG_INVALID", (uri) => {
      expect(refusal({ [FULL]: uri })).toMatchObject({ code: "CONTAINER_CONFIG_INVALID", tryNextLink: false });
    });

    it("never shows a password from the URI in the message", () => {
      const error = refusal({ [FULL]: "http://admin:hunter2-secret@evil.example/creds" });
      expect(error.message).not.toContain("hunter2-secret");
      expect(JSON.stringify(error)).not.toContain("hunter2-secret");
    });
  });

  it("reads process.env when no environment is given", () => {
    vi.stubEnv(FULL, "http://127.0.0.1:4321/x");
    try {
      expect(resolveContainerEndpoint()).toBe("http://127.0.0.1:4321/x");
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
