/*
 * Issue 12 item 12: after the first AssumeRole, nothing may turn on async context tracking for the
 * whole process (an AsyncLocalStorage.run() in the STS call made every `await` of the application
 * slower). Checked in a fresh process running the built package: with promise hooks off, an
 * `await` does not change `executionAsyncId()`; once any AsyncLocalStorage has run, it does.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, ROOT } from "../../setup/build-dist.js";

const run = promisify(execFile);

const script = (assume: string) => `
import { executionAsyncId } from "node:async_hooks";
const { fromAssumeRole, memoize } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "dist", "index.js")).href)});
const { startStsEmulator } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "dist", "testing", "index.js")).href)});
async function tracked() { const a = executionAsyncId(); await null; return executionAsyncId() !== a; }
const base = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "no-async-context-secret-0123456789" };
const sts = await startStsEmulator({ baseCredentials: [base] });
const before = await tracked();
${assume}
const after = await tracked();
await sts.close();
console.log(JSON.stringify({ before, after, calls: sts.calls }));
`;

async function outcome(assume: string): Promise<{ before: boolean; after: boolean; calls: number }> {
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script(assume)], { cwd: ROOT, env: { PATH: process.env.PATH ?? "" } });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as { before: boolean; after: boolean; calls: number };
}

describe("AssumeRole and the application's own awaits", () => {
  beforeAll(async () => {
    await ensureBuilt();
  }, 120_000);

  it("turns on no async context tracking: an await after the first AssumeRole is as before", async () => {
    const result = await outcome(`await fromAssumeRole({ roleArn: "arn:aws:iam::123456789012:role/app", source: async () => base, endpoint: sts.endpoint, region: "us-east-1" })();`);
    expect(result).toEqual({ before: false, after: false, calls: 1 });
  });

  it("turns on none either when memoized and called many times, with overlapping calls for different bases", async () => {
    const result = await outcome(`
      const other = { accessKeyId: "AKIAIOSFODNN7EXAMPL2", secretAccessKey: "no-async-context-secret-other-0123" };
      sts.setBaseCredentials([base, other]);
      const a = memoize(fromAssumeRole({ roleArn: "arn:aws:iam::123456789012:role/app", source: async () => base, endpoint: sts.endpoint, region: "us-east-1" }));
      const b = memoize(fromAssumeRole({ roleArn: "arn:aws:iam::123456789012:role/app", source: async () => other, endpoint: sts.endpoint, region: "us-east-1" }));
      const [x, y] = await Promise.all([a(), b()]);
      if (x.accessKeyId === y.accessKeyId) throw new Error("both calls got one credential");
      for (let i = 0; i < 100; i++) { await a(); await b(); }
    `);
    expect(result).toEqual({ before: false, after: false, calls: 2 });
  });

  // From Node 24 on, AsyncLocalStorage is built on AsyncContextFrame and turns on no promise hooks:
  // there an AsyncLocalStorage.run() no longer slows every await, and the probe (rightly) sees none.
  const alsEnablesPromiseHooks = Number(process.versions.node.split(".")[0]) < 24;

  it(`has a probe that ${alsEnablesPromiseHooks ? "does" : "on this Node (AsyncContextFrame) does not"} see async context tracking once an AsyncLocalStorage has run`, async () => {
    const result = await outcome(`const { AsyncLocalStorage } = await import("node:async_hooks"); await new AsyncLocalStorage().run(1, async () => { await null; });`);
    expect(result.after).toBe(alsEnablesPromiseHooks);
  });
});
