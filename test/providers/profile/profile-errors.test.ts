import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CredentialsError } from "../../../src/errors.js";
import { fromProfile, type ProfileOptions } from "../../../src/providers/profile/from-profile.js";
import { expectClean } from "../../helpers/leak-check.js";
import { rejection, tempAws, type TempAws } from "./temp-aws.js";

const KEY = "AKIAIOSFODNN7ERRORS01";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYERRORS0001";
const ROLE = "arn:aws:iam::123456789012:role/partner-upload";

let aws: TempAws;
beforeEach(() => {
  aws = tempAws();
});
afterEach(() => {
  aws.remove();
});

async function failure(options: ProfileOptions = {}, env: Record<string, string | undefined> = {}): Promise<CredentialsError> {
  const error = await rejection(fromProfile({ env: aws.env(env), ...options })());
  expect(error).toBeInstanceOf(CredentialsError);
  return error as CredentialsError;
}

const keys = `aws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n`;

describe("fromProfile: which link answers", () => {
  it("falls through when AWS_PROFILE is unset and there are no files", async () => {
    const error = await failure();
    expect(error).toMatchObject({ source: "profile", code: "PROFILE_NOT_SET", tryNextLink: true });
  });

  it("falls through when the files have no [default] and no profile was asked for", async () => {
    aws.writeConfig("[profile other]\nregion = eu-west-1\n");
    const error = await failure();
    expect(error).toMatchObject({ code: "PROFILE_NOT_SET", tryNextLink: true });
    expect(error.message).toContain(aws.configFile);
  });

  it("falls through when [default] holds only settings such as region (a common ~/.aws/config on EC2)", async () => {
    aws.writeConfig("[default]\nregion = eu-west-1\noutput = json\n");
    expect(await failure()).toMatchObject({ code: "PROFILE_NOT_SET", tryNextLink: true });
  });

  it("stops the chain when AWS_PROFILE names a missing profile, suggesting the near name", async () => {
    aws.writeCredentials(`[production]\n${keys}`);
    const error = await failure({}, { AWS_PROFILE: "prodution" });
    expect(error).toMatchObject({ source: "profile", code: "PROFILE_NOT_FOUND", tryNextLink: false });
    expect(error.message).toContain("AWS_PROFILE=prodution");
    expect(error.message).toContain('did you mean "production"?');
  });

  it("stops the chain when the profile option names a missing profile and there are no files at all", async () => {
    const error = await failure({ profile: "work" });
    expect(error).toMatchObject({ code: "PROFILE_NOT_FOUND", tryNextLink: false });
    expect(error.message).toContain(aws.configFile);
    expect(error.message).toContain(aws.credentialsFile);
  });

  it("says [x] in the config file must be [profile x]", async () => {
    aws.writeConfig(`[work]\n${keys}`);
    const error = await failure({ profile: "work" });
    expect(error.message).toContain("[profile work]");
  });

  it("says [profile x] in the credentials file must be [x]", async () => {
    aws.writeCredentials(`[profile work]\n${keys}`);
    const error = await failure({ profile: "work" });
    expect(error.message).toContain("written [work], without \"profile\"");
  });

  it("stops the chain when an explicitly chosen profile has no credentials", async () => {
    aws.writeConfig("[profile work]\nregion = eu-west-1\n");
    const error = await failure({}, { AWS_PROFILE: "work" });
    expect(error).toMatchObject({ code: "PROFILE_INVALID", tryNextLink: false });
    expect(error.message).toContain(`[profile work] of ${aws.configFile} has no credentials`);
  });
});

