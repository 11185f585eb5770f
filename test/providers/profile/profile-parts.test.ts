import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CredentialsError } from "../../../src/errors.js";
import { findIniProblems } from "../../../src/providers/profile/find-ini-problems.js";
import { loadProfiles } from "../../../src/providers/profile/load-profiles.js";
import { readProfileFiles, type ProfileFs } from "../../../src/providers/profile/read-profile-files.js";
import { readRoleSettings } from "../../../src/providers/profile/read-role-settings.js";
import { profileStsLocation } from "../../../src/providers/profile/build-profile-link.js";
import { explicitProfileName, resolveProfileSelection } from "../../../src/providers/profile/resolve-profile-selection.js";

const ROLE = "arn:aws:iam::123456789012:role/r";

describe("resolveProfileSelection", () => {
  it("uses AWS_PROFILE, else default, and the files under HOME", () => {
    expect(resolveProfileSelection({ env: { HOME: "/home/me" } })).toEqual({
      profile: "default",
      from: "default",
      explicit: false,
      configFile: "/home/me/.aws/config",
      credentialsFile: "/home/me/.aws/credentials",
    });
    expect(resolveProfileSelection({ env: { HOME: "/home/me", AWS_PROFILE: "work" } })).toMatchObject({ profile: "work", from: "AWS_PROFILE", explicit: true });
  });

  it("treats an empty AWS_PROFILE or option as unset", () => {
    expect(resolveProfileSelection({ profile: "", env: { HOME: "/h", AWS_PROFILE: "" } })).toMatchObject({ profile: "default", explicit: false });
  });

  it("expands ~ in AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, as the CLI does", () => {
    const selection = resolveProfileSelection({ env: { HOME: "/home/me", AWS_CONFIG_FILE: "~/cfg", AWS_SHARED_CREDENTIALS_FILE: "/abs/creds" } });
    expect([selection.configFile, selection.credentialsFile]).toEqual(["/home/me/cfg", "/abs/creds"]);
  });

  it("falls back to USERPROFILE without HOME (Windows), with its separator", () => {
    expect(resolveProfileSelection({ env: { USERPROFILE: "C:\\Users\\me" } }).configFile).toBe("C:\\Users\\me\\.aws\\config");
  });

  it("refuses a profile option that is not a string", () => {
    expect(() => resolveProfileSelection({ profile: 42 as unknown as string })).toThrow(TypeError);
  });
});

describe("explicitProfileName", () => {
  it("is the option, else AWS_PROFILE, else undefined — without reading any file", () => {
    expect(explicitProfileName({ profile: "a", env: { AWS_PROFILE: "b" } })).toBe("a");
    expect(explicitProfileName({ env: { AWS_PROFILE: "b" } })).toBe("b");
    expect(explicitProfileName({ env: { AWS_PROFILE: "" } })).toBeUndefined();
  });
});

describe("readProfileFiles", () => {
  const fakeFs = (errors: Record<string, string>, contents: Record<string, string> = {}): ProfileFs => ({
    stat: async (path) => {
      if (errors[`stat:${path}`] !== undefined) throw Object.assign(new Error(`${errors[`stat:${path}`]}: ${path}`), { code: errors[`stat:${path}`] });
      return { isFile: () => true, isDirectory: () => false, size: (contents[path] ?? "").length };
    },
    readFile: async (path) => {
      if (errors[`read:${path}`] !== undefined) throw Object.assign(new Error(`${errors[`read:${path}`]}: ${path}`), { code: errors[`read:${path}`] });
      return contents[path] ?? "";
    },
  });

  it("says permission denied for a file that cannot be opened", async () => {
    const error = await readProfileFiles({ configFile: "/c", credentialsFile: "/k" }, { fs: fakeFs({ "read:/k": "EACCES", "stat:/c": "ENOENT" }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsError);
    expect(error).toMatchObject({ code: "PROFILE_FILE_UNREADABLE", tryNextLink: false });
    expect((error as Error).message).toBe("Cannot read the AWS credentials file /k: EACCES (permission denied)");
  });

  it("refuses a file larger than the limit without reading it", async () => {
    const fs = fakeFs({ "stat:/c": "ENOENT" }, { "/k": "x".repeat(100) });
    const error = await readProfileFiles({ configFile: "/c", credentialsFile: "/k" }, { fs, maxBytes: 10 }).catch((e: unknown) => e);
    expect((error as Error).message).toContain("100 bytes, more than the 10");
  });

  it("drops a UTF-8 byte-order mark", async () => {
    const fs = fakeFs({ "stat:/c": "ENOENT" }, { "/k": "\uFEFF[default]\n" });
    expect((await readProfileFiles({ configFile: "/c", credentialsFile: "/k" }, { fs })).credentials?.text).toBe("[default]\n");
  });
});

describe("findIniProblems", () => {
  const problems = (text: string, kind: "config" | "credentials" = "config") => findIniProblems({ kind, path: "/f", text });

  it("finds nothing wrong in a file the CLI reads", () => {
    expect(problems("[default]\nregion = us-east-1\n\n[profile a]\n# note\nrole_arn = x ; why\ns3 =\n  addressing_style = path\n[sso-session corp]\nsso_region = eu-west-1\n")).toEqual([]);
  });

  it("refuses a profile name the SDK's loader would skip, and __proto__", () => {
    expect(problems("[profile my profile]\nregion = x\n")[0]).toContain("may hold only letters, digits");
    expect(problems("[__proto__]\nregion = x\n", "credentials")[0]).toContain("not a usable profile name");
  });

  it("lists at most ten problems and counts the rest", () => {
    const list = problems(`[default]\n${"broken line\n".repeat(15)}`);
    expect(list).toHaveLength(11);
    expect(list[10]).toBe("/f and 5 more");
  });

  it("never returns the text of a broken line, whatever it holds", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9/+]{20,40}$/), fc.constantFrom("", "aws_secret_access_key ", "[", "key: ", " "), (secret, prefix) => {
        const text = `${prefix === "[" ? "" : "[default]\n"}${prefix}${secret}\n`;
        for (const message of problems(text, "credentials")) {
          expect(message).not.toContain(secret);
        }
      }),
    );
  });
});

