// `npm run bench`: env-or-profile vs @aws-sdk/credential-providers on the same work, in the same
// run, as ratios. Prints one table (plus the fleet histogram) and writes bench/RESULTS.md.
//
// Every part that needs particular environment variables runs in its own child process (the SDK
// reads the environment at call time, we read it at construction; process-wide caches must start
// empty). Nothing leaves loopback: IMDS is always an emulator, a closed loopback port or a silent
// loopback server, via AWS_EC2_METADATA_SERVICE_ENDPOINT; no ~/.aws files are read.
//
// Knobs (environment): BENCH_QUICK=1 (fewer samples), BENCH_CALLERS (default 10000),
// BENCH_IMPORT_RUNS (31), BENCH_COLD_RUNS (21).
import { cpus, totalmem } from "node:os";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  BENCH_DIR,
  BENCH_ENV_CREDS,
  NA,
  ROOT,
  cleanEnv,
  median,
  msSince,
  nowNs,
  runChild,
  timeProcess,
} from "./lib.mjs";
import { imdsAdapter } from "./imds-adapter.mjs";
import { formatHistogram, simulateFleet } from "./fleet.mjs";
import { installedSizes } from "./size.mjs";

const QUICK = process.env.BENCH_QUICK === "1";
const CALLERS = Number(process.env.BENCH_CALLERS ?? 10_000);
const IMPORT_RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? (QUICK ? 5 : 31));
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? (QUICK ? 3 : 21));
const FRESH_PROVIDERS = QUICK ? 20 : 60;
const CLOSED_RUNS = QUICK ? 1 : 5;
const STS_CLIENTS = 50;
const part = (name) => join(BENCH_DIR, "parts", name);
const started = nowNs();
const progress = (text) => process.stderr.write(`[bench ${(msSince(started) / 1000).toFixed(1)} s] ${text}\n`);

// ---------------------------------------------------------------------------------------------
// Formatting and target checks

