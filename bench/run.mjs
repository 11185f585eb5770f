// `npm run bench`: env-or-profile vs @aws-sdk/credential-providers on the same work, in the same
// run, as ratios. Prints one table (plus the fleet histograms) and writes bench/RESULTS.md.
//
//   node bench/run.mjs                      every section; writes bench/RESULTS.md
//   node bench/run.mjs --only cached,fleet  only those sections; prints, writes nothing
//   node bench/run.mjs --list               the section names
//
// Every part that needs particular environment variables runs in its own child process (both
// sides read the environment when a provider is called; process-wide caches must start empty).
// Nothing leaves loopback: IMDS is always an emulator, a closed loopback port or a silent
// loopback server, via AWS_EC2_METADATA_SERVICE_ENDPOINT; no ~/.aws files are read.
//
// The shape measured (issue 16): our links are one-attempt fetchers (`fromImds()`, `fromAssumeRole()`,
// `fromWebIdentity()`, `fromProfile()` called raw cache nothing); `memoize()` is the one cache, and a
// memoized provider shares one credential and one fetch with every other that reads the same world
// (environment values, file identities, endpoints, base identity) and has the same cache options.
//
// Labelling (every row): `did` says what EACH side ran, in these terms —
//   options:   "defaults" on both sides, or what differs;
//   providers: "one provider" (N calls of it), or "N distinct providers" — ours then says whether
//              they share by what they read (memoize, envOrProfile) or are raw (no cache of ours);
//   path:      "raw call" (the provider itself) or "through S3Client's wrapper" (client.config.credentials(),
//              where the SDK wraps a provider without the `memoized` marker in its own memoizer).
// A row without `did` is printed as UNLABELLED and counted in the report header.
//
// Adding a part: write bench/parts/<topic>.mjs (a child process that prints one JSON line with
// `finish()` from lib.mjs), then register it below with
//   section("<topic>", "<progress text>", async ({ row, runChild, part, cleanEnv, ... }) => { ... });
// and call `row({ section, metric, did: { ours, sdk }, ours, sdk, ratio, target, check })` for
// each line of the table.
//
// Knobs (environment): BENCH_QUICK=1 (fewer samples), BENCH_CALLERS (default 10000),
// BENCH_IMPORT_RUNS (31), BENCH_COLD_RUNS (21), BENCH_NO_WRITE=1.
import { cpus, tmpdir, totalmem } from "node:os";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
import { formatHistogram } from "./fleet.mjs";
import { packedInstallSizes } from "./size.mjs";
import { buildBundles, runBundle } from "./bundle.mjs";

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
// Command line

const argv = process.argv.slice(2);
function flagValue(name) {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i === -1) return undefined;
  const a = argv[i];
  return a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[i + 1];
}
const onlyText = flagValue("--only");
const ONLY = onlyText === undefined ? undefined : new Set(onlyText.split(",").map((s) => s.trim()).filter(Boolean));
const WRITE = ONLY === undefined && !process.env.BENCH_NO_WRITE;

// ---------------------------------------------------------------------------------------------
// Rows, formatting and target checks

const rows = [];
/**
 * One table row. `did: { ours, sdk }` — what each side ran (see "Labelling" above).
 * `check`: "PASS" | "FAIL" | "" (informational) | NA.
 */
function row({ section, metric, did, ours, sdk, ratio: r = "—", target = "—", check: c = "" }) {
  const labelled = did !== undefined && typeof did.ours === "string" && typeof did.sdk === "string" && did.ours !== "" && did.sdk !== "";
  if (!labelled) process.stderr.write(`[bench] UNLABELLED row (no did: { ours, sdk }): ${section} / ${metric}\n`);
  rows.push({ section, metric, oursDid: labelled ? did.ours : "UNLABELLED", sdkDid: labelled ? did.sdk : "UNLABELLED", ours, sdk, ratio: r, target, check: c, labelled });
}
const isNum = (v) => typeof v === "number" && Number.isFinite(v);
const fmtMs = (v) => (isNum(v) ? (v >= 100 ? `${v.toFixed(0)} ms` : v >= 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} ms`) : NA);
const fmtRate = (v) => (isNum(v) ? `${(v / 1e6).toFixed(2)} M/s` : NA);
const fmtX = (v) => (isNum(v) ? `${v.toFixed(2)}×` : "—");
const fmtMB = (bytes) => (isNum(bytes) ? `${(bytes / 1e6).toFixed(1)} MB` : NA);
const ratio = (a, b) => (isNum(a) && isNum(b) && b !== 0 ? a / b : Number.NaN);
const check = (ok) => (ok === undefined ? NA : ok ? "PASS" : "FAIL");
const checkRatio = (r, pass) => (isNum(r) ? check(pass(r)) : NA);
const ok = (v) => v !== undefined && v !== null && !v.na && !v.error;
const val = (v, key) => (ok(v) ? v[key] : undefined);
const describe = (v) => (v?.error ? `error: ${v.error}`.slice(0, 60) : NA);

// ---------------------------------------------------------------------------------------------
// Sections

const sections = [];
const notes = [];
const extraText = [];
/**
 * Registers a section: `name` is what `--only` takes; `run(ctx)` adds rows (ctx.row), notes
 * (ctx.note: one "Method" line) and text blocks (ctx.text, printed under the table).
 */
function section(name, title, run) {
  sections.push({ name, title, run });
}
const ctx = {
  row,
  note: (text) => notes.push(text),
  text: (text) => extraText.push(text),
  runChild,
  timeProcess,
  part,
  cleanEnv,
  imdsAdapter,
  BENCH_ENV_CREDS,
  QUICK,
  CALLERS,
  NA,
  ROOT,
  median,
  fmt: { ms: fmtMs, rate: fmtRate, x: fmtX, mb: fmtMB },
  ratio,
  check,
  checkRatio,
  ok,
  val,
  describe,
  isNum,
  progress,
};

// 1. Cached calls per second ------------------------------------------------------------------

section("cached", "cached calls per second (raw and through an S3Client)", async () => {
  const cached = await runChild(part("cached.mjs"), {
    env: cleanEnv({ ...BENCH_ENV_CREDS, ...(QUICK ? { BENCH_CACHED_ROUNDS: "5" } : {}) }),
    timeoutMs: 120_000,
  });
  const v = cached.variants ?? {};
  const rate = (key) => v[key]?.callsPerSec;
  const pair = (metric, did, oursKey, sdkKey, target, pass) => {
    const r = ratio(rate(oursKey), rate(sdkKey));
    row({ section: "Cached calls/s", metric, did, ours: rate(oursKey) === undefined ? describe(cached) : fmtRate(rate(oursKey)), sdk: fmtRate(rate(sdkKey)), ratio: fmtX(r), target, check: pass ? checkRatio(r, pass) : "" });
  };
  pair(
    "env creds, raw provider call",
    { ours: "one envOrProfile() (defaults), raw call", sdk: "one fromNodeProviderChain() (defaults), raw call" },
    "oursEnv", "sdkEnv", "≥ 2×", (r) => r >= 2,
  );
  pair(
    "env creds, through S3Client's wrapper (what a client calls)",
    { ours: "S3Client({ credentials: envOrProfile() }).config.credentials()", sdk: "S3Client({ credentials: fromNodeProviderChain() }).config.credentials()" },
    "oursClient", "sdkClient", "(context)",
  );
  pair(
    "  same, vs a default S3Client (no credentials option)",
    { ours: "S3Client({ credentials: envOrProfile() }).config.credentials()", sdk: "new S3Client({}) (its default chain).config.credentials()" },
    "oursClient", "sdkDefaultClient", "(context)",
  );
  pair(
    "IMDS creds, raw provider call",
    { ours: "one envOrProfile() (defaults; IMDS answered), raw call", sdk: "one fromNodeProviderChain() (defaults; IMDS answered), raw call" },
    "oursImdsChain", "sdkImds", "≥ 2×", (r) => r >= 2,
  );
  pair(
    "  same, our IMDS link alone",
    { ours: "one memoize(fromImds({ endpoint })), raw call", sdk: "one fromNodeProviderChain() (defaults; IMDS answered), raw call" },
    "oursImds", "sdkImds", "(context)",
  );
  pair(
    "physical limit vs the SDK (env creds, raw)",
    { ours: "a function returning one stored resolved promise", sdk: "one fromNodeProviderChain() (defaults), raw call" },
    "limit", "sdkEnv", "(context)",
  );
  const share = ratio(rate("oursEnv"), rate("limit"));
  row({
    section: "Cached calls/s",
    metric: "ours (env, raw) as a share of the physical limit",
    did: { ours: "one envOrProfile() (defaults), raw call", sdk: "(the limit: a stored resolved promise)" },
    ours: fmtRate(rate("oursEnv")),
    sdk: fmtRate(rate("limit")),
    ratio: isNum(share) ? `${(share * 100).toFixed(0)} %` : "—",
  });
  notes.push(
    `Cached calls/s: tight awaited loop of ${cached.n ?? "?"} calls × ${cached.rounds ?? "?"} rounds after 3 warm-up rounds, order rotated each round, median; each variant's loop compiled separately. "Through S3Client's wrapper" calls \`client.config.credentials()\`, the function the client's signer calls: the SDK wraps a provider without its \`memoized\` marker (fromNodeProviderChain()) in its own memoizer; ours carries the marker, so only the client's caller-config binding and attribution remain. IMDS variants ${cached.notes?.length ? `n/a (${cached.notes.join("; ")})` : "against the IMDS emulator"}.`,
  );
});

// 2. Import time in fresh processes -----------------------------------------------------------

section("import", `import time (${IMPORT_RUNS} fresh processes each)`, async () => {
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
  const did = { ours: "`await import(\"env-or-profile\")` (its core chunk; p-retry, profile, file cache and container fetch load on first use)", sdk: "`await import(\"@aws-sdk/credential-providers\")`" };
  row({ section: "import", metric: "`await import()` timed inside a fresh process", did, ours: failure ?? fmtMs(ip.ours), sdk: fmtMs(ip.sdk), ratio: fmtX(ipR), target: "≤ 0.33×", check: checkRatio(ipR, (r) => r <= 1 / 3) });
  // Node's own start-up (the same ~70 ms for both) dominates a whole process's wall time, so no
  // library can reach 1/3 here; the target applies to the import itself (rows above and below).
  row({ section: "import", metric: "fresh `node -e` process, raw wall time (node start-up included)", did, ours: fmtMs(w.ours), sdk: fmtMs(w.sdk), ratio: fmtX(rawR), target: "(context)" });
  row({ section: "import", metric: `  same, net of node start-up (per-round difference to an empty script: ${fmtMs(w.baseline)})`, did, ours: fmtMs(net.ours), sdk: fmtMs(net.sdk), ratio: fmtX(netR), target: "≤ 0.33×", check: checkRatio(netR, (r) => r <= 1 / 3) });
  notes.push(
    `import: ${IMPORT_RUNS} fresh processes each, interleaved, medians: the \`await import()\` timed inside the process (performance.now), and the whole process's wall time; "net" is the median, over rounds, of each process's wall time minus that of the same round's process running the script without the import.`,
  );
});

