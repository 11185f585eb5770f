// Part: IAM Roles Anywhere — ours (fromRolesAnywhere natively; and a profile whose credential_process
// is `aws_signing_helper credential-process …`, which ours does natively) vs what users do today: a
// profile whose credential_process runs aws_signing_helper, read by the SDK's fromProcess().
//
// AWS's aws_signing_helper (a Go binary) cannot be installed here, so the "today" side runs a
// STAND-IN: a /bin/sh script that prints a fixed credential_process JSON and counts its runs. It
// does no signing and no network request, so it is a LOWER BOUND of the helper's cost (the real one
// also starts a Go runtime, reads and parses the certificate and key, signs, and makes an HTTPS
// CreateSession to AWS). Ours makes a real, X.509-signed CreateSession to a loopback emulator that
// verifies the signature and the chain.
//   node roles-anywhere.mjs all <coldRuns> <cachedN> <cachedRounds> <clients>
//       makes a throwaway PKI, starts the emulator and writes the files here, then runs each
//       scenario in a fresh child process.
//   node roles-anywhere.mjs cold <impl>            import + first credential in this fresh process
//   node roles-anywhere.mjs cached <n> <rounds>    cached calls/s in this process
//   node roles-anywhere.mjs clients <impl> <n>     n providers (one per client), first call each
// The children read BENCH_RA_OPTIONS (JSON: files, ARNs, endpoint), AWS_CONFIG_FILE (ours),
// BENCH_RA_SDK_CONFIG (the SDK's) and BENCH_RA_RUNS (the stand-in's run count).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cleanEnv, finish, loadOurs, median, msSince, nowNs, OURS, runChild } from "../lib.mjs";

const [mode = "all", ...args] = process.argv.slice(2);
const TRUST_ANCHOR_ARN = "arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/0b7e1a5c-2f6d-4e8a-9c3b-1d2e3f4a5b6c";
const PROFILE_ARN = "arn:aws:rolesanywhere:eu-west-1:123456789012:profile/6f4943fb-13d4-4242-89c4-be367595c380";
const ROLE_ARN = "arn:aws:iam::123456789012:role/bench-roles-anywhere";
const SELF = fileURLToPath(import.meta.url);
const env = process.env;
/** Ours natively (`fromRolesAnywhere`), ours through a profile running aws_signing_helper natively, and the SDK running the stand-in. */
const IMPLS = ["ours", "ours-profile", "sdk-process"];

const options = () => JSON.parse(env.BENCH_RA_OPTIONS ?? "{}");
/** How many times the stand-in ran (it writes a line per run to `path`). */
const countRuns = (path) => {
  try {
    return readFileSync(path, "utf8").split("\n").filter(Boolean).length;
  } catch {
    return 0;
  }
};

/** A provider of `impl`, as an app makes one (ours memoized, as users wrap it; the SDK's raw fromProcess). */
async function makeProvider(impl) {
  if (impl === "ours") {
    const [fromRolesAnywhere, memoize] = [(await loadOurs("fromRolesAnywhere", { publicSpec: "env-or-profile" }))?.fn, (await OURS.memoize())?.fn];
    if (typeof fromRolesAnywhere !== "function") finish({ na: true, why: "fromRolesAnywhere" });
    return memoize(fromRolesAnywhere(options()));
  }
  if (impl === "ours-profile") {
    const [fromProfile, memoize] = [(await loadOurs("fromProfile", { publicSpec: "env-or-profile" }))?.fn, (await OURS.memoize())?.fn];
    return memoize(fromProfile({ profile: "onprem-helper" }));
  }
  const { fromProcess } = await import("@aws-sdk/credential-providers");
  return fromProcess({ profile: "onprem-helper", configFilepath: env.BENCH_RA_SDK_CONFIG });
}

if (mode === "cold") {
  const impl = args[0] ?? "ours";
  const t0 = nowNs();
  const credential = await (await makeProvider(impl))();
  const ms = msSince(t0);
  if (!credential?.accessKeyId) finish({ error: "no credential" });
  finish({ ms });
}

