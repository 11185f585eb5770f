// Part: web identity (EKS IRSA) — ours fromWebIdentity() vs the SDK's fromTokenFile() (and
// fromWebToken()), on the same loopback STS emulator (AssumeRoleWithWebIdentity, token checked) and
// the same token file, in one run.
//   node web-identity.mjs all <callers> <coldRuns> <cachedN> <cachedRounds>
//       starts the emulator and a token file here, then runs every scenario below in a fresh child
//       process each (process-wide caches start empty), and prints one JSON line with everything.
//   node web-identity.mjs cold <impl>            import + first resolution in this fresh process
//   node web-identity.mjs cached <n> <rounds>    cached calls/s, every variant, in this process
//   node web-identity.mjs raw <ours|sdk> <n>     one raw provider (no cache on either side) called n times
//   node web-identity.mjs callers <scenario> <n> n concurrent callers → what reached STS
// The children read AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ENDPOINT_URL_STS, AWS_REGION.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cleanEnv, finish, loadOurs, median, msSince, nowNs, OURS, runChild } from "../lib.mjs";

const [mode = "all", ...args] = process.argv.slice(2);
const ROLE_ARN = "arn:aws:iam::123456789012:role/bench-irsa";
const TOKEN = `eyJhbGciOiJSUzI1NiIsImtpZCI6ImJlbmNoIn0.${"eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6YmVuY2g6YXBwIn0".repeat(12)}.YmVuY2gtc2lnbmF0dXJl`;
const SELF = fileURLToPath(import.meta.url);
const env = process.env;

/** The SDK's STS client options: the same endpoint and region ours reads from the environment. */
const sdkClientConfig = () => ({ endpoint: env.AWS_ENDPOINT_URL_STS, region: env.AWS_REGION });

async function loadFromWebIdentity() {
  return (await loadOurs("fromWebIdentity", { publicSpec: "env-or-profile" }))?.fn;
}

