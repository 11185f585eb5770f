// AssumeRole under load (issue 12 items 12 and 15, issue 16 item 8): what AssumeRole costs the rest
// of the process, the cached path, a new provider per call, and the cyclic-tenant pattern. In a
// fresh process, against a loopback STS emulator, with a static base identity on both sides:
//   node assume-role-load.mjs <side> <scenario>
// side: ours | ours-chain (cyclic only) | sdk
// scenario:
//   await-loop    an unrelated `await` loop (AWAIT_N awaits), timed before any AssumeRole and again
//                 after one (ours: fromAssumeRole(); sdk: fromTemporaryCredentials()); medians of rounds
//   cached        one memoized AssumeRole provider, cached calls per second after the first
//                 (ours: memoize(fromAssumeRole()); sdk: memoizeIdentityProvider(fromTemporaryCredentials(),
//                 isIdentityExpired, doesIdentityRequireRefresh) — what an SDK client wraps it in)
//   new-provider  the role's credential already fetched once; then a NEW provider per call, NEW_N
//                 calls (ours: memoize(fromAssumeRole()) — joins the shared credential; sdk:
//                 fromTemporaryCredentials() — an AssumeRole each): µs per call and requests
//   raw-call      one raw provider called RAW_N times (ours: fromAssumeRole() — one attempt per
//                 call, no cache, by design; sdk: fromTemporaryCredentials(), no cache either)
//   cyclic        ROLES roles polled in turn, a new provider per call, two rounds: AssumeRole requests
//                 in the second round (ours: memoize(fromAssumeRole({ roleArn: tenant_i })); ours-chain:
//                 envOrProfile({ assumeRole: { roleArn: tenant_i } }) with the base keys in the
//                 environment; sdk: fromTemporaryCredentials({ params: { RoleArn: tenant_i } }))
//                 BENCH_ROLES overrides ROLES (150), e.g. past the shared registry's bound.
import { finish, median, msSince, nowNs, OURS } from "../lib.mjs";

const [side = "ours", scenario = "await-loop"] = process.argv.slice(2);
const AWAIT_N = Number(process.env.BENCH_AWAIT_N ?? 1_000_000);
const CACHED_N = Number(process.env.BENCH_CACHED_N ?? 200_000);
const NEW_N = Number(process.env.BENCH_NEW_N ?? 20_000);
const RAW_N = Number(process.env.BENCH_RAW_N ?? 300);
const ROLES = Number(process.env.BENCH_ROLES ?? 150);
const ROUNDS = 7;

const BASE = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const ROLE_ARN = "arn:aws:iam::123456789012:role/bench";
const EXTERNAL_ID = "bench-external-id";

const startSts = await OURS.startStsEmulator();
if (!startSts) finish({ na: true });
const sts = await startSts.fn({ baseCredentials: [BASE] });
const source = async () => BASE;
const memoize = (await OURS.memoize())?.fn;

/** A new provider for `roleArn`: raw (ours: no cache) unless memoized by the caller. */
let assumeRole;
if (side === "ours") {
  const m = await OURS.fromAssumeRole();
  if (!m || !memoize) finish({ na: true });
  assumeRole = (roleArn = ROLE_ARN) => m.fn({ roleArn, externalId: EXTERNAL_ID, source, endpoint: sts.endpoint, region: "us-east-1" });
} else if (side === "ours-chain") {
  const m = await OURS.envOrProfile();
  if (!m) finish({ na: true });
  // The base: the environment's keys, read by envOrProfile()'s default chain (env link first).
  process.env.AWS_ACCESS_KEY_ID = BASE.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = BASE.secretAccessKey;
  assumeRole = (roleArn = ROLE_ARN) => m.fn({ assumeRole: { roleArn, externalId: EXTERNAL_ID, endpoint: sts.endpoint, region: "us-east-1" } });
} else {
  const { fromTemporaryCredentials } = await import("@aws-sdk/credential-providers");
  assumeRole = (roleArn = ROLE_ARN) =>
    fromTemporaryCredentials({
      masterCredentials: source,
      params: { RoleArn: roleArn, ExternalId: EXTERNAL_ID },
      clientConfig: { region: "us-east-1", endpoint: sts.endpoint },
    });
}
/** A new provider per call, as each side is used in that pattern (ours: memoized, so it can share). */
const newProvider = side === "ours" ? (roleArn) => memoize(assumeRole(roleArn)) : assumeRole;

