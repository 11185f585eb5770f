// Issue 12 item 16: what creating a provider costs — time per creation and retained heap per
// provider — side by side with the SDK on the same work. In a fresh process (run with
// --expose-gc): `count` providers are created and kept in an array; time is the median over
// rounds of (round time / count); heap is (heapUsed after − before) / count with a full GC on
// both sides. Nothing is called: creation only.
//   node --expose-gc provider-cost.mjs <impl> [count]
// impl:
//   ours-fromImds        fromImds() (defaults: options checked now; the environment is read at each call, as the SDK does)
//   sdk-imds             fromInstanceMetadata() (defaults)
//   ours-memo-fromImds   memoize(fromImds())          sdk-memo-imds    memoizeIdentityProvider(fromInstanceMetadata(), isIdentityExpired, doesIdentityRequireRefresh)
//   ours-memoize         memoize(source)              sdk-memoize      memoizeIdentityProvider(source, isIdentityExpired, doesIdentityRequireRefresh)
//   ours-fromEnv         fromEnv()                    sdk-fromEnv      fromEnv() (@aws-sdk/credential-providers)
//   ours-fromAssumeRole  fromAssumeRole({ roleArn, externalId, source })
//                        sdk-fromTemporaryCredentials fromTemporaryCredentials({ masterCredentials: source, params: { RoleArn, ExternalId } })
//   ours-envOrProfile    envOrProfile() (defaults; a handle that reads the world and joins the shared cache on its first call)
//                        sdk-fromNodeProviderChain    fromNodeProviderChain() (defaults)
import { finish, median, msSince, nowNs, OURS } from "../lib.mjs";

const [impl = "ours-fromImds", countText = "20000"] = process.argv.slice(2);
const count = Number(countText);
const ROUNDS = 7;

let make;
if (impl === "ours-fromImds") {
  const m = await OURS.fromImds();
  if (!m) finish({ na: true });
  make = () => m.fn();
} else if (impl === "ours-memo-fromImds") {
  const [m, memoize] = [await OURS.fromImds(), await OURS.memoize()];
  if (!m || !memoize) finish({ na: true });
  make = () => memoize.fn(m.fn());
} else if (impl === "sdk-imds") {
  const { fromInstanceMetadata } = await import("@aws-sdk/credential-providers");
  make = () => fromInstanceMetadata();
} else if (impl === "sdk-memo-imds") {
  const { fromInstanceMetadata } = await import("@aws-sdk/credential-providers");
  const { memoizeIdentityProvider, isIdentityExpired, doesIdentityRequireRefresh } = await import("@smithy/core");
  make = () => memoizeIdentityProvider(fromInstanceMetadata(), isIdentityExpired, doesIdentityRequireRefresh);
} else if (impl.startsWith("ours-") || impl.startsWith("sdk-")) {
  const source = async () => ({ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" });
  const ROLE = { roleArn: "arn:aws:iam::123456789012:role/bench", externalId: "bench-external-id" };
  const ours = impl.startsWith("ours-") ? await import("env-or-profile").catch(() => undefined) : undefined;
  if (impl.startsWith("ours-") && ours === undefined) finish({ na: true });
  if (impl === "ours-memoize") make = () => ours.memoize(source);
  else if (impl === "ours-fromEnv") make = () => ours.fromEnv();
  // An object literal on both sides (V8 reads a spread object's absent keys far more slowly).
  else if (impl === "ours-fromAssumeRole") make = () => ours.fromAssumeRole({ roleArn: ROLE.roleArn, externalId: ROLE.externalId, source });
  else if (impl === "ours-envOrProfile") make = () => ours.envOrProfile();
  else if (impl === "sdk-memoize") {
    const { memoizeIdentityProvider, isIdentityExpired, doesIdentityRequireRefresh } = await import("@smithy/core");
    make = () => memoizeIdentityProvider(source, isIdentityExpired, doesIdentityRequireRefresh);
  } else {
    const sdk = await import("@aws-sdk/credential-providers");
    if (impl === "sdk-fromEnv") make = () => sdk.fromEnv();
    else if (impl === "sdk-fromTemporaryCredentials") make = () => sdk.fromTemporaryCredentials({ masterCredentials: source, params: { RoleArn: ROLE.roleArn, ExternalId: ROLE.externalId } });
    else if (impl === "sdk-fromNodeProviderChain") make = () => sdk.fromNodeProviderChain();
  }
  if (make === undefined) finish({ error: `unknown impl ${impl}` });
} else {
  finish({ error: `unknown impl ${impl}` });
}

if (typeof globalThis.gc !== "function") finish({ error: "run with --expose-gc" });
const gc = () => {
  globalThis.gc();
  globalThis.gc();
};

// Warm-up: JIT and lazily loaded modules out of the measurement.
for (let i = 0; i < 50_000; i++) make();

const perCreationUs = [];
let keep;
for (let round = 0; round < ROUNDS; round++) {
  keep = new Array(count);
  const t0 = nowNs();
  for (let i = 0; i < count; i++) keep[i] = make();
  perCreationUs.push((msSince(t0) * 1000) / count);
}
// The last round's providers must be garbage before the heap is measured, or they are counted
// as freed during the measurement (and small providers come out at ≈ 0 or below).
keep = undefined;

gc();
const before = process.memoryUsage().heapUsed;
const kept = new Array(count);
for (let i = 0; i < count; i++) kept[i] = make();
gc();
const after = process.memoryUsage().heapUsed;
finish({ count, us: median(perCreationUs), bytes: (after - before) / count, kept: kept.length });
