import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CredentialsError } from "../../../src/errors.js";
import { memoize } from "../../../src/memoize.js";
import { fromProfile, type ProfileOptions } from "../../../src/providers/profile/from-profile.js";
import { startContainerEmulator } from "../../../src/testing/container-emulator.js";
import { startImdsEmulator } from "../../../src/testing/imds-emulator.js";
import { manualClock } from "../../../src/testing/manual-clock.js";
import { startStsEmulator, type StsEmulator } from "../../../src/testing/sts-emulator.js";
import { expectClean } from "../../helpers/leak-check.js";
import { rejection, tempAws, type TempAws } from "./temp-aws.js";

const KEY = "AKIAIOSFODNN7PROFILE1";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPROFILE001";
const TOKEN = "IQoJb3JpZ2luX2VjPROFILE-SESSION-TOKEN-001";
const ROLE = "arn:aws:iam::123456789012:role/partner-upload";
const ROLE2 = "arn:aws:iam::210987654321:role/second-hop";
const EXTERNAL_ID = "tenant-42";

let aws: TempAws;
let sts: StsEmulator | undefined;

beforeEach(() => {
  aws = tempAws();
});
afterEach(async () => {
  aws.remove();
  await sts?.close();
  sts = undefined;
});

const staticCredentials = `[default]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n`;

async function startSts(externalId?: string): Promise<StsEmulator> {
  sts = await startStsEmulator({
    baseCredentials: [{ accessKeyId: KEY, secretAccessKey: SECRET }],
    ...(externalId === undefined ? {} : { externalId }),
  });
  return sts;
}

function resolve(options: ProfileOptions = {}, env: Record<string, string | undefined> = {}) {
  return fromProfile({ env: aws.env(env), ...options })();
}

async function profileFailure(options: ProfileOptions = {}, env: Record<string, string | undefined> = {}): Promise<CredentialsError> {
  const error = await rejection(resolve(options, env));
  expect(error).toBeInstanceOf(CredentialsError);
  return error as CredentialsError;
}

describe("fromProfile: static keys", () => {
  it("reads the default profile's keys from ~/.aws/credentials under HOME", async () => {
    aws.writeCredentials(staticCredentials);
    expect(await resolve()).toEqual({ accessKeyId: KEY, secretAccessKey: SECRET });
  });

  it("reads [profile x] from the config file and [x] from the credentials file, the credentials file winning for a key in both", async () => {
    aws.writeConfig(`[profile work]\naws_access_key_id = AKIACONFIGFILE000001\naws_secret_access_key = from-config\naws_session_token = ${TOKEN}\n`);
    aws.writeCredentials(`[work]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n`);
    expect(await resolve({ profile: "work" })).toEqual({ accessKeyId: KEY, secretAccessKey: SECRET, sessionToken: TOKEN });
  });

  it("takes the profile from AWS_PROFILE and the files from AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE", async () => {
    const credentials = aws.writeFile("elsewhere-credentials", `[ci]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n`);
    const config = aws.writeFile("elsewhere-config", "[profile ci]\nregion = eu-west-1\n");
    expect(await resolve({}, { AWS_PROFILE: "ci", AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials })).toEqual({
      accessKeyId: KEY,
      secretAccessKey: SECRET,
    });
  });

  it("prefers the profile option over AWS_PROFILE, and the file options over the variables", async () => {
    const credentials = aws.writeFile("option-credentials", `[chosen]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n`);
    aws.writeCredentials(`[other]\naws_access_key_id = AKIAOTHER00000000001\naws_secret_access_key = other\n`);
    const result = await resolve({ profile: "chosen", credentialsFile: credentials }, { AWS_PROFILE: "other" });
    expect(result.accessKeyId).toBe(KEY);
  });

  it("reads setting names in any case, as the AWS CLI does", async () => {
    aws.writeCredentials(`[default]\nAWS_ACCESS_KEY_ID = ${KEY}\nAws_Secret_Access_Key = ${SECRET}\n`);
    expect((await resolve()).accessKeyId).toBe(KEY);
  });

  it("carries aws_credential_expiration and refuses the keys once it has passed", async () => {
    const clock = manualClock(Date.parse("2026-06-01T00:00:00Z"));
    aws.writeCredentials(`${staticCredentials}aws_session_token = ${TOKEN}\naws_credential_expiration = 2026-06-01T01:00:00Z\n`);
    const provider = fromProfile({ env: aws.env(), clock });
    expect((await provider()).expiration).toEqual(new Date("2026-06-01T01:00:00Z"));
    clock.advance(60 * 60 * 1000);
    const error = (await rejection(provider())) as CredentialsError;
    expect(error.code).toBe("CREDENTIALS_EXPIRED");
    expect(error.tryNextLink).toBe(false);
  });

  it("sees a changed file on the next call", async () => {
    aws.writeCredentials(staticCredentials);
    const provider = fromProfile({ env: aws.env() });
    expect((await provider()).accessKeyId).toBe(KEY);
    aws.writeCredentials(`[default]\naws_access_key_id = AKIAROTATED000000001\naws_secret_access_key = rotated\n`);
    expect((await provider()).accessKeyId).toBe("AKIAROTATED000000001");
  });
});

