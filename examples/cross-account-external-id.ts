/**
 * Cross-account access with an ExternalId: the app's own credential (the environment, a profile or
 * the attached role; here the instance profile) signs an STS AssumeRole into the partner's role, whose trust policy demands
 * `sts:ExternalId`. The assumed credential is memoized and refreshed before it expires.
 *
 * Run it (no AWS account needed: it starts local IMDS and STS emulators and points the standard
 * `AWS_EC2_METADATA_SERVICE_ENDPOINT` and `AWS_ENDPOINT_URL_STS` at them):
 *   npm run example cross-account-external-id     (any supported Node: 20.19+, 22, 24; it builds and compiles first)
 *
 * The same from the command line, for the AWS CLI or any SDK, in ~/.aws/config — the block, with
 * this installation's absolute paths, comes from
 *   env-or-profile setup-aws-profile partner --role-arn arn:aws:iam::123456789012:role/partner-upload --external-id tenant-42
 * which prints (and with --write appends):
 *   [profile partner]
 *   credential_process = /usr/local/bin/node /usr/local/lib/node_modules/env-or-profile/dist/cli/main.js credential-process --role-arn arn:aws:iam::123456789012:role/partner-upload --external-id tenant-42
 */
import { pathToFileURL } from "node:url";
import { S3Client } from "@aws-sdk/client-s3";
import { envOrProfile, fromConfig } from "env-or-profile";
import { startImdsEmulator, startStsEmulator } from "env-or-profile/testing";

export const PARTNER_ROLE_ARN = "arn:aws:iam::123456789012:role/partner-upload";

/** The real usage, in code. */
export function createPartnerS3Client(externalId: string): S3Client {
  const s3 = new S3Client({
    region: "us-east-1",
    credentials: envOrProfile({ assumeRole: { roleArn: PARTNER_ROLE_ARN, externalId } }),
  });
  return s3;
}

/** The same from configuration. Matches the cross-account `@example` of `fromConfig`. */
export function createPartnerS3ClientFromConfig(): S3Client {
  const credentials = fromConfig({
    credentialsSource: "env_or_profile",
    assumeRole: { roleArn: "arn:aws:iam::123456789012:role/partner-upload", externalId: "tenant-42" },
  });
  const s3 = new S3Client({ region: "us-east-1", credentials });
  return s3;
}

/** Runs the example against local IMDS and STS emulators. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const imds = await startImdsEmulator();
  const sts = await startStsEmulator({ baseCredentials: [{ ...imds.current }], externalId: "tenant-42" });
  const names = ["AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_ENDPOINT_URL_STS", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] as const;
  const saved = names.map((name) => [name, process.env[name]] as const);
  try {
    process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.endpoint;
    process.env["AWS_ENDPOINT_URL_STS"] = sts.endpoint;
    for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) {
      Reflect.deleteProperty(process.env, name);
    }

    const partner = createPartnerS3Client("tenant-42");
    const credentials = await partner.config.credentials();
    print(`partner role: access key …${credentials.accessKeyId.slice(-4)}, expires ${credentials.expiration?.toISOString() ?? "never"}`);
    print(`signed with the instance profile's key …${(sts.lastRequest?.accessKeyId ?? "").slice(-4)}, ExternalId sent: ${String(sts.lastRequest?.externalId === "tenant-42")}`);
    partner.destroy();

    const fromSettings = createPartnerS3ClientFromConfig();
    print(`from config: the same assumed credential: ${String((await fromSettings.config.credentials()).accessKeyId === credentials.accessKeyId)}`);
    fromSettings.destroy();

    try {
      const wrong = createPartnerS3Client("not-the-tenant");
      await wrong.config.credentials();
    } catch (error) {
      print(`a wrong ExternalId is refused: ${(error as { code?: string }).code ?? String(error)}`);
    }
    print(`AssumeRole calls: ${sts.calls} (the partner role once for both clients, and the refused one)`);
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) {
        Reflect.deleteProperty(process.env, name);
      } else {
        process.env[name] = value;
      }
    }
    await sts.close();
    await imds.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await main();
}
