import { builtinModules } from "node:module";
import { defineConfig } from "rolldown";
import pkg from "./package.json" with { type: "json" };

// One file per entry point instead of ~40 small ESM modules: each module costs Node a resolve,
// a compile and an instantiate, and that — not our code — was most of the import time. Heavy or
// rarely used parts stay out of the import: the AssumeRole machinery and the AWS SDK, lru-cache
// and node:crypto behind dynamic import() (chunks loaded on first use), node:http behind a
// require() on the first IMDS request.
// Every runtime dependency stays an external import (p-retry included), so users see, audit and
// update what they run; nothing of anyone else's code is bundled into dist/ (the package tests
// check that no dist file carries a dependency's code).
const external = [
  ...Object.keys(pkg.dependencies),
  ...Object.keys(pkg.devDependencies),
  ...builtinModules,
  ...builtinModules.map((name) => `node:${name}`),
];

export default defineConfig([{
  input: {
    index: "src/index.ts",
    "testing/index": "src/testing/index.ts",
    // The CLI proper, an ES module loaded by the binary's CommonJS entry below when it is needed.
    "chunks/cli": "src/cli/full-cli.ts",
  },
  external: (id) => external.some((name) => id === name || id.startsWith(`${name}/`)),
  platform: "node",
  output: {
    dir: "dist",
    format: "esm",
    sourcemap: true,
    // The TSDoc lives in the .d.ts files (and the source maps point at the sources); comments in
    // the shipped JavaScript would only be read and skipped at every import.
    comments: false,
    entryFileNames: "[name].js",
    chunkFileNames: "chunks/[name]-[hash].js",
    // Everything the entry points share goes into one "core" chunk (one file to load instead of
    // four); what is loaded on first use keeps its own chunk.
    codeSplitting: {
      groups: [
        {
          name: "core",
          // The library proper: not the test tools, not the CLI, not the lazily loaded parts.
          test: (id) => /[\\/]src[\\/]/.test(id) && !/[\\/]src[\\/](testing|cli|demo)[\\/]|sts-call\.ts$|map-sts-error\.ts$/.test(id),
        },
      ],
    },
  },
},
// The binary's entry, dist/cli/main.js, as CommonJS (dist/cli/package.json says so) holding only
// the warm path of `credential-process` with everything it needs inlined: a cache hit then starts
// without Node's ES module loader, which alone costs about a third of node's start-up (issue 11:
// a warm run ≤ 1.3× `node -e 0`). Everything else it imports from dist/chunks/cli.js at run time.
{
  input: { "cli/main": "src/cli/main.ts" },
  external: (id) => builtinModules.includes(id.replace(/^node:/, "")),
  platform: "node",
  plugins: [
    {
      name: "cli-is-commonjs",
      generateBundle() {
        this.emitFile({ type: "asset", fileName: "cli/package.json", source: `${JSON.stringify({ type: "commonjs" })}\n` });
      },
    },
  ],
  output: { dir: "dist", format: "cjs", sourcemap: true, comments: false, entryFileNames: "[name].js" },
}]);