async function sdkMemoized(provider) {
  const { memoizeIdentityProvider, isIdentityExpired, doesIdentityRequireRefresh } = await import("@smithy/core");
  return memoizeIdentityProvider(provider, isIdentityExpired, doesIdentityRequireRefresh);
}

const AsyncFunction = (async () => {}).constructor;
const makeLoop = (tag, body) => new AsyncFunction("f", "n", `/* ${tag} */ const t0 = process.hrtime.bigint(); for (let i = 0; i < n; i++) { ${body} } return Number(process.hrtime.bigint() - t0);`);

async function rate(provider, tag) {
  const loop = makeLoop(tag, "await f();");
  await provider();
  await loop(provider, CACHED_N); // warm-up
  const samples = [];
  for (let r = 0; r < ROUNDS; r++) samples.push((CACHED_N * 1e9) / (await loop(provider, CACHED_N)));
  return median(samples);
}

let result;
if (scenario === "await-loop") {
  const loop = makeLoop("await-loop", "await i;");
  const time = async () => {
    await loop(undefined, AWAIT_N); // warm-up
    const samples = [];
    for (let r = 0; r < ROUNDS; r++) samples.push((await loop(undefined, AWAIT_N)) / 1e6);
    return median(samples);
  };
  const beforeMs = await time();
  const t0 = nowNs();
  await assumeRole()();
  const assumeMs = msSince(t0);
  const afterMs = await time();
  result = { beforeMs, afterMs, ratio: afterMs / beforeMs, assumeMs, awaits: AWAIT_N };
} else if (scenario === "cached") {
  const provider = side === "ours" ? memoize(assumeRole()) : await sdkMemoized(assumeRole());
  result = { perSecond: await rate(provider, `cached-${side}`), assumeRoleCalls: sts.calls };
} else if (scenario === "new-provider") {
  // The SDK makes an AssumeRole per new provider: a few hundred calls say how fast that is.
  const n = side === "ours" ? NEW_N : RAW_N;
  const loop = makeLoop(`new-${side}`, "await f()();");
  const make = () => newProvider(ROLE_ARN);
  await make()(); // the role's credential fetched once (ours: now shared)
  await loop(make, Math.min(n, 1_000)); // warm-up
  const before = sts.calls;
  const samples = [];
  for (let r = 0; r < 3; r++) samples.push(await loop(make, n) / n / 1000);
  result = { usPerCall: median(samples), calls: 3 * n, assumeRoleCalls: sts.calls - before };
} else if (scenario === "raw-call") {
  const provider = assumeRole();
  await provider();
  const before = sts.calls;
  const t0 = nowNs();
  for (let i = 0; i < RAW_N; i++) await provider();
  result = { usPerCall: (msSince(t0) * 1000) / RAW_N, calls: RAW_N, assumeRoleCalls: sts.calls - before };
} else if (scenario === "cyclic") {
  const roles = Array.from({ length: ROLES }, (_, i) => `arn:aws:iam::123456789012:role/tenant-${i}`);
  const make = side === "ours-chain" ? assumeRole : newProvider;
  for (const roleArn of roles) await make(roleArn)();
  const before = sts.calls;
  const t0 = nowNs();
  for (const roleArn of roles) await make(roleArn)();
  const secondRoundMs = msSince(t0);
  result = { roles: ROLES, firstRoundCalls: before, secondRoundCalls: sts.calls - before, secondRoundMs };
} else {
  result = { error: `unknown scenario ${scenario}` };
}
await sts.close();
finish(result);
