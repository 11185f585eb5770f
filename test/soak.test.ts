/*
 * Soak: a million cached calls with a flat heap; ten thousand distinct assumed roles held within
 * the cache's bound; and idle providers that never keep a process alive — checked in real child
 * processes running the built package, which must exit on their own once their work is done.
 *
 * The ten thousand roles go through the real `envOrProfile({ assumeRole })` (validation, keying,
 * the shared caches' LRU bound, the signing-identity plumbing), with only the SDK's STS client
 * replaced by an instant fake: through the real SDK each AssumeRole costs ~2 ms of CPU, 20 s in all.
 * Real STS round trips are covered by the fault matrix and the AssumeRole tests.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { AwsCredentialIdentity } from "@smithy/types";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { envOrProfile } from "../src/env-or-profile.js";
import { MAX_SHARED_CACHES, sharedCacheCount } from "../src/sharing/shared-caches.js";
import { resetSharedState } from "../src/sharing/process-state.js";
import { startImdsEmulator } from "../src/testing/imds-emulator.js";
import { manualClock } from "../src/testing/manual-clock.js";
import { startStsEmulator } from "../src/testing/sts-emulator.js";
import { rawServer } from "./helpers/leak-check.js";
import { closedPortEndpoint } from "./providers/imds/helpers.js";
import { ensureBuilt, ROOT } from "./setup/build-dist.js";

const fakeSts = vi.hoisted(() => ({ calls: 0, signedWith: new Set<string>() }));

// The STS client (as the transport loads it: through its CommonJS shim), replaced: 10,000
// AssumeRoles without 10,000 HTTP round trips. It records the identity each request would be signed
// with (the client's `credentials`).
vi.mock("../src/providers/sts/client-sts.cjs", () => {
  class AssumeRoleCommand {
    constructor(readonly input: { RoleArn: string }) {}
  }
  class STSClient {
    readonly #credentials: AwsCredentialIdentity;
    constructor(config: { credentials: AwsCredentialIdentity }) {
      this.#credentials = config.credentials;
    }
    async send(command: AssumeRoleCommand): Promise<unknown> {
      fakeSts.calls += 1;
      fakeSts.signedWith.add(this.#credentials.accessKeyId);
      return {
        Credentials: {
          AccessKeyId: `ASIA${String(fakeSts.calls).padStart(12, "0")}`,
          SecretAccessKey: `assumed-secret-${command.input.RoleArn}`,
          SessionToken: `assumed-token-${fakeSts.calls}`,
          Expiration: new Date(Date.UTC(2026, 0, 1, 1)),
        },
      };
    }
    destroy(): void {}
  }
  const sdk = { STSClient, AssumeRoleCommand };
  return { ...sdk, default: sdk };
});

const MINUTE = 60_000;
const MB = 1024 * 1024;

/** `global.gc`, made available without `--expose-gc` on the command line. */
const gc: () => void = (() => {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe("soak", () => {
  it("serves 1,000,000 cached calls with a flat heap", async () => {
    resetSharedState();
    const clock = manualClock();
    const imds = await startImdsEmulator({ clock });
    try {
      const credentials = envOrProfile({ env: { env: {} }, imds: { endpoint: imds.endpoint, env: {} }, clock });
      const first = await credentials();
      for (let i = 0; i < 100_000; i += 1) await credentials(); // warm up: JIT, inline caches
      const before = heapAfterGc();
      let same = 0;
      for (let i = 0; i < 1_000_000; i += 1) {
        if ((await credentials()) === first) same += 1;
        if (i % 100_000 === 0) clock.advance(MINUTE); // time moves, still well before the refresh window
      }
      const grown = heapAfterGc() - before;
      expect(same).toBe(1_000_000);
      expect(imds.count(`/latest/meta-data/iam/security-credentials/${imds.roleName ?? ""}`)).toBe(1);
      expect(grown).toBeLessThan(2 * MB);
    } finally {
      await imds.close();
      resetSharedState();
    }
  });

  it("keeps 10,000 distinct assumed roles within the shared caches' bound, with a bounded heap", async () => {
    resetSharedState();
    const clock = manualClock(Date.UTC(2026, 0, 1, 0));
    const base = { accessKeyId: "AKIASOAKBASE00000001", secretAccessKey: "soak-base-secret" };
    const source = async (): Promise<AwsCredentialIdentity> => base;
    const roleArn = (i: number): string => `arn:aws:iam::123456789012:role/tenant-${i}`;
    const assume = (i: number) =>
      envOrProfile({ env: false, profile: false, webIdentity: false, container: false, imds: false, clock, assumeRole: { roleArn: roleArn(i), externalId: `tenant-${i}-xid`, endpoint: "http://127.0.0.1:1", source } });

    for (let i = 0; i < 500; i += 1) await assume(i)(); // warm up
    const before = heapAfterGc();
    let largest = 0;
    for (let i = 500; i < 10_000; i += 1) {
      await assume(i)();
      largest = Math.max(largest, sharedCacheCount());
    }
    const grown = heapAfterGc() - before;

    expect(fakeSts.calls).toBe(10_000);
    expect(largest).toBe(MAX_SHARED_CACHES);
    expect(fakeSts.signedWith).toEqual(new Set([base.accessKeyId]));
    expect(grown).toBeLessThan(5 * MB);
    // The most recent roles are still shared; the oldest were evicted and cost a new AssumeRole.
    await assume(9_999)();
    expect(fakeSts.calls).toBe(10_000);
    await assume(0)();
    expect(fakeSts.calls).toBe(10_001);
  });
});

/*
 * Each child imports the built package (dist/), does its work, and then has nothing left to do: it
 * must exit on its own. It reports how long it stayed alive after its last statement; a timer or
 * socket that holds the event loop would keep it running until the parent kills it.
 */
describe("an idle provider keeps no process alive", () => {
  const IDLE_LIMIT_MS = 2_000;
  const KILL_AFTER_MS = 10_000;
  const closers: (() => Promise<void>)[] = [];
  let dist: string;
  let testing: string;

  beforeAll(async () => {
    await ensureBuilt();
    dist = pathToFileURL(join(ROOT, "dist", "index.js")).href;
    testing = pathToFileURL(join(ROOT, "dist", "testing", "index.js")).href;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  /** Runs `body` (ESM, top-level await) in a child; resolves with its exit code, output and idle time. */
  function runChild(body: string): Promise<{ code: number | null; output: string; idleMs: number | undefined; killed: boolean }> {
    const script = `
import { writeSync } from "node:fs";
import { envOrProfile } from ${JSON.stringify(dist)};
import { manualClock, startImdsEmulator } from ${JSON.stringify(testing)};
const results = [];
${body}
const idleFrom = performance.now();
process.on("exit", () => writeSync(1, "\\nRESULT " + JSON.stringify({ idleMs: performance.now() - idleFrom, results }) + "\\n"));
`;
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ["--no-warnings", "--input-type=module", "-e", script], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        child.kill("SIGKILL");
      }, KILL_AFTER_MS);
      child.on("close", (code) => {
        clearTimeout(timer);
        const line = /RESULT (.*)/.exec(output)?.[1];
        const idleMs = line === undefined ? undefined : (JSON.parse(line) as { idleMs: number }).idleMs;
        resolve({ code, output, idleMs, killed });
      });
    });
  }

  async function expectExitsOnItsOwn(body: string): Promise<string> {
    await ensureBuilt();
    let outcome = await runChild(body);
    if (outcome.output.includes("ERR_MODULE_NOT_FOUND")) {
      // dist/ is wiped and rebuilt by `npm run build`; another run may have been rebuilding it.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await ensureBuilt();
      outcome = await runChild(body);
    }
    const { code, output, idleMs, killed } = outcome;
    expect(killed, `the child was still running after ${KILL_AFTER_MS} ms:\n${output}`).toBe(false);
    expect(code, output).toBe(0);
    expect(idleMs).toBeDefined();
    expect(idleMs!).toBeLessThan(IDLE_LIMIT_MS);
    return output;
  }

  const ENV = `{ AWS_ACCESS_KEY_ID: "AKIAIDLECHILD0000001", AWS_SECRET_ACCESS_KEY: "idle-child-secret" }`;

  it("after resolving from the environment, with IMDS at a closed port", async () => {
    const closed = await closedPortEndpoint();
    await expectExitsOnItsOwn(`
const credentials = envOrProfile({ env: { env: ${ENV} }, imds: { endpoint: "${closed}", env: {} } });
results.push((await credentials()).accessKeyId);
`);
  });

  it("after an IMDS failure: connection refused, then the chain exhausted", async () => {
    const closed = await closedPortEndpoint();
    const output = await expectExitsOnItsOwn(`
const credentials = envOrProfile({ env: { env: {} }, imds: { endpoint: "${closed}", env: {} } });
results.push(await credentials().catch((error) => error.code));
results.push(await credentials().catch((error) => error.code)); // inside the cool-down
`);
    expect(output).toContain('"results":["CHAIN_EXHAUSTED","CHAIN_EXHAUSTED"]');
  });

  it("after an IMDS that never answers", async () => {
    const silent = await rawServer(() => undefined);
    closers.push(() => silent.close());
    const output = await expectExitsOnItsOwn(`
const credentials = envOrProfile({ env: { env: {} }, imds: { endpoint: "${silent.endpoint}", env: {}, timeoutMs: 200 }, retry: { retries: 0 } });
results.push(await credentials().catch((error) => error.code));
`);
    expect(output).toContain('"results":["CHAIN_EXHAUSTED"]');
  });

  it("after a successful IMDS resolution over pooled keep-alive connections", async () => {
    resetSharedState();
    const imds = await startImdsEmulator();
    closers.push(() => imds.close());
    const output = await expectExitsOnItsOwn(`
const credentials = envOrProfile({ env: { env: {} }, imds: { endpoint: "${imds.endpoint}", env: {} } });
results.push((await credentials()).accessKeyId);
results.push((await credentials({ forceRefresh: true })).accessKeyId);
`);
    expect(output).toContain(imds.current.accessKeyId);
  });

  it("after a background refresh, and after one that failed", async () => {
    const output = await expectExitsOnItsOwn(`
const clock = manualClock();
const imds = await startImdsEmulator({ clock });
const role = "/latest/meta-data/iam/security-credentials/" + imds.roleName;
const credentials = envOrProfile({ env: { env: {} }, imds: { endpoint: imds.endpoint, env: {} }, clock, random: () => 0.9 });
const first = await credentials();
clock.set(first.expiration.getTime() - 7 * 60_000); // inside the jitter band (E − 9.5 min to E − 5 min): background refresh
await credentials();
while (imds.count(role) < 2) await new Promise((resolve) => setTimeout(resolve, 5));
const second = await credentials();
imds.fail(role, 500);
clock.set(second.expiration.getTime() - 7 * 60_000);
await credentials(); // a background refresh that fails
while (imds.count(role) < 3) await new Promise((resolve) => setTimeout(resolve, 5));
await new Promise((resolve) => setTimeout(resolve, 20));
results.push(imds.count(role));
await imds.close();
`);
    expect(output).toContain('"results":[3]');
  });

  it("after an AssumeRole through the AWS SDK's STS client", async () => {
    const base = { accessKeyId: "AKIAIDLECHILD0000001", secretAccessKey: "idle-child-secret" };
    const sts = await startStsEmulator({ baseCredentials: [base] });
    closers.push(() => sts.close());
    await expectExitsOnItsOwn(`
const credentials = envOrProfile({
  env: { env: ${ENV} },
  imds: false,
  assumeRole: { roleArn: "arn:aws:iam::123456789012:role/idle", endpoint: "${sts.endpoint}", region: "us-east-1" },
});
results.push((await credentials()).accessKeyId);
`);
    expect(sts.calls).toBe(1);
  });
});
