import { describe, expect, it } from "vitest";
import { fromRolesAnywhere } from "../../../src/providers/roles-anywhere/from-roles-anywhere.js";
import { resolveRolesAnywhereSettings } from "../../../src/providers/roles-anywhere/resolve-roles-anywhere-settings.js";
import type { RolesAnywhereOptions } from "../../../src/providers/roles-anywhere/roles-anywhere-options.js";
import { PROFILE_ARN, ROLE_ARN, TRUST_ANCHOR_ARN } from "./world.js";

const base: RolesAnywhereOptions = {
  certificate: "/etc/pki/host.pem",
  privateKey: "/etc/pki/host.key",
  trustAnchorArn: TRUST_ANCHOR_ARN,
  profileArn: PROFILE_ARN,
  roleArn: ROLE_ARN,
};
const settings = (extra: Partial<Record<string, unknown>>) => resolveRolesAnywhereSettings({ ...base, ...extra });

describe("Roles Anywhere options: defaults", () => {
  it("takes the region from the trust anchor ARN and builds the regional endpoint", () => {
    expect(settings({})).toMatchObject({ region: "eu-west-1", endpoint: "https://rolesanywhere.eu-west-1.amazonaws.com", durationSeconds: 3600, timeoutMs: 10_000, accountId: "123456789012" });
  });

  it.each([
    ["aws-cn", "cn-north-1", "https://rolesanywhere.cn-north-1.amazonaws.com.cn"],
    ["aws-us-gov", "us-gov-west-1", "https://rolesanywhere.us-gov-west-1.amazonaws.com"],
    ["aws-iso-b", "us-isob-east-1", "https://rolesanywhere.us-isob-east-1.sc2s.sgov.gov"],
    ["aws-eusc", "eusc-de-east-1", "https://rolesanywhere.eusc-de-east-1.amazonaws.eu"],
  ])("uses the %s partition's DNS suffix", (partition, region, endpoint) => {
    const arn = (resource: string) => `arn:${partition}:rolesanywhere:${region}:123456789012:${resource}/6f4943fb-13d4-4242-89c4-be367595c380`;
    expect(settings({ trustAnchorArn: arn("trust-anchor"), profileArn: arn("profile"), roleArn: `arn:${partition}:iam::123456789012:role/app` }).endpoint).toBe(endpoint);
  });

  it("tells file paths from inline PEM, and names each for messages without quoting PEM", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const resolved = settings({ certificate: pem, intermediates: "/etc/pki/chain.pem" });
    expect(resolved.certificate).toMatchObject({ kind: "pem", where: "the PEM given as `certificate`" });
    expect(resolved.privateKey).toMatchObject({ kind: "file", path: "/etc/pki/host.key", where: 'the private key file "/etc/pki/host.key" (`privateKey`)' });
    expect(resolved.intermediates).toMatchObject({ kind: "file", where: 'the intermediates file "/etc/pki/chain.pem" (`intermediates`)' });
  });

  it("accepts an https endpoint anywhere and http to this machine, without a trailing slash", () => {
    expect(settings({ endpoint: "https://vpce-1.rolesanywhere.eu-west-1.vpce.amazonaws.com/" }).endpoint).toBe("https://vpce-1.rolesanywhere.eu-west-1.vpce.amazonaws.com");
    expect(settings({ endpoint: "http://127.0.0.1:4566" }).endpoint).toBe("http://127.0.0.1:4566");
    expect(settings({ endpoint: "http://[::1]:4566/" }).endpoint).toBe("http://[::1]:4566");
    expect(settings({ endpoint: "http://localhost:8080" }).endpoint).toBe("http://localhost:8080");
  });

  it("does no I/O: a certificate path that does not exist is accepted until the first call", () => {
    expect(() => fromRolesAnywhere({ ...base, certificate: "/nonexistent/for/sure.pem" })).not.toThrow();
  });
});

