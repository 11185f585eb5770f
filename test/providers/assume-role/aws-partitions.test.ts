import { describe, expect, it } from "vitest";
import { sdkPartitions } from "../../../scripts/sdk-partitions.mjs";
import { fromAssumeRole } from "../../../src/providers/assume-role.js";
import { AWS_PARTITION_INFO, AWS_PARTITIONS } from "../../../src/providers/sts/aws-partitions.js";
import { parseRoleArn, ROLE_ARN_PATTERN } from "../../../src/providers/sts/role-checks.js";
import { fromConfig } from "../../../src/config.js";

const sdk = sdkPartitions();

describe("role ARN partitions", () => {
  it("are exactly the partitions of the installed AWS SDK's endpoint data (npm run generate:partitions after an SDK upgrade)", () => {
    expect([...AWS_PARTITIONS].sort()).toEqual([...sdk.partitions].sort());
  });

  it("carry each partition's DNS suffixes exactly as the installed AWS SDK's endpoint data has them", () => {
    for (const partition of sdk.partitions) {
      const info = AWS_PARTITION_INFO[partition as keyof typeof AWS_PARTITION_INFO];
      expect(info.dnsSuffix, partition).toBe(sdk.info[partition]?.outputs.dnsSuffix);
      expect(info.dualStackDnsSuffix, partition).toBe(sdk.info[partition]?.outputs.dualStackDnsSuffix);
    }
    expect(AWS_PARTITION_INFO.aws.dnsSuffix).toBe("amazonaws.com");
    expect(AWS_PARTITION_INFO["aws-cn"].dnsSuffix).toBe("amazonaws.com.cn");
  });

  it("send a role's STS call to its partition's region when none is configured (the partition's implicit global region; Beijing in China)", () => {
    for (const partition of sdk.partitions) {
      const expected = partition === "aws-cn" ? "cn-north-1" : sdk.info[partition]?.outputs.implicitGlobalRegion;
      expect(AWS_PARTITION_INFO[partition as keyof typeof AWS_PARTITION_INFO].stsRegion, partition).toBe(expected);
    }
    expect(AWS_PARTITION_INFO["aws-us-gov"].stsRegion).toBe("us-gov-west-1");
  });

  it("include the isolated, sovereign and government partitions", () => {
    expect(AWS_PARTITIONS).toEqual(expect.arrayContaining(["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"]));
  });

  it.each(sdk.partitions)("accepts a role ARN in the %s partition", (partition) => {
    const roleArn = `arn:${partition}:iam::123456789012:role/team/deploy`;
    expect(parseRoleArn(roleArn)).toEqual({ partition, accountId: "123456789012", roleName: "deploy" });
    expect(ROLE_ARN_PATTERN.test(roleArn)).toBe(true);
  });

  it("accepts an aws-iso-b role in fromAssumeRole and fromConfig alike", () => {
    const roleArn = "arn:aws-iso-b:iam::123456789012:role/app";
    expect(() => fromAssumeRole({ roleArn, source: () => Promise.reject(new Error("not called")) })).not.toThrow();
    expect(() => fromConfig({ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", assumeRole: { roleArn } })).not.toThrow();
  });

  it.each(["aws-gov", "aws-iso-z", "awss", "AWS", "aws-", "-aws"])("refuses a partition the SDK does not know: %s, listing the known ones", (partition) => {
    expect(() => parseRoleArn(`arn:${partition}:iam::123456789012:role/app`)).toThrow(
      new RegExp(`partition one of ${AWS_PARTITIONS.join(", ")}.*arn:${partition.replace(/[-]/g, "\\-")}:iam`),
    );
  });
});
