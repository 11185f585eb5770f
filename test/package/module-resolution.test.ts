import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// A user's TypeScript project importing both entry points by name, compiled by tsc and run, in
// each module system × `moduleResolution` a project can have: CommonJS (no "type", npm's default)
// and ES module ("type": "module") projects under node16 and nodenext (compiled to JavaScript and
// run by node), under bundler (type-checked, then bundled by esbuild and run), and the old node10
// (type-checked). The package is linked into the project's node_modules; its types come from
// dist/ (built before the tests), checked as well (no skipLibCheck).
const root = fileURLToPath(new URL("../../", import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const project = join(root, "node_modules", ".cache", `module-resolution-${process.pid}`);

const APP = `import { CredentialsError, envOrProfile, fromEnv, type MemoizedProvider } from "env-or-profile";
import { manualClock, type ManualClock } from "env-or-profile/testing";

const clock: ManualClock = manualClock(1_000);
export const credentials: MemoizedProvider = envOrProfile({ env: false, clock });

async function main(): Promise<void> {
  const identity = await fromEnv({ env: { AWS_ACCESS_KEY_ID: "AKIDTYPESCRIPTAPP", AWS_SECRET_ACCESS_KEY: "secret" } })();
  const error: unknown = new CredentialsError("no", { source: "app" });
  console.log(JSON.stringify({ id: identity.accessKeyId, now: clock.now(), isError: error instanceof Error, memoized: credentials.memoized }));
}
void main();
`;
const EXPECTED = { id: "AKIDTYPESCRIPTAPP", now: 1_000, isError: true, memoized: true };

interface Mode {
  readonly type: "commonjs" | "module";
  readonly module: string;
  readonly moduleResolution: string;
  /** How the compiled app is run: tsc's output by node, esbuild's bundle by node, or not at all. */
  readonly run: "node" | "bundle" | "typecheck";
}

const MODES: Readonly<Record<string, Mode>> = {
  "CommonJS, node16": { type: "commonjs", module: "node16", moduleResolution: "node16", run: "node" },
  "ES module, node16": { type: "module", module: "node16", moduleResolution: "node16", run: "node" },
  "CommonJS, nodenext": { type: "commonjs", module: "nodenext", moduleResolution: "nodenext", run: "node" },
  "ES module, nodenext": { type: "module", module: "nodenext", moduleResolution: "nodenext", run: "node" },
  "CommonJS, bundler": { type: "commonjs", module: "preserve", moduleResolution: "bundler", run: "bundle" },
  "ES module, bundler": { type: "module", module: "esnext", moduleResolution: "bundler", run: "bundle" },
  "CommonJS, node10": { type: "commonjs", module: "commonjs", moduleResolution: "node10", run: "typecheck" },
};

beforeAll(() => {
  rmSync(project, { recursive: true, force: true });
  mkdirSync(join(project, "node_modules"), { recursive: true });
  symlinkSync(root, join(project, "node_modules", "env-or-profile"), "dir");
});
afterAll(() => {
  rmSync(project, { recursive: true, force: true });
});

/** tsc's complaints about the app in a fresh folder set up for `mode` ("" when it compiles). */
function compile(dir: string, mode: Mode): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "app", private: true, type: mode.type }));
  writeFileSync(join(dir, "app.ts"), APP);
  const compilerOptions = {
    module: mode.module,
    moduleResolution: mode.moduleResolution,
    target: "es2022",
    strict: true,
    skipLibCheck: false,
    types: ["node"],
    outDir: "out",
    ...(mode.run === "node" ? {} : { noEmit: true }),
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["app.ts"] }));
  try {
    execFileSync(process.execPath, [tsc, "-p", dir, "--pretty", "false"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return "";
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

/** Runs the compiled app the way `mode` runs it and parses what it printed. */
async function run(dir: string, mode: Mode): Promise<unknown> {
  let file = join(dir, "out", "app.js");
  if (mode.run === "bundle") {
    file = join(dir, "out", mode.type === "module" ? "app.mjs" : "app.cjs");
    await build({ entryPoints: [join(dir, "app.ts")], outfile: file, bundle: true, platform: "node", target: "node20", format: mode.type === "module" ? "esm" : "cjs", logLevel: "error" });
  }
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: dir, encoding: "utf8", env: { ...process.env, NODE_NO_WARNINGS: "1" } })) as unknown;
}

describe("a TypeScript project using both entry points", () => {
  it.each(Object.keys(MODES))("compiles and runs: %s", async (name) => {
    const mode = MODES[name]!;
    const dir = join(project, name.replace(/\W+/g, "-"));
    expect(compile(dir, mode)).toBe("");
    if (mode.run !== "typecheck") {
      expect(await run(dir, mode)).toEqual(EXPECTED);
    }
  }, 60_000);
});
