// Issue 12 item 16: what creating a provider costs — time per creation and retained heap per
// provider — side by side with the SDK on the same work. In a fresh process (run with
// --expose-gc): `count` providers are created and kept in an array; time is the median over
// rounds of (round time / count); heap is (heapUsed after − before) / count with a full GC on
// both sides. Nothing is called: creation only.
//   node --expose-gc provider-cost.mjs <impl> [count]
// impl:
//   ours-fromImds        fromImds() (defaults)
//   sdk-imds             fromInstanceMetadata() (defaults)
import { finish, median, msSince, nowNs, OURS } from "../lib.mjs";

const [impl = "ours-fromImds", countText = "20000"] = process.argv.slice(2);
const count = Number(countText);
const ROUNDS = 7;

let make;
if (impl === "ours-fromImds") {
  const m = await OURS.fromImds();
  if (!m) finish({ na: true });
  make = () => m.fn();
} else if (impl === "sdk-imds") {
  const { fromInstanceMetadata } = await import("@aws-sdk/credential-providers");
  make = () => fromInstanceMetadata();
} else {
  finish({ error: `unknown impl ${impl}` });
}

if (typeof globalThis.gc !== "function") finish({ error: "run with --expose-gc" });
const gc = () => {
  globalThis.gc();
  globalThis.gc();
};

// Warm-up: JIT and lazily loaded modules out of the measurement.
for (let i = 0; i < 2_000; i++) make();

const perCreationUs = [];
for (let round = 0; round < ROUNDS; round++) {
  const keep = new Array(count);
  const t0 = nowNs();
  for (let i = 0; i < count; i++) keep[i] = make();
  perCreationUs.push((msSince(t0) * 1000) / count);
}

gc();
const before = process.memoryUsage().heapUsed;
const kept = new Array(count);
for (let i = 0; i < count; i++) kept[i] = make();
gc();
const after = process.memoryUsage().heapUsed;
finish({ count, us: median(perCreationUs), bytes: (after - before) / count, kept: kept.length });