describe("Roles Anywhere options: refused with a TypeError naming the option", () => {
  it.each([
    ["a trust anchor ARN of another service", { trustAnchorArn: "arn:aws:iam::123456789012:role/x" }, /Expected `trustAnchorArn` to be a Roles Anywhere trust-anchor ARN such as arn:aws:rolesanywhere:/],
    ["a profile ARN given as the trust anchor", { trustAnchorArn: PROFILE_ARN }, /Expected `trustAnchorArn` .* \(a profile ARN, not a trust-anchor ARN\)/],
    ["a trust anchor ARN with a short account", { trustAnchorArn: TRUST_ANCHOR_ARN.replace("123456789012", "12345") }, /`trustAnchorArn`.*12-digit account/],
    ["an unknown partition", { profileArn: PROFILE_ARN.replace("arn:aws:", "arn:aws-mars:") }, /Expected `profileArn`/],
    ["a malformed role ARN", { roleArn: "arn:aws:iam::123456789012:user/bob" }, /Expected `roleArn` to look like arn:aws:iam::123456789012:role\/name/],
    ["a profile in another region", { profileArn: PROFILE_ARN.replace("eu-west-1", "us-east-1") }, /Expected `profileArn` to be in the trust anchor's partition and region \(aws, eu-west-1\), got aws, us-east-1/],
    [
      "a role in another partition",
      { roleArn: "arn:aws-cn:iam::123456789012:role/app" },
      /Expected `roleArn` to be in the trust anchor's partition aws, got aws-cn/,
    ],
    ["a region other than the trust anchor's", { region: "us-east-1" }, /Expected `region` to be the trust anchor's region eu-west-1 \(or left out\), got us-east-1/],
    ["durationSeconds below 900", { durationSeconds: 899 }, /Expected `durationSeconds` to be a whole number from 900 to 43200, got 899/],
    ["durationSeconds above 43200", { durationSeconds: 43_201 }, /Expected `durationSeconds`/],
    ["durationSeconds not whole", { durationSeconds: 1800.5 }, /Expected `durationSeconds`/],
    ["a session name with a space", { sessionName: "nightly backup" }, /Expected `sessionName` to be 2–64 characters of \[A-Za-z0-9_\+=,\.@-\]/],
    ["a one-character session name", { sessionName: "x" }, /Expected `sessionName`/],
    ["a 65-character session name", { sessionName: "x".repeat(65) }, /Expected `sessionName`/],
    ["an http endpoint that is not this machine", { endpoint: "http://rolesanywhere.example.com" }, /Expected `endpoint` to use https: plain http is allowed only to this machine/],
    ["an http endpoint whose name only looks local", { endpoint: "http://127.0.0.1.nip.io:8080" }, /Expected `endpoint` to use https/],
    ["an endpoint with a query", { endpoint: "https://rolesanywhere.eu-west-1.amazonaws.com/?x=1" }, /without user info, query or fragment/],
    ["an endpoint with user info", { endpoint: "https://user:pw@rolesanywhere.eu-west-1.amazonaws.com" }, /without user info/],
    ["an endpoint that is not a URL", { endpoint: "rolesanywhere.eu-west-1.amazonaws.com" }, /Expected `endpoint` to be an http\(s\) base URL/],
    ["a timeout of zero", { timeoutMs: 0 }, /Expected `timeoutMs` to be a finite number > 0/],
    ["a missing certificate", { certificate: undefined }, /Expected `certificate` to be a file path or PEM text/],
    ["an empty private key", { privateKey: "" }, /Expected `privateKey` to be a file path or PEM text .*got an empty string/],
    ["an empty passphrase", { privateKeyPassphrase: "" }, /Expected `privateKeyPassphrase` to be a non-empty string/],
    ["a PKCS#11 URI", { privateKey: "pkcs11:token=hsm;object=host-key" }, /PKCS#11 tokens .* are supported by AWS's aws_signing_helper, not by env-or-profile/],
    ["a PKCS#11 certificate", { certificate: "pkcs11:token=hsm;object=host" }, /Expected `certificate` .* got a PKCS#11 URI/],
    ["a TPM handle", { privateKey: "handle:0x81000001" }, /TPM 2\.0 keys are supported by AWS's aws_signing_helper/],
    ["a misspelt option, with a suggestion", { durationSecond: 900 }, /Unknown option `durationSecond` of fromRolesAnywhere; did you mean `durationSeconds`\?/],
    ["a snake_case option, with its camelCase name", { private_key_passphrase: "x" }, /Unknown option `private_key_passphrase` of fromRolesAnywhere; did you mean `privateKeyPassphrase`\?/],
    ["aws_signing_helper's name for the session name", { roleSessionName: "x" }, /Unknown option `roleSessionName` of fromRolesAnywhere; did you mean `sessionName`\?/],
    ["an unrelated option, listing the options", { colour: "blue" }, /Unknown option `colour` of fromRolesAnywhere; the known options are `certificate`, `privateKey`/],
    ["a clock without now()", { clock: {} }, /Expected `clock` to be an object with a `now\(\)` method/],
  ])("%s", (_name, extra, message) => {
    expect(() => settings(extra)).toThrow(TypeError);
    expect(() => settings(extra)).toThrow(message);
  });

  it("never echoes a private key pasted without its PEM lines", () => {
    const pasted = `MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQDsJluTxgm5EWCq\n${"A".repeat(64)}`;
    let message = "";
    try {
      settings({ privateKey: pasted });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/Expected `privateKey` to be a file path or PEM text .*neither/);
    expect(message).not.toContain("MIIEvAIBADAN");
  });

  it("never echoes the passphrase", () => {
    expect(() => settings({ privateKeyPassphrase: 42 })).toThrow(/Expected `privateKeyPassphrase` to be a non-empty string$/);
  });

  it("refuses options that are not an object", () => {
    expect(() => fromRolesAnywhere(undefined as unknown as RolesAnywhereOptions)).toThrow(TypeError);
  });
});
