// Part 4: 50 S3 clients built from one config, each sending its first request → AssumeRole calls
// reaching STS. A loopback STS emulator (verifies SigV4 against the env base keys, checks the
// ExternalId) and a loopback capture "S3" answering an empty ListBuckets. Fresh process each.
//   node sts.mjs <scenario> <clients> <concurrent|sequential>
// scenario:
//   ours                 each client its own envOrProfile({ assumeRole }) (distinct providers; they share
//                        by what they read: the same base identity, role and STS location)
//   ours-memo            each client its own memoize(fromAssumeRole(...)) (same sharing rule)
//   ours-raw             each client its own raw fromAssumeRole(...): no cache of ours (the S3Client
//                        wraps it in its own memoizer, one per client; identical concurrent AssumeRole
//                        requests are sent once by our STS transport)
//   sdk                  each client its own fromTemporaryCredentials(...) (the documented way)
// Base credentials: the environment's keys on every side (ours: the default base chain, env first).
import { BENCH_ENV_CREDS, finish, msSince, nowNs, OURS, startS3Capture } from "../lib.mjs";

const [scenario, clientsText = "50", order = "concurrent"] = process.argv.slice(2);
const clients = Number(clientsText);
const ROLE_ARN = "arn:aws:iam::123456789012:role/bench-customer-role";
const EXTERNAL_ID = "bench-external-id-1234";

const startSts = await OURS.startStsEmulator();
if (!startSts) finish({ na: true, why: "startStsEmulator" });
const sts = await startSts.fn({
  baseCredentials: [{ accessKeyId: BENCH_ENV_CREDS.AWS_ACCESS_KEY_ID, secretAccessKey: BENCH_ENV_CREDS.AWS_SECRET_ACCESS_KEY }],
  externalId: EXTERNAL_ID,
});
const s3 = await startS3Capture();
const { S3Client, ListBucketsCommand } = await import("@aws-sdk/client-s3");

let credentialsFor;
if (scenario === "ours") {
  const m = await OURS.envOrProfile();
  if (!m) finish({ na: true, why: "envOrProfile" });
  credentialsFor = () => m.fn({ assumeRole: { roleArn: ROLE_ARN, externalId: EXTERNAL_ID, endpoint: sts.endpoint, region: "us-east-1" } });
} else if (scenario === "ours-memo" || scenario === "ours-raw") {
  const [m, memoize] = [await OURS.fromAssumeRole(), await OURS.memoize()];
  if (!m || !memoize) finish({ na: true, why: "fromAssumeRole" });
  const raw = () => m.fn({ roleArn: ROLE_ARN, externalId: EXTERNAL_ID, endpoint: sts.endpoint, region: "us-east-1" });
  credentialsFor = scenario === "ours-memo" ? () => memoize.fn(raw()) : raw;
} else if (scenario !== "sdk") {
  finish({ error: `unknown scenario ${scenario}` });
}
if (scenario === "sdk") {
  const { fromTemporaryCredentials } = await import("@aws-sdk/credential-providers");
  credentialsFor = () =>
    fromTemporaryCredentials({
      params: { RoleArn: ROLE_ARN, ExternalId: EXTERNAL_ID },
      clientConfig: { endpoint: sts.endpoint, region: "us-east-1" },
    });
}

// "Built from one config": the same plain config object for every client, credentials included
// the way each library documents it (a provider per client config).
const makeClient = () =>
  new S3Client({ region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true, maxAttempts: 1, credentials: credentialsFor() });
const list = Array.from({ length: clients }, makeClient);

const t0 = nowNs();
let failed = 0;
let firstError;
const send = async (client) => {
  try {
    await client.send(new ListBucketsCommand({}));
  } catch (error) {
    failed += 1;
    firstError ??= `${error?.code ?? error?.name}: ${String(error?.message).slice(0, 160)}`;
  }
};
if (order === "sequential") {
  for (const client of list) await send(client);
} else {
  await Promise.all(list.map(send));
}
const ms = msSince(t0);
const result = {
  clients,
  order,
  assumeRoleCalls: sts.calls,
  s3Requests: s3.requests,
  distinctSigningKeys: s3.distinctKeys,
  failed,
  firstError,
  ms,
};
for (const client of list) client.destroy();
await s3.close();
await sts.close();
finish(result);