describe("fromProfile: broken profiles", () => {
  it("names a source_profile loop in order", async () => {
    aws.writeConfig(`[profile a]\nrole_arn = ${ROLE}\nsource_profile = b\n[profile b]\nrole_arn = ${ROLE}\nsource_profile = c\n[profile c]\nrole_arn = ${ROLE}\nsource_profile = a\n`);
    const error = await failure({ profile: "a" });
    expect(error).toMatchObject({ code: "PROFILE_INVALID", tryNextLink: false });
    expect(error.message).toContain("a → b → c → a");
  });

  it("names a profile that is its own source without keys as a loop", async () => {
    aws.writeConfig(`[profile a]\nrole_arn = ${ROLE}\nsource_profile = a\n`);
    expect((await failure({ profile: "a" })).message).toContain("a → a");
  });

  it("names a source_profile that does not exist, with the near name", async () => {
    aws.writeCredentials(`[base]\n${keys}`);
    aws.writeConfig(`[profile r]\nrole_arn = ${ROLE}\nsource_profile = bsae\n`);
    const error = await failure({ profile: "r" });
    expect(error.message).toContain(`\`source_profile\` in [profile r] of ${aws.configFile}`);
    expect(error.message).toContain('did you mean "base"?');
  });

  it("refuses an unknown credential_source, listing the valid ones and the near one", async () => {
    aws.writeConfig(`[profile r]\nrole_arn = ${ROLE}\ncredential_source = Ec2InstanceMetdata\n`);
    const error = await failure({ profile: "r" });
    expect(error.message).toContain("`credential_source` in [profile r]");
    expect(error.message).toContain("Environment, Ec2InstanceMetadata, EcsContainer");
    expect(error.message).toContain("did you mean Ec2InstanceMetadata?");
  });

  it("refuses a role_arn with no source", async () => {
    aws.writeConfig(`[profile r]\nrole_arn = ${ROLE}\nexternal_id = tenant-42\n`);
    const error = await failure({ profile: "r" });
    expect(error.message).toContain("`role_arn` in [profile r]");
    expect(error.message).toContain("has no source");
  });

  it("refuses a role_arn with two sources", async () => {
    aws.writeCredentials(`[base]\n${keys}`);
    aws.writeConfig(`[profile r]\nrole_arn = ${ROLE}\nsource_profile = base\ncredential_source = Environment\n`);
    expect((await failure({ profile: "r" })).message).toContain("sets both `source_profile` and `credential_source`");
  });

  it("refuses a source_profile without a role_arn", async () => {
    aws.writeConfig("[profile r]\nsource_profile = base\n");
    expect((await failure({ profile: "r" })).message).toContain("`source_profile` in [profile r]");
  });

  it("refuses a malformed role_arn, duration_seconds and region, naming each key", async () => {
    aws.writeCredentials(`[base]\n${keys}`);
    aws.writeConfig(`[profile r]\nrole_arn = arn:aws:iam::12:role/x\nsource_profile = base\n`);
    expect((await failure({ profile: "r" })).message).toContain("`role_arn` in [profile r]");
    aws.writeConfig(`[profile r]\nrole_arn = ${ROLE}\nsource_profile = base\nduration_seconds = 10\n`);
    expect((await failure({ profile: "r" })).message).toContain("`duration_seconds` in [profile r]");
    aws.writeConfig(`[profile r]\nrole_arn = ${ROLE}\nsource_profile = base\nregion = Not A Region\n`);
    expect((await failure({ profile: "r" })).message).toContain("`region` in [profile r]");
  });

  it("refuses a key id without its secret, naming the key and cutting the id to four characters", async () => {
    aws.writeCredentials(`[default]\naws_access_key_id = ${KEY}\n`);
    const error = await failure();
    expect(error.message).toContain(`\`aws_access_key_id\` in [default] of ${aws.credentialsFile} (…${KEY.slice(-4)})`);
    expect(error.message).not.toContain(KEY);
  });

  it("refuses a secret with whitespace in it without showing it", async () => {
    aws.writeCredentials(`[default]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET} tail\n`);
    const error = await failure();
    expect(error.message).toContain("`aws_secret_access_key` in [default]");
    expectClean(error, [SECRET]);
  });

  it("refuses an unreadable file (here a directory where the file should be), naming it", async () => {
    mkdirSync(aws.credentialsFile);
    const error = await failure();
    expect(error).toMatchObject({ code: "PROFILE_FILE_UNREADABLE", tryNextLink: false });
    expect(error.message).toContain(aws.credentialsFile);
  });

  it("treats a file path through a regular file as absent", async () => {
    const file = aws.writeFile("plain", "x");
    expect(await failure({ configFile: join(file, "config"), credentialsFile: join(file, "credentials") })).toMatchObject({ code: "PROFILE_NOT_SET" });
  });
});

describe("fromProfile: malformed files", () => {
  it("names the file, line and section of a line that is not key = value, and never shows it", async () => {
    aws.writeCredentials(`[default]\naws_access_key_id = ${KEY}\naws_secret_access_key ${SECRET}\n`);
    const error = await failure();
    expect(error).toMatchObject({ code: "PROFILE_INVALID", tryNextLink: false });
    expect(error.message).toContain(`${aws.credentialsFile} line 3 in [default]`);
    expect(error.message).toContain("`aws_secret_access_key` without `=`?");
    expectClean(error, [SECRET]);
  });

  it("reports a setting before any section without showing it", async () => {
    aws.writeCredentials(`aws_secret_access_key = ${SECRET}\n[default]\n${keys}`);
    const error = await failure();
    expect(error.message).toContain(`${aws.credentialsFile} line 1: a setting before any [section] header`);
    expectClean(error, [SECRET]);
  });

  it("reports a header without its ] without showing it", async () => {
    aws.writeConfig(`[profile ${SECRET}\nregion = x\n`);
    const error = await failure();
    expect(error.message).toContain(`${aws.configFile} line 1: a section header without its closing`);
    expectClean(error, [SECRET]);
  });

  it("reports a key written with : instead of =", async () => {
    aws.writeCredentials(`[default]\naws_access_key_id: ${KEY}\n`);
    expect((await failure()).message).toContain("`aws_access_key_id` with `:`");
  });

  it("reports a section and a key given twice, as the AWS CLI refuses them", async () => {
    aws.writeCredentials(`[default]\n${keys}[default]\nregion = x\n`);
    expect((await failure()).message).toContain("line 4: [default] appears twice (first at line 1)");
    aws.writeCredentials(`[default]\n${keys}aws_access_key_id = AKIAOTHER00000000001\n`);
    expect((await failure()).message).toContain("`aws_access_key_id` is set twice (first at line 2)");
  });

  it("accepts comments, blank lines, indented continuation and nested blocks", async () => {
    aws.writeConfig("# a comment\n; another\n\n[profile x]   # trailing\nregion = eu-west-1 ; note\ns3 =\n  max_concurrent_requests = 20\n");
    aws.writeCredentials(`[default]\n${keys}`);
    expect((await fromProfile({ env: aws.env() })()).accessKeyId).toBe(KEY);
  });
});
