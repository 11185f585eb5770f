// `npm run build`: dist/ from scratch — declarations by tsc (tsconfig.build.json), JavaScript
// bundled by rolldown (rolldown.config.mjs, through its API: a good build prints nothing; the
// rolldown CLI always prints a table of outputs and has no quiet flag). Warnings and errors print.
//
// The package is ESM; CommonJS users get it too (issue 17): `require("env-or-profile")` resolves to
// dist/index.cjs, one line that `require`s the ESM build (Node ≥ 20.19 loads ES modules from
// require), so a process that both imports and requires the package still loads ONE copy and has
// one process-wide state. The declarations live in dist/types/, a CommonJS folder to TypeScript
// (its package.json says so), with one small entry file per format re-exporting them: a
// CommonJS project under `module: node16` then reads them without TS1479, and an ES module
// project imports them as it imports any CommonJS declarations. Only the declarations reachable
// from the two entry points ship (the others described internal modules).
//
// Both write into a fresh staging folder that replaces dist/ only when the bundle succeeded, so a
// failed build leaves the previous dist/ in place. The JavaScript is bundled even when tsc reports
// a type error (the exit code still says so): one half-finished file does not leave every test
// that runs dist/ without a build.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { rolldown } from "rolldown";
import config from "../rolldown.config.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const dist = join(root, "dist");
const staging = join(root, `.dist-build-${process.pid}`);
rmSync(staging, { recursive: true, force: true });

try {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const declarations = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--emitDeclarationOnly", "--outDir", join(staging, "types")], {
    cwd: root,
    stdio: "inherit",
  });
  const configs = Array.isArray(config) ? config : [config];
  for (const { output, ...input } of configs) {
    const build = await rolldown(input);
    try {
      for (const out of Array.isArray(output) ? output : [output ?? {}]) {
        await build.write({ ...out, dir: join(staging, relative(dist, join(root, out.dir ?? "dist"))) });
      }
    } finally {
      await build.close();
    }
  }
  writeEntryPoints(staging);
  // The binary runs as `dist/cli/main.js` (its shebang), e.g. from a credential_process line.
  chmodSync(join(staging, "cli", "main.js"), 0o755);
  rmSync(dist, { recursive: true, force: true });
  renameSync(staging, dist);
  process.exitCode = declarations.status ?? 1;
} finally {
  rmSync(staging, { recursive: true, force: true });
}

/** The public entry points: `dist/<name>.js` is rolldown's; the rest is written here. */
function writeEntryPoints(out) {
  const entries = ["index", "testing/index"];
  const types = join(out, "types");
  writeFileSync(join(types, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
  pruneDeclarations(types, entries.map((entry) => join(types, `${entry}.d.ts`)));
  for (const entry of entries) {
    const path = relative(dirname(join(out, entry)), join(types, entry)).split("\\").join("/");
    const target = `${path.startsWith("../") ? "" : "./"}${path}.js`;
    const declarations = `export * from ${JSON.stringify(target)};\n`;
    writeFileSync(join(out, `${entry}.d.ts`), declarations);
    writeFileSync(join(out, `${entry}.d.cts`), declarations);
    const name = entry.split("/").at(-1);
    writeFileSync(join(out, `${entry}.cjs`), `"use strict";\n// The ES module build, loaded by require() (Node >= 20.19): one copy of the package per process.\nmodule.exports = require("./${name}.js");\n`);
  }
}

/** Removes every declaration file that no entry point reaches through a relative import. */
function pruneDeclarations(dir, roots) {
  const reached = new Set();
  const visit = (file) => {
    if (reached.has(file) || !existsSync(file)) return;
    reached.add(file);
    for (const [, specifier] of readFileSync(file, "utf8").matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)"(\.[^"]+)"/g)) {
      visit(resolve(dirname(file), specifier.replace(/\.js$/, ".d.ts")));
    }
  };
  roots.forEach(visit);
  const sweep = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) {
        sweep(path);
        if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
      } else if (entry.name.endsWith(".d.ts") && !reached.has(path)) {
        rmSync(path);
      }
    }
  };
  sweep(dir);
}
