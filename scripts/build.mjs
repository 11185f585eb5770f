// `npm run build`: dist/ from scratch — declarations by tsc (tsconfig.build.json), JavaScript
// bundled by rolldown (rolldown.config.mjs, through its API: a good build prints nothing; the
// rolldown CLI always prints a table of outputs and has no quiet flag). Warnings and errors print.
//
// Both write into a fresh staging folder that replaces dist/ only when the bundle succeeded, so a
// failed build leaves the previous dist/ in place. The JavaScript is bundled even when tsc reports
// a type error (the exit code still says so): one half-finished file does not leave every test
// that runs dist/ without a build.
import { spawnSync } from "node:child_process";
import { chmodSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { rolldown } from "rolldown";
import config from "../rolldown.config.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const dist = join(root, "dist");
const staging = join(root, `.dist-build-${process.pid}`);
rmSync(staging, { recursive: true, force: true });

try {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const declarations = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--emitDeclarationOnly", "--outDir", staging], {
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
  // The binary runs as `dist/cli/main.js` (its shebang), e.g. from a credential_process line.
  chmodSync(join(staging, "cli", "main.js"), 0o755);
  rmSync(dist, { recursive: true, force: true });
  renameSync(staging, dist);
  process.exitCode = declarations.status ?? 1;
} finally {
  rmSync(staging, { recursive: true, force: true });
}
