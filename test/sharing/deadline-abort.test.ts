/*
 * Issue 16 item 6: every STS and HTTP call aborts its request when its deadline passes. A process
 * whose last provider call was rejected at its deadline must exit at once — within 100 ms — not
 * linger until the server (here one that trickles its answer a byte at a time, forever) gives up.
 * Checked in real child processes running the built package; the trickling servers run here.
 */
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, ROOT } from "../setup/build-dist.js";

/** Answers every request with 200 and then one byte every 20 ms, never ending. */
async function trickling(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { "content-type": "text/xml" });
    const timer = setInterval(() => response.write(" "), 20);
    response.on("close", () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs `call` (an expression awaiting one provider call) in a child; its rejection code and how long it lived after it. */
function runChild(call: string): Promise<{ code: string | undefined; lingeredMs: number | undefined; output: string }> {
  const dist = pathToFileURL(join(ROOT, "dist", "index.js")).href;
  const script = `
import { writeSync } from "node:fs";
import * as eop from ${JSON.stringify(dist)};
let rejectedAt; let code;
try { await (${call}); } catch (error) { rejectedAt = performance.now(); code = error.code; }
process.on("exit", () => writeSync(1, "\\nRESULT " + JSON.stringify({ code, lingeredMs: rejectedAt === undefined ? undefined : performance.now() - rejectedAt }) + "\\n"));
`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--no-warnings", "--input-type=module", "-e", script], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "" },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.on("close", () => {
      clearTimeout(killer);
      const line = /RESULT (.*)/.exec(output)?.[1];
      const result = line === undefined ? {} : (JSON.parse(line) as { code?: string; lingeredMs?: number });
      resolve({ code: result.code, lingeredMs: result.lingeredMs, output });
    });
  });
}

describe("a deadline aborts the request: the process exits at once after the rejection", () => {
  let server: Awaited<ReturnType<typeof trickling>>;
  let tokenFile: string;
  const BASE = `source: async () => ({ accessKeyId: "AKIADEADLINE00000001", secretAccessKey: "deadline-secret-0123456789" })`;

  beforeAll(async () => {
    await ensureBuilt();
    server = await trickling();
    const dir = mkdtempSync(join(tmpdir(), "eop-deadline-"));
    tokenFile = join(dir, "token");
    writeFileSync(tokenFile, "eyJ.deadline-token.sig");
  }, 120_000);

  afterAll(async () => {
    await server.close();
    rmSync(dirname(tokenFile), { recursive: true, force: true });
  });

  it("AssumeRole against an STS that trickles its answer", async () => {
    const { code, lingeredMs, output } = await runChild(
      `eop.fromAssumeRole({ roleArn: "arn:aws:iam::123456789012:role/slow", endpoint: "${server.endpoint}", region: "us-east-1", timeoutMs: 300, ${BASE} })()`,
    );
    expect(code, output).toBe("STS_ERROR");
    expect(lingeredMs, output).toBeLessThan(100);
  });

  it("AssumeRoleWithWebIdentity against an STS that trickles its answer", async () => {
    const { code, lingeredMs, output } = await runChild(
      `eop.fromWebIdentity({ roleArn: "arn:aws:iam::123456789012:role/slow", webIdentityTokenFile: ${JSON.stringify(tokenFile)}, endpoint: "${server.endpoint}", region: "us-east-1", timeoutMs: 300, env: {} })()`,
    );
    expect(code, output).toBe("STS_ERROR");
    expect(lingeredMs, output).toBeLessThan(100);
  });

  it("the container endpoint that trickles its answer", async () => {
    const { code, lingeredMs, output } = await runChild(`eop.fromContainer({ env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: "${server.endpoint}/creds" }, timeoutMs: 300 })()`);
    expect(code, output).toBe("CONTAINER_TIMEOUT");
    expect(lingeredMs, output).toBeLessThan(100);
  });

  it("IMDS that trickles its answer", async () => {
    const { code, lingeredMs, output } = await runChild(`eop.fromImds({ endpoint: "${server.endpoint}", timeoutMs: 300, env: {} })()`);
    expect(code, output).toMatch(/^IMDS_/);
    expect(lingeredMs, output).toBeLessThan(100);
  });

  it("memoize's retries, then the rejection: nothing outlives the last attempt", async () => {
    const { code, lingeredMs, output } = await runChild(
      `eop.memoize(eop.fromAssumeRole({ roleArn: "arn:aws:iam::123456789012:role/slow", endpoint: "${server.endpoint}", region: "us-east-1", timeoutMs: 200, ${BASE} }), { retry: { retries: 2, minTimeout: 1, maxTimeout: 5 } })()`,
    );
    expect(code, output).toBe("STS_ERROR");
    expect(lingeredMs, output).toBeLessThan(100);
  });
});
