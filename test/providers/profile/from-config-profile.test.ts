import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fromConfig } from "../../../src/config.js";
import { CredentialsError } from "../../../src/errors.js";
import { startStsEmulator, type StsEmulator } from "../../../src/testing/sts-emulator.js";
import { rejection, tempAws, type TempAws } from "./temp-aws.js";

const KEY = "AKIAIOSFODNN7CONFIG01";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYCONFIG0001";
const ROLE = "arn:aws:iam::123456789012:role/partner-upload";

let aws: TempAws;
beforeEach(() => {
  aws = tempAws({ credentials: `[work]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n` });
});
afterEach(() => {
  aws.remove();
});

function invalid(config: Record<string, unknown>): string {
  try {
    fromConfig(config);
  } catch (error) {
    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as CredentialsError).code).toBe("CONFIG_INVALID");
    return (error as CredentialsError).message;
  }
  throw new Error("expected CONFIG_INVALID");
}

describe("fromConfig({ profile })", () => {
  it("uses the named profile", async () => {
    const credentials = fromConfig({ profile: "work" }, { env: { env: aws.env() } });
    expect(await credentials()).toMatchObject({ accessKeyId: KEY, secretAccessKey: SECRET });
  });

  it("never falls through to another identity when the profile is missing, even with env keys set", async () => {
    const credentials = fromConfig({ profile: "wrok" }, { env: { env: aws.env({ AWS_ACCESS_KEY_ID: "AKIAENVIRONMENT00001", AWS_SECRET_ACCESS_KEY: "env" }) } });
    const error = (await rejection(credentials())) as CredentialsError;
    expect(error).toMatchObject({ code: "PROFILE_NOT_FOUND", tryNextLink: false });
    expect(error.message).toContain('did you mean "work"?');
  });

  it("takes the profile link's files from the profile options", async () => {
    const file = aws.writeFile("other-credentials", `[ci]\naws_access_key_id = AKIAOTHERFILE0000001\naws_secret_access_key = other\n`);
    const credentials = fromConfig({ profile: "ci" }, { profile: { env: aws.env(), credentialsFile: file } });
    expect((await credentials()).accessKeyId).toBe("AKIAOTHERFILE0000001");
  });

  it("selects the profile of the whole chain with credentials_source: env_or_profile (snake case)", async () => {
    const credentials = fromConfig({ credentials_source: "env_or_profile", profile: "work" }, { env: { env: aws.env({ AWS_EC2_METADATA_DISABLED: "true" }) } });
    expect((await credentials()).accessKeyId).toBe(KEY);
  });

  it("assumes a role on top of the profile", async () => {
    const sts: StsEmulator = await startStsEmulator({ baseCredentials: [{ accessKeyId: KEY, secretAccessKey: SECRET }], externalId: "tenant-42" });
    try {
      const credentials = fromConfig(
        { profile: "work", assume_role: { role_arn: ROLE, external_id: "tenant-42", endpoint: sts.endpoint } },
        { env: { env: aws.env() } },
      );
      expect((await credentials()).accessKeyId).toBe(sts.issued[0]?.accessKeyId);
      expect(sts.lastRequest).toMatchObject({ roleArn: ROLE, accessKeyId: KEY });
    } finally {
      await sts.close();
    }
  });

  it("refuses a profile with static keys, with use_iam_profile, or as a bad name", () => {
    expect(invalid({ profile: "work", accessKeyId: KEY, secretAccessKey: SECRET })).toContain("`profile` takes credentials from an AWS profile");
    expect(invalid({ profile: "work", use_iam_profile: true })).toContain("never a profile file");
    expect(invalid({ profile: "two words" })).toContain("`profile` must be a profile name");
    expect(invalid({ profile: 42 })).toContain("got a number");
    expect(invalid({ profil: "work" })).toContain("did you mean `profile`?");
  });
});
