// Part: AWS profiles — ours fromProfile() vs the SDK's fromIni(), resolving the same role profile
// (a static source_profile → AssumeRole with external_id) from the same files against the same
// loopback STS emulator (SigV4 verified, ExternalId checked), in one run.
//   node profile.mjs all <coldRuns> <cachedN> <cachedRounds> <clients>
//       writes the files and starts the emulator here, then runs each scenario in a fresh child.
//   node profile.mjs cold <impl>               import + first resolution in this fresh process
//   node profile.mjs cached <n> <rounds>       cached calls/s in this process
//   node profile.mjs raw <ours|sdk> <n>        one raw provider (no cache on either side) called n times
//   node profile.mjs clients <impl> <n> <order> n providers (one per client), first call each
//       impl: ours-memo (memoize(fromProfile())) | ours-chain (envOrProfile()) | ours-raw (fromProfile())
//             | sdk (fromIni()); order: concurrent | sequential
// The children read AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, AWS_PROFILE and BENCH_STS_ENDPOINT.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BENCH_ENV_CREDS, cleanEnv, finish, loadOurs, median, msSince, nowNs, OURS, runChild } from "../lib.mjs";

const [mode = "all", ...args] = process.argv.slice(2);
const ROLE_ARN = "arn:aws:iam::123456789012:role/bench-profile-role";
const EXTERNAL_ID = "bench-external-id-1234";
const SELF = fileURLToPath(import.meta.url);
const env = process.env;
/** The SDK's STS client for the role step: the same endpoint and region as ours reads from the profile. */
const sdkClientConfig = () => ({ endpoint: env.BENCH_STS_ENDPOINT, region: "us-east-1" });

async function loadFromProfile() {
  return (await loadOurs("fromProfile", { publicSpec: "env-or-profile" }))?.fn;
}

if (mode === "cold") {
  const impl = args[0] ?? "ours";
  const t0 = nowNs();
  let credential;
  if (impl === "ours") {
    const fromProfile = await loadFromProfile();
    if (typeof fromProfile !== "function") finish({ na: true });
    credential = await fromProfile()();
  } else {
    const { fromIni } = await import("@aws-sdk/credential-providers");
    credential = await fromIni({ clientConfig: sdkClientConfig() })();
  }
  const ms = msSince(t0);
  if (!credential?.accessKeyId) finish({ error: "no credential" });
  finish({ ms });
}

if (mode === "cached") {
  const n = Number(args[0] ?? 200_000);
  const rounds = Number(args[1] ?? 9);
  const AsyncFunction = (async () => {}).constructor;
  const makeLoop = (tag) =>
    new AsyncFunction("f", "n", `/* ${tag} */ const t0 = process.hrtime.bigint(); for (let i = 0; i < n; i++) { await f(); } return Number(process.hrtime.bigint() - t0);`);
  const fromProfile = await loadFromProfile();
  const memoize = (await OURS.memoize())?.fn;
  const envOrProfile = (await OURS.envOrProfile())?.fn;
  const { fromIni } = await import("@aws-sdk/credential-providers");
  const { S3Client } = await import("@aws-sdk/client-s3");
  const viaClient = (credentials) => new S3Client({ region: "us-east-1", credentials }).config.credentials;
  const variants = [];
  const add = async (key, provider) => {
    await provider();
    variants.push({ key, provider, loop: makeLoop(key), samples: [] });
  };
  await add("oursMemoized", memoize(fromProfile()));
  await add("oursChain", envOrProfile({ env: false, webIdentity: false, container: false, imds: false }));
  await add("oursClient", viaClient(memoize(fromProfile())));
  await add("sdkClient", viaClient(fromIni({ clientConfig: sdkClientConfig() })));
  for (let r = 0; r < 3; r++) for (const v of variants) await v.loop(v.provider, Math.min(n, 50_000));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < variants.length; i++) {
      const v = variants[(i + r) % variants.length];
      v.samples.push((n / (await v.loop(v.provider, n))) * 1e9);
    }
  }
  finish({ n, rounds, variants: Object.fromEntries(variants.map((v) => [v.key, median(v.samples)])) });
}

if (mode === "raw") {
  // Neither raw provider caches a credential: each call reads the profile (ours: a stat of each
  // file, the parse remembered by file identity; the SDK: its in-memory copy of the files) and
  // makes one AssumeRole (the parent counts them).
  const impl = args[0] ?? "ours";
  const n = Number(args[1] ?? 300);
  const raw = impl === "ours" ? (await loadFromProfile())() : (await import("@aws-sdk/credential-providers")).fromIni({ clientConfig: sdkClientConfig() });
  await raw();
  const t0 = nowNs();
  for (let i = 0; i < n; i++) await raw();
  finish({ n, perSecond: (n / msSince(t0)) * 1000 });
}

