// Part 3b: requests reaching IMDS when 10,000 callers ask at once, in a fresh process each (so
// process-wide caches start empty). The IMDS emulator runs in the parent (bench/run.mjs), which
// counts the requests; its endpoint is in AWS_EC2_METADATA_SERVICE_ENDPOINT. Run standalone
// (BENCH_OWN_EMULATOR=1) it starts its own and reports the counts itself.
//   node imds-callers.mjs <scenario> [callers]
// scenario:
//   ours-one        one envOrProfile(), `callers` concurrent calls
//   ours-many       `callers` envOrProfile() (defaults), one per client: distinct providers that
//                   read the same world and so share one credential and one fetch; one call each, at once
//   ours-distinct   `callers` envOrProfile({ clock }) with a distinct clock object each: distinct
//                   providers with distinct cache keys (nothing shared at the memoize level; the IMDS
//                   token/role state and identical concurrent requests are shared per endpoint)
//   sdk-chain-one   one fromNodeProviderChain(), `callers` concurrent calls
//   sdk-memo-imds   smithy's memoize(fromInstanceMetadata()), `callers` concurrent calls
//   sdk-chain-many  `callers` fromNodeProviderChain() instances, one call each, at once
import { finish, msSince, nowNs, OURS } from "../lib.mjs";
import { imdsAdapter } from "../imds-adapter.mjs";

const [scenario, callersText = "10000"] = process.argv.slice(2);
const callers = Number(callersText);

const imds = process.env.BENCH_OWN_EMULATOR === "1" ? await imdsAdapter() : undefined;
if (imds) process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = imds.endpoint;
delete process.env.AWS_ACCESS_KEY_ID;
delete process.env.AWS_SECRET_ACCESS_KEY;

let providers;
if (scenario.startsWith("ours")) {
  const m = await OURS.envOrProfile();
  if (!m) finish({ na: true });
  if (scenario === "ours-one") {
    const p = m.fn();
    providers = Array.from({ length: callers }, () => p);
  } else if (scenario === "ours-many") {
    providers = Array.from({ length: callers }, () => m.fn());
  } else if (scenario === "ours-distinct") {
    providers = Array.from({ length: callers }, () => m.fn({ clock: { now: () => Date.now() } }));
  } else {
    throw new Error(`unknown scenario ${scenario}`);
  }
} else {
  const sdk = await import("@aws-sdk/credential-providers");
  if (scenario === "sdk-chain-one") {
    const p = sdk.fromNodeProviderChain();
    providers = Array.from({ length: callers }, () => p);
  } else if (scenario === "sdk-memo-imds") {
    const { memoize } = await import("@smithy/core/config");
    const p = memoize(sdk.fromInstanceMetadata());
    providers = Array.from({ length: callers }, () => p);
  } else if (scenario === "sdk-chain-many") {
    providers = Array.from({ length: callers }, () => sdk.fromNodeProviderChain());
  } else {
    throw new Error(`unknown scenario ${scenario}`);
  }
}

imds?.reset();
const t0 = nowNs();
const results = await Promise.allSettled(providers.map((p) => p()));
const ms = msSince(t0);
const counts = imds ? imds.counts() : {};
await imds?.close();
const failed = results.filter((r) => r.status === "rejected");
finish({
  callers,
  ms,
  ...counts,
  failed: failed.length,
  firstError: failed[0] ? String(failed[0].reason?.message ?? failed[0].reason).slice(0, 160) : undefined,
});
