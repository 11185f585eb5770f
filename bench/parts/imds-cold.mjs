// Part 3a: cold resolution against the IMDS emulator (started by the parent; its endpoint is in
// AWS_EC2_METADATA_SERVICE_ENDPOINT, env credentials unset).
//   node imds-cold.mjs first <impl>  → in this fresh process: import the library + first
//                                      resolution (node's own start-up excluded)
//   node imds-cold.mjs fresh <k>     → every impl, interleaved: median over k fresh providers in
//                                      this (warm) process, after warm-up
// impl: ours (envOrProfile()) | ours-fromImds (memoize(fromImds())) | ours-fromImds-reset (same,
// IMDS token cache cleared first) | sdk-chain | sdk-imds
import { finish, median, msSince, nowNs, OURS } from "../lib.mjs";

const [mode = "first", arg = "ours"] = process.argv.slice(2);
const WARMUP = 15;

async function factory(impl) {
  if (impl === "ours") {
    const m = await OURS.envOrProfile();
    if (!m) return undefined;
    // A fresh clock object per provider: envOrProfile() instances with the same options and clock
    // share one cached provider (the point of it), which is not what "cold" measures.
    return () => m.fn({ clock: { now: () => Date.now() } });
  }
  if (impl === "ours-fromImds") {
    const [memoize, fromImds] = [await OURS.memoize(), await OURS.fromImds()];
    return memoize && fromImds && (() => memoize.fn(fromImds.fn()));
  }
  if (impl === "ours-fromImds-reset") {
    // Fully cold: the process-wide IMDS token cache and endpoint state cleared first, so this
    // pays token + role + credentials, as the SDK does on every resolution.
    const [memoize, fromImds, reset] = [await OURS.memoize(), await OURS.fromImds(), await OURS.resetSharedState()];
    return (
      memoize &&
      fromImds &&
      reset &&
      (() => {
        reset.fn();
        return memoize.fn(fromImds.fn());
      })
    );
  }
  const sdk = await import("@aws-sdk/credential-providers");
  if (impl === "sdk-chain") return () => sdk.fromNodeProviderChain();
  if (impl === "sdk-imds") return () => sdk.fromInstanceMetadata();
  throw new Error(`unknown impl ${impl}`);
}

const once = async (make) => {
  const t0 = nowNs();
  const c = await make()();
  const ms = msSince(t0);
  if (!c.accessKeyId) throw new Error("no credential");
  return ms;
};

if (mode === "first") {
  const tImport = nowNs();
  const make = await factory(arg);
  if (!make) finish({ na: true });
  const importMs = msSince(tImport);
  const resolveMs = await once(make);
  finish({ ms: importMs + resolveMs, importMs, resolveMs });
}

const impls = ["ours", "ours-fromImds", "ours-fromImds-reset", "sdk-chain", "sdk-imds"];
const makers = {};
for (const impl of impls) {
  const make = await factory(impl);
  if (make) makers[impl] = make;
}
const samples = Object.fromEntries(Object.keys(makers).map((k) => [k, []]));
for (let i = 0; i < WARMUP; i++) for (const make of Object.values(makers)) await once(make);
for (let i = 0; i < Number(arg); i++) {
  const keys = Object.keys(makers);
  for (let j = 0; j < keys.length; j++) {
    const key = keys[(i + j) % keys.length];
    samples[key].push(await once(makers[key]));
  }
}
finish(Object.fromEntries(Object.entries(samples).map(([k, s]) => [k, { ms: median(s) }])));