if (mode === "cold") {
  const impl = args[0] ?? "ours";
  const t0 = nowNs();
  let credential;
  if (impl === "ours") {
    const fromWebIdentity = await loadFromWebIdentity();
    if (typeof fromWebIdentity !== "function") finish({ na: true });
    credential = await fromWebIdentity()();
  } else if (impl === "sdk-tokenfile") {
    const { fromTokenFile } = await import("@aws-sdk/credential-providers");
    credential = await fromTokenFile({ clientConfig: sdkClientConfig() })();
  } else {
    const { fromWebToken } = await import("@aws-sdk/credential-providers");
    const webIdentityToken = readFileSync(env.AWS_WEB_IDENTITY_TOKEN_FILE, "ascii");
    credential = await fromWebToken({ roleArn: env.AWS_ROLE_ARN, webIdentityToken, clientConfig: sdkClientConfig() })();
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
  const fromWebIdentity = await loadFromWebIdentity();
  const { memoize, envOrProfile } = await import("env-or-profile");
  const { fromTokenFile } = await import("@aws-sdk/credential-providers");
  const { S3Client } = await import("@aws-sdk/client-s3");
  const viaClient = (credentials) => new S3Client({ region: "us-east-1", credentials }).config.credentials;
  const variants = [];
  const add = async (key, provider) => {
    await provider();
    variants.push({ key, provider, loop: makeLoop(key), samples: [] });
  };
  // Ours cached: memoize() (a raw fromWebIdentity() is one attempt per call, no cache, by design).
  await add("oursMemo", memoize(fromWebIdentity()));
  await add("oursChain", envOrProfile());
  await add("oursClient", viaClient(memoize(fromWebIdentity())));
  await add("sdkClient", viaClient(fromTokenFile({ clientConfig: sdkClientConfig() })));
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
  // Neither raw provider caches: every call reads the token and makes one STS request. A few
  // hundred calls say how fast that is (the parent counts the STS requests).
  const impl = args[0] ?? "ours";
  const n = Number(args[1] ?? 300);
  let raw;
  if (impl === "ours") raw = (await loadFromWebIdentity())();
  else raw = (await import("@aws-sdk/credential-providers")).fromTokenFile({ clientConfig: sdkClientConfig() });
  await raw();
  const t0 = nowNs();
  for (let i = 0; i < n; i++) await raw();
  finish({ n, perSecond: (n / msSince(t0)) * 1000 });
}

if (mode === "callers") {
  const scenario = args[0] ?? "ours-one";
  const n = Number(args[1] ?? 10_000);
  const fromWebIdentity = await loadFromWebIdentity();
  const { memoize, envOrProfile } = await import("env-or-profile");
  const { fromTokenFile } = await import("@aws-sdk/credential-providers");
  const { S3Client } = await import("@aws-sdk/client-s3");
  let calls;
  if (scenario === "ours-one") {
    const provider = memoize(fromWebIdentity());
    calls = Array.from({ length: n }, () => provider);
  } else if (scenario === "ours-many") {
    calls = Array.from({ length: n }, () => memoize(fromWebIdentity()));
  } else if (scenario === "ours-chain-many") {
    calls = Array.from({ length: n }, () => envOrProfile());
  } else if (scenario === "ours-raw-many") {
    calls = Array.from({ length: n }, () => fromWebIdentity());
  } else if (scenario === "sdk-client-one") {
    const provider = new S3Client({ region: "us-east-1", credentials: fromTokenFile({ clientConfig: sdkClientConfig() }) }).config.credentials;
    calls = Array.from({ length: n }, () => provider);
  } else {
    // sdk-client-many: one S3Client per caller, each with its own fromTokenFile() (the documented way).
    calls = Array.from({ length: n }, () => new S3Client({ region: "us-east-1", credentials: fromTokenFile({ clientConfig: sdkClientConfig() }) }).config.credentials);
  }
  const t0 = nowNs();
  const outcomes = await Promise.allSettled(calls.map((provider) => provider()));
  const ms = msSince(t0);
  const failed = outcomes.filter((o) => o.status === "rejected");
  finish({ n, ms, failed: failed.length, firstError: failed[0] ? `${failed[0].reason?.name}: ${failed[0].reason?.code ?? ""} ${String(failed[0].reason?.message).slice(0, 200)}` : undefined });
}

// mode "all": the emulator and the token file live here; every scenario runs in a fresh child.
const [callersText = "10000", coldRunsText = "21", cachedNText = "200000", cachedRoundsText = "9"] = args;
const startSts = await OURS.startStsEmulator();
if (!startSts) finish({ na: true, why: "startStsEmulator" });
const sts = await startSts.fn({ webIdentityToken: TOKEN });
const dir = mkdtempSync(join(tmpdir(), "env-or-profile-bench-web-identity-"));
const tokenFile = join(dir, "token");
writeFileSync(tokenFile, TOKEN); // as the kubelet writes it: no newline (the SDK sends the file as is)
const childEnv = cleanEnv({
  AWS_ROLE_ARN: ROLE_ARN,
  AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
  AWS_ROLE_SESSION_NAME: "bench-session",
  AWS_ENDPOINT_URL_STS: sts.endpoint,
  AWS_REGION: "us-east-1",
});
const result = { cold: {}, cached: undefined, callers: {}, notes: [] };
try {
  // Cold: interleaved, order rotating, so drift hits every impl alike.
  const impls = ["ours", "sdk-tokenfile", "sdk-webtoken"];
  const samples = Object.fromEntries(impls.map((k) => [k, []]));
  for (const impl of impls) await runChild(SELF, { args: ["cold", impl], env: childEnv, timeoutMs: 30_000 }); // warm the file cache
  for (let i = 0; i < Number(coldRunsText); i++) {
    for (let j = 0; j < impls.length; j++) {
      const impl = impls[(i + j) % impls.length];
      const r = await runChild(SELF, { args: ["cold", impl], env: childEnv, timeoutMs: 30_000 });
      samples[impl].push(r.error || r.na ? Number.NaN : r.ms);
      if (r.error) result.notes.push(`cold ${impl}: ${r.error}`);
    }
  }
  for (const impl of impls) result.cold[impl] = { ms: median(samples[impl]), runs: samples[impl].filter(Number.isFinite).length };

  sts.reset();
  result.cached = await runChild(SELF, { args: ["cached", cachedNText, cachedRoundsText], env: childEnv, timeoutMs: 180_000 });
  result.cached.stsRequests = sts.webIdentityCalls;

  result.raw = {};
  for (const impl of ["ours", "sdk"]) {
    sts.reset();
    const r = await runChild(SELF, { args: ["raw", impl, "300"], env: childEnv, timeoutMs: 120_000 });
    result.raw[impl] = { ...r, stsRequests: sts.webIdentityCalls };
  }

  for (const scenario of ["ours-one", "ours-many", "ours-chain-many", "ours-raw-many", "sdk-client-one", "sdk-client-many"]) {
    sts.reset();
    const r = await runChild(SELF, { args: ["callers", scenario, callersText], env: childEnv, timeoutMs: 120_000 });
    result.callers[scenario] = { ...r, stsRequests: sts.webIdentityCalls };
  }
} finally {
  await sts.close();
  rmSync(dir, { recursive: true, force: true });
}
finish(result);