// 3. IMDS: cold resolution, concurrent callers ------------------------------------------------

section("imds", "IMDS: cold resolution and concurrent callers", async () => {
  const imds = await imdsAdapter();
  if (!imds) {
    row({ section: "IMDS", metric: "IMDS rows", did: { ours: NA, sdk: NA }, ours: NA, sdk: NA, check: NA });
    return;
  }
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
  row({ section: "IMDS", metric: "cold: fresh process, import + first resolution", did: { ours: "import + one envOrProfile() (defaults), raw call", sdk: "import + one fromNodeProviderChain() (defaults), raw call" }, ours: fmtMs(c1.ours), sdk: fmtMs(c1.sdkChain), ratio: fmtX(r1), target: "≤ 0.5×", check: checkRatio(r1, (r) => r <= 0.5) });
  const r1i = ratio(c1.ours, c1.sdkImds);
  row({ section: "IMDS", metric: "  same, vs the SDK's IMDS provider alone", did: { ours: "import + one envOrProfile() (defaults), raw call", sdk: "import + one fromInstanceMetadata() (defaults), raw call" }, ours: fmtMs(c1.ours), sdk: fmtMs(c1.sdkImds), ratio: fmtX(r1i), target: "≤ 0.5×", check: checkRatio(r1i, (r) => r <= 0.5) });
  const f = (k) => fresh[k]?.ms;
  const perProvider = (k) => (isNum(fresh[k]?.requests) && fresh[k].providers > 0 ? `${(fresh[k].requests / fresh[k].providers).toFixed(1)} requests each` : "");
  const withReqs = (k) => (f(k) === undefined ? describe(fresh) : `${fmtMs(f(k))} (${perProvider(k)})`);
  const r2 = ratio(f("ours-own-key"), f("sdk-chain"));
  row({ section: "IMDS", metric: "warm process, a new provider that cannot share (a cache key of its own), first call", did: { ours: "new envOrProfile({ clock }) each, a distinct clock object each (the clock is in the cache key: its own credential fetch; IMDS token and role remembered per endpoint)", sdk: "new fromNodeProviderChain() each (token + role + credentials each)" }, ours: withReqs("ours-own-key"), sdk: withReqs("sdk-chain"), ratio: fmtX(r2), target: "(context)" });
  const r4 = ratio(f("ours-fromImds-reset"), f("sdk-imds"));
  row({ section: "IMDS", metric: "  same, every process-wide cache emptied first", did: { ours: "resetSharedState(), then new memoize(fromImds()): token + role + credentials, as the SDK", sdk: "new fromInstanceMetadata() each" }, ours: withReqs("ours-fromImds-reset"), sdk: withReqs("sdk-imds"), ratio: fmtX(r4), target: "(context)" });

  progress(`IMDS: ${CALLERS} concurrent callers`);
  // The emulator runs here, the callers in a fresh child each (its own core on 2 cores; every
  // process-wide cache starts empty). Counts are what reached the emulator.
  const callers = {};
  for (const scenario of ["ours-one", "ours-many", "ours-distinct", "sdk-chain-one", "sdk-memo-imds", "sdk-chain-many"]) {
    imds.reset();
    const r = await runChild(part("imds-callers.mjs"), { args: [scenario, String(CALLERS)], env, timeoutMs: 90_000 });
    callers[scenario] = ok(r) ? { ...r, ...imds.counts() } : r;
  }
  await imds.close();
  const total = (r) => r.token + r.roleList + r.creds + r.other;
  const reqs = (r) =>
    ok(r) ? `${total(r)} requests (${r.token} token, ${r.roleList} role list, ${r.creds} creds)${r.failed ? `; ${r.failed} callers failed` : ""}` : describe(r);
  const meets = (r) => (ok(r) ? check(total(r) <= 3 && r.failed === 0) : NA);
  const n = CALLERS.toLocaleString("en-US");
  row({ section: "IMDS", metric: `${n} concurrent calls of one provider → IMDS requests`, did: { ours: `one envOrProfile() (defaults), ${n} concurrent raw calls`, sdk: `one fromNodeProviderChain() (defaults), ${n} concurrent raw calls` }, ours: reqs(callers["ours-one"]), sdk: reqs(callers["sdk-chain-one"]), target: "≤ 3 requests", check: meets(callers["ours-one"]) });
  row({ section: "IMDS", metric: `${n} envOrProfile() made one per client, one call each, at once → IMDS requests`, did: { ours: `${n} distinct envOrProfile() (defaults; they read the same world, so they share one credential and one fetch), raw calls`, sdk: `${n} distinct fromNodeProviderChain() (defaults), raw calls` }, ours: reqs(callers["ours-many"]), sdk: reqs(callers["sdk-chain-many"]), target: "≤ 3 requests", check: meets(callers["ours-many"]) });
  row({ section: "IMDS", metric: `  ${n} providers with distinct cache keys, one call each, at once`, did: { ours: `${n} distinct envOrProfile({ clock }), a distinct clock object each (no shared credential; identical concurrent IMDS requests sent once per endpoint), raw calls`, sdk: `${n} distinct fromNodeProviderChain() (defaults), raw calls` }, ours: reqs(callers["ours-distinct"]), sdk: reqs(callers["sdk-chain-many"]), target: "(context)" });
  row({ section: "IMDS", metric: `  the SDK's own memoized IMDS provider, ${n} concurrent calls`, did: { ours: "—", sdk: `one shared memoize(fromInstanceMetadata()) (@smithy/core/config), ${n} concurrent raw calls` }, ours: "—", sdk: reqs(callers["sdk-memo-imds"]) });
  notes.push(
    `IMDS cold: "fresh process" = ${COLD_RUNS} child processes each, timed from before the library's import to the first credential (the SDK loads its chain lazily inside the first call, so imports are counted for both); "a new provider in a warm process" = median of ${FRESH_PROVIDERS} new providers per side, interleaved, with the HTTP requests each side started counted through node's http diagnostics channel.`,
    `IMDS callers: the emulator runs in the bench's parent process, the callers in a fresh child per scenario; counts are requests that reached the emulator; "callers failed" are providers that gave up (the SDK's 1 s timeout) under the storm.`,
  );
});

// 3'. The first call of a new provider in a warm process, three worlds (issue 16 item 8) -------------

section("first-call", "warm process: a new provider's first call (env keys, IMDS, a [default] profile)", async () => {
  const rounds = QUICK ? 5 : 15;
  const dir = mkdtempSync(join(tmpdir(), "env-or-profile-bench-first-call-"));
  const configFile = join(dir, "config");
  const credentialsFile = join(dir, "credentials");
  writeFileSync(configFile, "[default]\nregion = us-east-1\n");
  writeFileSync(credentialsFile, `[default]\naws_access_key_id = ${BENCH_ENV_CREDS.AWS_ACCESS_KEY_ID}\naws_secret_access_key = ${BENCH_ENV_CREDS.AWS_SECRET_ACCESS_KEY}\n`);
  const imds = await imdsAdapter();
  const worlds = [
    { name: "env", label: "env keys set", batch: 500, env: cleanEnv(BENCH_ENV_CREDS), link: ["memoize(fromEnv())", "fromEnv()"] },
    { name: "imds", label: "IMDS (no keys, no profile files; the shared credential already cached by an earlier provider)", batch: 40, env: imds ? cleanEnv({}, imds.endpoint) : undefined, link: ["memoize(fromImds())", "fromInstanceMetadata()"] },
    { name: "profile", label: "a [default] profile with static keys in the credentials file (config: [default] region; no env keys, no AWS_PROFILE)", batch: 200, env: cleanEnv({ AWS_CONFIG_FILE: configFile, AWS_SHARED_CREDENTIALS_FILE: credentialsFile }), link: ["memoize(fromProfile())", "fromIni()"] },
  ];
  try {
    for (const world of worlds) {
      const r = world.env === undefined ? { na: true } : await runChild(part("first-call.mjs"), { args: [world.name, String(rounds), String(world.batch)], env: world.env, timeoutMs: 300_000 });
      const us = (k) => r.impls?.[k]?.us;
      const show = (k) => {
        if (!ok(r)) return describe(r);
        const i = r.impls[k];
        const each = i.requests / i.providers;
        return `${isNum(i.us) ? (i.us >= 100 ? i.us.toFixed(0) : i.us.toFixed(1)) : NA} µs (${each === 0 ? "0" : each.toFixed(1)} HTTP requests each)`;
      };
      const rc = ratio(us("ours-chain"), us("sdk-chain"));
      row({
        section: "First call",
        metric: `${world.name}: a new provider's first call in a warm process (create + first call)`,
        did: { ours: `new envOrProfile() (defaults) per sample; world: ${world.label}`, sdk: `new fromNodeProviderChain() (defaults) per sample, same process and world` },
        ours: show("ours-chain"),
        sdk: show("sdk-chain"),
        ratio: fmtX(rc),
        target: "≤ 0.5×",
        check: checkRatio(rc, (x) => x <= 0.5),
      });
      const rl = ratio(us("ours-link"), us("sdk-link"));
      row({
        section: "First call",
        metric: `  ${world.name}: the link alone`,
        did: { ours: `new ${world.link[0]} per sample (same world)`, sdk: `new ${world.link[1]} per sample (same world; the SDK's provider has no cache)` },
        ours: show("ours-link"),
        sdk: show("sdk-link"),
        ratio: fmtX(rl),
        target: "(context)",
      });
    }
  } finally {
    await imds?.close();
    rmSync(dir, { recursive: true, force: true });
  }
  notes.push(
    `First call: one child process per world (bench/parts/first-call.mjs); in it, ${rounds} rounds after 3 warm-up rounds, the four impls interleaved with the order rotating; a sample is a batch of new providers (env 500, IMDS 40, profile 200), each created and called once, one after another, in one timed loop compiled for that impl; the figure is the median per-provider time. Ours re-reads the world on a new provider's first call (environment values, a stat of each profile file, the IMDS role at most once a minute) and joins the process-wide cache for that reading; the SDK's chain reads the environment and its in-memory copy of the profile files (read once per process: a new SDK provider does not see an edited file), and asks IMDS for a token, the role and credentials each time. HTTP requests are those each impl started while it ran (node's http diagnostics channel).`,
  );
});

