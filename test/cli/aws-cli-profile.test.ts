/*
 * The AWS CLI v2 (`AWS_CLI`, default /usr/bin/aws — never the v1 first on PATH) and fromProfile read the same
 * temporary config and credentials files and must get the same credentials: static keys, a role
 * with external_id (against our STS emulator and against moto, a real STS), and a
 * credential_process. A missing CLI or moto: not run outside CI, a failure under CI=true (helpers/peers.ts).
 *
 * The CLI here (2.9) predates `endpoint_url`, so its STS calls reach the local server through a
 * loopback-only CONNECT proxy and TLS terminator (HTTPS_PROXY + AWS_CA_BUNDLE); fromProfile reads
 * the same file's `endpoint_url`, which the CLI ignores. Nothing leaves 127.0.0.1.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fromProfile } from "../../src/providers/profile/from-profile.js";
import { startStsEmulator, type StsEmulator } from "../../src/testing/sts-emulator.js";
import { startMoto, type MotoServer } from "../helpers/moto.js";
import { AWS_CLI, usePeers } from "../helpers/peers.js";
import { startAwsEndpointProxy, type AwsEndpointProxy } from "../providers/profile/aws-endpoint-tls-proxy.js";
import { tempAws, type TempAws } from "../providers/profile/temp-aws.js";

const KEY = "AKIAIOSFODNN7AWSCLI01";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYAWSCLI0001";
const TOKEN = "IQoJb3JpZ2luX2VjAWSCLI-SESSION-TOKEN-0001";
const ROLE = "arn:aws:iam::123456789012:role/partner-upload";
const EXTERNAL_ID = "tenant-42";

const run = promisify(execFile);

/** The CLI's `configure export-credentials --format process` JSON. */
interface ProcessJson {
  Version: 1;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken?: string;
  Expiration?: string;
}

let aws: TempAws;
let proxy: AwsEndpointProxy;

const peers = usePeers("aws-cli-v2");

beforeAll(async () => {
  if (!peers.ready) return;
  proxy = await startAwsEndpointProxy("http://127.0.0.1:9");
});
afterAll(async () => {
  if (peers.ready) await proxy.close();
});
beforeEach(() => {
  aws = tempAws();
});
afterEach(() => {
  aws.remove();
});

/** Runs the CLI in a clean environment: the temp HOME and files, the loopback proxy, no IMDS. */
async function awsCliCredentials(profile: string): Promise<ProcessJson> {
  const { stdout } = await run(AWS_CLI, ["configure", "export-credentials", "--profile", profile, "--format", "process"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: aws.home,
      AWS_CONFIG_FILE: aws.configFile,
      AWS_SHARED_CREDENTIALS_FILE: aws.credentialsFile,
      AWS_EC2_METADATA_DISABLED: "true",
      HTTPS_PROXY: proxy.proxyUrl,
      NO_PROXY: "",
      AWS_CA_BUNDLE: proxy.caBundle,
    },
    timeout: 60_000,
  });
  return JSON.parse(stdout) as ProcessJson;
}

function ours(profile: string): Promise<AwsCredentialIdentity> {
  return fromProfile({ profile, env: aws.env() })();
}

/** Our credential in the CLI's process JSON shape, for a like-for-like comparison. */
function asProcessJson(credential: AwsCredentialIdentity): ProcessJson {
  return {
    Version: 1,
    AccessKeyId: credential.accessKeyId,
    SecretAccessKey: credential.secretAccessKey,
    ...(credential.sessionToken === undefined ? {} : { SessionToken: credential.sessionToken }),
    ...(credential.expiration === undefined ? {} : { Expiration: credential.expiration.toISOString().replace(".000Z", "+00:00") }),
  };
}

const partnerProfile = (endpoint: string): string =>
  `[profile partner]\nrole_arn = ${ROLE}\nsource_profile = base\nexternal_id = ${EXTERNAL_ID}\nrole_session_name = cli-compare\n` +
  `duration_seconds = 1800\nregion = us-east-1\nendpoint_url = ${endpoint}\n`;

