/**
 * Recovering when a service rejects a cached credential: the instance profile's keys are rotated
 * and the old ones revoked while the client's cache still holds them, so the next request is
 * refused (`InvalidClientTokenId`). With `refreshOnRejectedCredentials`, the client tells the
 * provider, fetches the new keys once and re-sends the request once: the caller never sees the error.
 *
 * Run it (no AWS account needed: it starts local IMDS and STS emulators and points the standard
 * `AWS_EC2_METADATA_SERVICE_ENDPOINT` at the first; the request is an STS `GetCallerIdentity`,
 * which the STS emulator verifies — any client, S3 or DynamoDB, works the same):
 *   npm run example recover-rejected     (any supported Node: 20.19+, 22, 24; it builds and compiles first)
 */
import { pathToFileURL } from "node:url";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { envOrProfile, refreshOnRejectedCredentials, type Logger } from "env-or-profile";
import { startImdsEmulator, startStsEmulator } from "env-or-profile/testing";

/** The real usage: the same provider for the client and the plugin. Matches the `@example` of `refreshOnRejectedCredentials`. */
export function createStsClient(endpoint: string, logger: Logger = console): STSClient {
  const credentials = envOrProfile();
  const sts = new STSClient({ region: "us-east-1", endpoint, credentials });
  sts.middlewareStack.use(refreshOnRejectedCredentials(credentials, { logger }));
  return sts;
}

/** Runs the example against local IMDS and STS emulators. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const imds = await startImdsEmulator();
  const sts = await startStsEmulator({ baseCredentials: [{ ...imds.current, arn: "arn:aws:sts::123456789012:assumed-role/app/i-0123456789abcdef0" }] });
  const names = ["AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"] as const;
  const saved = names.map((name) => [name, process.env[name]] as const);
  const fetches = (): number => imds.count(`/latest/meta-data/iam/security-credentials/${imds.roleName ?? ""}`);
  try {
    process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.endpoint;
    for (const name of names.slice(1)) {
      Reflect.deleteProperty(process.env, name);
    }
    const client = createStsClient(sts.endpoint, { warn: (line) => print(`  log: ${line}`) });

    const before = await client.send(new GetCallerIdentityCommand({}));
    print(`signed with the instance profile's key …${imds.current.accessKeyId.slice(-4)}: ${before.Arn ?? ""}`);

    const rotated = imds.rotate();
    sts.setBaseCredentials([{ ...rotated, arn: "arn:aws:sts::123456789012:assumed-role/app/i-0123456789abcdef0" }]);
    print(`the keys were rotated to …${rotated.accessKeyId.slice(-4)} and the old ones revoked; the client's cache still holds the old ones`);

    const after = await client.send(new GetCallerIdentityCommand({}));
    const answers = sts.requests.slice(1).map((request) => request.errorCode ?? "OK");
    print(`the next call succeeded: ${after.Arn ?? ""}`);
    print(`STS requests for it: ${answers.length} (${answers.join(", then ")}); IMDS credential fetches in all: ${fetches()}`);
    client.destroy();
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
