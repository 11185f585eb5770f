/**
 * Drop-in credentials for AWS SDK v3 clients: `envOrProfile()` is environment variables, else an
 * AWS profile, else the role attached to where the code runs (here the EC2 instance profile),
 * memoized until five minutes before expiry and shared by every provider that reads the same world —
 * so giving each client its own costs one IMDS fetch in total.
 *
 * Run it (no AWS account needed: it starts a local IMDS emulator and points the standard
 * `AWS_EC2_METADATA_SERVICE_ENDPOINT` at it):
 *   npm run example s3-drop-in     (any supported Node: 20.19+, 22, 24; it builds and compiles first)
 */
import { pathToFileURL } from "node:url";
import { S3Client } from "@aws-sdk/client-s3";
import { envOrProfile } from "env-or-profile";
import { startImdsEmulator } from "env-or-profile/testing";

/** The real usage — this is all an app writes. Matches the `@example` of `envOrProfile`. */
export function createS3Client(): S3Client {
  const s3 = new S3Client({ region: "us-east-1", credentials: envOrProfile() });
  return s3;
}

/** Runs the example against a local IMDS emulator; returns what it printed. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const imds = await startImdsEmulator();
  const restore = setEnv({
    AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
  });
  try {
    const uploads = createS3Client();
    const reports = createS3Client();
    const first = await uploads.config.credentials();
    const second = await reports.config.credentials();
    print(`uploads client: access key …${first.accessKeyId.slice(-4)}, expires ${first.expiration?.toISOString() ?? "never"}`);
    print(`reports client: the same credential: ${String(second.accessKeyId === first.accessKeyId)}`);
    print(`IMDS credential fetches for both clients: ${imds.count(`/latest/meta-data/iam/security-credentials/${imds.roleName ?? ""}`)}`);
    uploads.destroy();
    reports.destroy();
  } finally {
    restore();
    await imds.close();
  }
}

/** Sets (or, for `undefined`, unsets) environment variables; returns a function that restores them. */
function setEnv(values: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  const apply = (next: Record<string, string | undefined>): void => {
    for (const [name, value] of Object.entries(next)) {
      if (value === undefined) {
        Reflect.deleteProperty(process.env, name);
      } else {
        process.env[name] = value;
      }
    }
  };
  apply(values);
  return () => apply(saved);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await main();
}
