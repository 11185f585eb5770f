// Issue 12 item 13: a 1.2 s stall of the caller's own event loop during the first IMDS request.
// The IMDS emulator runs in the parent (bench/run.mjs); its endpoint is in
// AWS_EC2_METADATA_SERVICE_ENDPOINT. In this fresh process: one provider with defaults (1 s
// timeout), one raw call; the moment the first IMDS request (the token PUT) is created —
// seen through node:http's diagnostics channel, so both sides are hit at the same point — the
// loop is blocked synchronously for `stallMs`. Then a second, new provider is called at once, to
// see whether the first left a "no IMDS" verdict behind.
//   node imds-stall.mjs <ours|sdk> [stallMs]
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { finish, msSince, nowNs, OURS } from "../lib.mjs";

const [impl = "ours", stallText = "1200"] = process.argv.slice(2);
const stallMs = Number(stallText);

let make;
if (impl === "ours") {
  const m = await OURS.fromImds();
  if (!m) finish({ na: true });
  make = () => m.fn();
} else {
  const { fromInstanceMetadata } = await import("@aws-sdk/credential-providers");
  make = () => fromInstanceMetadata();
}

const block = (ms) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // the application's synchronous work: no timer, no socket runs
  }
};
let stalledOn;
const onRequest = ({ request }) => {
  unsubscribe("http.client.request.start", onRequest);
  stalledOn = `${request.method} ${request.path}`;
  queueMicrotask(() => block(stallMs)); // right after the request is sent, before any I/O
};
subscribe("http.client.request.start", onRequest);

const describe = (error) => `${error?.code ?? error?.name ?? "Error"}: ${String(error?.message ?? error).slice(0, 120)}`;
const t0 = nowNs();
const first = await make()().then(
  (identity) => ({ ok: Boolean(identity?.accessKeyId) }),
  (error) => ({ ok: false, error: describe(error) }),
);
const ms = msSince(t0);
const t1 = nowNs();
const second = await make()().then(
  (identity) => ({ ok: Boolean(identity?.accessKeyId) }),
  (error) => ({ ok: false, error: describe(error) }),
);
finish({ stallMs, stalledOn, ok: first.ok, ms, error: first.error, secondOk: second.ok, secondMs: msSince(t1), secondError: second.error });
