import { describe, expect, it } from "vitest";
import { sdkPartitions } from "../../../scripts/sdk-partitions.mjs";
import { fromAssumeRole } from "../../../src/providers/assume-role.js";
import { AWS_PARTITION_DNS_SUFFIXES, AWS_PARTITIONS } from "../../../src/providers/assume-role/aws-partitions.js";
import { parseRoleArn, ROLE_ARN_PATTERN } from "../../../src/providers/assume-role/validate.js";
import { fromConfig } from "../../../src/config.js";

const sdk = sdkPartitions();

describe("role ARN partitions", () => {
  it("are exactly the partitions of the installed AWS SDK's endpoint data (npm run generate:partitions after an SDK upgrade)", () => {
    expect([...AWS_PARTITIONS].sort()).toEqual([...sdk.partitions].sort());
  });

  it("carry each partition's DNS suffix exactly as the installed AWS SDK's endpoint data has it", () => {
    expect(AWS_PARTITION_DNS_SUFFIXES).toEqual(sdk.dnsSuffixes);
    expect(AWS_PARTITION_DNS_SUFFIXES).toMatchObject({ aws: "amazonaws.com", "aws-cn": "amazonaws.com.cn", "aws-us-gov": "amazonaws.com" });
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
