// Issue 16 item 8: the first call of a NEW provider in a warm process, side by side with the SDK's,
// in one world per run (set up by the parent, bench/run.mjs, section "first-call"):
//   node first-call.mjs <world> <rounds> <batch>
// world:
//   env      AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY set (IMDS: a closed loopback port)
//   imds     no keys, no profile files; IMDS is the emulator in the parent
//            (AWS_EC2_METADATA_SERVICE_ENDPOINT); the shared credential is already cached by an
//            earlier provider (the warm-up rounds) on our side
//   profile  AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE point at files whose [default] profile has
//            static keys (no AWS_PROFILE, no env keys)
// impl (every one runs, interleaved, order rotating each round):
//   ours-chain  envOrProfile() (defaults)     vs  sdk-chain  fromNodeProviderChain() (defaults)
//   ours-link   memoize(<the link alone>)     vs  sdk-link   the SDK's provider for that source
//               (env: fromEnv(); imds: fromImds() / fromInstanceMetadata(); profile: fromProfile() / fromIni())
// A sample is `batch` providers, each created and called once, one after another, in one timed
// loop (per-provider time = loop time / batch); the answer is the median over `rounds` samples
// after warm-up rounds. HTTP requests each impl started while it ran are counted through node's
// http diagnostics channel (both libraries use node:http), so the row can say what each new
// provider cost in requests.
import { subscribe } from "node:diagnostics_channel";
import { finish, median, nowNs } from "../lib.mjs";

const [world = "env", roundsText = "15", batchText = "200"] = process.argv.slice(2);
const ROUNDS = Number(roundsText);
const BATCH = Number(batchText);
const WARMUP_ROUNDS = 3;

const ours = await import("env-or-profile");
const sdk = await import("@aws-sdk/credential-providers");

const links = {
  env: { ours: () => ours.memoize(ours.fromEnv()), sdk: () => sdk.fromEnv() },
  imds: { ours: () => ours.memoize(ours.fromImds()), sdk: () => sdk.fromInstanceMetadata() },
  profile: { ours: () => ours.memoize(ours.fromProfile()), sdk: () => sdk.fromIni() },
}[world];
if (links === undefined) finish({ error: `unknown world ${world}` });

const impls = {
  "ours-chain": () => ours.envOrProfile(),
  "sdk-chain": () => sdk.fromNodeProviderChain(),
  "ours-link": links.ours,
  "sdk-link": links.sdk,
};

let running;
const requests = Object.fromEntries(Object.keys(impls).map((k) => [k, 0]));
subscribe("http.client.request.start", () => {
  if (running !== undefined) requests[running] += 1;
});

// One loop function per impl, compiled from distinct source, so V8's feedback for one impl's
// call site never turns another's megamorphic (as bench/parts/cached.mjs).
const AsyncFunction = (async () => {}).constructor;
const makeLoop = (tag) =>
  new AsyncFunction(
    "make",
    "n",
    `/* ${tag} */ const t0 = process.hrtime.bigint(); for (let i = 0; i < n; i++) { const c = await make()(); if (!c.accessKeyId) throw new Error("no credential"); } return Number(process.hrtime.bigint() - t0);`,
  );
const loops = Object.fromEntries(Object.keys(impls).map((k) => [k, makeLoop(k)]));
const samples = Object.fromEntries(Object.keys(impls).map((k) => [k, []]));
const measured = Object.fromEntries(Object.keys(impls).map((k) => [k, 0]));

const names = Object.keys(impls);
const t0 = nowNs();
for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
  const counting = round >= WARMUP_ROUNDS;
  for (let j = 0; j < names.length; j++) {
    const name = names[(round + j) % names.length];
    const before = requests[name];
    running = name;
    const ns = await loops[name](impls[name], BATCH);
    running = undefined;
    if (counting) {
      samples[name].push(ns / BATCH / 1000);
      measured[name] += BATCH;
    } else {
      requests[name] = before; // warm-up requests (our first provider's fetch) are not the row's
    }
  }
}
const seconds = Number(nowNs() - t0) / 1e9;
finish({
  world,
  rounds: ROUNDS,
  batch: BATCH,
  seconds,
  impls: Object.fromEntries(names.map((k) => [k, { us: median(samples[k]), providers: measured[k], requests: requests[k] }])),
});