describe("fromProfile: roles", () => {
  it("assumes role_arn with external_id, role_session_name and duration_seconds, signed by the source_profile's keys", async () => {
    const emulator = await startSts(EXTERNAL_ID);
    aws.writeCredentials(staticCredentials);
    aws.writeConfig(
      `[profile partner]\nrole_arn = ${ROLE}\nsource_profile = default\nexternal_id = ${EXTERNAL_ID}\nrole_session_name = nightly-upload\nduration_seconds = 1800\nendpoint_url = ${emulator.endpoint}\nregion = eu-west-1\n`,
    );
    const credential = await resolve({ profile: "partner" });
    expect(credential.accessKeyId).toBe(emulator.issued[0]?.accessKeyId);
    expect(credential.sessionToken).toBe(emulator.issued[0]?.sessionToken);
    expect(emulator.lastRequest).toMatchObject({
      action: "AssumeRole",
      roleArn: ROLE,
      externalId: EXTERNAL_ID,
      roleSessionName: "nightly-upload",
      durationSeconds: 1800,
      accessKeyId: KEY,
      region: "eu-west-1",
      signatureValid: true,
    });
  });

  it("follows source_profile to any depth: each hop is signed by the one before", async () => {
    const emulator = await startSts();
    aws.writeCredentials(staticCredentials);
    aws.writeConfig(
      `[profile first]\nrole_arn = ${ROLE}\nsource_profile = default\n[profile second]\nrole_arn = ${ROLE2}\nsource_profile = first\n` +
        `[profile third]\nrole_arn = ${ROLE}\nsource_profile = second\n`,
    );
    const credential = await resolve({ profile: "third" }, { AWS_ENDPOINT_URL_STS: emulator.endpoint });
    const requests = emulator.requests.filter((request) => request.action === "AssumeRole");
    expect(requests.map((request) => request.roleArn)).toEqual([ROLE, ROLE2, ROLE]);
    expect(requests[0]?.accessKeyId).toBe(KEY);
    expect(requests[1]?.accessKeyId).toBe(emulator.issued[0]?.accessKeyId);
    expect(requests[2]?.accessKeyId).toBe(emulator.issued[1]?.accessKeyId);
    expect(requests.every((request) => request.signatureValid)).toBe(true);
    expect(credential.accessKeyId).toBe(emulator.issued[2]?.accessKeyId);
  });

  it("uses a source profile's own keys even when it has a role_arn too (as the CLI does)", async () => {
    const emulator = await startSts();
    aws.writeConfig(
      `[profile base]\nrole_arn = ${ROLE2}\nsource_profile = nowhere\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n` +
        `[profile top]\nrole_arn = ${ROLE}\nsource_profile = base\n`,
    );
    await resolve({ profile: "top" }, { AWS_ENDPOINT_URL_STS: emulator.endpoint });
    expect(emulator.requests.map((request) => [request.roleArn, request.accessKeyId])).toEqual([[ROLE, KEY]]);
  });

  it("lets a role profile name itself as source_profile when it holds the keys", async () => {
    const emulator = await startSts();
    aws.writeConfig(`[profile self]\nrole_arn = ${ROLE}\nsource_profile = self\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n`);
    await resolve({ profile: "self" }, { AWS_ENDPOINT_URL_STS: emulator.endpoint });
    expect(emulator.lastRequest).toMatchObject({ roleArn: ROLE, accessKeyId: KEY });
  });

  it("signs with the environment's keys for credential_source = Environment", async () => {
    const emulator = await startSts();
    aws.writeConfig(`[profile envrole]\nrole_arn = ${ROLE}\ncredential_source = Environment\n`);
    await resolve({ profile: "envrole" }, { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET, AWS_ENDPOINT_URL_STS: emulator.endpoint });
    expect(emulator.lastRequest).toMatchObject({ roleArn: ROLE, accessKeyId: KEY, signatureValid: true });
  });

  it("signs with the instance profile's keys for credential_source = Ec2InstanceMetadata", async () => {
    const imds = await startImdsEmulator();
    try {
      sts = await startStsEmulator({ baseCredentials: [imds.current] });
      aws.writeConfig(`[profile ec2role]\nrole_arn = ${ROLE}\ncredential_source = Ec2InstanceMetadata\n`);
      await resolve({ profile: "ec2role" }, { AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint, AWS_ENDPOINT_URL_STS: sts.endpoint });
      expect(sts.lastRequest).toMatchObject({ roleArn: ROLE, accessKeyId: imds.current.accessKeyId, signatureValid: true });
    } finally {
      await imds.close();
    }
  });

  it("signs with the container's keys for credential_source = EcsContainer", async () => {
    const container = await startContainerEmulator();
    try {
      sts = await startStsEmulator({ baseCredentials: [container.current] });
      aws.writeConfig(`[profile task]\nrole_arn = ${ROLE}\ncredential_source = EcsContainer\n`);
      await resolve({ profile: "task" }, { AWS_CONTAINER_CREDENTIALS_FULL_URI: container.endpoint, AWS_ENDPOINT_URL_STS: sts.endpoint });
      expect(sts.lastRequest).toMatchObject({ roleArn: ROLE, accessKeyId: container.current.accessKeyId, signatureValid: true });
    } finally {
      await container.close();
    }
  });

  it("exchanges web_identity_token_file for role_arn with AssumeRoleWithWebIdentity, with the profile's session name", async () => {
    const token = "eyJhbGciOiJSUzI1NiJ9.profile-web-identity.signature";
    sts = await startStsEmulator({ webIdentityToken: token });
    const tokenFile = aws.writeFile("token", token);
    aws.writeConfig(`[profile irsa]\nrole_arn = ${ROLE}\nweb_identity_token_file = ${tokenFile}\nrole_session_name = from-profile\n`);
    const credential = await resolve({ profile: "irsa" }, { AWS_ENDPOINT_URL_STS: sts.endpoint });
    expect(sts.lastRequest).toMatchObject({ action: "AssumeRoleWithWebIdentity", roleArn: ROLE, roleSessionName: "from-profile" });
    expect(credential.accessKeyId).toBe(sts.issued[0]?.accessKeyId);
  });

  it("makes one AssumeRole for fifty memoized providers of the same role profile (one shared cache)", async () => {
    const emulator = await startSts(EXTERNAL_ID);
    aws.writeCredentials(staticCredentials);
    aws.writeConfig(`[profile partner]\nrole_arn = ${ROLE}\nsource_profile = default\nexternal_id = ${EXTERNAL_ID}\n`);
    const providers = Array.from({ length: 50 }, () => memoize(fromProfile({ profile: "partner", env: aws.env({ AWS_ENDPOINT_URL_STS: emulator.endpoint }) })));
    const results = await Promise.all(providers.map((provider) => provider()));
    expect(emulator.calls).toBe(1);
    expect(new Set(results.map((result) => result.accessKeyId)).size).toBe(1);
  });

  it("takes the STS endpoint from AWS_ENDPOINT_URL_STS over a services section, and a services section over endpoint_url", async () => {
    const emulator = await startSts();
    aws.writeCredentials(staticCredentials);
    aws.writeConfig(
      `[profile r]\nrole_arn = ${ROLE}\nsource_profile = default\nservices = local\nendpoint_url = http://127.0.0.1:9/never\n` +
        `[services local]\nsts =\n  endpoint_url = ${emulator.endpoint}\n`,
    );
    await resolve({ profile: "r" });
    expect(emulator.calls).toBe(1);
    const error = await profileFailure({ profile: "r" }, { AWS_ENDPOINT_URL_STS: "http://127.0.0.1:9/" });
    expect(error.code).toBe("STS_ERROR");
  });

  it("says which profile and role failed when STS denies the ExternalId, and stops the chain", async () => {
    const emulator = await startSts(EXTERNAL_ID);
    aws.writeCredentials(staticCredentials);
    aws.writeConfig(`[profile partner]\nrole_arn = ${ROLE}\nsource_profile = default\nexternal_id = wrong-id\nendpoint_url = ${emulator.endpoint}\n`);
    const error = await profileFailure({ profile: "partner" });
    expect(error).toMatchObject({ source: "profile", code: "STS_ACCESS_DENIED", tryNextLink: false });
    expect(error.message).toContain('Profile "partner"');
    expect(error.message).toContain(ROLE);
    expect(error.message).not.toContain("wrong-id");
  });
});

