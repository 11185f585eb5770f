// Issue 12 items 12 and 15: what AssumeRole costs the rest of the process, and the cached path.
// In a fresh process, against a loopback STS emulator, with a static base identity on both sides:
//   node assume-role-load.mjs <side> <scenario>
// side: ours | sdk
// scenario:
//   await-loop   an unrelated `await` loop (AWAIT_N awaits), timed before any AssumeRole and again
//                after one (ours: fromAssumeRole(); sdk: fromTemporaryCredentials()); medians of rounds
//   cached       memoized AssumeRole, cached calls per second after the first
//                (ours: memoize(fromAssumeRole()); sdk: memoizeIdentityProvider(fromTemporaryCredentials(),
//                isIdentityExpired, doesIdentityRequireRefresh) — what an SDK client wraps it in)
//   raw-cached   ours: a raw fromAssumeRole() call once its credential is cached (its own last
//                credential); sdk: as `cached` (the SDK's cheapest cached AssumeRole)
//   working-set  ROLES roles through a shared cache bounded at ROLES × 2/3, a fresh provider per call,
//                two rounds: AssumeRole requests in the second round (sdk: fresh
//                fromTemporaryCredentials() per call, no shared cache)
import { finish, median, msSince, nowNs, OURS } from "../lib.mjs";

const [side = "ours", scenario = "await-loop"] = process.argv.slice(2);
const AWAIT_N = Number(process.env.BENCH_AWAIT_N ?? 1_000_000);
const CACHED_N = Number(process.env.BENCH_CACHED_N ?? 200_000);
const ROLES = Number(process.env.BENCH_ROLES ?? 150);
const ROUNDS = 7;

const BASE = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const ROLE_ARN = "arn:aws:iam::123456789012:role/bench";
const EXTERNAL_ID = "bench-external-id";

const startSts = await OURS.startStsEmulator();
if (!startSts) finish({ na: true });
const sts = await startSts.fn({ baseCredentials: [BASE] });
const source = async () => BASE;

let assumeRole;
if (side === "ours") {
  const m = await OURS.fromAssumeRole();
  if (!m) finish({ na: true });
  assumeRole = (roleArn = ROLE_ARN, extra = {}) => m.fn({ roleArn, externalId: EXTERNAL_ID, source, endpoint: sts.endpoint, region: "us-east-1", ...extra });
} else {
  const { fromTemporaryCredentials } = await import("@aws-sdk/credential-providers");
  assumeRole = (roleArn = ROLE_ARN) =>
    fromTemporaryCredentials({
      masterCredentials: source,
      params: { RoleArn: roleArn, ExternalId: EXTERNAL_ID },
      clientConfig: { region: "us-east-1", endpoint: sts.endpoint },
    });
}

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
  const memoize = side === "ours" ? (await OURS.memoize())?.fn : undefined;
  const provider = side === "ours" ? memoize(assumeRole()) : await sdkMemoized(assumeRole());
  result = { perSecond: await rate(provider, `cached-${side}`), assumeRoleCalls: sts.calls };
} else if (scenario === "raw-cached") {
  const provider = side === "ours" ? assumeRole() : await sdkMemoized(assumeRole());
  const perSecond = await rate(provider, `raw-${side}`);
  result = { perSecond, usPerCall: 1e6 / perSecond, assumeRoleCalls: sts.calls };
} else if (scenario === "working-set") {
  const roles = Array.from({ length: ROLES }, (_, i) => `arn:aws:iam::123456789012:role/tenant-${i}`);
  let extra = {};
  if (side === "ours") {
    const { createAssumeRoleCache } = await import("env-or-profile");
    extra = { cache: createAssumeRoleCache({ maxEntries: Math.floor((ROLES * 2) / 3) }) };
  }
  for (const roleArn of roles) await assumeRole(roleArn, extra)();
  const before = sts.calls;
  for (const roleArn of roles) await assumeRole(roleArn, extra)();
  result = { roles: ROLES, bound: Math.floor((ROLES * 2) / 3), secondRoundCalls: sts.calls - before };
} else {
  result = { error: `unknown scenario ${scenario}` };
}
await sts.close();
finish(result);
