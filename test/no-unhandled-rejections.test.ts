/*
 * No unhandled rejections, anywhere. The suite's setup (test/setup/fail-on-unhandled-rejection.ts)
 * throws on any, which fails the run; these tests prove that setup is active and effective, and
 * then play the situations most likely to leave a rejected promise nobody listens to: background
 * refreshes that fail, callers that stop waiting, fetches joined by many and abandoned by all,
 * servers that vanish mid-request, a logger that throws — each under a local listener that must
 * stay empty.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { envOrProfile } from "../src/env-or-profile.js";
import { memoize } from "../src/memoize.js";
import { fromImds } from "../src/providers/imds/from-imds.js";
import { startImdsEmulator, type ImdsEmulator } from "../src/testing/imds-emulator.js";
import { manualClock, type ManualClock } from "../src/testing/manual-clock.js";
import { resetSharedState } from "../src/sharing/process-state.js";
import { startStsEmulator, type StsEmulator } from "../src/testing/sts-emulator.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const MINUTE = 60_000;
const ROLE_LIST = "/latest/meta-data/iam/security-credentials/";
const ROLE_ARN = "arn:aws:iam::123456789012:role/no-unhandled";
const BASE = { accessKeyId: "AKIAUNHANDLED0000001", secretAccessKey: "unhandled-base-secret" };
const ENV_BASE = { AWS_ACCESS_KEY_ID: BASE.accessKeyId, AWS_SECRET_ACCESS_KEY: BASE.secretAccessKey };
const QUICK = { retry: { retries: 1, minTimeout: 1, maxTimeout: 2 } };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Lets pending rejections be reported: Node emits `unhandledRejection` after the microtask queue drains. */
const settle = async (ms = 50): Promise<void> => {
  await sleep(ms);
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
};
/** Waits for `promise` at most `ms`, then stops caring about it (an abandoned call). */
const abandonAfter = (ms: number, promise: Promise<unknown>): Promise<unknown> =>
  Promise.race([promise, sleep(ms)]).catch(() => undefined);

