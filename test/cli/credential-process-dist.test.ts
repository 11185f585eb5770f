/*
 * The real binary (dist/cli/main.js), as the AWS CLI runs it: a fresh process per call.
 * What a warm run loads is recorded from inside the process — builtins from
 * `process.moduleLoadList` (a --require preload writes it at exit) and, in a second run, every ES
 * module through a resolve hook (module.register; its worker thread loads node:net itself, so the
 * builtins are recorded without it) — so "no node:http, no AWS SDK, no network" is observed, not assumed.
 */
import { execFile, spawn } from "node:child_process";
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startImdsEmulator, type ImdsEmulator } from "../../src/testing/imds-emulator.js";
import { startStsEmulator, type StsEmulator } from "../../src/testing/sts-emulator.js";
import { CLI_MAIN, ensureBuilt } from "../setup/build-dist.js";

const exec = promisify(execFile);
const ROLE_ARN = "arn:aws:iam::123456789012:role/partner-upload";
const ROLE = ["--role-arn", ROLE_ARN, "--external-id", "tenant-42"];

let home = "";
let imds: ImdsEmulator;
let sts: StsEmulator;

beforeAll(async () => {
  await ensureBuilt();
  home = mkdtempSync(join(tmpdir(), "eop-cp-dist-"));
  imds = await startImdsEmulator();
  sts = await startStsEmulator({ baseCredentials: [{ ...imds.current }], externalId: "tenant-42" });
  writeFileSync(
    join(home, "record-builtins.cjs"),
    `process.on("exit", () => require("node:fs").writeFileSync(process.env.EOP_RECORD + ".builtins", JSON.stringify(process.moduleLoadList)));\n`,
  );
  writeFileSync(
    join(home, "record-hooks.mjs"),
    `import { appendFileSync } from "node:fs";\nexport async function resolve(specifier, context, next) {\n  const result = await next(specifier, context);\n  appendFileSync(process.env.EOP_RECORD + ".modules", result.url + "\\n");\n  return result;\n}\n`,
  );
  writeFileSync(join(home, "record-modules.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(home, "record-hooks.mjs")).href)});\n`);
}, 120_000);

afterAll(async () => {
  await imds?.close();
  await sts?.close();
  rmSync(home, { recursive: true, force: true });
});

beforeEach(() => {
  rmSync(join(home, "cache"), { recursive: true, force: true });
  imds.resetCounts();
});

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env["PATH"] ?? "",
    HOME: home,
    ENV_OR_PROFILE_CACHE_DIR: join(home, "cache"),
    AWS_CONFIG_FILE: join(home, "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
    AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
    AWS_ENDPOINT_URL_STS: sts.endpoint,
    ...extra,
  };
}

const credentialFetches = (): number => imds.count("/latest/meta-data/iam/security-credentials/env-or-profile-demo-role");

/** One run of the binary, recording what it loaded under `record` (a path prefix) when given. */
async function run(
  args: string[],
  record?: string,
  probe: "builtins" | "modules" = "builtins",
): Promise<{ stdout: string; stderr: string; builtins: string[]; modules: string[] }> {
  const nodeArgs = record === undefined ? [] : probe === "builtins" ? ["--require", join(home, "record-builtins.cjs")] : ["--import", join(home, "record-modules.mjs")];
  const result = await exec(process.execPath, [...nodeArgs, CLI_MAIN, "credential-process", ...args], { env: env(record === undefined ? {} : { EOP_RECORD: record }), timeout: 30_000 });
  const read = (suffix: string): string[] => {
    try {
      return readFileSync(`${record ?? ""}${suffix}`, "utf8").split("\n").filter(Boolean);
    } catch {
      return [];
    }
  };
  return {
    ...result,
    builtins: record === undefined || probe !== "builtins" ? [] : (JSON.parse(readFileSync(`${record}.builtins`, "utf8")) as string[]),
    modules: read(".modules"),
  };
}

describe("dist/cli/main.js credential-process", () => {
  it("is left executable by the build, and runs as a program by its path", async () => {
    expect(statSync(CLI_MAIN).mode & 0o111).toBe(0o111);
    const { stdout } = await exec(CLI_MAIN, ["--version"], { env: env() });
    expect(stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("on a warm cache loads neither node:http nor node:net nor the AWS SDK nor the chain, and asks no server", async () => {
    await run(ROLE);
    const before = { imds: imds.count("*"), sts: sts.calls };
    const warm = await run(ROLE, join(home, "warm"), "builtins");
    const warmModules = await run(ROLE, join(home, "warm"), "modules");
    expect(JSON.parse(warm.stdout)).toMatchObject({ Version: 1, AccessKeyId: sts.issued.at(-1)?.accessKeyId });
    expect({ imds: imds.count("*"), sts: sts.calls }).toEqual(before);
    expect(warm.builtins).toContain("NativeModule fs"); // the probe saw the run
    for (const builtin of ["http", "https", "net", "tls", "http2", "dgram"]) {
      expect(warm.builtins).not.toContain(`NativeModule ${builtin}`);
    }
    expect(warmModules.modules.filter((url) => /@aws-sdk|@smithy|p-retry|[\\/]chunks[\\/](core|run-cli|sts-call)-/.test(url))).toEqual([]);
    expect(warmModules.modules.some((url) => url.endsWith("/dist/cli/main.js"))).toBe(true); // the probe saw the run
  });

  it("on a cold cache loads the chain and asks IMDS and STS (the probe above sees them)", async () => {
    const cold = await run(ROLE, join(home, "cold"), "builtins");
    expect(credentialFetches()).toBe(1);
    expect(cold.builtins).toContain("NativeModule http");
    rmSync(join(home, "cache"), { recursive: true, force: true });
    const coldModules = await run(ROLE, join(home, "cold"), "modules");
    expect(coldModules.modules.some((url) => /[\\/]chunks[\\/]core-/.test(url))).toBe(true);
  });

  it("ten concurrent runs make one IMDS credentials fetch and one AssumeRole, print one credential and leave only sound files", async () => {
    const stsBefore = sts.calls;
    const results = await Promise.all(Array.from({ length: 10 }, () => run(ROLE)));
    expect(credentialFetches()).toBe(1);
    expect(sts.calls - stsBefore).toBe(1);
    expect(new Set(results.map((result) => (JSON.parse(result.stdout) as { AccessKeyId: string }).AccessKeyId)).size).toBe(1);
    const names = readdirSync(join(home, "cache"));
    expect(names.filter((name) => name.endsWith(".json"))).toHaveLength(1);
    expect(names.filter((name) => name.endsWith(".lock") || name.endsWith(".tmp"))).toEqual([]);
    for (const name of names) {
      expect(statSync(join(home, "cache", name)).mode & 0o777).toBe(0o600);
    }
  }, 60_000);

  it("ignores an entry chowned to another user, fetches afresh and replaces it with its own", async () => {
    await run(ROLE);
    const entry = readdirSync(join(home, "cache")).find((name) => name.endsWith(".json")) ?? "";
    chownSync(join(home, "cache", entry), 65534, 65534);
    const stsBefore = sts.calls;
    const { stderr } = await exec(process.execPath, [CLI_MAIN, "credential-process", ...ROLE], { env: env({ ENV_OR_PROFILE_DEBUG: "1" }) });
    expect(sts.calls - stsBefore).toBe(1);
    expect(stderr).toContain("owned by uid 65534");
    expect(statSync(join(home, "cache", entry)).uid).toBe(process.getuid?.());
  });

  it("a run killed while it holds the lock does not hold up the next one: its lock is taken over at once", async () => {
    imds.fail("/latest/meta-data/iam/security-credentials/env-or-profile-demo-role", { delayMs: 20_000 }, { times: 1 });
    const stuck = spawn(process.execPath, [CLI_MAIN, "credential-process", ...ROLE], { env: env({ AWS_METADATA_SERVICE_TIMEOUT: "30" }), stdio: "ignore" });
    const lockAppeared = async (): Promise<boolean> => {
      for (let waited = 0; waited < 15_000; waited += 50) {
        const names = ((): string[] => {
          try {
            return readdirSync(join(home, "cache"));
          } catch {
            return []; // not created yet
          }
        })();
        if (names.some((name) => name.endsWith(".lock"))) return true;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return false;
    };
    try {
      expect(await lockAppeared()).toBe(true);
    } finally {
      stuck.kill("SIGKILL");
      await new Promise((resolve) => stuck.once("exit", resolve));
      imds.clearFaults();
    }
    const started = Date.now();
    const { stdout, stderr } = await exec(process.execPath, [CLI_MAIN, "credential-process", ...ROLE], { env: env({ AWS_METADATA_SERVICE_TIMEOUT: "30", ENV_OR_PROFILE_DEBUG: "1" }) }); // the same key
    expect(JSON.parse(stdout)).toMatchObject({ Version: 1 });
    expect(stderr).toMatch(/taking over the lock .*: its holder, process \d+, is gone/);
    expect(Date.now() - started).toBeLessThan(10_000); // not the 10 s lock wait
  }, 60_000);

  it("--no-cache asks IMDS and STS every time", async () => {
    const stsBefore = sts.calls;
    await run([...ROLE, "--no-cache"]);
    await run([...ROLE, "--no-cache"]);
    expect(credentialFetches()).toBe(2);
    expect(sts.calls - stsBefore).toBe(2);
  });
});