// 3a. A Lambda-style bundle: size and cold start -------------------------------------------------

section("bundle", "Lambda-style esbuild bundle: size, cold node bundle.mjs (import + first IMDS credential)", async () => {
  const imds = await imdsAdapter();
  if (!imds) {
    row({ section: "Bundle", metric: "bundle rows", did: { ours: NA, sdk: NA }, ours: NA, sdk: NA, check: NA });
    return;
  }
  const env = cleanEnv({ BENCH_DEV_STUB: process.env.BENCH_DEV_STUB }, imds.endpoint);
  const bundles = await buildBundles();
  const did = {
    ours: "esbuild bundle (ESM, Lambda createRequire banner, not minified) of `envOrProfile()` + first call, alone in an empty folder",
    sdk: "the same app on `fromNodeProviderChain()` (@aws-sdk/credential-providers), bundled and run the same way",
  };
  const wall = { empty: [], ours: [], sdk: [] };
  const inproc = { empty: [], ours: [], sdk: [] };
  const cpu = { empty: [], ours: [], sdk: [] };
  let failure;
  try {
    for (const file of Object.values(bundles.files)) await runBundle(file, env); // warm the file cache
    for (let i = 0; i < COLD_RUNS; i++) {
      const order = ["empty", "ours", "sdk"];
      for (let j = 0; j < 3; j++) {
        const side = order[(i + j) % 3];
        const r = await runBundle(bundles.files[side], env);
        wall[side].push(r.wallMs);
        inproc[side].push(r.atCredentialMs);
        cpu[side].push(r.cpuMs);
      }
    }
  } catch (error) {
    failure = String(error.message).slice(0, 80);
  } finally {
    bundles.close();
    await imds.close();
  }
  const sizeR = ratio(bundles.bytes.ours, bundles.bytes.sdk);
  const kB = (bytes) => (isNum(bytes) ? `${(bytes / 1e3).toFixed(0)} kB` : NA);
  row({ section: "Bundle", metric: "bundle size (one .mjs file)", did, ours: kB(bundles.bytes.ours), sdk: kB(bundles.bytes.sdk), ratio: fmtX(sizeR), target: "≤ 1×", check: checkRatio(sizeR, (r) => r <= 1) });
  const ip = { ours: median(inproc.ours), sdk: median(inproc.sdk), empty: median(inproc.empty) };
  row({ section: "Bundle", metric: "cold `node bundle.mjs`: process start to first credential (performance.now() there; node's start-up included)", did, ours: failure ?? fmtMs(ip.ours), sdk: fmtMs(ip.sdk), ratio: fmtX(ratio(ip.ours, ip.sdk)), target: "(context)" });
  // Net of node's start-up, per round (each bundle's process minus the same round's empty
  // bundle's), then the median, as in the import rows.
  const paired = (side) => median(wall[side].map((ms, i) => ms - (wall.empty[i] ?? Number.NaN)).filter(Number.isFinite));
  const net = { ours: paired("ours"), sdk: paired("sdk") };
  const netR = ratio(net.ours, net.sdk);
  row({ section: "Bundle", metric: `  same, wall time net of node start-up (per-round difference to an empty bundle: ${fmtMs(median(wall.empty))})`, did, ours: failure ?? fmtMs(net.ours), sdk: fmtMs(net.sdk), ratio: fmtX(netR), target: "≤ 0.6×", check: checkRatio(netR, (r) => r <= 0.6) });
  // CPU time (user + system) of the process up to the credential, less the empty bundle's: what
  // the work costs, whatever else the machine is doing (wall times move with its load).
  const pairedCpu = (side) => median(cpu[side].map((ms, i) => ms - (cpu.empty[i] ?? Number.NaN)).filter(Number.isFinite));
  const netCpu = { ours: pairedCpu("ours"), sdk: pairedCpu("sdk") };
  row({ section: "Bundle", metric: "  same, CPU time to the first credential net of an empty bundle's", did, ours: failure ?? fmtMs(netCpu.ours), sdk: fmtMs(netCpu.sdk), ratio: fmtX(ratio(netCpu.ours, netCpu.sdk)), target: "(context)" });
  notes.push(
    `Bundle: each app bundled by esbuild as CDK's NodejsFunction does (ESM, platform node, target node20, the \`createRequire\` banner, not minified), the bundle copied alone into an empty temporary folder (no node_modules) and run there as \`node bundle.mjs\` against the IMDS emulator; ${COLD_RUNS} rounds, the three bundles (ours, the SDK's, an empty one) interleaved, medians.`,
  );
});

// 3b. Off EC2 ---------------------------------------------------------------------------------

section("off-ec2", "IMDS off EC2 (closed port, never-answering server)", async () => {
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
  const did = { ours: "one envOrProfile() (defaults), raw call", sdk: "one fromNodeProviderChain() (defaults: 1 s timeout, token then IMDSv1), raw call" };
  for (const mode of ["closed", "silent"]) {
    const o = runs[`ours/${mode}`];
    const s = runs[`sdk-chain/${mode}`];
    const si = runs[`sdk-imds/${mode}`];
    const label = mode === "closed" ? "port closed" : "never answers";
    const r1 = ratio(val(o, "first"), val(s, "first"));
    const first = val(o, "first");
    const second = val(o, "second");
    row({ section: "Off EC2", metric: `${label}: first call`, did, ours: first === undefined ? describe(o) : fmtMs(first), sdk: fmtMs(val(s, "first")), ratio: fmtX(r1), target: mode === "silent" ? "≤ 0.6×" : "fast", check: mode === "silent" ? checkRatio(r1, (r) => r <= 0.6) : "" });
    row({ section: "Off EC2", metric: `${label}: second call, same provider`, did, ours: fmtMs(second), sdk: fmtMs(val(s, "second")), ratio: fmtX(ratio(second, val(s, "second"))), target: mode === "silent" ? "< 100 ms" : "—", check: mode === "silent" ? (isNum(second) ? check(second < 100) : NA) : "" });
    row({ section: "Off EC2", metric: `  ${label}: the SDK's IMDS provider alone, first / second`, did: { ours: "—", sdk: "one fromInstanceMetadata() (defaults), raw call" }, ours: "—", sdk: `${fmtMs(val(si, "first"))} / ${fmtMs(val(si, "second"))}` });
  }
  notes.push(
    `Off EC2: each case its own process (port closed: median of ${CLOSED_RUNS}; never answers: one each, in parallel) with each side's defaults; the SDK chain's lazily-required modules are preloaded so its first call is network time only (flatters the SDK).`,
  );
});

// 4. STS: 50 clients → AssumeRole calls -------------------------------------------------------

section("sts", `STS: ${STS_CLIENTS} S3 clients assuming one role`, async () => {
  const env = cleanEnv(BENCH_ENV_CREDS);
  const sts = {};
  for (const scenario of ["ours", "ours-memo", "ours-raw", "sdk"]) {
    for (const order of ["concurrent", "sequential"]) {
      sts[`${scenario}/${order}`] = await runChild(part("sts.mjs"), { args: [scenario, String(STS_CLIENTS), order], env, timeoutMs: 60_000 });
    }
  }
  const calls = (r) => (ok(r) ? `${r.assumeRoleCalls} AssumeRole${r.failed ? ` (${r.failed} requests failed)` : ""}` : describe(r));
  const oneOf = (o, s) => (ok(o) && ok(s) && o.assumeRoleCalls > 0 ? `1/${(s.assumeRoleCalls / o.assumeRoleCalls).toFixed(0)}` : "—");
  const sdkDid = `${STS_CLIENTS} S3Clients, each its own fromTemporaryCredentials({ params: { RoleArn, ExternalId } }) (distinct providers, the documented way), through the client`;
  for (const order of ["concurrent", "sequential"]) {
    const s = sts[`sdk/${order}`];
    const o = sts[`ours/${order}`];
    row({ section: "STS", metric: `${STS_CLIENTS} S3 clients on one role, first requests ${order} → AssumeRole calls`, did: { ours: `${STS_CLIENTS} S3Clients, each its own envOrProfile({ assumeRole }) (distinct providers; shared by what they read: same base keys, role, STS location), through the client`, sdk: sdkDid }, ours: calls(o), sdk: calls(s), ratio: oneOf(o, s), target: "ours = 1", check: ok(o) ? check(o.assumeRoleCalls === 1 && o.failed === 0) : NA });
    const m = sts[`ours-memo/${order}`];
    row({ section: "STS", metric: `  same, first requests ${order}, memoize(fromAssumeRole()) per client`, did: { ours: `${STS_CLIENTS} S3Clients, each its own memoize(fromAssumeRole({ roleArn, externalId })) (distinct providers; shared by what they read), through the client`, sdk: sdkDid }, ours: calls(m), sdk: calls(s), ratio: oneOf(m, s), target: "ours = 1", check: ok(m) ? check(m.assumeRoleCalls === 1 && m.failed === 0) : NA });
    const a = sts[`ours-raw/${order}`];
    row({ section: "STS", metric: `  same, first requests ${order}, a raw fromAssumeRole() per client (no cache of ours)`, did: { ours: `${STS_CLIENTS} S3Clients, each its own raw fromAssumeRole({ roleArn, externalId }) (one attempt per call; each client's own SDK memoizer; identical concurrent requests sent once by our STS transport), through the client`, sdk: sdkDid }, ours: calls(a), sdk: calls(s), ratio: oneOf(a, s), target: "(context)" });
  }
  notes.push(`STS: a loopback STS emulator (SigV4-verified, ExternalId checked) and a loopback capture S3 answering an empty ListBuckets; each client sends a real ListBuckets; base credentials from the environment on both sides; a fresh process per scenario and order.`);
});

// 5. Fleet simulation -------------------------------------------------------------------------

