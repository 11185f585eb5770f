// Part 1: cached calls per second, after the first resolution, in one process: each provider
// called raw, and through an S3Client's own credential wrapper.
// Run by bench/run.mjs with env credentials set (BENCH_ENV_CREDS) and IMDS pointed at loopback.
import { finish, median, OURS } from "../lib.mjs";
import { imdsAdapter } from "../imds-adapter.mjs";

const N = Number(process.env.BENCH_CACHED_N ?? 200_000);
const ROUNDS = Number(process.env.BENCH_CACHED_ROUNDS ?? 9);
const WARMUP_ROUNDS = 3;

// One loop function per variant, compiled from distinct source, so V8's feedback for one
// provider's call site never turns another's megamorphic.
const AsyncFunction = (async () => {}).constructor;
function makeLoop(tag) {
  return new AsyncFunction(
    "f",
    "n",
    `/* ${tag} */ const t0 = process.hrtime.bigint(); for (let i = 0; i < n; i++) { await f(); } return Number(process.hrtime.bigint() - t0);`,
  );
}

const variants = [];
const add = (key, label, provider) => variants.push({ key, label, provider, loop: makeLoop(key), samples: [] });

// The physical limit: a function returning a stored, resolved promise.
const stored = Promise.resolve({ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x" });
add("limit", "limit: return a stored resolved promise", () => stored);

const { fromNodeProviderChain } = await import("@aws-sdk/credential-providers");
const sdkEnv = fromNodeProviderChain();
await sdkEnv();
add("sdkEnv", "SDK fromNodeProviderChain() (env creds)", sdkEnv);

const envOrProfile = await OURS.envOrProfile();
if (envOrProfile) {
  const ours = envOrProfile.fn();
  await ours();
  add("oursEnv", "ours envOrProfile() (env creds)", ours);
}

// Through a client: what an S3Client's signer calls is `client.config.credentials`, the SDK's
// wrapper around the provider it was given (its own memoizer unless the provider carries the
// `memoized` marker, plus caller-config binding and attribution). A default S3Client (no
// `credentials` option) uses its own default chain.
const { S3Client } = await import("@aws-sdk/client-s3");
const clients = [];
const viaClient = async (key, label, credentials) => {
  const client = new S3Client({ region: "us-east-1", ...(credentials === undefined ? {} : { credentials }) });
  clients.push(client);
  const provider = client.config.credentials;
  await provider();
  add(key, label, provider);
};
await viaClient("sdkClient", "SDK S3Client({ credentials: fromNodeProviderChain() }).config.credentials", fromNodeProviderChain());
await viaClient("sdkDefaultClient", "SDK new S3Client({}).config.credentials (its default chain)", undefined);
if (envOrProfile) {
  await viaClient("oursClient", "ours S3Client({ credentials: envOrProfile() }).config.credentials", envOrProfile.fn());
}

// IMDS-backed variants: the emulator, with env credentials now removed for the SDK (it reads the
// environment at call time; its env-backed chain above is cached for life).
const notes = [];
const imds = await imdsAdapter();
if (imds) {
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = imds.endpoint;
  const memoize = await OURS.memoize();
  const fromImds = await OURS.fromImds();
  if (memoize && fromImds) {
    const oursImds = memoize.fn(fromImds.fn({ endpoint: imds.endpoint }));
    await oursImds();
    add("oursImds", "ours memoize(fromImds()) (IMDS emulator)", oursImds);
  }
  if (envOrProfile) {
    // A new envOrProfile() reads the world as it is now (no env keys): IMDS answers.
    const oursImdsChain = envOrProfile.fn();
    await oursImdsChain();
    add("oursImdsChain", "ours envOrProfile() (IMDS emulator)", oursImdsChain);
  }
  const sdkImds = fromNodeProviderChain();
  await sdkImds();
  add("sdkImds", "SDK fromNodeProviderChain() (IMDS emulator)", sdkImds);
} else {
  notes.push("IMDS emulator: not built yet");
}

for (let r = 0; r < WARMUP_ROUNDS; r++) {
  for (const v of variants) await v.loop(v.provider, N);
}
for (let r = 0; r < ROUNDS; r++) {
  // Rotate the order each round so drift (GC, frequency) does not favour one variant.
  for (let i = 0; i < variants.length; i++) {
    const v = variants[(i + r) % variants.length];
    const ns = await v.loop(v.provider, N);
    v.samples.push((N / ns) * 1e9);
  }
}
if (imds) await imds.close();
for (const client of clients) client.destroy();

const result = { n: N, rounds: ROUNDS, notes, variants: {} };
for (const v of variants) {
  result.variants[v.key] = { label: v.label, callsPerSec: median(v.samples), samples: v.samples.map(Math.round) };
}
finish(result);
