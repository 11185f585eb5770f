/*
 * AssumeRole's session options against moto (`python3 -m moto.server`, a real STS implementation,
 * with signature checks on): session tags, transitive tag keys, source identity, an inline and a
 * managed session policy and an MFA code, from options and from profile keys, are sent in the
 * form a real STS parses — the request is signed over them and moto accepts it — and the issued
 * credential then signs a request moto accepts too. (moto does not enforce tags or MFA: what STS
 * would make of them is our emulator's part, test/providers/assume-role/session-options-sts.test.ts.)
 */
import { execFileSync } from "node:child_process";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fromAssumeRole } from "../../src/providers/assume-role.js";
import { fromProfile } from "../../src/providers/profile/from-profile.js";
import { resetSharedState } from "../../src/sharing/process-state.js";
import { startMoto, type MotoServer } from "../helpers/moto.js";
import { usePeers } from "../helpers/peers.js";
import { tempAws, type TempAws } from "../providers/profile/temp-aws.js";

const ROLE = "arn:aws:iam::123456789012:role/tagged";
const POLICY = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:GetCallerIdentity", Resource: "*" }] });

/** Four unauthenticated set-up requests: a user allowed everything, its key, the role; prints the key. */
const SETUP = [
  "import boto3, json, sys",
  "url = sys.argv[1]",
  "iam = boto3.client('iam', endpoint_url=url, region_name='us-east-1', aws_access_key_id='setup', aws_secret_access_key='setup')",
  "iam.create_user(UserName='app')",
  "policy = iam.create_policy(PolicyName='all', PolicyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': '*', 'Resource': '*'}]}))['Policy']['Arn']",
  "iam.attach_user_policy(UserName='app', PolicyArn=policy)",
  "key = iam.create_access_key(UserName='app')['AccessKey']",
  "print(json.dumps({'accessKeyId': key['AccessKeyId'], 'secretAccessKey': key['SecretAccessKey']}))",
].join("\n");

const peers = usePeers("moto", "boto3");
let moto: MotoServer | undefined;
let base: AwsCredentialIdentity;
let aws: TempAws;

beforeAll(async () => {
  if (!peers.ready) return;
  moto = await startMoto({ verifySignatures: 4 });
  base = JSON.parse(execFileSync("python3", ["-c", SETUP, moto.endpoint], { env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: "/nonexistent" } }).toString()) as AwsCredentialIdentity;
}, 60_000);
afterAll(async () => {
  await moto?.close();
});
beforeEach(() => {
  resetSharedState();
  aws = tempAws();
});
afterEach(() => {
  aws.remove();
});

function endpoint(): string {
  if (moto === undefined) throw new Error("moto did not start");
  return moto.endpoint;
}

/** The caller moto sees for `credentials` (a request signed with them, checked by moto). */
async function callerArn(credentials: AwsCredentialIdentityProvider): Promise<string | undefined> {
  const client = new STSClient({ region: "us-east-1", endpoint: endpoint(), credentials, maxAttempts: 1 });
  try {
    return (await client.send(new GetCallerIdentityCommand({}))).Arn;
  } finally {
    client.destroy();
  }
}

describe("AssumeRole's session options against moto (a real STS, signatures checked)", () => {
  it("every session option from fromAssumeRole, and an MFA code: moto accepts the request and the credential", async () => {
    const credentials = fromAssumeRole({
      roleArn: ROLE,
      roleSessionName: "tagged-session",
      endpoint: endpoint(),
      region: "us-east-1",
      source: async () => base,
      tags: { team: "data", "cost center": "42" },
      transitiveTagKeys: ["team"],
      sourceIdentity: "alice@example.com",
      policy: POLICY,
      policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      mfaSerial: "arn:aws:iam::123456789012:mfa/alice",
      mfaCodeProvider: async () => "246810",
    });
    const assumed = await credentials();
    expect(assumed.accessKeyId).toMatch(/^ASIA/);
    expect(await callerArn(async () => assumed)).toBe("arn:aws:sts::123456789012:assumed-role/tagged/tagged-session");
  });

  it("(the control) a base with a wrong secret is refused: moto checks the signature over those options", async () => {
    const credentials = fromAssumeRole({ roleArn: ROLE, endpoint: endpoint(), region: "us-east-1", source: async () => ({ ...base, secretAccessKey: "not-the-secret-not-the-secret-0000000000" }), tags: { team: "data" } });
    await expect(credentials()).rejects.toMatchObject({ code: "STS_INVALID_BASE_CREDENTIALS" });
  });

  it("a profile's session_tags, transitive_session_tags and source_identity", async () => {
    aws.writeCredentials(`[base]\naws_access_key_id = ${base.accessKeyId}\naws_secret_access_key = ${base.secretAccessKey}\n`);
    aws.writeConfig(`[profile tagged]\nrole_arn = ${ROLE}\nsource_profile = base\nrole_session_name = from-profile\nsession_tags = team=data,project=apollo\ntransitive_session_tags = project\nsource_identity = alice\n`);
    const credentials = fromProfile({ profile: "tagged", env: aws.env({ AWS_ENDPOINT_URL_STS: endpoint(), AWS_REGION: "us-east-1" }) });
    expect(await callerArn(credentials)).toBe("arn:aws:sts::123456789012:assumed-role/tagged/from-profile");
  });
});