describe("the unhandled-rejection guard", () => {
  it("is installed for every test file by the suite's setup", () => {
    expect(process.listenerCount("unhandledRejection")).toBeGreaterThan(0);
    expect(process.listeners("unhandledRejection").some((listener) => listener.toString().includes("Unhandled rejection"))).toBe(true);
  });

  it("fails a vitest run whose test leaves a rejection unhandled", async () => {
    const dir = mkdtempSync(join(tmpdir(), "unhandled-probe-"));
    try {
      writeFileSync(
        join(dir, "probe.test.mjs"),
        `import { it } from "vitest";\nit("leaves a rejection behind", async () => {\n  void Promise.reject(new Error("left behind on purpose"));\n  await new Promise((resolve) => setTimeout(resolve, 50));\n});\n`,
      );
      writeFileSync(
        join(dir, "vitest.config.mjs"),
        `export default { test: { root: ${JSON.stringify(dir)}, include: ["probe.test.mjs"], setupFiles: [${JSON.stringify(join(ROOT, "test/setup/fail-on-unhandled-rejection.ts"))}], pool: "threads" } };\n`,
      );
      const outcome = await run(process.execPath, [join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--config", join(dir, "vitest.config.mjs")], {
        cwd: ROOT,
        env: { ...process.env, CI: "true", NO_COLOR: "1" },
      }).then(
        () => ({ failed: false, output: "" }),
        (error: unknown) => {
          const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
          return { failed: true, output: `${stdout}${stderr}` };
        },
      );
      expect(outcome.failed).toBe(true);
      expect(outcome.output).toContain("left behind on purpose");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("no unhandled rejections", () => {
  const unhandled: unknown[] = [];
  const listener = (reason: unknown): void => {
    unhandled.push(reason);
  };
  const closers: (() => Promise<void>)[] = [];
  let clock: ManualClock;

  beforeEach(() => {
    unhandled.length = 0;
    process.on("unhandledRejection", listener);
    resetSharedState();
    clock = manualClock();
  });

  afterEach(async () => {
    await settle();
    process.off("unhandledRejection", listener);
    await Promise.all(closers.splice(0).map((close) => close()));
    resetSharedState();
    expect(unhandled).toEqual([]);
  });

  const imdsEmulator = async (): Promise<ImdsEmulator> => {
    const imds = await startImdsEmulator({ clock });
    closers.push(() => imds.close());
    return imds;
  };
  const stsEmulator = async (): Promise<StsEmulator> => {
    const sts = await startStsEmulator({ clock, baseCredentials: [BASE] });
    closers.push(() => sts.close());
    return sts;
  };
  const rolePath = (imds: ImdsEmulator): string => `${ROLE_LIST}${imds.roleName ?? ""}`;

  it("when background refreshes from IMDS fail, again and again", async () => {
    const imds = await imdsEmulator();
    const credentials = envOrProfile({ env: { env: {} }, imds: { endpoint: imds.endpoint, env: {}, timeoutMs: 100 }, clock, random: () => 0.99, ...QUICK });
    const first = await credentials();
    imds.fail(rolePath(imds), 500);
    for (let minutes = 30; minutes > 5; minutes -= 1) {
      clock.set(first.expiration!.getTime() - minutes * MINUTE);
      await credentials(); // served from cache; a background refresh starts and fails
      await settle(5);
    }
    expect(imds.count(rolePath(imds))).toBeGreaterThan(2);
  });

  it("when an AssumeRole refresh is throttled while the cached credential is still served", async () => {
    const sts = await stsEmulator();
    const credentials = envOrProfile({
      env: { env: ENV_BASE },
      imds: false,
      clock,
      random: () => 0.99,
      ...QUICK,
      assumeRole: { roleArn: ROLE_ARN, endpoint: sts.endpoint, region: "us-east-1", timeoutMs: 200 },
    });
    const first = await credentials();
    sts.injectFault({ kind: "throttling" }, Number.POSITIVE_INFINITY);
    for (const minutesLeft of [8, 5, 4.9, 4, 3]) {
      clock.set(first.expiration!.getTime() - minutesLeft * MINUTE);
      await credentials(); // background or mandatory refresh, throttled; the cached credential is served
      await settle(5);
    }
    expect(sts.calls).toBeGreaterThan(1);
  });

  it("when callers stop waiting for a refresh that later fails", async () => {
    const imds = await imdsEmulator();
    imds.fail(rolePath(imds), "hang");
    const credentials = envOrProfile({ env: { env: {} }, imds: { endpoint: imds.endpoint, env: {}, timeoutMs: 100 }, clock, retry: { retries: 0 } });
    // A thousand callers join one fetch and all give up on it long before it times out.
    await Promise.all(Array.from({ length: 1_000 }, () => abandonAfter(5, credentials())));
    await settle(250);
  });

  it("when the IMDS server goes away in the middle of requests", async () => {
    const imds = await imdsEmulator();
    const credentials = envOrProfile({ env: { env: {} }, imds: { endpoint: imds.endpoint, env: {}, timeoutMs: 1_000 }, clock, ...QUICK });
    imds.fail("*", "hang");
    const calls = Array.from({ length: 50 }, () => abandonAfter(20, credentials()));
    await sleep(10);
    await imds.close();
    await Promise.all(calls);
    await settle(100);
  });

  it("when the shared token request fails for many providers on one endpoint", async () => {
    const imds = await imdsEmulator();
    imds.fail("/latest/api/token", 503);
    const providers = Array.from({ length: 20 }, (_, i) => fromImds({ endpoint: imds.endpoint, env: {}, clock, timeoutMs: 100 + i }));
    await Promise.all(providers.flatMap((provider) => [abandonAfter(1, provider()), provider().catch(() => undefined)]));
  });

  it("when an AssumeRole that others joined hangs and every caller has given up", async () => {
    const sts = await stsEmulator();
    sts.injectFault({ kind: "hang" }, Number.POSITIVE_INFINITY);
    const providers = Array.from({ length: 10 }, () =>
      envOrProfile({
        env: { env: ENV_BASE },
        imds: false,
        clock,
        retry: { retries: 0 },
        assumeRole: { roleArn: ROLE_ARN, endpoint: sts.endpoint, region: "us-east-1", timeoutMs: 150 },
      }),
    );
    await Promise.all(providers.map((provider) => abandonAfter(5, provider())));
    await settle(400);
  });

  it("when a forced refresh or an invalidate meets a failing source", async () => {
    let calls = 0;
    const source = async () => {
      calls += 1;
      if (calls > 1) throw Object.assign(new Error("throttled"), { name: "ThrottlingException" });
      return { accessKeyId: "AKIDFIRST", secretAccessKey: "s", expiration: new Date(clock.now() + 60 * MINUTE) };
    };
    const credentials = memoize(source, { clock, retry: { retries: 3, minTimeout: 5, maxTimeout: 10 } });
    await credentials();
    const forced = Array.from({ length: 10 }, () => abandonAfter(1, credentials({ forceRefresh: true })));
    credentials.invalidate();
    await Promise.all([...forced, abandonAfter(1, credentials())]);
    await settle(100);
  });

  it("when the logger throws on every line, through failures and refreshes", async () => {
    const imds = await imdsEmulator();
    const explode = (): never => {
      throw new Error("logger is broken");
    };
    const logger = { debug: explode, warn: explode };
    const credentials = envOrProfile({ env: { env: {} }, imds: { endpoint: imds.endpoint, env: {}, timeoutMs: 100, logger }, clock, logger, random: () => 0.99, ...QUICK });
    const first = await credentials();
    imds.fail(rolePath(imds), "bad-json");
    clock.set(first.expiration!.getTime() - 8 * MINUTE);
    await credentials();
    clock.set(first.expiration!.getTime() - 4 * MINUTE);
    await credentials(); // grace, with a warning that throws
    clock.set(first.expiration!.getTime());
    await credentials().catch(() => undefined);
  });
});