section("fleet", "fleet simulation (ours and the SDK's memoization, same simulation)", async () => {
  const r = await runChild(part("fleet.mjs"), { args: ["10000"], env: cleanEnv(), timeoutMs: 300_000 });
  if (!ok(r)) {
    row({ section: "Fleet", metric: "10,000 instances, peak refreshes / simulated s", did: { ours: NA, sdk: NA }, ours: describe(r), sdk: NA, check: NA });
    return;
  }
  const { ours, sdk, oursNoJitter } = r;
  const spread = (f) => `${((f.lastMs - f.firstMs) / 1000).toFixed(0)} s`;
  const did = { ours: "10,000 distinct memoize(source) (plain functions: a cache each; defaults: 5-min window + jitter)", sdk: "10,000 distinct memoizeIdentityProvider(source) — an SDK client's own credential memoizer (5-min window)" };
  row({ section: "Fleet", metric: "10,000 instances, same expiry, a call every 10 s: peak refreshes / simulated s", did, ours: `${ours.peakPerSecond}/s`, sdk: `${sdk.peakPerSecond}/s`, ratio: fmtX(ratio(ours.peakPerSecond, sdk.peakPerSecond)), target: "≤ 1 % of fleet (100/s)", check: check(ours.peakPerSecond <= 100 && ours.notRefreshed === 0 && ours.expiredServed === 0) });
  row({ section: "Fleet", metric: "  refresh spread; expired credentials served", did, ours: `${spread(ours)}; ${ours.expiredServed}`, sdk: `${spread(sdk)}; ${sdk.expiredServed}`, target: "0 expired", check: check(ours.expiredServed === 0) });
  row({ section: "Fleet", metric: "  ours with jitter off (context: what the jitter buys)", did: { ours: "10,000 distinct memoize(source, { jitter: false })", sdk: "10,000 distinct memoizeIdentityProvider(source)" }, ours: `${oursNoJitter.peakPerSecond}/s`, sdk: `${sdk.peakPerSecond}/s`, ratio: fmtX(ratio(oursNoJitter.peakPerSecond, sdk.peakPerSecond)) });
  extraText.push(
    [
      "Fleet: 10,000 instances, credentials all expiring at E, each calling every 10 s (simulated), refreshes by time (30 s buckets):",
      "",
      "ours, memoize() with its default jitter:",
      formatHistogram(ours.refreshes),
      "",
      "the SDK's memoizeIdentityProvider() (what an S3Client wraps a provider in), same simulation:",
      formatHistogram(sdk.refreshes),
      "",
      "ours with jitter: false:",
      formatHistogram(oursNoJitter.refreshes),
    ].join("\n"),
  );
  notes.push(
    `Fleet: bench/parts/fleet.mjs — simulateFleet() from bench/fleet.mjs: 10,000 providers on one manual clock, an in-memory source, each instance calling every 10 s at a random phase (seeded), 1 s steps; the same simulation wraps the source in our memoize() and in the SDK's memoizeIdentityProvider(source, isIdentityExpired, doesIdentityRequireRefresh) from @smithy/core (it reads Date.now(), which the simulation drives from the same clock).`,
  );
});

// 6. Installed size ---------------------------------------------------------------------------

section("size", "installed size (npm pack + npm install from the local cache)", async () => {
  try {
    const s = packedInstallSizes(ROOT);
    row({
      section: "Size",
      metric: "node_modules after `npm install` of the package into an empty project",
      did: { ours: `npm install of \`npm pack\`'s tarball (${s.ours.packages} packages)`, sdk: `npm install @aws-sdk/credential-providers@${s.sdkVersion} (${s.sdk.packages} packages)` },
      ours: fmtMB(s.ours.bytes),
      sdk: fmtMB(s.sdk.bytes),
      ratio: fmtX(ratio(s.ours.bytes, s.sdk.bytes)),
      target: "(no target)",
    });
    row({
      section: "Size",
      metric: "  the package itself (tarball unpacked)",
      did: { ours: "node_modules/env-or-profile", sdk: "node_modules/@aws-sdk/credential-providers" },
      ours: fmtMB(s.ours.selfBytes),
      sdk: fmtMB(s.sdk.selfBytes),
      ratio: fmtX(ratio(s.ours.selfBytes, s.sdk.selfBytes)),
    });
    notes.push(`Size: \`npm pack\` of this checkout (dist/ as built), with its runtime dependencies installed by \`npm install --offline --omit=dev --ignore-scripts\` into an empty temporary project (versions as this repository's lockfile pins them, tarballs from the npm cache), next to the same for @aws-sdk/credential-providers at the lockfile's version; bytes of every file under node_modules (apparent size).`);
  } catch (error) {
    row({ section: "Size", metric: "installed size", did: { ours: NA, sdk: NA }, ours: `${NA} (${String(error.message).slice(0, 60)})`, sdk: NA, check: NA });
  }
});

// IMDS under a stalled event loop, start-up storms (issue 12 items 13, 14) ----------------------

section("imds-stall", "IMDS: a 1.2 s stall of our own event loop during the first request", async () => {
  const imds = await imdsAdapter();
  if (!imds) {
    row({ section: "IMDS stall", metric: "IMDS stall rows", did: { ours: NA, sdk: NA }, ours: NA, sdk: NA, check: NA });
    return;
  }
  const env = cleanEnv({}, imds.endpoint);
  const runs = {};
  for (const impl of ["ours", "sdk"]) runs[impl] = await runChild(part("imds-stall.mjs"), { args: [impl, "1200"], env, timeoutMs: 30_000 });
  await imds.close();
  const show = (r) => (r?.na || r?.error && r.ok === undefined ? describe(r) : r.ok ? `credentials in ${fmtMs(r.ms)}` : `failed: ${r.error}`.slice(0, 70));
  const next = (r) => (r?.ok === undefined ? describe(r) : r.secondOk ? `credentials in ${fmtMs(r.secondMs)}` : `failed: ${r.secondError}`.slice(0, 70));
  row({ section: "IMDS stall", metric: "1.2 s stall during the first IMDS request (the token PUT) → ?", did: { ours: "fresh process, one raw fromImds() (defaults: 1 s timeout; one attempt, no memoize), raw call; loop blocked 1.2 s once the PUT is sent", sdk: "fresh process, one fromInstanceMetadata() (defaults: 1 s timeout), raw call; same stall at the same point" }, ours: show(runs.ours), sdk: show(runs.sdk), target: "credentials", check: runs.ours?.ok === undefined ? NA : check(runs.ours.ok === true) });
  row({ section: "IMDS stall", metric: "  then a new provider, called at once → ?", did: { ours: "a second fromImds() (defaults), raw call", sdk: "a second fromInstanceMetadata() (defaults), raw call" }, ours: next(runs.ours), sdk: next(runs.sdk), target: "credentials (no cool-down)", check: runs.ours?.ok === undefined ? NA : check(runs.ours.secondOk === true) });
});

section("imds-storm", `IMDS: ${CALLERS} distinct providers created at once`, async () => {
  const imds = await imdsAdapter();
  if (!imds) {
    row({ section: "IMDS storm", metric: "IMDS storm rows", did: { ours: NA, sdk: NA }, ours: NA, sdk: NA, check: NA });
    return;
  }
  const env = cleanEnv({}, imds.endpoint);
  const runs = {};
  for (const scenario of ["ours-fromImds", "ours-memo-fromImds", "sdk-imds", "sdk-memo-imds"]) {
    imds.reset();
    const r = await runChild(part("imds-storm.mjs"), { args: [scenario, String(CALLERS)], env, timeoutMs: 120_000 });
    runs[scenario] = ok(r) ? { ...r, ...imds.counts() } : r;
  }
  await imds.close();
  const total = (r) => r.token + r.roleList + r.creds + r.other;
  const show = (r) => (ok(r) ? `${total(r)} requests (${r.token} token, ${r.roleList} role, ${r.creds} creds), ${r.failed} failed${r.failed ? ` (${String(r.firstError).trim().slice(0, 50)})` : ""}, ${fmtMs(r.ms)}` : describe(r));
  const meets = (r) => (ok(r) ? check(total(r) <= 4 && r.failed === 0) : NA);
  const n = CALLERS.toLocaleString("en-US");
  row({ section: "IMDS storm", metric: `${n} distinct providers, one call each, at once → IMDS requests`, did: { ours: `${n} distinct raw fromImds() (defaults; one attempt each, no cache: identical concurrent requests sent once per endpoint), raw calls`, sdk: `${n} distinct fromInstanceMetadata() (defaults), raw calls` }, ours: show(runs["ours-fromImds"]), sdk: show(runs["sdk-imds"]), target: "≤ 4 requests, 0 failed", check: meets(runs["ours-fromImds"]) });
  row({ section: "IMDS storm", metric: "  same, each memoized", did: { ours: `${n} distinct memoize(fromImds()) (defaults; shared by what they read), raw calls`, sdk: `${n} distinct memoize(fromInstanceMetadata()) (@smithy/core/config), raw calls` }, ours: show(runs["ours-memo-fromImds"]), sdk: show(runs["sdk-memo-imds"]), target: "≤ 4 requests, 0 failed", check: meets(runs["ours-memo-fromImds"]) });
});

// Provider creation cost (issue 12 item 16) --------------------------------------------------

section("provider-cost", "creating a provider: time and heap per provider", async () => {
  const env = cleanEnv();
  const runs = {};
  for (const impl of ["ours-fromImds", "sdk-imds"]) runs[impl] = await runChild(part("provider-cost.mjs"), { args: [impl, "20000"], env, nodeArgs: ["--expose-gc"], timeoutMs: 60_000 });
  const us = (r) => (ok(r) ? `${r.us.toFixed(2)} µs` : describe(r));
  const bytes = (r) => (ok(r) ? `${Math.round(r.bytes)} B` : describe(r));
  const rt = ratio(val(runs["ours-fromImds"], "us"), val(runs["sdk-imds"], "us"));
  const rh = ratio(val(runs["ours-fromImds"], "bytes"), val(runs["sdk-imds"], "bytes"));
  const did = { ours: "fromImds() (defaults; options checked now), created and kept, never called", sdk: "fromInstanceMetadata() (defaults), created and kept, never called" };
  row({ section: "Provider cost", metric: "time to create one IMDS provider", did, ours: us(runs["ours-fromImds"]), sdk: us(runs["sdk-imds"]), ratio: fmtX(rt), target: "≈ the SDK's order (≤ 1.5×)", check: checkRatio(rt, (r) => r <= 1.5) });
  row({ section: "Provider cost", metric: "heap retained per IMDS provider", did, ours: bytes(runs["ours-fromImds"]), sdk: bytes(runs["sdk-imds"]), ratio: fmtX(rh), target: "≤ 1.5×", check: checkRatio(rh, (r) => r <= 1.5) });
  // More providers' rows register here (add with a small str_replace).
  const pairs = [
    ["memoize(fromImds())", "ours-memo-fromImds", "sdk-memo-imds", "memoize(fromImds()) (defaults)", "memoizeIdentityProvider(fromInstanceMetadata(), isIdentityExpired, doesIdentityRequireRefresh) (what an SDK client wraps it in)"],
    ["memoize", "ours-memoize", "sdk-memoize", "memoize(source) (a plain function: a cache of its own)", "memoizeIdentityProvider(source, isIdentityExpired, doesIdentityRequireRefresh)"],
    ["fromEnv", "ours-fromEnv", "sdk-fromEnv", "fromEnv() (defaults: one stateless function, the same for every call)", "fromEnv() (defaults)"],
    ["fromAssumeRole", "ours-fromAssumeRole", "sdk-fromTemporaryCredentials", "fromAssumeRole({ roleArn, externalId, source }) (options checked now; the plain `source` wrapped in a memoize of its own)", "fromTemporaryCredentials({ masterCredentials: source, params: { RoleArn, ExternalId } })"],
    ["envOrProfile", "ours-envOrProfile", "sdk-fromNodeProviderChain", "envOrProfile() (defaults: a handle that reads the world and joins the shared cache on its first call)", "fromNodeProviderChain() (defaults)"],
  ];
  for (const [name, oursImpl, sdkImpl, oursDid, sdkDid] of pairs) {
    const o = await runChild(part("provider-cost.mjs"), { args: [oursImpl, "20000"], env, nodeArgs: ["--expose-gc"], timeoutMs: 120_000 });
    const k = await runChild(part("provider-cost.mjs"), { args: [sdkImpl, "20000"], env, nodeArgs: ["--expose-gc"], timeoutMs: 120_000 });
    const pairDid = { ours: `${oursDid}, created and kept, never called`, sdk: `${sdkDid}, created and kept, never called` };
    const t = ratio(val(o, "us"), val(k, "us"));
    const h = ratio(Math.max(val(o, "bytes") ?? Number.NaN, 1), Math.max(val(k, "bytes") ?? Number.NaN, 1));
    row({ section: "Provider cost", metric: `time to create one ${name} provider`, did: pairDid, ours: us(o), sdk: us(k), ratio: fmtX(t), target: "≈ the SDK's order (≤ 1.5×)", check: checkRatio(t, (r) => r <= 1.5) });
    row({ section: "Provider cost", metric: `heap retained per ${name} provider`, did: pairDid, ours: bytes(o), sdk: bytes(k), ratio: fmtX(h), target: "≤ 1.5×", check: checkRatio(h, (r) => r <= 1.5) });
  }
  notes.push("Provider cost: bench/parts/provider-cost.mjs, a fresh process per impl (--expose-gc): 20,000 providers created and kept, time = median over 7 rounds of round time / count (after 50,000 warm-up creations), heap = (heapUsed after − before) / count around a full GC; nothing is called. A heap below 1 B (a provider that is one shared function) is counted as 1 B in the ratio.");
});

