// Container credentials (issue 9): ours vs the SDK's fromHttp / fromContainerMetadata, on the same
// local container emulator (env-or-profile/testing startContainerEmulator), started by the parent
// (bench/run.mjs, section "container"); its full URI is in AWS_CONTAINER_CREDENTIALS_FULL_URI and
// its expected token in AWS_CONTAINER_AUTHORIZATION_TOKEN. Nothing leaves loopback.
//   node container.mjs cold <impl>          fresh process: import + first resolution (ms)
//   node container.mjs cached               cached calls/s, raw provider and through an S3Client
//   node container.mjs callers <impl> <n>   n concurrent callers, one provider (requests are counted by the parent)
// impl (cold): ours-fromContainer | sdk-fromHttp | sdk-fromContainerMetadata | ours-chain | sdk-chain
// impl (callers): ours-chain | ours-many | sdk-chain | sdk-memo-fromHttp | sdk-memo-fromContainerMetadata
import { finish, median, msSince, nowNs } from "../lib.mjs";

const [mode = "cold", impl = "ours-fromContainer", nText = "10000"] = process.argv.slice(2);

async function factory(name) {
  if (name.startsWith("ours")) {
    const ours = await import("env-or-profile");
    if (name === "ours-fromContainer") return () => ours.fromContainer();
    if (name === "ours-memo-fromContainer") return () => ours.memoize(ours.fromContainer());
    if (name === "ours-chain" || name === "ours-many") return () => ours.envOrProfile();
  }
  const sdk = await import("@aws-sdk/credential-providers");
  const memoizeSdk = async () => (await import("@smithy/core/config")).memoize;
  if (name === "sdk-fromHttp") return () => sdk.fromHttp();
  if (name === "sdk-fromContainerMetadata") return () => sdk.fromContainerMetadata();
  if (name === "sdk-chain") return () => sdk.fromNodeProviderChain();
  if (name === "sdk-memo-fromHttp") {
    const memoize = await memoizeSdk();
    return () => memoize(sdk.fromHttp());
  }
  if (name === "sdk-memo-fromContainerMetadata") {
    const memoize = await memoizeSdk();
    return () => memoize(sdk.fromContainerMetadata());
  }
  throw new Error(`unknown impl ${name}`);
}

if (mode === "cold") {
  const t0 = nowNs();
  const make = await factory(impl);
  const credential = await make()();
  const ms = msSince(t0);
  if (!credential.accessKeyId) throw new Error("no credential");
  finish({ ms });
}

if (mode === "callers") {
  const n = Number(nText);
  const make = await factory(impl);
  const providers = impl === "ours-many" ? Array.from({ length: n }, () => make()) : Array.from({ length: n }, ((p) => () => p)(make()));
  const t0 = nowNs();
  const results = await Promise.allSettled(providers.map((p) => p()));
  const failed = results.filter((r) => r.status === "rejected");
  finish({ n, ms: msSince(t0), failed: failed.length, firstError: failed[0] ? String(failed[0].reason?.message ?? failed[0].reason).slice(0, 160) : undefined });
}

// cached: tight awaited loops, one compiled loop per variant (as bench/parts/cached.mjs).
const N = Number(process.env.BENCH_CACHED_N ?? 200_000);
const ROUNDS = Number(process.env.BENCH_CACHED_ROUNDS ?? 7);
const AsyncFunction = (async () => {}).constructor;
const makeLoop = (tag) =>
  new AsyncFunction("f", "n", `/* ${tag} */ const t0 = process.hrtime.bigint(); for (let i = 0; i < n; i++) { await f(); } return Number(process.hrtime.bigint() - t0);`);
const { S3Client } = await import("@aws-sdk/client-s3");
const variants = [];
for (const [key, name] of [
  ["oursChain", "ours-chain"],
  ["oursMemo", "ours-memo-fromContainer"],
  ["sdkChain", "sdk-chain"],
  ["sdkMemoHttp", "sdk-memo-fromHttp"],
]) {
  const provider = (await factory(name))();
  await provider();
  variants.push({ key, provider, loop: makeLoop(key), samples: [] });
  const client = new S3Client({ region: "us-east-1", credentials: provider });
  const viaClient = () => client.config.credentials();
  await viaClient();
  variants.push({ key: `${key}Client`, provider: viaClient, loop: makeLoop(`${key}Client`), samples: [] });
}
for (let r = 0; r < 2; r++) for (const v of variants) await v.loop(v.provider, N);
for (let r = 0; r < ROUNDS; r++) {
  for (let i = 0; i < variants.length; i++) {
    const v = variants[(i + r) % variants.length];
    v.samples.push((N / (await v.loop(v.provider, N))) * 1e9);
  }
}
finish(Object.fromEntries(variants.map((v) => [v.key, { callsPerSec: median(v.samples) }])));