describe("readRoleSettings", () => {
  async function roleSettings(config: string) {
    const profiles = await loadProfiles({ config: { kind: "config", path: "/c", text: config }, credentials: undefined });
    const profile = profiles.profile("r");
    if (profile === undefined) throw new Error("no profile r");
    return readRoleSettings(profile, profile, profiles);
  }

  async function settings(config: string, env: Record<string, string | undefined> = {}) {
    const profiles = await loadProfiles({ config: { kind: "config", path: "/c", text: config }, credentials: undefined });
    const profile = profiles.profile("r");
    if (profile === undefined) throw new Error("no profile r");
    return profileStsLocation(readRoleSettings(profile, profile, profiles), env);
  }

  it("sends the legacy regions to the global endpoint with sts_regional_endpoints = legacy", async () => {
    expect((await settings(`[profile r]\nrole_arn = ${ROLE}\nregion = eu-west-1\nsts_regional_endpoints = legacy\n`)).endpoint).toBe("https://sts.amazonaws.com");
    expect((await settings(`[profile r]\nrole_arn = ${ROLE}\nregion = ap-east-1\nsts_regional_endpoints = legacy\n`)).endpoint).toBeUndefined();
    expect((await settings(`[profile r]\nrole_arn = ${ROLE}\nregion = eu-west-1\n`, { AWS_STS_REGIONAL_ENDPOINTS: "legacy" })).endpoint).toBe("https://sts.amazonaws.com");
  });

  it("refuses another sts_regional_endpoints value, naming the key", async () => {
    await expect(settings(`[profile r]\nrole_arn = ${ROLE}\nsts_regional_endpoints = global\n`)).rejects.toThrow(/`sts_regional_endpoints` in \[profile r\] of \/c must be "regional" or "legacy"/);
  });

  it("takes the region from AWS_REGION over the profile, and the profile's over the default", async () => {
    expect((await settings(`[profile r]\nrole_arn = ${ROLE}\nregion = eu-west-1\n`, { AWS_REGION: "ap-south-1" })).region).toBe("ap-south-1");
    expect((await settings(`[profile r]\nrole_arn = ${ROLE}\nregion = eu-west-1\n`)).region).toBe("eu-west-1");
    expect((await settings(`[profile r]\nrole_arn = ${ROLE}\n`)).region).toBe("us-east-1");
  });

  it("ignores configured endpoints with AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", async () => {
    const config = `[profile r]\nrole_arn = ${ROLE}\nendpoint_url = http://127.0.0.1:1\n`;
    expect((await settings(config)).endpoint).toBe("http://127.0.0.1:1");
    expect((await settings(config, { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true", AWS_ENDPOINT_URL_STS: "http://127.0.0.1:2" })).endpoint).toBeUndefined();
  });

  it("refuses plain http to an AWS endpoint, naming the key", async () => {
    await expect(settings(`[profile r]\nrole_arn = ${ROLE}\nendpoint_url = http://sts.amazonaws.com\n`)).rejects.toThrow(/`endpoint_url` in \[profile r\] of \/c must use https/);
  });

  it("never shows an external_id that breaks the rules", async () => {
    const error = await roleSettings(`[profile r]\nrole_arn = ${ROLE}\nexternal_id = s3cr3t value with spaces\n`).catch((e: unknown) => e);
    expect((error as Error).message).toContain("`external_id` in [profile r]");
    expect((error as Error).message).not.toContain("s3cr3t");
  });
});

describe("fromProfile options", () => {
  it("refuses options of the wrong type when it is created", async () => {
    const { fromProfile } = await import("../../../src/providers/profile/from-profile.js");
    expect(() => fromProfile({ profile: 1 as unknown as string })).toThrow(/`profile` to be a string/);
    expect(() => fromProfile({ processTimeoutMs: 0 })).toThrow(/`processTimeoutMs`/);
    expect(() => fromProfile({ cache: false } as never)).toThrow(/Unknown option `cache`.*memoize/);
    expect(() => fromProfile({ profle: "dev" } as never)).toThrow(/Unknown option `profle`.*did you mean `profile`/);
    expect(() => fromProfile({ clock: {} as unknown as { now(): number } })).toThrow(/`clock`/);
  });
});
