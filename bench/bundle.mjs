// The Lambda-style bundle rows: the same small app — import the library, get the first credential
// from IMDS, print its key id — bundled with esbuild as CDK's NodejsFunction and SAM do (ESM, the
// `createRequire` banner they add for the AWS SDK, platform node, not minified), once on
// `envOrProfile()` and once on the SDK's `fromNodeProviderChain()`. Each bundle is copied ALONE into
// an empty folder and run there as `node bundle.mjs`, so what it needs at run time is inside it.
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { msSince, nowNs, ROOT } from "./lib.mjs";

/** The banner Lambda users add so the AWS SDK's `require` of builtins works in an ESM bundle. */
export const LAMBDA_ESM_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

const tail = `const credential = await credentials();
if (!credential.accessKeyId) throw new Error("no credential");
const cpu = process.cpuUsage();
console.log(JSON.stringify({ atCredentialMs: performance.now(), cpuMs: (cpu.user + cpu.system) / 1000 }));
`;

/** The app's source per side; `empty` is the baseline (node's own start-up). */
export const BUNDLE_APPS = {
  ours: `import { envOrProfile } from "env-or-profile";\nconst credentials = envOrProfile();\n${tail}`,
  sdk: `import { fromNodeProviderChain } from "@aws-sdk/credential-providers";\nconst credentials = fromNodeProviderChain();\n${tail}`,
  empty: `const cpu = process.cpuUsage();\nconsole.log(JSON.stringify({ atCredentialMs: performance.now(), cpuMs: (cpu.user + cpu.system) / 1000 }));\n`,
};

/**
 * Bundles each app and copies each bundle alone into its own empty folder.
 * @returns `{ dirs, files, bytes, close }`: per side the bundle to run, its size, and a cleanup.
 */
export async function buildBundles() {
  const project = join(ROOT, "node_modules", ".cache", `bench-bundle-${process.pid}`);
  rmSync(project, { recursive: true, force: true });
  mkdirSync(join(project, "node_modules"), { recursive: true });
  symlinkSync(ROOT, join(project, "node_modules", "env-or-profile"), "dir");
  const files = {};
  const bytes = {};
  const dirs = [];
  for (const [side, source] of Object.entries(BUNDLE_APPS)) {
    const entry = join(project, `${side}.mjs`);
    writeFileSync(entry, source);
    const outfile = join(project, "out", `${side}.mjs`);
    await build({ entryPoints: [entry], outfile, bundle: true, platform: "node", target: "node20", format: "esm", banner: { js: LAMBDA_ESM_BANNER }, logLevel: "error" });
    const dir = mkdtempSync(join(tmpdir(), `eop-bench-bundle-${side}-`));
    dirs.push(dir);
    files[side] = join(dir, "bundle.mjs");
    copyFileSync(outfile, files[side]);
    bytes[side] = statSync(files[side]).size;
  }
  rmSync(project, { recursive: true, force: true });
  return {
    files,
    bytes,
    close() {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `node <file>` in the file's own folder; resolves to its wall time and what it printed. */
export function runBundle(file, env) {
  return new Promise((resolve, reject) => {
    const t0 = nowNs();
    const child = spawn(process.execPath, [file], { cwd: join(file, ".."), env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => {
      const wallMs = msSince(t0);
      if (code !== 0) {
        reject(new Error(`node ${file} exited ${code}: ${err.trim().split("\n").slice(-2).join(" | ")}`));
        return;
      }
      resolve({ wallMs, ...JSON.parse(out.trim().split("\n").pop()) });
    });
  });
}
