/*
 * Issue 18 item 3: the IMDS settings of the selected profile (`ec2_metadata_v1_disabled`,
 * `ec2_metadata_service_endpoint`, `ec2_metadata_service_endpoint_mode`, `metadata_service_timeout`,
 * `metadata_service_num_attempts`) apply to the IMDS link — fromImds, the chain's, and a profile's
 * `credential_source = Ec2InstanceMetadata` — with the environment winning over the file and options
 * over both, as in the AWS SDKs. Real files in a temporary HOME, real IMDS emulators.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { envOrProfile } from "../../../src/env-or-profile.js";
import { memoize } from "../../../src/memoize.js";
import { fromImds, type ImdsOptions } from "../../../src/providers/imds/from-imds.js";
import { resolveImdsOptions } from "../../../src/providers/imds/imds-options.js";
import { IMDS_IPV6_ENDPOINT } from "../../../src/providers/imds/resolve-endpoint.js";
import { fromProfile } from "../../../src/providers/profile/from-profile.js";
import { startStsEmulator } from "../../../src/testing/sts-emulator.js";
import { tempAws, type TempAws } from "../profile/temp-aws.js";
import { rejection, ROLE_LIST, rolePath, TOKEN, useEmulators } from "./helpers.js";

const start = useEmulators();
const ROLE = rolePath("env-or-profile-demo-role");
let aws: TempAws;
beforeEach(() => {
  aws = tempAws();
});
afterEach(() => {
  aws.remove();
});

/** fromImds in the temporary HOME (its ~/.aws/config), with the given extra environment. */
function imdsIn(env: Record<string, string> = {}, options: ImdsOptions = {}) {
  return fromImds({ env: aws.env(env), timeoutMs: 1_000, ...options });
}