describe("fromProfile: credential_process", () => {
  it("runs the profile's credential_process and returns its keys", async () => {
    const script = aws.writeFile("creds.mjs", `process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: "${KEY}", SecretAccessKey: "${SECRET}", SessionToken: "${TOKEN}" }));`);
    aws.writeConfig(`[profile proc]\ncredential_process = "${process.execPath}" "${script}" --ignored 'arg'\n`);
    expect(await resolve({ profile: "proc" })).toEqual({ accessKeyId: KEY, secretAccessKey: SECRET, sessionToken: TOKEN });
  });

  it("prefers credentials-file keys over credential_process, and credential_process over config-file keys (the CLI's order)", async () => {
    const script = aws.writeFile("creds.mjs", `process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: "AKIAFROMPROCESS00001", SecretAccessKey: "p" }));`);
    aws.writeConfig(`[profile both]\ncredential_process = "${process.execPath}" "${script}"\naws_access_key_id = AKIAFROMCONFIG000001\naws_secret_access_key = c\n`);
    expect((await resolve({ profile: "both" })).accessKeyId).toBe("AKIAFROMPROCESS00001");
    aws.writeCredentials(`[both]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n`);
    expect((await resolve({ profile: "both" })).accessKeyId).toBe(KEY);
  });

  it("names the profile when its credential_process fails", async () => {
    const script = aws.writeFile("fail.mjs", "process.exit(7);");
    aws.writeConfig(`[profile proc]\ncredential_process = "${process.execPath}" "${script}"\n`);
    const error = await profileFailure({ profile: "proc" });
    expect(error).toMatchObject({ source: "profile", code: "PROCESS_FAILED", tryNextLink: false, retryable: false });
    expect(error.message).toContain('profile "proc"');
    expect(error.message).toContain("exited with code 7");
  });

  it("signs a role with a source profile's credential_process", async () => {
    const emulator = await startSts();
    const script = aws.writeFile("creds.mjs", `process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: "${KEY}", SecretAccessKey: "${SECRET}" }));`);
    aws.writeConfig(`[profile base]\ncredential_process = "${process.execPath}" "${script}"\n[profile r]\nrole_arn = ${ROLE}\nsource_profile = base\n`);
    await resolve({ profile: "r" }, { AWS_ENDPOINT_URL_STS: emulator.endpoint });
    expect(emulator.lastRequest).toMatchObject({ roleArn: ROLE, accessKeyId: KEY, signatureValid: true });
  });
});