const rows = [];
/** One table row. `check`: "PASS" | "FAIL" | "" (informational) | NA. */
function row(section, metric, ours, sdk, ratio, target, check) {
  rows.push({ section, metric, ours, sdk, ratio, target, check });
}
const isNum = (v) => typeof v === "number" && Number.isFinite(v);
const fmtMs = (v) => (isNum(v) ? (v >= 100 ? `${v.toFixed(0)} ms` : v >= 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} ms`) : NA);
const fmtRate = (v) => (isNum(v) ? `${(v / 1e6).toFixed(2)} M/s` : NA);
const fmtX = (v) => (isNum(v) ? `${v.toFixed(2)}×` : "—");
const fmtMB = (bytes) => (isNum(bytes) ? `${(bytes / 1e6).toFixed(1)} MB` : NA);
const ratio = (a, b) => (isNum(a) && isNum(b) && b !== 0 ? a / b : Number.NaN);
const check = (ok) => (ok === undefined ? NA : ok ? "PASS" : "FAIL");
const ok = (v) => v !== undefined && v !== null && !v.na && !v.error;
const val = (v, key) => (ok(v) ? v[key] : undefined);
const describe = (v) => (v?.error ? `error: ${v.error}`.slice(0, 60) : NA);

// ---------------------------------------------------------------------------------------------
// 1. Cached calls per second

progress("1/6 cached calls per second");
const cached = await runChild(part("cached.mjs"), {
  env: cleanEnv({ ...BENCH_ENV_CREDS, ...(QUICK ? { BENCH_CACHED_ROUNDS: "5" } : {}) }),
  timeoutMs: 90_000,
});
{
  const v = cached.variants ?? {};
  const limit = v.limit?.callsPerSec;
  const sdkEnv = v.sdkEnv?.callsPerSec;
  const oursEnv = v.oursEnv?.callsPerSec;
  const r = ratio(oursEnv, sdkEnv);
  row("Cached calls/s", "env creds: envOrProfile() vs fromNodeProviderChain()", oursEnv === undefined ? describe(cached) : fmtRate(oursEnv), fmtRate(sdkEnv), fmtX(r), "≥ 2×", isNum(r) ? check(r >= 2) : NA);
  row("Cached calls/s", "IMDS creds: memoize(fromImds()) vs fromNodeProviderChain()", fmtRate(v.oursImds?.callsPerSec), fmtRate(v.sdkImds?.callsPerSec), fmtX(ratio(v.oursImds?.callsPerSec, v.sdkImds?.callsPerSec)), "≥ 2×", isNum(ratio(v.oursImds?.callsPerSec, v.sdkImds?.callsPerSec)) ? check(ratio(v.oursImds.callsPerSec, v.sdkImds.callsPerSec) >= 2) : NA);
  row("Cached calls/s", "physical limit (stored resolved promise) vs SDK", fmtRate(limit), fmtRate(sdkEnv), fmtX(ratio(limit, sdkEnv)), "≈ 5× (this machine)", "");
  row("Cached calls/s", "ours (env) as a share of the limit", fmtRate(oursEnv), fmtRate(limit), isNum(ratio(oursEnv, limit)) ? `${(ratio(oursEnv, limit) * 100).toFixed(0)} %` : "—", "—", "");
}

// ---------------------------------------------------------------------------------------------
// 2. Import time in fresh processes

progress(`2/6 import time (${IMPORT_RUNS} fresh processes each)`);
{
  const env = cleanEnv();
  // Each process reports the in-process time of its `await import(...)`; the parent times the whole
  // process. Baseline: the same script importing nothing.
  const script = (spec) =>
    `const t = performance.now(); ${spec ? `await import(${JSON.stringify(spec)});` : ""} console.log(performance.now() - t);`;
  const kinds = {
    baseline: ["--input-type=module", "-e", script(undefined)],
    ours: ["--input-type=module", "-e", script("env-or-profile")],
    sdk: ["--input-type=module", "-e", script("@aws-sdk/credential-providers")],
  };
  const wall = { baseline: [], ours: [], sdk: [] };
  const inproc = { baseline: [], ours: [], sdk: [] };
  let failure;
  try {
    for (const args of Object.values(kinds)) await timeProcess(args, { env }); // warm the file cache
    for (let i = 0; i < IMPORT_RUNS; i++) {
      // Interleaved, order rotating, so drift hits all three alike.
      const order = ["baseline", "ours", "sdk"];
      for (let j = 0; j < 3; j++) {
        const kind = order[(i + j) % 3];
        const r = await timeProcess(kinds[kind], { env });
        wall[kind].push(r.ms);
        inproc[kind].push(Number(r.stdout.trim()));
      }
    }
  } catch (error) {
    failure = String(error.message).slice(0, 80);
  }
  const m = (o) => ({ baseline: median(o.baseline), ours: median(o.ours), sdk: median(o.sdk) });
  const w = m(wall);
  const ip = m(inproc);
  const ipR = ratio(ip.ours, ip.sdk);
  const rawR = ratio(w.ours, w.sdk);
  // Net of start-up per round (each import's process minus the baseline process of the same
  // round), then the median: a difference of two medians of ~70–95 ms wall times is mostly noise.
  const paired = (kind) => median(wall[kind].map((ms, i) => ms - (wall.baseline[i] ?? Number.NaN)).filter(Number.isFinite));
  const net = { ours: paired("ours"), sdk: paired("sdk") };
  const netR = ratio(net.ours, net.sdk);
  row("import", "`await import()` timed inside a fresh process", failure ?? fmtMs(ip.ours), fmtMs(ip.sdk), fmtX(ipR), "≤ 0.33×", isNum(ipR) ? check(ipR <= 1 / 3) : NA);
  // Node's own start-up (the same ~70 ms for both) dominates a whole process's wall time, so no
  // library can reach 1/3 here; the target applies to the import itself (rows above and below).
  row("import", "fresh `node -e` process, raw wall time (node start-up included)", fmtMs(w.ours), fmtMs(w.sdk), fmtX(rawR), "(context)", "");
  row("import", `  same, net of node start-up (per-round difference to an empty script: ${fmtMs(w.baseline)})`, fmtMs(net.ours), fmtMs(net.sdk), fmtX(netR), "≤ 0.33×", isNum(netR) ? check(netR <= 1 / 3) : NA);
}

// ---------------------------------------------------------------------------------------------
// 3. IMDS: cold resolution, 10,000 callers, off EC2

progress("3/6 IMDS");
const imds = await imdsAdapter();
if (imds) {
  const env = cleanEnv({ BENCH_DEV_STUB: process.env.BENCH_DEV_STUB }, imds.endpoint);
  const firstRuns = { ours: [], sdkChain: [], sdkImds: [] };
  const impls = { ours: "ours", sdkChain: "sdk-chain", sdkImds: "sdk-imds" };
  for (let i = 0; i < COLD_RUNS; i++) {
    for (const [key, impl] of Object.entries(impls)) {
      const r = await runChild(part("imds-cold.mjs"), { args: ["first", impl], env, timeoutMs: 20_000 });
      firstRuns[key].push(ok(r) ? r.ms : Number.NaN);
    }
  }
  const fresh = await runChild(part("imds-cold.mjs"), { args: ["fresh", String(FRESH_PROVIDERS)], env, timeoutMs: 60_000 });
  const c1 = { ours: median(firstRuns.ours), sdkChain: median(firstRuns.sdkChain), sdkImds: median(firstRuns.sdkImds) };
  const r1 = ratio(c1.ours, c1.sdkChain);
  row("IMDS", "cold: fresh process, import + first resolution (vs SDK chain)", fmtMs(c1.ours), fmtMs(c1.sdkChain), fmtX(r1), "≤ 0.5×", isNum(r1) ? check(r1 <= 0.5) : NA);
  row("IMDS", "  same, vs SDK fromInstanceMetadata()", fmtMs(c1.ours), fmtMs(c1.sdkImds), fmtX(ratio(c1.ours, c1.sdkImds)), "≤ 0.5×", isNum(ratio(c1.ours, c1.sdkImds)) ? check(ratio(c1.ours, c1.sdkImds) <= 0.5) : NA);
  const f = { ours: fresh.ours?.ms, oursImds: fresh["ours-fromImds"]?.ms, oursReset: fresh["ours-fromImds-reset"]?.ms, sdkChain: fresh["sdk-chain"]?.ms, sdkImds: fresh["sdk-imds"]?.ms };
  const r2 = ratio(f.ours, f.sdkChain);
  row("IMDS", "cold: new envOrProfile() in a warm process (vs SDK chain)", f.ours === undefined ? describe(fresh) : fmtMs(f.ours), fmtMs(f.sdkChain), fmtX(r2), "≤ 0.5×", isNum(r2) ? check(r2 <= 0.5) : NA);
  const r3 = ratio(f.oursImds, f.sdkImds);
  row("IMDS", "  new memoize(fromImds()) vs new fromInstanceMetadata()", fmtMs(f.oursImds), fmtMs(f.sdkImds), fmtX(r3), "≤ 0.5×", isNum(r3) ? check(r3 <= 0.5) : NA);
  const r4 = ratio(f.oursReset, f.sdkImds);
  row("IMDS", "  same, our IMDS token cache cleared first (resetImdsState)", fmtMs(f.oursReset), fmtMs(f.sdkImds), fmtX(r4), "—", "");

  progress(`3/6 IMDS: ${CALLERS} concurrent callers`);
  // The emulator runs here, the callers in a fresh child each (its own core on 2 cores; every
  // process-wide cache starts empty). Counts are what reached the emulator.
  const callers = {};
  for (const scenario of ["ours-one", "ours-many", "sdk-chain-one", "sdk-memo-imds", "sdk-chain-many"]) {
    imds.reset();
    const r = await runChild(part("imds-callers.mjs"), { args: [scenario, String(CALLERS)], env, timeoutMs: 60_000 });
    callers[scenario] = ok(r) ? { ...r, ...imds.counts() } : r;
  }
  await imds.close();
  const reqs = (r) =>
    ok(r) ? `${r.token} token, ${r.creds} creds (+${r.roleList} role list)${r.failed ? `; ${r.failed} callers failed` : ""}` : describe(r);
  const meets = (r) => (ok(r) ? check(r.creds === 1 && r.token <= 1 && r.failed === 0) : NA);
  row("IMDS", `${CALLERS} concurrent calls, one provider → IMDS requests`, reqs(callers["ours-one"]), reqs(callers["sdk-chain-one"]), "—", "1 creds, ≤ 1 token", meets(callers["ours-one"]));
  row("IMDS", `${CALLERS} providers (one per client), one call each → requests`, reqs(callers["ours-many"]), reqs(callers["sdk-chain-many"]), "—", "1 creds, ≤ 1 token", meets(callers["ours-many"]));
  row("IMDS", `  SDK memoize(fromInstanceMetadata()), ${CALLERS} calls (for fairness)`, "—", reqs(callers["sdk-memo-imds"]), "—", "—", "");
} else {
  for (const m of ["cold resolution", `${CALLERS} concurrent callers → requests`]) row("IMDS", m, NA, NA, "—", "", NA);
}

progress("3/6 IMDS: off EC2 (closed port, never-answering server)");
{
  const env = cleanEnv();
  const runs = {};
  // Closed port: CPU-bound milliseconds (a fresh process's first http.request alone costs several),
  // so the median of CLOSED_RUNS processes each, run one at a time.
  for (const impl of ["ours", "sdk-chain", "sdk-imds"]) {
    const samples = [];
    for (let i = 0; i < CLOSED_RUNS; i++) samples.push(await runChild(part("off-ec2.mjs"), { args: [impl, "closed"], env, timeoutMs: 30_000 }));
    const good = samples.filter(ok);
    runs[`${impl}/closed`] = good.length === 0 ? samples[0] : { first: median(good.map((r) => r.first)), second: median(good.map((r) => r.second)) };
  }
  // Never answering: seconds of waiting on timers; run side by side.
  await Promise.all(
    ["ours", "sdk-chain", "sdk-imds"].map(async (impl) => {
      runs[`${impl}/silent`] = await runChild(part("off-ec2.mjs"), { args: [impl, "silent"], env, timeoutMs: 30_000 });
    }),
  );
  for (const mode of ["closed", "silent"]) {
    const o = runs[`ours/${mode}`];
    const s = runs[`sdk-chain/${mode}`];
    const si = runs[`sdk-imds/${mode}`];
    const label = mode === "closed" ? "port closed" : "never answers";
    const r1 = ratio(val(o, "first"), val(s, "first"));
    const first = val(o, "first");
    const second = val(o, "second");
    row("Off EC2", `${label}: first call (vs SDK chain)`, first === undefined ? describe(o) : fmtMs(first), fmtMs(val(s, "first")), fmtX(r1), mode === "silent" ? "≤ 0.6×" : "fast", mode === "silent" ? (isNum(r1) ? check(r1 <= 0.6) : NA) : "");
    row("Off EC2", `${label}: second call, same provider`, fmtMs(second), fmtMs(val(s, "second")), fmtX(ratio(second, val(s, "second"))), mode === "silent" ? "< 100 ms" : "—", mode === "silent" ? (isNum(second) ? check(second < 100) : NA) : "");
    row("Off EC2", `  ${label}: SDK fromInstanceMetadata() first / second`, "—", `${fmtMs(val(si, "first"))} / ${fmtMs(val(si, "second"))}`, "—", "—", "");
  }
}

// ---------------------------------------------------------------------------------------------
// 4. STS: 50 clients → AssumeRole calls

progress(`4/6 STS: ${STS_CLIENTS} S3 clients`);
{
  const env = cleanEnv(BENCH_ENV_CREDS);
  const sts = {};
  for (const scenario of ["ours", "ours-fromAssumeRole", "sdk"]) {
    for (const order of ["concurrent", "sequential"]) {
      sts[`${scenario}/${order}`] = await runChild(part("sts.mjs"), { args: [scenario, String(STS_CLIENTS), order], env, timeoutMs: 60_000 });
    }
  }
  const calls = (r) => (ok(r) ? `${r.assumeRoleCalls} AssumeRole${r.failed ? ` (${r.failed} requests failed)` : ""}` : describe(r));
  for (const order of ["concurrent", "sequential"]) {
    const o = sts[`ours/${order}`];
    const s = sts[`sdk/${order}`];
    row("STS", `${STS_CLIENTS} S3 clients, first requests ${order}: envOrProfile({assumeRole}) vs fromTemporaryCredentials`, calls(o), calls(s), ok(o) && ok(s) ? `1/${(s.assumeRoleCalls / o.assumeRoleCalls).toFixed(0)}` : "—", "ours = 1", ok(o) ? check(o.assumeRoleCalls === 1 && o.failed === 0) : NA);
    const a = sts[`ours-fromAssumeRole/${order}`];
    row("STS", `  same with fromAssumeRole() per client`, calls(a), calls(s), "—", "ours = 1", ok(a) ? check(a.assumeRoleCalls === 1 && a.failed === 0) : NA);
  }
}

// ---------------------------------------------------------------------------------------------
// 5. Fleet simulation

progress("5/6 fleet simulation");
let fleet;
let lockstep;
try {
  fleet = await simulateFleet({ instances: 10_000 });
  lockstep = await simulateFleet({ instances: 10_000, jitter: false });
  const spread = (f) => `${((f.lastMs - f.firstMs) / 1000).toFixed(0)} s`;
  row("Fleet", "10,000 instances, same expiry, call every 10 s: peak refreshes / simulated s", `${fleet.peakPerSecond}/s`, `${lockstep.peakPerSecond}/s (no jitter, fixed 5-min window like the SDK)`, fmtX(ratio(fleet.peakPerSecond, lockstep.peakPerSecond)), "≤ 1 % of fleet (100/s)", check(fleet.peakPerSecond <= 100 && fleet.notRefreshed === 0 && fleet.expiredServed === 0));
  row("Fleet", "  peak vs everyone at once (10,000)", `${((fleet.peakPerSecond / 10_000) * 100).toFixed(2)} %`, "100 %", "—", "well below", "");
  row("Fleet", "  refresh spread; expired credentials served", `${spread(fleet)}; ${fleet.expiredServed}`, `${spread(lockstep)}; ${lockstep.expiredServed}`, "—", "0 expired", check(fleet.expiredServed === 0));
} catch (error) {
  row("Fleet", "10,000 instances, peak refreshes / simulated s", `${NA} (${String(error.message).slice(0, 40)})`, NA, "—", "", NA);
}

// ---------------------------------------------------------------------------------------------
// 6. Installed size

progress("6/6 installed size");
try {
  const s = installedSizes(ROOT);
  row("Size", `installed: ours (dist + all ${s.dependencies.length} runtime deps, ${s.ours.packages} pkgs) vs credential-providers (${s.sdk.packages} pkgs)`, fmtMB(s.ours.bytes), fmtMB(s.sdk.bytes), fmtX(ratio(s.ours.bytes, s.sdk.bytes)), "(no target)", "");
  row("Size", `  ours without the @aws-sdk/* deps (env + IMDS path; ${s.oursWithoutSdk.packages} pkgs)`, fmtMB(s.oursWithoutSdk.bytes), fmtMB(s.sdk.bytes), fmtX(ratio(s.oursWithoutSdk.bytes, s.sdk.bytes)), "(no target)", "");
} catch (error) {
  row("Size", "installed size", `${NA} (${String(error.message).slice(0, 40)})`, NA, "—", "", NA);
}

// ---------------------------------------------------------------------------------------------
// Report

const header = ["Section", "Metric", "ours", "SDK", "ours/SDK", "target", "check"];
const lines = [header, ...rows.map((r) => [r.section, r.metric, r.ours, r.sdk, r.ratio, r.target, r.check])];
const widths = header.map((_, i) => Math.max(...lines.map((l) => String(l[i]).length)));
const mdRow = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(" | ")} |`;
const table = [mdRow(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map((r) => mdRow([r.section, r.metric, r.ours, r.sdk, r.ratio, r.target, r.check]))].join("\n");

const cpu = cpus();
let gitRev = "";
try {
  gitRev = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
} catch {
  gitRev = "(no commit)";
}
const sdkVersion = (await import("@aws-sdk/credential-providers/package.json", { with: { type: "json" } }).catch(() => ({ default: {} }))).default.version ?? "?";
const machine = `${cpu.length} × ${cpu[0]?.model ?? "?"} (nproc ${cpu.length}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${process.platform} ${process.arch}`;
const passCount = rows.filter((r) => r.check === "PASS").length;
const failCount = rows.filter((r) => r.check === "FAIL").length;
const naCount = rows.filter((r) => r.check === NA).length;
const totalS = (msSince(started) / 1000).toFixed(1);

const fleetText = fleet
  ? [
      `Fleet: 10,000 instances, credentials all expiring at E, each calling every 10 s (simulated), refreshes by time (30 s buckets):`,
      "",
      "with memoize's default jitter:",
      formatHistogram(fleet.refreshes),
      "",
      "no jitter (every instance refreshes at its first call after E−5m, as the SDK's fixed window does):",
      formatHistogram(lockstep.refreshes),
    ].join("\n")
  : "Fleet: n/a";

const notes = [
  `Cached calls/s: tight awaited loop of ${cached.n ?? "?"} calls × ${cached.rounds ?? "?"} rounds after 3 warm-up rounds, median; each variant's loop compiled separately. IMDS variants ${cached.notes?.length ? `n/a (${cached.notes.join("; ")})` : "against the IMDS emulator"}.`,
  `import: ${IMPORT_RUNS} fresh processes each, interleaved, medians: the \`await import()\` timed inside the process (performance.now), and the whole process's wall time; "net" is the median, over rounds, of each process's wall time minus that of the same round's process running the script without the import.`,
  `IMDS cold: "fresh process" = ${COLD_RUNS} child processes each, timed from before the library's import to the first credential (the SDK loads its chain lazily inside the first call, so imports are counted for both); "fresh provider" = median of ${FRESH_PROVIDERS} new providers in a warm process (ours: a fresh clock per envOrProfile(), so its per-options sharing does not apply; our process-wide IMDS token cache does, by design; the SDK fetches a token per resolution).`,
  `Off EC2: each case its own process (port closed: median of ${CLOSED_RUNS}; never answers: one each, in parallel) with the SDK's defaults (1 s timeout; token, then IMDSv1); the SDK chain's lazily-required modules are preloaded so its first call is network time only (flatters the SDK).`,
  `IMDS callers: the emulator runs in the bench's parent process, the callers in a fresh child per scenario; counts are requests that reached the emulator; "callers failed" are SDK providers that gave up (its 1 s timeout) under the storm.`,
  `Fleet: bench/fleet.mjs simulateFleet() — 10,000 memoize()d providers on one manualClock, an in-memory source, each instance calling every 10 s at a random phase (seeded), 1 s steps; the second run passes jitter: false.`,
  `STS: a loopback STS emulator (SigV4-verified, ExternalId checked) and a loopback capture S3 answering an empty ListBuckets; each client sends a real ListBuckets.`,
  `Absolute numbers move with load on this shared 2-core machine; compare the ratios, which are taken within one run.`,
  `Nothing left loopback: IMDS was always an emulator, a closed loopback port or a silent loopback server (AWS_EC2_METADATA_SERVICE_ENDPOINT); AWS_CONFIG_FILE/AWS_SHARED_CREDENTIALS_FILE pointed at nothing.`,
];

const report = [
  `# env-or-profile bench`,
  "",
  `- date: ${new Date().toISOString()}`,
  `- node: ${process.version}; @aws-sdk/credential-providers ${sdkVersion}; env-or-profile at ${gitRev}`,
  `- machine: ${machine}`,
  `- bench wall time: ${totalS} s; checks: ${passCount} PASS, ${failCount} FAIL, ${naCount} n/a`,
  "",
  table,
  "",
  "```",
  fleetText,
  "```",
  "",
  "Method:",
  ...notes.map((n) => `- ${n}`),
  "",
].join("\n");

process.stdout.write(`\n${report}`);
if (!process.env.BENCH_NO_WRITE) writeFileSync(join(BENCH_DIR, "RESULTS.md"), report);
progress(`done; wrote bench/RESULTS.md`);