describe("ec2_metadata_v1_disabled in the selected profile", () => {
  it("refuses the IMDSv1 fallback when the token request is refused, naming the key and the file, with no IMDSv1 request", async () => {
    const imds = await start();
    imds.fail(TOKEN, 403);
    aws.writeConfig(`[default]\nec2_metadata_v1_disabled = true\nec2_metadata_service_endpoint = ${imds.endpoint}\n`);
    const error = await rejection(imdsIn()());
    expect(error).toMatchObject({ source: "imds", code: "IMDS_V1_DISABLED", tryNextLink: false });
    expect(error.message).toContain(`\`ec2_metadata_v1_disabled\` in [default] of ${aws.configFile}`);
    expect(imds.count(ROLE_LIST) + imds.count(ROLE)).toBe(0);
  });

  it("falls back to IMDSv1 without it (the control)", async () => {
    const imds = await start();
    imds.fail(TOKEN, 403);
    aws.writeConfig(`[default]\nec2_metadata_service_endpoint = ${imds.endpoint}\n`);
    expect(await imdsIn()()).toEqual(imds.current);
  });

  it("is the profile AWS_PROFILE selects, not [default]'s", async () => {
    const imds = await start({ mode: "v1-only" });
    aws.writeConfig(`[default]\nregion = eu-west-1\n\n[profile strict]\nec2_metadata_v1_disabled = true\n`);
    expect(await imdsIn({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint })()).toEqual(imds.current);
    const error = await rejection(imdsIn({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint, AWS_PROFILE: "strict" })());
    expect(error.message).toContain(`[profile strict] of ${aws.configFile}`);
  });

  it("loses to AWS_EC2_METADATA_V1_DISABLED=false, which loses to the allowImdsV1 option", async () => {
    const imds = await start({ mode: "v1-only" });
    aws.writeConfig("[default]\nec2_metadata_v1_disabled = true\n");
    const env = { AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint };
    expect(await imdsIn({ ...env, AWS_EC2_METADATA_V1_DISABLED: "false" })()).toEqual(imds.current);
    expect(await imdsIn(env, { allowImdsV1: true })()).toEqual(imds.current);
    expect((await rejection(imdsIn({ ...env, AWS_EC2_METADATA_V1_DISABLED: "true" }, { allowImdsV1: false })())).message).toContain("`allowImdsV1: false`");
  });

  it("is not read with `profile: false`", async () => {
    const imds = await start({ mode: "v1-only" });
    aws.writeConfig("[default]\nec2_metadata_v1_disabled = true\n");
    expect(await imdsIn({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint }, { profile: false })()).toEqual(imds.current);
  });

  it("applies to a profile's credential_source = Ec2InstanceMetadata (the selected profile's setting)", async () => {
    const imds = await start({ mode: "v1-only" });
    const sts = await startStsEmulator({ baseCredentials: [imds.current] });
    try {
      aws.writeConfig(
        "[profile app]\nrole_arn = arn:aws:iam::123456789012:role/app\ncredential_source = Ec2InstanceMetadata\n" +
          `ec2_metadata_v1_disabled = true\nec2_metadata_service_endpoint = ${imds.endpoint}\n`,
      );
      const error = await rejection(fromProfile({ profile: "app", env: aws.env({ AWS_ENDPOINT_URL_STS: sts.endpoint }) })());
      expect(error).toMatchObject({ code: "STS_SOURCE_FAILED", tryNextLink: false }); // the role's base failed…
      expect(error.message).toContain("IMDS_V1_DISABLED"); // …because IMDSv1 is off
      expect(error.message).toContain(`\`ec2_metadata_v1_disabled\` in [profile app] of ${aws.configFile}`);
      expect(sts.calls).toBe(0);
    } finally {
      await sts.close();
    }
  });

  it("applies to the chain's IMDS link, with the profile the chain names", async () => {
    const imds = await start({ mode: "v1-only" });
    aws.writeConfig(`[profile strict]\nec2_metadata_v1_disabled = true\nec2_metadata_service_endpoint = ${imds.endpoint}\n`);
    // The profile link answers first for a named profile; with no profile link, the IMDS link still reads [profile strict].
    const chain = envOrProfile({ env: { env: aws.env() }, imds: { profile: "strict", timeoutMs: 1_000 } });
    expect(await rejection(chain())).toMatchObject({ code: "IMDS_V1_DISABLED" });
  });

  it("is read again when the file changes: a new provider sees the edit (the files' identities are in the key)", async () => {
    const imds = await start({ mode: "v1-only" });
    aws.writeConfig(`[default]\nec2_metadata_service_endpoint = ${imds.endpoint}\n`);
    expect(await memoize(imdsIn())()).toEqual(imds.current);
    aws.writeConfig(`[default]\nec2_metadata_service_endpoint = ${imds.endpoint}\nec2_metadata_v1_disabled = true\n`);
    expect(await rejection(memoize(imdsIn())())).toMatchObject({ code: "IMDS_V1_DISABLED" });
  });

  it("must be true or false: anything else is CONFIG_INVALID naming the key, before any request", async () => {
    const imds = await start();
    aws.writeConfig(`[default]\nec2_metadata_v1_disabled = yes\nec2_metadata_service_endpoint = ${imds.endpoint}\n`);
    const error = await rejection(imdsIn()());
    expect(error).toMatchObject({ code: "CONFIG_INVALID", tryNextLink: false });
    expect(error.message).toContain(`\`ec2_metadata_v1_disabled\` in [default] of ${aws.configFile} must be true or false, got "yes"`);
    expect(imds.log).toEqual([]);
  });
});

describe("ec2_metadata_service_endpoint and _mode in the selected profile", () => {
  it("points the link at the profile's endpoint; AWS_EC2_METADATA_SERVICE_ENDPOINT wins over it; the option over both", async () => {
    const [fromFile, fromEnv, fromOption] = await Promise.all([start(), start(), start()]);
    aws.writeConfig(`[default]\nec2_metadata_service_endpoint = ${fromFile.endpoint}\n`);
    await imdsIn()();
    await imdsIn({ AWS_EC2_METADATA_SERVICE_ENDPOINT: fromEnv.endpoint })();
    await imdsIn({ AWS_EC2_METADATA_SERVICE_ENDPOINT: fromEnv.endpoint }, { endpoint: fromOption.endpoint })();
    expect([fromFile.tokenRequests, fromEnv.tokenRequests, fromOption.tokenRequests]).toEqual([1, 1, 1]);
  });

  it("reads the endpoint mode from the profile, after the variable (no request is made here)", () => {
    const where = "`ec2_metadata_service_endpoint_mode` in [default] of /home/me/.aws/config";
    expect(resolveImdsOptions({ env: {} }, { endpointMode: { value: "IPv6", where } }).endpoint).toBe(IMDS_IPV6_ENDPOINT);
    expect(resolveImdsOptions({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "IPv4" } }, { endpointMode: { value: "IPv6", where } }).endpoint).toBe("http://169.254.169.254");
    const bad = resolveImdsOptions({ env: {} }, { endpointMode: { value: "IPv5", where } });
    expect(bad.configError?.message).toContain(`${where} must be "IPv4" or "IPv6", got "IPv5"`);
  });

  it("refuses a profile endpoint that is not an http URL, naming the key and the file", async () => {
    aws.writeConfig("[default]\nec2_metadata_service_endpoint = 169.254.169.254\n");
    const error = await rejection(imdsIn()());
    expect(error).toMatchObject({ code: "CONFIG_INVALID" });
    expect(error.message).toContain(`\`ec2_metadata_service_endpoint\` in [default] of ${aws.configFile} must be an http:// URL`);
  });
});

