// Shared helpers for the bench: timing, child processes, loopback servers, and loading our
// package's pieces while others are still landing ("n/a (not built yet)" rather than a crash).
import { spawn } from "node:child_process";
import { writeSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createNetServer } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = dirname(BENCH_DIR);

export const NA = "n/a (not built yet)";

export function median(values) {
  const sorted = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const nowNs = () => process.hrtime.bigint();
export const msSince = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

/**
 * Loads an export of our package: the public specifier first ("env-or-profile",
 * "env-or-profile/testing"), then — while a module has landed in dist/ but is not exported yet —
 * its dist file. Returns `undefined` when it is not there.
 */
export async function loadOurs(name, { publicSpec, distFile }) {
  try {
    const mod = await import(publicSpec);
    if (typeof mod[name] === "function") return { fn: mod[name], via: publicSpec };
  } catch {
    // fall through to the dist file
  }
  if (distFile !== undefined) {
    try {
      const mod = await import(pathToFileURL(join(ROOT, "dist", distFile)).href);
      if (typeof mod[name] === "function") return { fn: mod[name], via: `dist/${distFile}` };
    } catch {
      // not built yet
    }
  }
  return undefined;
}

export const OURS = {
  envOrProfile: () => loadOurs("envOrProfile", { publicSpec: "env-or-profile", distFile: "env-or-profile.js" }),
  memoize: () => loadOurs("memoize", { publicSpec: "env-or-profile", distFile: "memoize.js" }),
  fromImds: () => loadOurs("fromImds", { publicSpec: "env-or-profile", distFile: "providers/imds/from-imds.js" }),
  fromAssumeRole: () => loadOurs("fromAssumeRole", { publicSpec: "env-or-profile", distFile: "providers/assume-role.js" }),
  manualClock: () => loadOurs("manualClock", { publicSpec: "env-or-profile/testing", distFile: "testing/manual-clock.js" }),
  startImdsEmulator: () => loadOurs("startImdsEmulator", { publicSpec: "env-or-profile/testing", distFile: "testing/imds-emulator.js" }),
  resetSharedState: () => loadOurs("resetSharedState", { publicSpec: "env-or-profile/testing" }),
  startStsEmulator: () => loadOurs("startStsEmulator", { publicSpec: "env-or-profile/testing", distFile: "testing/sts-emulator.js" }),
};

/**
 * An environment with no AWS credentials or configuration from the host, so nothing but what a
 * part sets up is found: no env keys, no ~/.aws files, no container endpoint, and IMDS pointed at
 * `imdsEndpoint` (default: a closed loopback port) — never at 169.254.169.254.
 */
export function cleanEnv(extra = {}, imdsEndpoint = "http://127.0.0.1:9") {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("AWS_")) env[key] = value;
  }
  Object.assign(env, {
    AWS_CONFIG_FILE: "/nonexistent/env-or-profile-bench/config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/env-or-profile-bench/credentials",
    AWS_EC2_METADATA_SERVICE_ENDPOINT: imdsEndpoint,
    AWS_REGION: "us-east-1",
    NO_PROXY: "*",
  });
  delete env.HTTP_PROXY;
  delete env.HTTPS_PROXY;
  delete env.http_proxy;
  delete env.https_proxy;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export const BENCH_ENV_CREDS = {
  AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

/**
 * Runs `node <script> ...args` with `env`; resolves to the JSON printed on its last stdout line,
 * or `{ error }` when it fails or takes longer than `timeoutMs`.
 */
export function runChild(script, { args = [], env = process.env, timeoutMs = 60_000, nodeArgs = [] } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").pop() ?? "";
      try {
        const parsed = JSON.parse(last);
        if (code !== 0 && parsed.error === undefined) parsed.error = `exit ${code}`;
        resolve(parsed);
      } catch {
        resolve({ error: signal ? `killed (${signal}, over ${timeoutMs} ms)` : `exit ${code}: ${(err || out).trim().split("\n").slice(-3).join(" | ")}` });
      }
    });
  });
}

/** Wall time of one `node <args>` process, in ms, and its stdout. */
export function timeProcess(args, { env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = nowNs();
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => {
      const ms = msSince(t0);
      if (code === 0) resolve({ ms, stdout });
      else reject(new Error(`node ${args.join(" ")} exited ${code}: ${err.trim().split("\n").slice(-2).join(" | ")}`));
    });
  });
}

/** A loopback port nothing listens on (bound, then closed). */
export async function closedPort() {
  const server = createNetServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A loopback TCP server that accepts connections and never answers. */
export async function startSilentServer() {
  const sockets = new Set();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A loopback "S3" that answers every request 200 with an empty ListBuckets result and counts the
 * requests and the access key ids they were signed with.
 */
export async function startS3Capture() {
  const keys = new Map();
  let requests = 0;
  const server = createHttpServer((req, res) => {
    requests += 1;
    const match = /Credential=([^/]+)\//.exec(req.headers.authorization ?? "");
    const key = match?.[1] ?? "(unsigned)";
    keys.set(key, (keys.get(key) ?? 0) + 1);
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/xml" });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>bench</ID><DisplayName>bench</DisplayName></Owner><Buckets></Buckets></ListAllMyBucketsResult>',
      );
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    get requests() {
      return requests;
    },
    get distinctKeys() {
      return keys.size;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Prints `value` as the one JSON line a parent reads, then exits (a child part's end). */
export function finish(value) {
  // writeSync: a pipe's stdout is asynchronous in Node, and process.exit() would cut a large
  // answer (the fleet's refresh times) at the pipe's buffer size.
  writeSync(1, `${JSON.stringify(value)}\n`);
  process.exit(0);
}

/** A small seeded PRNG (mulberry32), so fleet runs are reproducible. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
