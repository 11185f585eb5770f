/*
 * The package as npm sees it: a fresh clone of the committed HEAD, `npm ci` and `npm pack` there
 * (`prepack` builds dist/; a clone has none), the tarball installed into an empty project, and from
 * it both entry points imported (ESM `import`) and required (CommonJS `require`), and the
 * `env-or-profile` binary run. Slow (two installs; the npm cache makes them quick after the first),
 * and it needs the npm registry or a warm npm cache, as `npm ci` does.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../setup/build-dist.js";

const exec = promisify(execFile);
let dir = "";
let app = "";

/** npm with the user's own cache (the test's HOME is a temporary one) and no noise. */
const npmEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  npm_config_cache: process.env["npm_config_cache"] ?? join(userInfo().homedir, ".npm"),
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
  npm_config_prefer_offline: "true",
});

async function npm(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await exec("npm", args, { cwd, env: npmEnv(), timeout: 540_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

async function node(args: string[]): Promise<string> {
  const { stdout } = await exec(process.execPath, args, { cwd: app, env: { ...process.env, NODE_NO_WARNINGS: "1" }, timeout: 30_000 });
  return stdout.trim();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "eop-pack-"));
  const clone = join(dir, "clone");
  await exec("git", ["clone", "--quiet", "--no-hardlinks", ROOT, clone], { timeout: 120_000 });
  await npm(clone, ["ci", "--no-audit", "--no-fund"]);
  await npm(clone, ["pack", "--pack-destination", dir]);
  const tarball = readdirSync(dir).find((name) => name.endsWith(".tgz"));
  if (tarball === undefined) throw new Error("npm pack made no tarball");
  app = join(dir, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true }));
  await npm(app, ["install", join(dir, tarball)]);
}, 900_000);

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true }); // two node_modules trees: slow
}, 120_000);

describe("a fresh clone, packed and installed into an empty project", () => {
  it("imports both entry points as ES modules", async () => {
    const out = await node([
      "--input-type=module",
      "-e",
      `import { envOrProfile, CredentialsError } from "env-or-profile"; import { startImdsEmulator, manualClock } from "env-or-profile/testing"; console.log(typeof envOrProfile, typeof CredentialsError, typeof startImdsEmulator, manualClock(5).now());`,
    ]);
    expect(out).toBe("function function function 5");
  });

  it("requires both entry points from CommonJS", async () => {
    const out = await node(["-e", `const { envOrProfile, CredentialsError } = require("env-or-profile"); const { startImdsEmulator, manualClock } = require("env-or-profile/testing"); console.log(typeof envOrProfile, typeof CredentialsError, typeof startImdsEmulator, manualClock(5).now());`]);
    expect(out).toBe("function function function 5");
  });

  it("gets a credential with the installed package", async () => {
    const out = await node([
      "--input-type=module",
      "-e",
      `import { fromEnv } from "env-or-profile"; const id = await fromEnv({ env: { AWS_ACCESS_KEY_ID: "AKIDPACKED", AWS_SECRET_ACCESS_KEY: "s" } })(); console.log(id.accessKeyId);`,
    ]);
    expect(out).toBe("AKIDPACKED");
  });

  it("runs the env-or-profile binary", async () => {
    const { stdout } = await exec(join(app, "node_modules", ".bin", "env-or-profile"), ["--version"], { cwd: app, timeout: 30_000 });
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(stdout.trim()).toBe(version);
  });
});