describe("fromProfile: a credential_process that runs itself", () => {
  it("ends with an error instead of forking without end (env-or-profile credential-process --profile of the same profile)", async () => {
    const cli = new URL("../../../dist/cli/main.js", import.meta.url).pathname;
    aws.writeConfig(`[profile loop]\ncredential_process = "${process.execPath}" "${cli}" credential-process --profile loop --no-cache\n`);
    const error = await profileFailure({ profile: "loop" }, { AWS_EC2_METADATA_DISABLED: "true", ENV_OR_PROFILE_CACHE: "off" });
    // Stopped at the first nested run, and said once, with the fix — not nested PROCESS_FAILEDs cut off.
    expect(error).toMatchObject({ code: "PROCESS_LOOP", tryNextLink: false, retryable: false });
    expect(error.message).toContain('selected profile "loop" again');
    expect(error.message).toContain("--profile SOURCE");
    expect(error.message).not.toContain("exited with code");
  });

  it("stops a loop through AWS_PROFILE at the first nested run: the child, selecting the same profile, does not run it again", async () => {
    const cli = new URL("../../../dist/cli/main.js", import.meta.url).pathname;
    const log = aws.writeFile("runs.log", "");
    // A wrapper that notes each run, then runs our CLI with no source named (AWS_PROFILE passes on).
    const wrapper = aws.writeFile(
      "wrapper.mjs",
      `import { appendFileSync } from "node:fs"; import { spawnSync } from "node:child_process";\n` +
        `appendFileSync(${JSON.stringify(log)}, "run\\n");\n` +
        `const r = spawnSync(process.execPath, [${JSON.stringify(cli)}, "credential-process", "--no-cache"], { stdio: "inherit" });\n` +
        `process.exit(r.status ?? 1);\n`,
    );
    aws.writeConfig(`[profile partner]\ncredential_process = "${process.execPath}" "${wrapper}"\n`);
    const error = await profileFailure({}, { AWS_PROFILE: "partner", AWS_EC2_METADATA_DISABLED: "true", ENV_OR_PROFILE_CACHE: "off" });
    expect(error).toMatchObject({ code: "PROCESS_LOOP" });
    expect(error.message).toContain("AWS_PROFILE=partner, which the program inherits");
    expect(readFileSync(log, "utf8")).toBe("run\n"); // one nested run, not four
  });
});