describe("metadata_service_timeout and metadata_service_num_attempts in the selected profile", () => {
  it("takes the timeout (seconds) and attempts from the profile, each after its variable and its option", () => {
    const file = {
      timeout: { value: "2.5", where: "`metadata_service_timeout` in [default] of /c" },
      numAttempts: { value: "4", where: "`metadata_service_num_attempts` in [default] of /c" },
    };
    expect(resolveImdsOptions({ env: {} }, file)).toMatchObject({ timeoutMs: 2_500, maxAttempts: 4 });
    expect(resolveImdsOptions({ env: { AWS_METADATA_SERVICE_TIMEOUT: "3", AWS_METADATA_SERVICE_NUM_ATTEMPTS: "2" } }, file)).toMatchObject({ timeoutMs: 3_000, maxAttempts: 2 });
    expect(resolveImdsOptions({ env: { AWS_METADATA_SERVICE_TIMEOUT: "3" }, timeoutMs: 50, maxAttempts: 1 }, file)).toMatchObject({ timeoutMs: 50, maxAttempts: 1 });
  });

  it("retries a failing IMDS as many times as the profile says, under memoize", async () => {
    const imds = await start();
    imds.fail(ROLE_LIST, 500, { times: 2 });
    aws.writeConfig(`[default]\nec2_metadata_service_endpoint = ${imds.endpoint}\nmetadata_service_num_attempts = 3\n`);
    expect(await memoize(imdsIn())()).toEqual(imds.current);
    expect(imds.count(ROLE_LIST)).toBe(3);
  });

  it("refuses a timeout or attempts that are not numbers, naming each key and the file", async () => {
    aws.writeConfig("[default]\nmetadata_service_timeout = soon\nmetadata_service_num_attempts = 0\n");
    const error = await rejection(fromImds({ env: aws.env() })());
    expect(error).toMatchObject({ code: "CONFIG_INVALID", tryNextLink: false });
    expect(error.message).toContain(`\`metadata_service_timeout\` in [default] of ${aws.configFile} must be a positive number of seconds, got "soon"`);
    expect(error.message).toContain(`\`metadata_service_num_attempts\` in [default] of ${aws.configFile} must be an integer ≥ 1, got "0"`);
  });
});

describe("the files behind the settings", () => {
  it("takes the config file's value over the credentials file's, and the credentials file's when the config has none", () => {
    // Through the link: the credentials file alone can point IMDS somewhere (as in the AWS SDKs).
    return (async () => {
      const [inConfig, inCredentials] = await Promise.all([start(), start()]);
      aws.writeCredentials(`[default]\nec2_metadata_service_endpoint = ${inCredentials.endpoint}\n`);
      await imdsIn()();
      expect(inCredentials.tokenRequests).toBe(1);
      aws.writeConfig(`[default]\nec2_metadata_service_endpoint = ${inConfig.endpoint}\n`);
      await imdsIn()();
      expect([inConfig.tokenRequests, inCredentials.tokenRequests]).toEqual([1, 1]);
    })();
  });

  it("reports a malformed config file as CONFIG_INVALID naming the file and line, never its text", async () => {
    aws.writeConfig("[default]\nsecret-looking-line-without-equals-sign wJalrXUtnFEMI/K7MDENG\n");
    const error = await rejection(imdsIn()());
    expect(error).toMatchObject({ code: "CONFIG_INVALID" });
    expect(error.message).toContain(aws.configFile);
    expect(error.message).not.toContain("wJalrXUtnFEMI");
  });

  it("reads no file when IMDS is turned off (AWS_EC2_METADATA_DISABLED=true): a fall-through without I/O", async () => {
    aws.writeConfig("[default]\nnot an ini line\n");
    expect(await rejection(imdsIn({ AWS_EC2_METADATA_DISABLED: "true" })())).toMatchObject({ code: "IMDS_DISABLED", tryNextLink: true });
  });
});