if (mode === "clients") {
  const impl = args[0] ?? "ours-memo";
  const n = Number(args[1] ?? 50);
  const order = args[2] ?? "concurrent";
  const fromProfile = await loadFromProfile();
  const { memoize, envOrProfile } = await import("env-or-profile");
  const { fromIni } = await import("@aws-sdk/credential-providers");
  const { S3Client } = await import("@aws-sdk/client-s3");
  const make = {
    "ours-memo": () => memoize(fromProfile()),
    "ours-chain": () => envOrProfile(),
    "ours-raw": () => fromProfile(),
    sdk: () => fromIni({ clientConfig: sdkClientConfig() }),
  }[impl];
  if (make === undefined) finish({ error: `unknown impl ${impl}` });
  // One S3Client per caller, each with its own provider (the documented way), first call each.
  const providers = Array.from({ length: n }, () => new S3Client({ region: "us-east-1", credentials: make() }).config.credentials);
  const outcomes = [];
  if (order === "sequential") {
    for (const provider of providers) outcomes.push(...(await Promise.allSettled([provider()])));
  } else {
    outcomes.push(...(await Promise.allSettled(providers.map((provider) => provider()))));
  }
  const failed = outcomes.filter((o) => o.status === "rejected");
  finish({ n, order, failed: failed.length, firstError: failed[0] ? String(failed[0].reason?.message).slice(0, 160) : undefined });
}

// mode "all": the files and the emulator live here; every scenario runs in a fresh child.
const [coldRunsText = "21", cachedNText = "200000", cachedRoundsText = "9", clientsText = "50"] = args;
const startSts = await OURS.startStsEmulator();
if (!startSts) finish({ na: true, why: "startStsEmulator" });
const sts = await startSts.fn({
  baseCredentials: [{ accessKeyId: BENCH_ENV_CREDS.AWS_ACCESS_KEY_ID, secretAccessKey: BENCH_ENV_CREDS.AWS_SECRET_ACCESS_KEY }],
  externalId: EXTERNAL_ID,
});
const dir = mkdtempSync(join(tmpdir(), "env-or-profile-bench-profile-"));
const configFile = join(dir, "config");
const credentialsFile = join(dir, "credentials");
writeFileSync(credentialsFile, `[base]\naws_access_key_id = ${BENCH_ENV_CREDS.AWS_ACCESS_KEY_ID}\naws_secret_access_key = ${BENCH_ENV_CREDS.AWS_SECRET_ACCESS_KEY}\n`);
writeFileSync(
  configFile,
  `[profile partner]\nrole_arn = ${ROLE_ARN}\nsource_profile = base\nexternal_id = ${EXTERNAL_ID}\nrole_session_name = bench-session\n` +
    `region = us-east-1\nendpoint_url = ${sts.endpoint}\n`,
);
const childEnv = cleanEnv({
  AWS_CONFIG_FILE: configFile,
  AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
  AWS_PROFILE: "partner",
  BENCH_STS_ENDPOINT: sts.endpoint,
  AWS_REGION: undefined,
});
const result = { cold: {}, cached: undefined, clients: {}, notes: [] };
try {
  const impls = ["ours", "sdk"];
  const samples = { ours: [], sdk: [] };
  const stsPerRun = { ours: [], sdk: [] };
  for (const impl of impls) await runChild(SELF, { args: ["cold", impl], env: childEnv, timeoutMs: 30_000 }); // warm the file cache
  for (let i = 0; i < Number(coldRunsText); i++) {
    for (let j = 0; j < impls.length; j++) {
      const impl = impls[(i + j) % impls.length];
      const before = sts.calls;
      const r = await runChild(SELF, { args: ["cold", impl], env: childEnv, timeoutMs: 30_000 });
      samples[impl].push(r.error || r.na ? Number.NaN : r.ms);
      stsPerRun[impl].push(sts.calls - before);
      if (r.error) result.notes.push(`cold ${impl}: ${r.error}`);
    }
  }
  for (const impl of impls) {
    result.cold[impl] = { ms: median(samples[impl]), runs: samples[impl].filter(Number.isFinite).length, stsPerRun: median(stsPerRun[impl]) };
  }
  const reqs = sts.requests.filter((request) => request.action === "AssumeRole");
  result.sameRequests = reqs.every((request) => request.signatureValid && request.externalId === EXTERNAL_ID && request.roleArn === ROLE_ARN);

  sts.reset();
  result.cached = await runChild(SELF, { args: ["cached", cachedNText, cachedRoundsText], env: childEnv, timeoutMs: 180_000 });
  result.cached.stsRequests = sts.calls;

  result.raw = {};
  for (const impl of impls) {
    sts.reset();
    const r = await runChild(SELF, { args: ["raw", impl, "300"], env: childEnv, timeoutMs: 120_000 });
    result.raw[impl] = { ...r, stsRequests: sts.calls };
  }

  for (const impl of ["ours-memo", "ours-chain", "ours-raw", "sdk"]) {
    for (const order of ["concurrent", "sequential"]) {
      sts.reset();
      const r = await runChild(SELF, { args: ["clients", impl, clientsText, order], env: childEnv, timeoutMs: 120_000 });
      result.clients[`${impl}/${order}`] = { ...r, stsRequests: sts.calls };
    }
  }
} finally {
  await sts.close();
  rmSync(dir, { recursive: true, force: true });
}
finish(result);
