/*
 * One process, two copies of env-or-profile — as when an app and one of its dependencies each
 * install their own (npm does not always dedupe), one reached by `import`, the other by
 * `require()`. The package's process-wide state (shared chains, the IMDS client per endpoint,
 * AssumeRole and web-identity caches) must then be one state: two providers with the same options,
 * one per copy, make one credentials request, and `instanceof CredentialsError` holds across copies
 * (a `Symbol.for` brand). A single install never loads twice: its `require` condition requires the
 * same ES module that `import` loads.
 *
 * Runs against dist/ in child processes (Node's own module loading, no vitest aliases).
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, ROOT } from "../setup/build-dist.js";

const project = join(ROOT, "node_modules", ".cache", `two-copies-${process.pid}`);
/** The second copy: a real copy of the package, inside another package's node_modules. */
const secondCopy = join(project, "node_modules", "other-lib", "node_modules", "env-or-profile");

beforeAll(async () => {
  await ensureBuilt();
  rmSync(project, { recursive: true, force: true });
  mkdirSync(join(secondCopy, ".."), { recursive: true });
  symlinkSync(ROOT, join(project, "node_modules", "env-or-profile"), "dir");
  cpSync(join(ROOT, "package.json"), join(secondCopy, "package.json"));
  cpSync(join(ROOT, "dist"), join(secondCopy, "dist"), { recursive: true });
  // other-lib is CommonJS: it requires its own copy.
  writeFileSync(join(project, "node_modules", "other-lib", "package.json"), JSON.stringify({ name: "other-lib", main: "index.js" }));
  writeFileSync(join(project, "node_modules", "other-lib", "index.js"), `module.exports = require("env-or-profile");\n`);
}, 120_000);
afterAll(() => {
  rmSync(project, { recursive: true, force: true });
});

let apps = 0;
/** Runs an ES module in the app folder and parses the JSON it prints. */
function runApp(source: string): unknown {
  const file = join(project, `app-${String(++apps)}.mjs`);
  writeFileSync(file, source);
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: project, encoding: "utf8", env: { ...process.env, NODE_NO_WARNINGS: "1" } })) as unknown;
}

describe("two copies of env-or-profile in one process", () => {
  it("one install loads once: import and require() give the same module", () => {
    const out = runApp(`import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const imported = await import("env-or-profile");
const required = require("env-or-profile");
const testingImported = await import("env-or-profile/testing");
const testingRequired = require("env-or-profile/testing");
console.log(JSON.stringify({ same: imported.envOrProfile === required.envOrProfile, sameTesting: testingImported.manualClock === testingRequired.manualClock }));
`);
    expect(out).toEqual({ same: true, sameTesting: true });
  });

  it("the two copies are distinct (the test loads what it means to)", () => {
    const out = runApp(`import { createRequire } from "node:module";
const a = await import("env-or-profile");
const b = createRequire(import.meta.url)("other-lib");
console.log(JSON.stringify({ distinct: a.envOrProfile !== b.envOrProfile }));
`);
    expect(out).toEqual({ distinct: true });
  });

  it("instanceof CredentialsError holds across copies, both ways", () => {
    const out = runApp(`import { createRequire } from "node:module";
const a = await import("env-or-profile");
const b = createRequire(import.meta.url)("other-lib");
const fromA = new a.CredentialsError("a", { source: "a" });
const fromB = new b.CredentialsError("b", { source: "b" });
console.log(JSON.stringify({ bIsA: fromB instanceof a.CredentialsError, aIsB: fromA instanceof b.CredentialsError, plain: new Error("x") instanceof a.CredentialsError }));
`);
    expect(out).toEqual({ bIsA: true, aIsB: true, plain: false });
  });

  it("two providers with the same options, one per copy, called at once, make one IMDS credentials request", () => {
    const out = runApp(`import { createRequire } from "node:module";
const a = await import("env-or-profile");
const b = createRequire(import.meta.url)("other-lib");
const { startImdsEmulator } = await import("env-or-profile/testing");
const imds = await startImdsEmulator();
try {
  const options = () => ({ env: false, profile: false, webIdentity: false, container: false, imds: { endpoint: imds.endpoint } });
  const [one, two] = await Promise.all([a.envOrProfile(options())(), b.envOrProfile(options())()]);
  const path = "/latest/meta-data/iam/security-credentials/" + imds.roleName;
  console.log(JSON.stringify({ same: one.accessKeyId === two.accessKeyId, credentialRequests: imds.count(path), tokenRequests: imds.tokenRequests }));
} finally {
  await imds.close();
}
`);
    expect(out).toEqual({ same: true, credentialRequests: 1, tokenRequests: 1 });
  });
});
