// Issue 12 item 14: a start-up storm — `providers` distinct IMDS providers created at once, one
// raw call each, all at once. The IMDS emulator runs in the parent (bench/run.mjs), which counts
// the requests that reach it; its endpoint is in AWS_EC2_METADATA_SERVICE_ENDPOINT.
//   node imds-storm.mjs <scenario> [providers]
// scenario:
//   ours-fromImds        `providers` × fromImds() (defaults)
//   ours-memo-fromImds   `providers` × memoize(fromImds()) (defaults)
//   sdk-imds             `providers` × fromInstanceMetadata() (defaults)
//   sdk-memo-imds        `providers` × memoize(fromInstanceMetadata()) (@smithy/core/config's memoize)
import { finish, msSince, nowNs, OURS } from "../lib.mjs";

const [scenario = "ours-fromImds", providersText = "10000"] = process.argv.slice(2);
const count = Number(providersText);

let make;
if (scenario.startsWith("ours")) {
  const [fromImds, memoize] = [await OURS.fromImds(), await OURS.memoize()];
  if (!fromImds || !memoize) finish({ na: true });
  make = scenario === "ours-memo-fromImds" ? () => memoize.fn(fromImds.fn()) : () => fromImds.fn();
} else {
  const { fromInstanceMetadata } = await import("@aws-sdk/credential-providers");
  if (scenario === "sdk-memo-imds") {
    const { memoize } = await import("@smithy/core/config");
    make = () => memoize(fromInstanceMetadata());
  } else {
    make = () => fromInstanceMetadata();
  }
}

const providers = Array.from({ length: count }, make);
const t0 = nowNs();
const results = await Promise.allSettled(providers.map((provider) => provider()));
const ms = msSince(t0);
const failed = results.filter((result) => result.status === "rejected");
finish({
  providers: count,
  ms,
  failed: failed.length,
  firstError: failed[0] ? String(failed[0].reason?.code ?? "") + " " + String(failed[0].reason?.message ?? failed[0].reason).slice(0, 140) : undefined,
});