if (mode === "cached") {
  const n = Number(args[0] ?? 200_000);
  const rounds = Number(args[1] ?? 9);
  const AsyncFunction = (async () => {}).constructor;
  const makeLoop = (tag) =>
    new AsyncFunction("f", "n", `/* ${tag} */ const t0 = process.hrtime.bigint(); for (let i = 0; i < n; i++) { await f(); } return Number(process.hrtime.bigint() - t0);`);
  const { S3Client } = await import("@aws-sdk/client-s3");
  const viaClient = (credentials) => new S3Client({ region: "eu-west-1", credentials }).config.credentials;
  const variants = [];
  const add = async (key, provider) => {
    await provider();
    variants.push({ key, provider, loop: makeLoop(key), samples: [] });
  };
  await add("oursRaw", await makeProvider("ours"));
  await add("oursProfile", await makeProvider("ours-profile"));
  await add("oursClient", viaClient(await makeProvider("ours")));
  await add("sdkClient", viaClient(await makeProvider("sdk-process")));
  for (let r = 0; r < 3; r++) for (const v of variants) await v.loop(v.provider, Math.min(n, 50_000));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < variants.length; i++) {
      const v = variants[(i + r) % variants.length];
      v.samples.push((n / (await v.loop(v.provider, n))) * 1e9);
    }
  }
  // The SDK's raw fromProcess() keeps nothing: every call runs the program.
  const raw = await makeProvider("sdk-process");
  const rawN = 100;
  const tRaw = nowNs();
  for (let i = 0; i < rawN; i++) await raw();
  const sdkRaw = (rawN / msSince(tRaw)) * 1000;
  finish({ n, rounds, sdkRaw, variants: Object.fromEntries(variants.map((v) => [v.key, median(v.samples)])) });
}

if (mode === "clients") {
  const impl = args[0] ?? "ours";
  const n = Number(args[1] ?? 50);
  const { S3Client } = await import("@aws-sdk/client-s3");
  const providers = [];
  for (let i = 0; i < n; i++) providers.push(new S3Client({ region: "eu-west-1", credentials: await makeProvider(impl) }).config.credentials);
  const outcomes = await Promise.allSettled(providers.map((provider) => provider()));
  const failed = outcomes.filter((o) => o.status === "rejected");
  finish({ n, failed: failed.length, firstError: failed[0] ? String(failed[0].reason?.message).slice(0, 200) : undefined });
}

// mode "all": the PKI, the emulator, the files and the stand-in live here; each scenario in a fresh child.
const [coldRunsText = "21", cachedNText = "200000", cachedRoundsText = "9", clientsText = "50"] = args;
const [createTestCertificates, startRolesAnywhereEmulator] = [
  (await loadOurs("createTestCertificates", { publicSpec: "env-or-profile/testing" }))?.fn,
  (await loadOurs("startRolesAnywhereEmulator", { publicSpec: "env-or-profile/testing" }))?.fn,
];
if (typeof createTestCertificates !== "function" || typeof startRolesAnywhereEmulator !== "function") finish({ na: true, why: "testing exports" });
const keyType = "ec-p256";
const pki = createTestCertificates({ keyType, intermediate: true });
const emulator = await startRolesAnywhereEmulator({
  trustAnchors: [{ arn: TRUST_ANCHOR_ARN, certificates: pki.caCertificate }],
  profiles: [{ arn: PROFILE_ARN, roleArns: [ROLE_ARN] }],
});
const dir = mkdtempSync(join(tmpdir(), "env-or-profile-bench-roles-anywhere-"));
const file = (name, text, mode) => {
  const path = join(dir, name);
  writeFileSync(path, text, mode === undefined ? undefined : { mode });
  return path;
};
const raOptions = {
  certificate: file("host.pem", pki.leaf.certificate),
  privateKey: file("host.key", pki.leaf.privateKey, 0o600),
  intermediates: file("chain.pem", pki.leaf.intermediates),
  trustAnchorArn: TRUST_ANCHOR_ARN,
  profileArn: PROFILE_ARN,
  roleArn: ROLE_ARN,
  endpoint: emulator.endpoint,
};
const runs = join(dir, "stand-in-runs");
const expiration = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
// The stand-in for aws_signing_helper: a fixed credential, and a line per run.
const standIn = file(
  "aws_signing_helper",
  `#!/bin/sh\necho run >> '${runs}'\nprintf '{"Version":1,"AccessKeyId":"ASIABENCHSTANDIN0001","SecretAccessKey":"stand-in-secret","SessionToken":"stand-in-token","Expiration":"${expiration}"}'\n`,
  0o755,
);
const helperFlags =
  `credential-process --certificate ${raOptions.certificate} --private-key ${raOptions.privateKey} --intermediates ${raOptions.intermediates} ` +
  `--trust-anchor-arn ${TRUST_ANCHOR_ARN} --profile-arn ${PROFILE_ARN} --role-arn ${ROLE_ARN} --endpoint ${emulator.endpoint}`;
