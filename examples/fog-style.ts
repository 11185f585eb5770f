/**
 * Fog's `use_iam_profile: true` (the "Space Vatican" post on Fog and IAM roles): "rather than
 * providing a full set of credentials just do `Fog::Storage::AWS.new :use_iam_profile => true` and
 * fog will fetch the credentials for you.
 * It will also keep track of when they expire". `fromConfig` takes the same flag — camelCase, or
 * snake_case straight from a YAML/JSON config — and means the same thing: the role attached to where
 * the code runs (web identity on EKS, the task role on ECS, here the EC2 instance profile) and
 * nothing else, refreshed five minutes before expiry.
 *
 * Run it (no AWS account needed: it starts a local IMDS emulator):
 *   npm run example fog-style     (any supported Node: 20.19+, 22, 24; it builds and compiles first)
 */
import { pathToFileURL } from "node:url";
import { S3Client } from "@aws-sdk/client-s3";
import { fromConfig } from "env-or-profile";
import { startImdsEmulator } from "env-or-profile/testing";

/** The real usage. Matches the Fog `@example` of `fromConfig`. */
export function createStorage(): S3Client {
  const s3 = new S3Client({ region: "us-east-1", credentials: fromConfig({ use_iam_profile: true }) });
  return s3;
}

/** The same, from a parsed config file (`storage: { use_iam_profile: true }`). */
export function createStorageFromSettings(settings: { storage: { use_iam_profile: boolean } }): S3Client {
  return new S3Client({ region: "us-east-1", credentials: fromConfig(settings.storage) });
}

/** Runs the example against a local IMDS emulator. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const imds = await startImdsEmulator({ instanceProfileArn: "arn:aws:iam::123456789012:instance-profile/app_server" });
  const saved = process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"];
  process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.endpoint;
  try {
    const storage = createStorage();
    const credentials = await storage.config.credentials();
    print(`use_iam_profile: access key …${credentials.accessKeyId.slice(-4)} from the instance profile`);
    print(`expires ${credentials.expiration?.toISOString() ?? "never"}; refreshed 5 minutes before that`);
    storage.destroy();

    const fromFile = createStorageFromSettings(JSON.parse('{"storage":{"use_iam_profile":true}}') as { storage: { use_iam_profile: boolean } });
    print(`from a parsed config file: the same credential: ${String((await fromFile.config.credentials()).accessKeyId === credentials.accessKeyId)}`);
    fromFile.destroy();
  } finally {
    if (saved === undefined) {
      Reflect.deleteProperty(process.env, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
    } else {
      process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = saved;
    }
    await imds.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await main();
}
