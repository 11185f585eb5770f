// Part: `env-or-profile credential-process` as the AWS CLI runs it — a fresh process per command.
// Wall time per run (median of interleaved rounds): `node -e 0`, our credential-process with a
// warm cache, with a cold cache (IMDS on a loopback emulator), and the AWS CLI v2's own IMDS
// provider on the same emulator (`aws configure export-credentials`, AWS_EC2_METADATA_SERVICE_ENDPOINT
// pointing at it); then IMDS requests per 10 runs on both sides, and 10 AWS CLI commands through our
// credential_process with a role (IMDS credential fetches and AssumeRoles), with the cache and with
// --no-cache (what every run cost before it).
//   node credential-process.mjs [rounds]
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { finish, median, msSince, nowNs, OURS, ROOT } from "../lib.mjs";

const rounds = Number(process.argv[2] ?? "21");
const AWS = "/usr/bin/aws"; // the AWS CLI v2 (Debian's awscli); the `aws` first on PATH may be v1
const CLI_MAIN = join(ROOT, "dist", "cli", "main.js");
const ROLE_ARN = "arn:aws:iam::123456789012:role/bench-partner";
const EXTERNAL_ID = "bench-tenant-42";
const run = promisify(execFile);

const startImds = await OURS.startImdsEmulator();
const startSts = await OURS.startStsEmulator();
if (!startImds || !startSts) finish({ na: true, why: "emulators" });
const imds = await startImds.fn();
const sts = await startSts.fn({ baseCredentials: [{ ...imds.current }], externalId: EXTERNAL_ID });
const home = mkdtempSync(join(tmpdir(), "eop-bench-cp-"));
const cacheDir = join(home, "cache");
const env = {
  PATH: process.env.PATH ?? "",
  HOME: home,
  ENV_OR_PROFILE_CACHE_DIR: cacheDir,
  AWS_CONFIG_FILE: join(home, "config"),
  AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
  AWS_EC2_METADATA_SERVICE_ENDPOINT: `${imds.endpoint}/`, // the AWS CLI appends paths without a slash
  AWS_ENDPOINT_URL_STS: sts.endpoint,
  AWS_REGION: "us-east-1",
  AWS_PAGER: "",
  NO_PROXY: "*",
};
const ours = [CLI_MAIN, "credential-process"];
const line = `"${process.execPath}" "${CLI_MAIN}" credential-process --role-arn ${ROLE_ARN} --external-id ${EXTERNAL_ID}`;
writeFileSync(env.AWS_CONFIG_FILE, `[profile partner]\ncredential_process = ${line}\n[profile partner-uncached]\ncredential_process = ${line} --no-cache\n`);

async function timed(file, args, extraEnv = {}) {
  const t0 = nowNs();
  await run(file, args, { env: { ...env, ...extraEnv }, timeout: 60_000 });
  return msSince(t0);
}
const clearCache = () => rmSync(cacheDir, { recursive: true, force: true });
const credentialFetches = () => imds.count(`/latest/meta-data/iam/security-credentials/${"env-or-profile-demo-role"}`);

// 1. Wall time per run, interleaved so machine load hits every side alike.
const samples = { node: [], warm: [], cold: [], awsImds: [] };
const warmRatios = [];
await run(process.execPath, ours, { env }); // warm the cache
for (let round = 0; round < rounds; round++) {
  const node = await timed(process.execPath, ["-e", "0"]);
  const warm = await timed(process.execPath, ours);
  samples.node.push(node);
  samples.warm.push(warm);
  warmRatios.push(warm / node);
  if (round % 3 === 0) {
    clearCache();
    samples.cold.push(await timed(process.execPath, ours));
    samples.awsImds.push(await timed(AWS, ["configure", "export-credentials", "--format", "process"], { AWS_CONFIG_FILE: join(home, "no-config") }));
  }
}

// 2. IMDS requests per 10 runs, each side from a cold start.
clearCache();
imds.resetCounts();
for (let i = 0; i < 10; i++) await run(process.execPath, ours, { env });
const oursRequests = { total: imds.count("*"), credentialFetches: credentialFetches() };
imds.resetCounts();
for (let i = 0; i < 10; i++) await run(AWS, ["configure", "export-credentials", "--format", "process"], { env: { ...env, AWS_CONFIG_FILE: join(home, "no-config") } });
const awsRequests = { total: imds.count("*"), credentialFetches: credentialFetches() };

// 3. Ten AWS CLI commands through our credential_process, with a role: IMDS fetches and AssumeRoles.
clearCache();
imds.resetCounts();
const assumeRolesBefore = sts.issued.length;
for (let i = 0; i < 10; i++) await run(AWS, ["configure", "export-credentials", "--profile", "partner", "--format", "process"], { env });
const throughAwsCli = { credentialFetches: credentialFetches(), assumeRoles: sts.issued.length - assumeRolesBefore };
imds.resetCounts();
const uncachedBefore = sts.issued.length;
for (let i = 0; i < 10; i++) await run(AWS, ["configure", "export-credentials", "--profile", "partner-uncached", "--format", "process"], { env });
const throughAwsCliUncached = { credentialFetches: credentialFetches(), assumeRoles: sts.issued.length - uncachedBefore };

await imds.close();
await sts.close();
rmSync(home, { recursive: true, force: true });
finish({
  rounds,
  nodeMs: median(samples.node),
  warmMs: median(samples.warm),
  warmOverNode: median(warmRatios),
  coldMs: median(samples.cold),
  awsImdsMs: median(samples.awsImds),
  oursRequests,
  awsRequests,
  throughAwsCli,
  throughAwsCliUncached,
});