describe("fromProfile: the environment a plan was built from", () => {
  it("builds the role step again when AWS_ENDPOINT_URL_STS changes in the same environment object", async () => {
    const first = await startSts();
    const second = await startStsEmulator({ baseCredentials: [{ accessKeyId: KEY, secretAccessKey: SECRET }] });
    try {
      aws.writeCredentials(staticCredentials);
      aws.writeConfig(`[profile r]\nrole_arn = ${ROLE}\nsource_profile = default\n`);
      const env = aws.env({ AWS_ENDPOINT_URL_STS: first.endpoint });
      const provider = fromProfile({ profile: "r", env });
      await provider();
      env.AWS_ENDPOINT_URL_STS = second.endpoint;
      await provider();
      expect([first.calls, second.calls]).toEqual([1, 1]);
    } finally {
      await second.close();
    }
  });

  it("never shows the source profile's secret when the role step is denied", async () => {
    const emulator = await startSts(EXTERNAL_ID);
    aws.writeCredentials(`${staticCredentials}aws_session_token = ${TOKEN}\n`);
    emulator.setBaseCredentials([{ accessKeyId: KEY, secretAccessKey: SECRET, sessionToken: TOKEN }]);
    aws.writeConfig(`[profile partner]\nrole_arn = ${ROLE}\nsource_profile = default\nexternal_id = wrong-id\n`);
    const error = await profileFailure({ profile: "partner" }, { AWS_ENDPOINT_URL_STS: emulator.endpoint });
    expect(error.code).toBe("STS_ACCESS_DENIED");
    expectClean(error, [SECRET, TOKEN]);
  });
});