// AssumeRole under load (issue 12 items 12 and 15) -------------------------------------------

section("assume-role-load", "AssumeRole: the await loop after the first AssumeRole, cached calls, a new provider per call, 150 tenants polled in turn", async () => {
  const env = cleanEnv();
  const { MAX_SHARED_CACHES: bound = 1000 } = await import("env-or-profile").catch(() => ({}));
  const overBound = Math.ceil((bound * 1.2) / 100) * 100;
  const r = {};
  for (const side of ["ours", "sdk"]) {
    for (const scenario of ["await-loop", "cached", "new-provider", "raw-call", "cyclic"]) {
      r[`${side}/${scenario}`] = await runChild(part("assume-role-load.mjs"), { args: [side, scenario], env, timeoutMs: 180_000 });
    }
  }
  r["ours-chain/cyclic"] = await runChild(part("assume-role-load.mjs"), { args: ["ours-chain", "cyclic"], env, timeoutMs: 180_000 });
  for (const side of ["ours", "sdk"]) {
    r[`${side}/cyclic-over`] = await runChild(part("assume-role-load.mjs"), { args: [side, "cyclic"], env: { ...env, BENCH_ROLES: String(overBound) }, timeoutMs: 300_000 });
  }
  const x = (v) => (isNum(v) ? `${v.toFixed(2)}×` : NA);
  const loopO = r["ours/await-loop"];
  const loopS = r["sdk/await-loop"];
  row({
    section: "AssumeRole load",
    metric: "1,000,000-await loop after the first AssumeRole ÷ before",
    did: { ours: "one raw fromAssumeRole({ roleArn, externalId, source, endpoint }) call between the two timings (loopback STS emulator)", sdk: "one fromTemporaryCredentials({ masterCredentials, params, clientConfig: { endpoint } }) call between the two timings" },
    ours: ok(loopO) ? x(loopO.ratio) : describe(loopO),
    sdk: ok(loopS) ? x(loopS.ratio) : describe(loopS),
    target: "ours ≤ 1.1×",
    check: ok(loopO) ? check(loopO.ratio <= 1.1) : NA,
  });
  const cO = r["ours/cached"];
  const cS = r["sdk/cached"];
  const cr = ratio(val(cO, "perSecond"), val(cS, "perSecond"));
  row({
    section: "AssumeRole load",
    metric: "memoized AssumeRole, cached calls per second (raw call)",
    did: { ours: "one memoize(fromAssumeRole({ roleArn, externalId, source, endpoint })), raw call", sdk: "one memoizeIdentityProvider(fromTemporaryCredentials(...), isIdentityExpired, doesIdentityRequireRefresh) — what an SDK client wraps it in, raw call" },
    ours: fmtRate(val(cO, "perSecond")),
    sdk: fmtRate(val(cS, "perSecond")),
    ratio: fmtX(cr),
    target: "≥ 1× the SDK's",
    check: checkRatio(cr, (v) => v >= 1),
  });
  const perCall = (v) => (ok(v) ? `${v.usPerCall >= 100 ? v.usPerCall.toFixed(0) : v.usPerCall.toFixed(2)} µs, ${v.assumeRoleCalls} AssumeRole / ${v.calls} calls` : describe(v));
  const nO = r["ours/new-provider"];
  const nS = r["sdk/new-provider"];
  row({
    section: "AssumeRole load",
    metric: "  a new provider per call, the role already fetched once: time per call, AssumeRole requests",
    did: { ours: "new memoize(fromAssumeRole({ roleArn, externalId, source, endpoint })) per call (joins the shared credential of the same role, base identity and STS location)", sdk: "new fromTemporaryCredentials({ masterCredentials, params, clientConfig }) per call (no shared cache: an AssumeRole each)" },
    ours: perCall(nO),
    sdk: perCall(nS),
    ratio: fmtX(ratio(val(nO, "usPerCall"), val(nS, "usPerCall"))),
    target: "ours: 0 AssumeRole",
    check: ok(nO) ? check(nO.assumeRoleCalls === 0) : NA,
  });
  const wO = r["ours/raw-call"];
  const wS = r["sdk/raw-call"];
  row({
    section: "AssumeRole load",
    metric: "  one raw provider called repeatedly (no cache on either side): time per call",
    did: { ours: "one raw fromAssumeRole({ ... }) (one attempt per call, by design: wrap it in memoize to cache)", sdk: "one raw fromTemporaryCredentials({ ... }) (no cache either)" },
    ours: perCall(wO),
    sdk: perCall(wS),
    ratio: fmtX(ratio(val(wO, "usPerCall"), val(wS, "usPerCall"))),
    target: "(context)",
  });
  const second = (v) => (ok(v) ? `${v.secondRoundCalls} AssumeRole (round 2: ${fmtMs(v.secondRoundMs)}; round 1: ${v.firstRoundCalls})` : describe(v));
  const tO = r["ours/cyclic"];
  const tC = r["ours-chain/cyclic"];
  const tS = r["sdk/cyclic"];
  const roles = val(tO, "roles") ?? 150;
  const sdkCyclic = `fromTemporaryCredentials({ masterCredentials, params: { RoleArn: tenant_i, ExternalId } }) new per call (no shared cache)`;
  row({
    section: "AssumeRole load",
    metric: `cyclic tenants: ${roles} roles polled in turn, a new provider per call, two rounds → AssumeRole calls in round 2`,
    did: { ours: `memoize(fromAssumeRole({ roleArn: tenant_i, externalId, source })) new per call (the shared registry holds ${bound} entries)`, sdk: sdkCyclic },
    ours: second(tO),
    sdk: second(tS),
    target: "ours: 0",
    check: ok(tO) ? check(tO.secondRoundCalls === 0) : NA,
  });
  row({
    section: "AssumeRole load",
    metric: `  same, envOrProfile({ assumeRole }) new per call`,
    did: { ours: `envOrProfile({ assumeRole: { roleArn: tenant_i, externalId } }) new per call (base: the environment's keys)`, sdk: sdkCyclic },
    ours: second(tC),
    sdk: second(tS),
    target: "ours: 0",
    check: ok(tC) ? check(tC.secondRoundCalls === 0) : NA,
  });
  const tX = r["ours/cyclic-over"];
  row({
    section: "AssumeRole load",
    metric: `  context: ${overBound} roles, past the registry's ${bound} entries`,
    did: { ours: `memoize(fromAssumeRole({ roleArn: tenant_i, ... })) new per call, ${overBound} roles in turn (LRU: each is evicted before its turn comes again)`, sdk: `fromTemporaryCredentials({ params: { RoleArn: tenant_i } }) new per call, ${overBound} roles in turn` },
    ours: second(tX),
    sdk: second(r["sdk/cyclic-over"]),
    target: "(context)",
  });
  notes.push(`AssumeRole load: bench/parts/assume-role-load.mjs, each side and scenario in a fresh process, a loopback STS emulator and a static base identity on both sides (ours-chain: the same keys in the environment); the await loop is \`for (…) await i\` timed as a median of 7 rounds before and after one AssumeRole; "a new provider per call" is the median of 3 loops of 20,000 (ours) / 300 (SDK) new providers, after the role's first fetch; cyclic = two rounds over the roles in the same order.`);
});

// Container credentials (issue 9) ----------------------------------------------------------

