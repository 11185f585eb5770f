/**
 * BOSH's `credentials_source: env_or_profile` (BOSH docs, "IAM Profiles"): "Instead of providing
 * access_key_id and secret_access_key, configure AWS CPI … to use IAM instance profile as a
 * credentials source".
 * `fromConfig` takes the manifest's `properties.aws` block as it is (with `allowUnknownKeys`, for
 * its other keys such as `region` and `default_key_name`) and does what the name says — which,
 * the BOSH docs note, BOSH itself did not: the environment first, else a profile, else the
 * attached role (on the Director, its instance profile).
 *
 * When AWS then refuses something with "Encoded authorization failure message: …", decode it with
 *   npx env-or-profile decode-authorization-message <message>
 *
 * Run it (no AWS account needed: it starts a local IMDS emulator):
 *   npm run example bosh-style     (any supported Node: 20.19+, 22, 24; it builds and compiles first)
 */
import { pathToFileURL } from "node:url";
import { S3Client } from "@aws-sdk/client-s3";
import { fromConfig, type SnakeCaseCredentialsConfig } from "env-or-profile";
import { startImdsEmulator } from "env-or-profile/testing";

/** The `properties.aws` block of a BOSH manifest, as far as this app reads it. */
export type BoshAwsProperties = SnakeCaseCredentialsConfig & { region: string; default_key_name?: string };

/** The manifest of Example A in BOSH's "IAM Profiles" docs, as a YAML parser would hand it over. */
export const MANIFEST_AWS_BLOCK = `{
  "credentials_source": "env_or_profile",
  "region": "us-east-1",
  "default_key_name": "bosh",
  "default_iam_instance_profile": "deployed-vm"
}`;

/** The real usage. Matches the BOSH `@example` of `fromConfig`. */
export function createBlobstoreClient(aws: BoshAwsProperties): S3Client {
  const s3 = new S3Client({ region: aws.region, credentials: fromConfig(aws, { allowUnknownKeys: true }) });
  return s3;
}

/**
 * The same on a given machine's environment. This example plays two machines in one process;
 * `fromConfig` with the same options shares one cached credential per process (by design), so
 * each "machine" passes its own environment, as its own `process.env` would be.
 */
export function createBlobstoreClientOn(aws: BoshAwsProperties, environment: Readonly<Record<string, string | undefined>>): S3Client {
  return new S3Client({ region: aws.region, credentials: fromConfig(aws, { allowUnknownKeys: true, env: { env: environment } }) });
}

/** Runs the example: once on a "jumpbox" with keys in the environment, once on an "EC2 instance". */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const aws = JSON.parse(MANIFEST_AWS_BLOCK) as BoshAwsProperties;
  const imds = await startImdsEmulator({ instanceProfileArn: "arn:aws:iam::123456789012:instance-profile/director" });
  const names = ["AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] as const;
  const saved = names.map((name) => [name, process.env[name]] as const);
  try {
    process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.endpoint;
    Reflect.deleteProperty(process.env, "AWS_SESSION_TOKEN");

    // On a jumpbox, `bosh create-env` with keys exported in the shell: the environment wins.
    const jumpboxEnv = { AWS_ACCESS_KEY_ID: "AKIAJUMPBOXEXAMPLE01", AWS_SECRET_ACCESS_KEY: "jumpbox-example-secret" };
    const onJumpbox = createBlobstoreClientOn(aws, jumpboxEnv);
    print(`jumpbox: access key …${(await onJumpbox.config.credentials()).accessKeyId.slice(-4)} from the environment`);
    onJumpbox.destroy();

    // On the Director VM: no keys in the environment, so the instance profile.
    Reflect.deleteProperty(process.env, "AWS_ACCESS_KEY_ID");
    Reflect.deleteProperty(process.env, "AWS_SECRET_ACCESS_KEY");
    const onDirector = createBlobstoreClient(aws);
    const credentials = await onDirector.config.credentials();
    const fromProfile = credentials.accessKeyId === imds.current.accessKeyId;
    print(`director: access key …${credentials.accessKeyId.slice(-4)} ${fromProfile ? "from the instance profile" : "NOT from the instance profile"}, expires ${credentials.expiration?.toISOString() ?? "never"}`);
    onDirector.destroy();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) {
        Reflect.deleteProperty(process.env, name);
      } else {
        process.env[name] = value;
      }
    }
    await imds.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await main();
}
