// Part 3a: cold resolution against the IMDS emulator (started by the parent; its endpoint is in
// AWS_EC2_METADATA_SERVICE_ENDPOINT, env credentials unset).
//   node imds-cold.mjs first <impl>  → in this fresh process: import the library + first
//                                      resolution (node's own start-up excluded)
//   node imds-cold.mjs fresh <k>     → the "fresh" impls, interleaved: median over k new providers
//                                      in this (warm) process, after warm-up, with the HTTP requests
//                                      each impl started (node's http diagnostics channel)
// impl (first): ours (envOrProfile()) | sdk-chain | sdk-imds
// impl (fresh): ours-own-key (envOrProfile({ clock }) with a distinct clock object each: a cache key
//   of its own, so it cannot join an earlier provider's credential) | ours-fromImds-reset
//   (resetSharedState(), then memoize(fromImds()): nothing process-wide left) | sdk-chain | sdk-imds
// (A new provider that CAN share — the common case — is bench/parts/first-call.mjs.)
import { subscribe } from "node:diagnostics_channel";
import { finish, median, msSince, nowNs, OURS } from "../lib.mjs";

const [mode = "first", arg = "ours"] = process.argv.slice(2);
const WARMUP = 15;

async function factory(impl) {
  if (impl === "ours") {
    const m = await OURS.envOrProfile();
    return m && (() => m.fn());
  }
  if (impl === "ours-own-key") {
    const m = await OURS.envOrProfile();
    if (!m) return undefined;
    // A fresh clock object per provider: the clock is part of the cache key (by identity), so this
    // provider cannot join the credential an earlier one fetched — what "cold" measures here.
    return () => m.fn({ clock: { now: () => Date.now() } });
  }
  if (impl === "ours-fromImds-reset") {
    // Fully cold: every process-wide cache (shared credentials, IMDS token and role) emptied
    // first, so this pays token + role + credentials, as the SDK does on every resolution.
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

const impls = ["ours-own-key", "ours-fromImds-reset", "sdk-chain", "sdk-imds"];
let running;
const requests = Object.fromEntries(impls.map((k) => [k, 0]));
subscribe("http.client.request.start", () => {
  if (running !== undefined) requests[running] += 1;
});
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
    running = key;
    samples[key].push(await once(makers[key]));
    running = undefined;
  }
}
finish(Object.fromEntries(Object.entries(samples).map(([k, s]) => [k, { ms: median(s), providers: s.length, requests: requests[k] }])));