section("container", "container credentials: cold, cached, concurrent callers (vs fromHttp / fromContainerMetadata)", async () => {
  const { startContainerEmulator } = await import("env-or-profile/testing");
  const TOKEN = "bench-container-token";
  const container = await startContainerEmulator({ authorizationToken: TOKEN });
  const env = cleanEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: container.endpoint, AWS_CONTAINER_AUTHORIZATION_TOKEN: TOKEN });
  const impls = ["ours-fromContainer", "sdk-fromHttp", "sdk-fromContainerMetadata", "ours-chain", "sdk-chain"];
  const cold = Object.fromEntries(impls.map((impl) => [impl, []]));
  for (let i = 0; i < COLD_RUNS; i++) {
    for (let j = 0; j < impls.length; j++) {
      const impl = impls[(i + j) % impls.length];
      const r = await runChild(part("container.mjs"), { args: ["cold", impl], env, timeoutMs: 20_000 });
      cold[impl].push(ok(r) ? r.ms : Number.NaN);
    }
  }
  const c = Object.fromEntries(impls.map((impl) => [impl, median(cold[impl])]));
  const coldDid = (what) => `fresh process each (median of ${COLD_RUNS}), import + first call of ${what} (defaults), raw call`;
  for (const [sdk, label] of [["sdk-fromHttp", "fromHttp()"], ["sdk-fromContainerMetadata", "fromContainerMetadata()"]]) {
    const r = ratio(c["ours-fromContainer"], c[sdk]);
    row({ section: "Container", metric: `cold resolution vs ${label}`, did: { ours: coldDid("fromContainer()"), sdk: coldDid(label) }, ours: fmtMs(c["ours-fromContainer"]), sdk: fmtMs(c[sdk]), ratio: fmtX(r), target: "≤ 0.7×", check: checkRatio(r, (x) => x <= 0.7) });
  }
  const rc = ratio(c["ours-chain"], c["sdk-chain"]);
  row({ section: "Container", metric: "  cold resolution, whole chain", did: { ours: coldDid("envOrProfile()"), sdk: coldDid("fromNodeProviderChain()") }, ours: fmtMs(c["ours-chain"]), sdk: fmtMs(c["sdk-chain"]), ratio: fmtX(rc), target: "≤ 0.7×", check: checkRatio(rc, (x) => x <= 0.7) });

  const cached = await runChild(part("container.mjs"), { args: ["cached"], env: { ...env, ...(QUICK ? { BENCH_CACHED_ROUNDS: "3" } : {}) }, timeoutMs: 120_000 });
  const rate = (k) => val(cached, k)?.callsPerSec;
  for (const [o, s, what, how] of [
    ["oursChain", "sdkChain", "envOrProfile() vs fromNodeProviderChain()", "raw call"],
    ["oursChainClient", "sdkChainClient", "envOrProfile() vs fromNodeProviderChain()", "through S3Client's wrapper (client.config.credentials())"],
    ["oursMemo", "sdkMemoHttp", "memoize(fromContainer()) vs @smithy memoize(fromHttp())", "raw call"],
    ["oursMemoClient", "sdkMemoHttpClient", "memoize(fromContainer()) vs @smithy memoize(fromHttp())", "through S3Client's wrapper (client.config.credentials())"],
  ]) {
    const r = ratio(rate(o), rate(s));
    const [oursWhat, sdkWhat] = what.split(" vs ");
    // The target is for the raw default-chain call; through a client, the client's own wrapper
    // dominates both sides; @smithy memoize() without isExpired never refreshes (a cache-forever limit).
    const gated = o === "oursChain";
    row({ section: "Container", metric: `cached calls/s, ${what.includes("memoize") ? "memoized link, " : ""}${how}`, did: { ours: `one ${oursWhat} (defaults), ${how}`, sdk: `one ${sdkWhat} (defaults${sdkWhat.includes("memoize") ? "; no isExpired: caches forever" : ""}), ${how}` }, ours: rate(o) === undefined ? describe(cached) : fmtRate(rate(o)), sdk: fmtRate(rate(s)), ratio: fmtX(r), target: gated ? "≥ 2×" : "(context)", check: gated ? checkRatio(r, (x) => x >= 2) : "" });
  }

  const n = CALLERS;
  const callers = {};
  for (const impl of ["ours-chain", "ours-many", "sdk-chain", "sdk-memo-fromHttp", "sdk-memo-fromContainerMetadata"]) {
    container.resetCounts();
    const r = await runChild(part("container.mjs"), { args: ["callers", impl, String(n)], env, timeoutMs: 60_000 });
    callers[impl] = ok(r) ? { ...r, requests: container.requestCount } : r;
  }
  await container.close();
  const show = (r) => (ok(r) ? `${r.requests} request${r.requests === 1 ? "" : "s"}${r.failed ? `, ${r.failed} failed` : ""}` : describe(r));
  const meets = (r) => (ok(r) ? check(r.requests === 1 && r.failed === 0) : NA);
  const count = n.toLocaleString("en-US");
  row({ section: "Container", metric: `${count} concurrent callers → container requests`, did: { ours: `one envOrProfile() (defaults), ${count} concurrent raw calls`, sdk: `one fromNodeProviderChain() (defaults), ${count} concurrent raw calls` }, ours: show(callers["ours-chain"]), sdk: show(callers["sdk-chain"]), target: "1", check: meets(callers["ours-chain"]) });
  row({ section: "Container", metric: `  ${count} envOrProfile() instances (one per client), one call each`, did: { ours: `${count} distinct envOrProfile() (defaults; shared by what they read: same container endpoint and token), raw calls`, sdk: `one @smithy memoize(fromHttp()) (defaults), ${count} concurrent raw calls` }, ours: show(callers["ours-many"]), sdk: show(callers["sdk-memo-fromHttp"]), target: "1", check: meets(callers["ours-many"]) });
  row({ section: "Container", metric: "  SDK memoize(fromContainerMetadata()), for fairness", did: { ours: "—", sdk: `one @smithy memoize(fromContainerMetadata()) (defaults), ${count} concurrent raw calls` }, ours: "—", sdk: show(callers["sdk-memo-fromContainerMetadata"]) });
});

// Web identity (EKS IRSA) vs fromTokenFile()/fromWebToken() --------------------------------------

section("web-identity", `web identity: cold, cached, ${CALLERS} concurrent callers (one STS emulator)`, async () => {
  const r = await runChild(part("web-identity.mjs"), {
    args: ["all", String(CALLERS), String(COLD_RUNS), QUICK ? "100000" : "200000", QUICK ? "3" : "9"],
    env: cleanEnv(),
    timeoutMs: 900_000,
  });
  const cold = (k) => r.cold?.[k]?.ms;
  const rate = (k) => r.cached?.variants?.[k];
  const env = "AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ENDPOINT_URL_STS set";
  const coldR = ratio(cold("ours"), cold("sdk-tokenfile"));
  row({ section: "Web identity", metric: "cold: fresh process, import + first resolution", did: { ours: `fromWebIdentity() (defaults; ${env}), raw call`, sdk: "fromTokenFile({ clientConfig: { endpoint, region } }), raw call" }, ours: ok(r) ? fmtMs(cold("ours")) : describe(r), sdk: fmtMs(cold("sdk-tokenfile")), ratio: fmtX(coldR), target: "≤ 0.7×", check: checkRatio(coldR, (x) => x <= 0.7) });
  row({ section: "Web identity", metric: "  same, vs the SDK's fromWebToken() (token read by the caller)", did: { ours: `fromWebIdentity() (defaults; ${env}), raw call`, sdk: "readFileSync(token) + fromWebToken({ roleArn, webIdentityToken, clientConfig }), raw call" }, ours: fmtMs(cold("ours")), sdk: fmtMs(cold("sdk-webtoken")), ratio: fmtX(ratio(cold("ours"), cold("sdk-webtoken"))), target: "(context)" });
  const memoR = ratio(rate("oursMemo"), rate("sdkClient"));
  row({ section: "Web identity", metric: "cached calls/s", did: { ours: "one memoize(fromWebIdentity()) (defaults), raw call", sdk: "S3Client({ credentials: fromTokenFile() }).config.credentials() (the SDK's raw provider does not cache; its client's memoizer does)" }, ours: fmtRate(rate("oursMemo")), sdk: fmtRate(rate("sdkClient")), ratio: fmtX(memoR), target: "≥ 2×", check: checkRatio(memoR, (x) => x >= 2) });
  row({ section: "Web identity", metric: "  cached calls/s, envOrProfile() (web identity answering)", did: { ours: "one envOrProfile() (defaults; no env keys, no profile files), raw call", sdk: "S3Client({ credentials: fromTokenFile() }).config.credentials()" }, ours: fmtRate(rate("oursChain")), sdk: fmtRate(rate("sdkClient")), ratio: fmtX(ratio(rate("oursChain"), rate("sdkClient"))), target: "(context)" });
  row({ section: "Web identity", metric: "  cached calls/s, both through S3Client's wrapper", did: { ours: "S3Client({ credentials: memoize(fromWebIdentity()) }).config.credentials()", sdk: "S3Client({ credentials: fromTokenFile() }).config.credentials()" }, ours: fmtRate(rate("oursClient")), sdk: fmtRate(rate("sdkClient")), ratio: fmtX(ratio(rate("oursClient"), rate("sdkClient"))), target: "(context)" });
  const raw = (k) => r.raw?.[k];
  const rawShow = (v) => (ok(v) ? `${v.perSecond.toFixed(0)} /s (${v.stsRequests} STS / ${v.n + 1} calls)` : describe(v));
  row({ section: "Web identity", metric: "  one raw provider called repeatedly (no cache on either side)", did: { ours: "one raw fromWebIdentity() (one attempt per call, by design), 300 calls", sdk: "one raw fromTokenFile(), 300 calls" }, ours: rawShow(raw("ours")), sdk: rawShow(raw("sdk")), ratio: fmtX(ratio(raw("ours")?.perSecond, raw("sdk")?.perSecond)), target: "(context)" });
  const reqs = (c) => (ok(c) ? `${c.stsRequests} STS${c.failed ? ` (${c.failed} callers failed: ${String(c.firstError).slice(0, 60)})` : ""}` : describe(c));
  const meets = (c) => (ok(c) ? check(c.stsRequests === 1 && c.failed === 0) : NA);
  const c = r.callers ?? {};
  const n = CALLERS.toLocaleString("en-US");
  const sdkMany = `${n} S3Clients, each its own fromTokenFile(), through the client`;
  row({ section: "Web identity", metric: `${n} concurrent calls of one provider → STS requests`, did: { ours: `one memoize(fromWebIdentity()), ${n} concurrent raw calls`, sdk: `one S3Client({ credentials: fromTokenFile() }).config.credentials(), ${n} concurrent calls` }, ours: reqs(c["ours-one"]), sdk: reqs(c["sdk-client-one"]), target: "1", check: meets(c["ours-one"]) });
  row({ section: "Web identity", metric: `${n} providers (one per client), one call each, at once → STS requests`, did: { ours: `${n} distinct memoize(fromWebIdentity()) (shared by what they read: same token file, role, STS location), raw calls`, sdk: sdkMany }, ours: reqs(c["ours-many"]), sdk: reqs(c["sdk-client-many"]), target: "1", check: meets(c["ours-many"]) });
  row({ section: "Web identity", metric: `  same, ${n} envOrProfile() (web identity answering)`, did: { ours: `${n} distinct envOrProfile() (defaults; shared by what they read), raw calls`, sdk: sdkMany }, ours: reqs(c["ours-chain-many"]), sdk: reqs(c["sdk-client-many"]), target: "1", check: meets(c["ours-chain-many"]) });
  row({ section: "Web identity", metric: `  same, ${n} raw fromWebIdentity() (no cache of ours)`, did: { ours: `${n} distinct raw fromWebIdentity() (one attempt each; identical concurrent requests sent once by our STS transport), raw calls`, sdk: sdkMany }, ours: reqs(c["ours-raw-many"]), sdk: reqs(c["sdk-client-many"]), target: "(context)" });
  notes.push(`Web identity: a loopback STS emulator (AssumeRoleWithWebIdentity; the token checked) in the part's own process and one token file (no trailing newline, as the kubelet writes it); cold = ${COLD_RUNS} fresh child processes per side, interleaved, timed from before the library's import to the first credential (node's start-up excluded), median; cached = tight awaited loops in one child, order rotated, median; raw = 300 calls of one raw provider in a fresh child per side; callers = a fresh child per scenario, counting what reached the emulator.${r.notes?.length ? ` Notes: ${r.notes.join("; ").slice(0, 200)}` : ""}`);
});