// One profile name, two files: ours reads the line as the real aws_signing_helper line (done
// natively; the name is not on PATH, so nothing could be spawned); the SDK's fromProcess runs the
// stand-in with the same flags.
const oursConfig = file("config-ours", `[profile onprem-helper]\ncredential_process = aws_signing_helper ${helperFlags}\n`);
const sdkConfig = file("config-sdk", `[profile onprem-helper]\ncredential_process = ${standIn} ${helperFlags}\n`);
const childEnv = cleanEnv({
  BENCH_RA_OPTIONS: JSON.stringify(raOptions),
  BENCH_RA_RUNS: runs,
  BENCH_RA_SDK_CONFIG: sdkConfig,
  AWS_CONFIG_FILE: oursConfig,
  AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-credentials"),
  AWS_REGION: "eu-west-1",
});
const sessions = () => emulator.sessionCount;
const helperRuns = () => countRuns(runs);
const result = { keyType, cold: {}, cached: undefined, clients: {}, notes: [] };
try {
  const samples = Object.fromEntries(IMPLS.map((k) => [k, []]));
  const perRun = Object.fromEntries(IMPLS.map((k) => [k, []]));
  for (const impl of IMPLS) await runChild(SELF, { args: ["cold", impl], env: childEnv, timeoutMs: 30_000 }); // warm the file cache
  for (let i = 0; i < Number(coldRunsText); i++) {
    for (let j = 0; j < IMPLS.length; j++) {
      const impl = IMPLS[(i + j) % IMPLS.length];
      const [s0, h0] = [sessions(), helperRuns()];
      const r = await runChild(SELF, { args: ["cold", impl], env: childEnv, timeoutMs: 30_000 });
      samples[impl].push(r.error || r.na ? Number.NaN : r.ms);
      perRun[impl].push({ sessions: sessions() - s0, helperRuns: helperRuns() - h0 });
      if (r.error) result.notes.push(`cold ${impl}: ${r.error}`);
    }
  }
  for (const impl of IMPLS) result.cold[impl] = { ms: median(samples[impl]), runs: samples[impl].filter(Number.isFinite).length, last: perRun[impl].at(-1) };

  const [s0, h0] = [sessions(), helperRuns()];
  result.cached = await runChild(SELF, { args: ["cached", cachedNText, cachedRoundsText], env: childEnv, timeoutMs: 300_000 });
  result.cached.sessions = sessions() - s0;
  result.cached.helperRuns = helperRuns() - h0;

  for (const impl of IMPLS) {
    const [c0, r0] = [sessions(), helperRuns()];
    const r = await runChild(SELF, { args: ["clients", impl, clientsText], env: childEnv, timeoutMs: 120_000 });
    result.clients[impl] = { ...r, sessions: sessions() - c0, helperRuns: helperRuns() - r0 };
  }
} finally {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
}
finish(result);
