// One face for the IMDS emulator (env-or-profile/testing startImdsEmulator): endpoint, request
// counts by kind, reset, close. Returns undefined while the emulator is not built yet.
//
// BENCH_DEV_STUB=1 substitutes a minimal in-bench IMDS (for developing the bench before the
// emulator lands); results produced with it say so.
import { createServer } from "node:http";
import { OURS } from "./lib.mjs";

const TOKEN_PATH = "/latest/api/token";
const CREDS_PREFIX = "/latest/meta-data/iam/security-credentials/";

/** Sorts a request path into token / role list / credentials / other. */
export function kindOf(method, path) {
  if (path.startsWith(TOKEN_PATH)) return "token";
  if (path === CREDS_PREFIX || path === CREDS_PREFIX.slice(0, -1)) return "roleList";
  if (path.startsWith(CREDS_PREFIX)) return "creds";
  return "other";
}

function countsFromEmulator(emulator) {
  // Known shapes, newest first: a per-path count map/object, or a request log.
  const c = { token: 0, roleList: 0, creds: 0, other: 0 };
  const byPathRecord = emulator.requests;
  if (byPathRecord && typeof byPathRecord === "object" && !Array.isArray(byPathRecord)) {
    for (const [path, n] of Object.entries(byPathRecord)) c[kindOf("GET", path)] += Number(n) || 0;
    return c;
  }
  const log = emulator.log ?? emulator.requestLog;
  if (Array.isArray(log)) {
    for (const r of log) c[kindOf(r.method ?? "GET", r.path ?? r.url ?? "")] += 1;
    return c;
  }
  const byPath = emulator.counts ?? emulator.requestCounts ?? emulator.callsByPath;
  const entries = byPath instanceof Map ? [...byPath] : byPath && typeof byPath === "object" ? Object.entries(byPath) : undefined;
  if (entries) {
    for (const [path, n] of entries) c[kindOf("GET", path)] += Number(n) || 0;
    return c;
  }
  throw new Error("IMDS emulator exposes no request counts the bench understands");
}

export async function imdsAdapter(options = {}) {
  try {
    return await startAdapter(options);
  } catch (error) {
    process.stderr.write(`bench: IMDS emulator unusable: ${error?.message ?? error}\n`);
    return undefined;
  }
}

async function startAdapter(options) {
  const start = await OURS.startImdsEmulator();
  if (start) {
    const emulator = await start.fn(options);
    let base = countsFromEmulator(emulator);
    return {
      stub: false,
      endpoint: emulator.endpoint,
      counts() {
        const now = countsFromEmulator(emulator);
        return { token: now.token - base.token, roleList: now.roleList - base.roleList, creds: now.creds - base.creds, other: now.other - base.other };
      },
      reset() {
        base = countsFromEmulator(emulator);
      },
      close: () => emulator.close(),
    };
  }
  if (process.env.BENCH_DEV_STUB === "1") return startStub();
  return undefined;
}

async function startStub() {
  let counts = { token: 0, roleList: 0, creds: 0, other: 0 };
  const server = createServer((req, res) => {
    const kind = kindOf(req.method, req.url);
    counts[kind] += 1;
    req.resume();
    if (kind === "token") {
      res.writeHead(200, { "x-aws-ec2-metadata-token-ttl-seconds": "21600", "content-type": "text/plain" });
      res.end("stub-token");
    } else if (kind === "roleList") {
      res.end("bench-role");
    } else if (kind === "creds") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          Code: "Success",
          LastUpdated: new Date().toISOString(),
          Type: "AWS-HMAC",
          AccessKeyId: "ASIAIOSFODNN7EXAMPLE",
          SecretAccessKey: "stub-secret",
          Token: "stub-session-token",
          Expiration: new Date(Date.now() + 6 * 3600_000).toISOString().replace(/\.\d{3}/, ""),
        }),
      );
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    stub: true,
    endpoint: `http://127.0.0.1:${server.address().port}`,
    counts: () => ({ ...counts }),
    reset() {
      counts = { token: 0, roleList: 0, creds: 0, other: 0 };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