section("profile", "AWS profile: a role profile (static source_profile → AssumeRole + external_id), cold, cached, 50 clients", async () => {
  const r = await runChild(part("profile.mjs"), {
    args: ["all", String(COLD_RUNS), QUICK ? "100000" : "200000", QUICK ? "3" : "9", String(STS_CLIENTS)],
    env: cleanEnv(),
    timeoutMs: 900_000,
  });
  const cold = (k) => r.cold?.[k]?.ms;
  const rate = (k) => r.cached?.variants?.[k];
  const files = "AWS_PROFILE=partner: [profile partner] role_arn + source_profile = base (static keys) + external_id, endpoint_url = the emulator";
  const coldR = ratio(cold("ours"), cold("sdk"));
  const perRun = (k) => (isNum(r.cold?.[k]?.stsPerRun) ? `${r.cold[k].stsPerRun} AssumeRole` : NA);
  row({ section: "Profile", metric: "cold: fresh process, import + first resolution of a role profile", did: { ours: `fromProfile() (defaults; ${files}), raw call`, sdk: "fromIni({ clientConfig: { endpoint, region } }) (same files), raw call" }, ours: ok(r) ? fmtMs(cold("ours")) : describe(r), sdk: fmtMs(cold("sdk")), ratio: fmtX(coldR), target: "≤ 1×", check: checkRatio(coldR, (x) => x <= 1) });
  row({ section: "Profile", metric: "  requests per cold resolution (both: 2 file reads, then STS)", did: { ours: "fromProfile(), raw call", sdk: "fromIni(), raw call" }, ours: perRun("ours"), sdk: perRun("sdk"), target: "1 each, same RoleArn/ExternalId, SigV4 valid", check: ok(r) ? check(r.cold?.ours?.stsPerRun === 1 && r.sameRequests === true) : NA });
  const cachedR = ratio(rate("oursMemoized"), rate("sdkClient"));
  row({ section: "Profile", metric: "cached calls/s", did: { ours: "one memoize(fromProfile()), raw call", sdk: "S3Client({ credentials: fromIni() }).config.credentials() (its raw provider does not cache)" }, ours: fmtRate(rate("oursMemoized")), sdk: fmtRate(rate("sdkClient")), ratio: fmtX(cachedR), target: "≥ 2×", check: checkRatio(cachedR, (x) => x >= 2) });
  row({ section: "Profile", metric: "  cached calls/s, envOrProfile() with only the profile link", did: { ours: "one envOrProfile({ env: false, webIdentity: false, container: false, imds: false }), raw call", sdk: "S3Client({ credentials: fromIni() }).config.credentials()" }, ours: fmtRate(rate("oursChain")), sdk: fmtRate(rate("sdkClient")), ratio: fmtX(ratio(rate("oursChain"), rate("sdkClient"))), target: "(context)" });
  row({ section: "Profile", metric: "  cached calls/s, both through S3Client's wrapper", did: { ours: "S3Client({ credentials: memoize(fromProfile()) }).config.credentials()", sdk: "S3Client({ credentials: fromIni() }).config.credentials()" }, ours: fmtRate(rate("oursClient")), sdk: fmtRate(rate("sdkClient")), ratio: fmtX(ratio(rate("oursClient"), rate("sdkClient"))), target: "(context)" });
  const raw = (k) => r.raw?.[k];
  const rawShow = (v) => (ok(v) ? `${v.perSecond.toFixed(0)} /s (${v.stsRequests} AssumeRole / ${v.n + 1} calls)` : describe(v));
  row({ section: "Profile", metric: "  one raw provider called repeatedly (no cache on either side)", did: { ours: "one raw fromProfile() (each call: a stat of each file, the parse remembered by file identity, one AssumeRole), 300 calls", sdk: "one raw fromIni() (each call: its in-memory copy of the files, one AssumeRole), 300 calls" }, ours: rawShow(raw("ours")), sdk: rawShow(raw("sdk")), ratio: fmtX(ratio(raw("ours")?.perSecond, raw("sdk")?.perSecond)), target: "(context)" });
  const reqs = (c) => (ok(c) ? `${c.stsRequests} AssumeRole${c.failed ? ` (${c.failed} failed: ${String(c.firstError).slice(0, 60)})` : ""}` : describe(c));
  const c = r.clients ?? {};
  const oneOf = (o, k) => (ok(o) && ok(k) && o.stsRequests > 0 ? `1/${(k.stsRequests / o.stsRequests).toFixed(0)}` : "—");
  for (const order of ["concurrent", "sequential"]) {
    const sdkC = c[`sdk/${order}`];
    const sdkDid = `${STS_CLIENTS} S3Clients, each its own fromIni() (distinct providers), through the client`;
    const memo = c[`ours-memo/${order}`];
    row({ section: "Profile", metric: `${STS_CLIENTS} S3 clients on the role profile, first calls ${order} → AssumeRole calls`, did: { ours: `${STS_CLIENTS} S3Clients, each its own memoize(fromProfile()) (distinct providers; shared by what they read: same files, profile, base identity), through the client`, sdk: sdkDid }, ours: reqs(memo), sdk: reqs(sdkC), ratio: oneOf(memo, sdkC), target: "ours = 1", check: ok(memo) ? check(memo.stsRequests === 1 && memo.failed === 0) : NA });
    const chainC = c[`ours-chain/${order}`];
    row({ section: "Profile", metric: `  same, ${order}, envOrProfile() per client`, did: { ours: `${STS_CLIENTS} S3Clients, each its own envOrProfile() (defaults; the profile link answers; shared by what they read), through the client`, sdk: sdkDid }, ours: reqs(chainC), sdk: reqs(sdkC), ratio: oneOf(chainC, sdkC), target: "ours = 1", check: ok(chainC) ? check(chainC.stsRequests === 1 && chainC.failed === 0) : NA });
    const rawC = c[`ours-raw/${order}`];
    row({ section: "Profile", metric: `  same, ${order}, a raw fromProfile() per client (no cache of ours)`, did: { ours: `${STS_CLIENTS} S3Clients, each its own raw fromProfile() (one attempt per call; each client's own SDK memoizer; identical concurrent requests sent once by our STS transport), through the client`, sdk: sdkDid }, ours: reqs(rawC), sdk: reqs(sdkC), ratio: oneOf(rawC, sdkC), target: "(context)" });
  }
  notes.push(`Profile: temp config + credentials files (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE) read by both sides; a loopback STS emulator (SigV4 verified, ExternalId checked) in the part's own process; cold = ${COLD_RUNS} fresh child processes per side, interleaved, timed from before the library's import to the first credential (node's start-up excluded), median, with the AssumeRole requests each run made; cached = tight awaited loops in one child, order rotated, median; raw = 300 calls of one raw provider in a fresh child per side; clients = a fresh child per scenario and order, counting the AssumeRoles that reached the emulator.${r.notes?.length ? ` Notes: ${r.notes.join("; ").slice(0, 200)}` : ""}`);
});

section("credential-process", "credential-process per run: warm/cold cache vs node -e 0 and the AWS CLI's own IMDS provider", async ({ row, runChild, part, fmt, ratio, check, ok, describe, QUICK }) => {
  const r = await runChild(part("credential-process.mjs"), { args: [QUICK ? "6" : "21"], timeoutMs: 600_000 });
  if (!ok(r)) {
    row({ section: "credential_process", metric: "credential-process wall time per run", did: { ours: describe(r), sdk: describe(r) }, ours: describe(r), sdk: NA, check: NA });
    return;
  }
  const fresh = "fresh process per run, IMDS on a loopback emulator";
  row({
    section: "credential_process",
    metric: "warm cache: wall time per run (vs `node -e 0`)",
    did: { ours: `node dist/cli/main.js credential-process, cache warm (${fresh}; median of ${r.rounds} interleaved rounds)`, sdk: "node -e 0 (the same rounds: the floor of any node program)" },
    ours: fmt.ms(r.warmMs), sdk: fmt.ms(r.nodeMs), ratio: fmt.x(r.warmOverNode), target: "≤ 1.3×", check: check(r.warmOverNode <= 1.3),
  });
  row({
    section: "credential_process",
    metric: "cold cache: wall time per run (vs the AWS CLI's IMDS provider)",
    did: { ours: `node dist/cli/main.js credential-process, cache cleared before each run (${fresh}: token, role, credentials)`, sdk: `/usr/bin/aws configure export-credentials --format process, no profile (its own IMDS provider, same emulator)` },
    ours: fmt.ms(r.coldMs), sdk: fmt.ms(r.awsImdsMs), ratio: fmt.x(ratio(r.coldMs, r.awsImdsMs)),
  });
  row({
    section: "credential_process",
    metric: "IMDS requests per 10 runs (credentials fetches)",
    did: { ours: "10 runs of credential-process from an empty cache", sdk: "10 runs of aws configure export-credentials (no profile: the CLI's IMDS provider; it keeps nothing between runs)" },
    ours: `${r.oursRequests.total} (${r.oursRequests.credentialFetches})`, sdk: `${r.awsRequests.total} (${r.awsRequests.credentialFetches})`,
    ratio: `1/${(r.awsRequests.total / r.oursRequests.total).toFixed(0)}`, target: "ours: 1 fetch", check: check(r.oursRequests.credentialFetches === 1),
  });
  row({
    section: "credential_process",
    metric: "10 AWS CLI commands, role with ExternalId → IMDS fetches, AssumeRoles",
    did: { ours: "10 × aws configure export-credentials --profile partner (credential_process = our binary --role-arn --external-id), empty cache first", sdk: "the same 10 commands with --no-cache added to the line (the AWS CLI keeps no credential_process result: each command runs the process)" },
    ours: `${r.throughAwsCli.credentialFetches} IMDS, ${r.throughAwsCli.assumeRoles} AssumeRole`, sdk: `${r.throughAwsCliUncached.credentialFetches} IMDS, ${r.throughAwsCliUncached.assumeRoles} AssumeRole`,
    target: "1 and 1", check: check(r.throughAwsCli.credentialFetches === 1 && r.throughAwsCli.assumeRoles === 1),
  });
});