describe("the AWS CLI v2 and fromProfile read the same files", () => {
  it("get the same static keys and session token", async () => {
    aws.writeConfig("[profile ci]\nregion = eu-west-1\n");
    aws.writeCredentials(`[ci]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\naws_session_token = ${TOKEN}\n`);
    expect(asProcessJson(await ours("ci"))).toEqual(await awsCliCredentials("ci"));
  });

  it("get the same static keys when the credentials file overrides the config file", async () => {
    aws.writeConfig(`[default]\naws_access_key_id = AKIAFROMCONFIG000001\naws_secret_access_key = from-config\n`);
    aws.writeCredentials(`[default]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n`);
    expect(asProcessJson(await ours("default"))).toEqual(await awsCliCredentials("default"));
  });

  it("get the same credential_process output", async () => {
    const script = aws.writeFile(
      "creds.mjs",
      `process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: "${KEY}", SecretAccessKey: "${SECRET}", SessionToken: "${TOKEN}", Expiration: "2999-01-01T00:00:00Z" }));`,
    );
    aws.writeConfig(`[profile proc]\ncredential_process = "${process.execPath}" "${script}" --flag 'two words'\n`);
    const cli = await awsCliCredentials("proc");
    const mine = await ours("proc");
    expect(cli).toMatchObject({ AccessKeyId: KEY, SecretAccessKey: SECRET, SessionToken: TOKEN });
    expect(mine).toMatchObject({ accessKeyId: KEY, secretAccessKey: SECRET, sessionToken: TOKEN });
    expect(Date.parse(cli.Expiration ?? "")).toBe(mine.expiration?.getTime());
  });

  describe("a role with external_id, against our STS emulator", () => {
    let sts: StsEmulator;
    beforeEach(async () => {
      sts = await startStsEmulator({ baseCredentials: [{ accessKeyId: KEY, secretAccessKey: SECRET }], externalId: EXTERNAL_ID });
      proxy.upstream = sts.endpoint;
    });
    afterEach(async () => {
      await sts.close();
    });

    it("make the same AssumeRole request, signed by the same source key, and get the same role session", async () => {
      aws.writeCredentials(`[base]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n`);
      aws.writeConfig(partnerProfile(sts.endpoint));
      const cli = await awsCliCredentials("partner");
      const mine = await ours("partner");
      const [cliRequest, ourRequest] = sts.requests.filter((request) => request.action === "AssumeRole");
      const same = { roleArn: ROLE, externalId: EXTERNAL_ID, roleSessionName: "cli-compare", durationSeconds: 1800, accessKeyId: KEY, region: "us-east-1", signatureValid: true, status: 200 };
      expect(cliRequest).toMatchObject(same);
      expect(ourRequest).toMatchObject(same);
      const [cliIssued, ourIssued] = sts.issued;
      expect(cli).toEqual(asProcessJson({ ...cliIssued!, expiration: cliIssued!.expiration }));
      expect(mine).toMatchObject({ accessKeyId: ourIssued?.accessKeyId, secretAccessKey: ourIssued?.secretAccessKey, sessionToken: ourIssued?.sessionToken });
      expect(cliIssued?.assumedRoleArn).toBe(ourIssued?.assumedRoleArn);
      expect(proxy.connects).toContain("sts.us-east-1.amazonaws.com:443");
    });

    it("are both refused when the external_id is wrong", async () => {
      aws.writeCredentials(`[base]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n`);
      aws.writeConfig(partnerProfile(sts.endpoint).replace(EXTERNAL_ID, "wrong-id"));
      await expect(awsCliCredentials("partner")).rejects.toThrow(/AccessDenied/);
      await expect(ours("partner")).rejects.toMatchObject({ code: "STS_ACCESS_DENIED", tryNextLink: false });
    });
  });

  describe("a role with external_id, against moto (a real STS)", () => {
    const motoPeer = usePeers("moto");
    let moto: MotoServer;
    beforeAll(async () => {
      if (peers.ready && motoPeer.ready) moto = await startMoto();
    }, 60_000);
    afterAll(async () => {
      if (peers.ready && motoPeer.ready) await moto.close();
    });

    it("assume the same role session", async () => {
      proxy.upstream = moto.endpoint;
      aws.writeCredentials(`[base]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n`);
      aws.writeConfig(partnerProfile(moto.endpoint));
      const cli = await awsCliCredentials("partner");
      const mine = await ours("partner");
      // A copy: the SDK writes `$source` into a credential object given as `credentials`, and ours are frozen.
      const whoAmI = async (credentials: AwsCredentialIdentity): Promise<string | undefined> =>
        (await new STSClient({ region: "us-east-1", endpoint: moto.endpoint, credentials: { ...credentials } }).send(new GetCallerIdentityCommand({}))).Arn;
      const cliArn = await whoAmI({ accessKeyId: cli.AccessKeyId, secretAccessKey: cli.SecretAccessKey, sessionToken: cli.SessionToken ?? "" });
      expect(cliArn).toBe("arn:aws:sts::123456789012:assumed-role/partner-upload/cli-compare");
      expect(await whoAmI(mine)).toBe(cliArn);
      expect(Date.parse(cli.Expiration ?? "") - Date.now()).toBeGreaterThan(25 * 60 * 1000);
      expect((mine.expiration?.getTime() ?? 0) - Date.now()).toBeGreaterThan(25 * 60 * 1000);
    });
  });
});
