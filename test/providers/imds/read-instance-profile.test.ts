import { describe, expect, it } from "vitest";
import { parseInstanceProfile, readInstanceProfile } from "../../../src/providers/imds/read-instance-profile.js";
import { rejection, useEmulators } from "./helpers.js";

const start = useEmulators();

describe("readInstanceProfile", () => {
  it("reads the instance profile ARN and id from iam/info", async () => {
    const imds = await start({
      instanceProfileArn: "arn:aws:iam::111122223333:instance-profile/web",
      instanceProfileId: "AIPAEXAMPLEID1234567",
    });
    const profile = await readInstanceProfile({ endpoint: imds.endpoint, env: {} });
    expect(profile).toMatchObject({
      instanceProfileArn: "arn:aws:iam::111122223333:instance-profile/web",
      instanceProfileId: "AIPAEXAMPLEID1234567",
    });
    expect(profile.lastUpdated).toBeInstanceOf(Date);
    expect(imds.count("/latest/meta-data/iam/info")).toBe(1);
  });

  it("falls through with IMDS_NO_ROLE when the instance has no profile", async () => {
    const imds = await start({ roleName: null });
    expect(await rejection(readInstanceProfile({ endpoint: imds.endpoint, env: {} }))).toMatchObject({
      code: "IMDS_NO_ROLE",
      tryNextLink: true,
    });
  });

  it("fails with IMDS_DISABLED and no I/O when IMDS is turned off", async () => {
    const imds = await start();
    const error = await rejection(readInstanceProfile({ endpoint: imds.endpoint, env: { AWS_EC2_METADATA_DISABLED: "true" } }));
    expect(error.code).toBe("IMDS_DISABLED");
    expect(imds.requestCount).toBe(0);
  });

  it("rejects an iam/info document without a valid ARN", () => {
    expect(() => parseInstanceProfile(JSON.stringify({ Code: "Success", InstanceProfileArn: "nope", InstanceProfileId: "AIPAEXAMPLEID1234567" }))).toThrow(
      /InstanceProfileArn is not an instance-profile ARN/,
    );
  });

  it("rejects an iam/info document whose Code is not Success", () => {
    expect(() =>
      parseInstanceProfile(
        JSON.stringify({ Code: "Failure", InstanceProfileArn: "arn:aws:iam::111122223333:instance-profile/web", InstanceProfileId: "AIPAEXAMPLEID1234567" }),
      ),
    ).toThrow(/Code is "Failure"/);
  });
});