// IAM Roles Anywhere natively vs a credential_process running (a stand-in for) aws_signing_helper ---

section("roles-anywhere", `IAM Roles Anywhere: cold, cached, ${STS_CLIENTS} clients (vs fromProcess running a stand-in for aws_signing_helper)`, async () => {
  const r = await runChild(part("roles-anywhere.mjs"), {
    args: ["all", String(COLD_RUNS), QUICK ? "100000" : "200000", QUICK ? "3" : "9", String(STS_CLIENTS)],
    env: cleanEnv(),
    timeoutMs: 900_000,
  });
  const cold = (k) => r.cold?.[k]?.ms;
  const rate = (k) => r.cached?.variants?.[k];
  const standIn = "fromProcess({ profile }) whose credential_process is a STAND-IN for aws_signing_helper (a /bin/sh printf of a fixed credential: no signing, no network — a lower bound of the real helper)";
  const files = "an EC P-256 leaf, its key and an intermediate in files; CreateSession to a loopback emulator verifying the X.509 signature and chain";
  const coldR = ratio(cold("ours"), cold("sdk-process"));
  row({ section: "Roles Anywhere", metric: "cold: fresh process, import + first credential", did: { ours: `memoize(fromRolesAnywhere({ certificate, privateKey, intermediates, ARNs, endpoint })) (${files}), raw call`, sdk: `${standIn}, raw call` }, ours: ok(r) ? fmtMs(cold("ours")) : describe(r), sdk: fmtMs(cold("sdk-process")), ratio: fmtX(coldR), target: "≤ 1× (vs a lower bound)", check: checkRatio(coldR, (x) => x <= 1) });
  row({ section: "Roles Anywhere", metric: "  same, a profile whose credential_process is aws_signing_helper (done natively)", did: { ours: "memoize(fromProfile({ profile })): credential_process = aws_signing_helper credential-process --certificate … (ours signs and calls CreateSession itself; nothing spawned)", sdk: `${standIn}, raw call` }, ours: fmtMs(cold("ours-profile")), sdk: fmtMs(cold("sdk-process")), ratio: fmtX(ratio(cold("ours-profile"), cold("sdk-process"))), target: "(context)" });
  const last = (k) => r.cold?.[k]?.last;
  const work = (k) => (last(k) === undefined ? NA : `${last(k).sessions} CreateSession, ${last(k).helperRuns} spawned`);
  row({ section: "Roles Anywhere", metric: "  per cold run: CreateSession requests, processes spawned", did: { ours: "memoize(fromRolesAnywhere()) / memoize(fromProfile()) of the aws_signing_helper line", sdk: "fromProcess() of the stand-in (the real helper would also make the CreateSession)" }, ours: `${work("ours")}; profile: ${work("ours-profile")}`, sdk: work("sdk-process"), target: "ours: 1, 0", check: last("ours") === undefined ? NA : check(last("ours").sessions === 1 && last("ours").helperRuns === 0 && last("ours-profile")?.helperRuns === 0) });
  const cachedR = ratio(rate("oursRaw"), rate("sdkClient"));
  row({ section: "Roles Anywhere", metric: "cached calls/s", did: { ours: "one memoize(fromRolesAnywhere()), raw call", sdk: "S3Client({ credentials: fromProcess() of the stand-in }).config.credentials() (its raw provider does not cache)" }, ours: fmtRate(rate("oursRaw")), sdk: fmtRate(rate("sdkClient")), ratio: fmtX(cachedR), target: "≥ 2×", check: checkRatio(cachedR, (x) => x >= 2) });
  row({ section: "Roles Anywhere", metric: "  cached calls/s, the aws_signing_helper profile done natively", did: { ours: "one memoize(fromProfile({ profile })), raw call", sdk: "S3Client({ credentials: fromProcess() }).config.credentials()" }, ours: fmtRate(rate("oursProfile")), sdk: fmtRate(rate("sdkClient")), ratio: fmtX(ratio(rate("oursProfile"), rate("sdkClient"))), target: "(context)" });
  row({ section: "Roles Anywhere", metric: "  cached calls/s, both through S3Client's wrapper", did: { ours: "S3Client({ credentials: memoize(fromRolesAnywhere()) }).config.credentials()", sdk: "S3Client({ credentials: fromProcess() }).config.credentials()" }, ours: fmtRate(rate("oursClient")), sdk: fmtRate(rate("sdkClient")), ratio: fmtX(ratio(rate("oursClient"), rate("sdkClient"))), target: "(context)" });
  row({ section: "Roles Anywhere", metric: "  the SDK's raw fromProcess(): every call spawns the program", did: { ours: "one memoize(fromRolesAnywhere()), raw call", sdk: "one fromProcess() of the stand-in, raw call (100 calls)" }, ours: fmtRate(rate("oursRaw")), sdk: isNum(r.cached?.sdkRaw) ? `${r.cached.sdkRaw.toFixed(0)} /s` : NA, target: "(context)" });
  const c = r.clients ?? {};
  const clients = (k) => (ok(c[k]) ? `${c[k].sessions} CreateSession, ${c[k].helperRuns} spawned${c[k].failed ? ` (${c[k].failed} failed: ${String(c[k].firstError).slice(0, 60)})` : ""}` : describe(c[k]));
  row({ section: "Roles Anywhere", metric: `${STS_CLIENTS} S3 clients, first call each → CreateSession / processes`, did: { ours: `${STS_CLIENTS} S3Clients, each its own memoize(fromRolesAnywhere()) (our process-wide cache is shared), through the client`, sdk: `${STS_CLIENTS} S3Clients, each its own fromProcess() of the stand-in, through the client` }, ours: clients("ours"), sdk: clients("sdk-process"), target: "ours: 1, 0", check: ok(c.ours) ? check(c.ours.sessions === 1 && c.ours.helperRuns === 0 && c.ours.failed === 0) : NA });
  row({ section: "Roles Anywhere", metric: `  same, ${STS_CLIENTS} clients on the aws_signing_helper profile`, did: { ours: `${STS_CLIENTS} S3Clients, each its own memoize(fromProfile({ profile })), through the client`, sdk: `${STS_CLIENTS} S3Clients, each its own fromProcess() of the stand-in` }, ours: clients("ours-profile"), sdk: clients("sdk-process"), target: "ours: 1, 0", check: ok(c["ours-profile"]) ? check(c["ours-profile"].sessions === 1 && c["ours-profile"].helperRuns === 0) : NA });
  notes.push(`Roles Anywhere: a throwaway PKI (createTestCertificates, ${r.keyType ?? "EC"} leaf through an intermediate) in files; a loopback Roles Anywhere emulator (X.509 SigV4 and chain verified) in the part's own process; the "today" side is the SDK's fromProcess running a /bin/sh STAND-IN for aws_signing_helper (which cannot be installed here) that prints a fixed credential — no Go start-up, no signing, no HTTPS: a lower bound of the real helper's cost; cold = ${COLD_RUNS} fresh child processes per side, interleaved, timed from before the library's import to the first credential (node's start-up excluded), median; cached = tight awaited loops in one child, order rotated, median.${r.notes?.length ? ` Notes: ${r.notes.join("; ").slice(0, 200)}` : ""}`);
});

// Other parts register here (keep the order: it is the table's order).

// ---------------------------------------------------------------------------------------------
// Run

if (argv.includes("--list")) {
  for (const s of sections) console.log(`${s.name.padEnd(16)} ${s.title}`);
  process.exit(0);
}
if (ONLY !== undefined) {
  const unknown = [...ONLY].filter((name) => !sections.some((s) => s.name === name));
  if (unknown.length > 0) {
    console.error(`unknown section(s): ${unknown.join(", ")}; known: ${sections.map((s) => s.name).join(", ")}`);
    process.exit(2);
  }
}
const chosen = sections.filter((s) => ONLY === undefined || ONLY.has(s.name));
for (const [i, s] of chosen.entries()) {
  progress(`${i + 1}/${chosen.length} ${s.name}: ${s.title}`);
  try {
    await s.run(ctx);
  } catch (error) {
    row({ section: s.name, metric: `section failed: ${String(error?.message ?? error).slice(0, 80)}`, did: { ours: NA, sdk: NA }, ours: NA, sdk: NA, check: NA });
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const header = ["Section", "Metric", "ours did", "SDK did", "ours", "SDK", "ours/SDK", "target", "check"];
const cells = (r) => [r.section, r.metric, r.oursDid, r.sdkDid, r.ours, r.sdk, r.ratio, r.target, r.check];
const esc = (c) => String(c).replaceAll("|", "\\|");
const mdRow = (c) => `| ${c.map(esc).join(" | ")} |`;
const table = [mdRow(header), `|${header.map(() => " --- ").join("|")}|`, ...rows.map((r) => mdRow(cells(r)))].join("\n");

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
const unlabelled = rows.filter((r) => !r.labelled).length;
const totalS = (msSince(started) / 1000).toFixed(1);

notes.push(
  `Every row says what each side ran ("ours did", "SDK did"): the options (defaults on both sides unless said), whether the calls went to one shared provider or to distinct ones, and whether the provider was called raw or through an S3Client's credential wrapper.`,
  `Absolute numbers move with load on this shared 2-core machine; compare the ratios, which are taken within one run.`,
  `Nothing left loopback: IMDS was always an emulator, a closed loopback port or a silent loopback server (AWS_EC2_METADATA_SERVICE_ENDPOINT); AWS_CONFIG_FILE/AWS_SHARED_CREDENTIALS_FILE pointed at nothing, except in the profile, first-call and credential-process sections (temporary files they write).`,
);

const report = [
  `# env-or-profile bench`,
  "",
  `- date: ${new Date().toISOString()}`,
  `- node: ${process.version}; @aws-sdk/credential-providers ${sdkVersion}; env-or-profile at ${gitRev}`,
  `- machine: ${machine}`,
  `- sections: ${chosen.map((s) => s.name).join(", ")}`,
  `- bench wall time: ${totalS} s; checks: ${passCount} PASS, ${failCount} FAIL, ${naCount} n/a${unlabelled ? `; ${unlabelled} UNLABELLED rows` : ""}`,
  "",
  table,
  "",
  ...(extraText.length ? ["```", extraText.join("\n\n"), "```", ""] : []),
  "Method:",
  ...notes.map((n) => `- ${n}`),
  "",
].join("\n");

process.stdout.write(`\n${report}`);
if (WRITE) {
  writeFileSync(join(BENCH_DIR, "RESULTS.md"), report);
  progress("done; wrote bench/RESULTS.md");
} else {
  progress(ONLY === undefined ? "done (BENCH_NO_WRITE: RESULTS.md not written)" : "done (--only: RESULTS.md not written)");
}
