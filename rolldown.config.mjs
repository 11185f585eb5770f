import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { defineConfig } from "rolldown";
import pkg from "./package.json" with { type: "json" };

// One file per entry point instead of ~40 small ESM modules: each module costs Node a resolve,
// a compile and an instantiate, and that — not our code — was most of the import time. Heavy or
// rarely used parts stay out of the import: the AssumeRole machinery and the AWS SDK
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

// The profile link's reading once a file exists (files, parser, planner, SSO; read-profile.ts is
// loaded by the link's first such reading) — not its factory, its profile selection or its
// constants — and a credential_process run (run-credential-process.ts, loaded by the process
// link's first fetch; profiles use it), with the reader of `aws_signing_helper` command lines
// (profile-process-link.ts runs them natively).
const LAZY_PROFILE =
  /[\\/]src[\\/]providers[\\/](profile[\\/](read-profile|parsed-profile-files|read-imds-profile-settings|from-login-profile|build-profile-link|load-profiles|plan-profile|find-ini-problems|read-role-settings|read-static-credentials|read-profile-files|from-sso-profile|sdk-profile-provider|profile-where|profile-process-link)|roles-anywhere[\\/]parse-signing-helper-command|process[\\/](run-credential-process|run-mfa-process|run-bounded-process|parse-credential-process-output|scrub-process-text))\.ts$/;
// The file cache's reads, locks and writes (file-cache-slot.ts, loaded by withFileCache's first
// call) — not withFileCache itself, clearFileCache or the cache directory's name.
const LAZY_FILE_CACHE = /[\\/]src[\\/]cache[\\/](file-cache-slot|cache-entry|cache-key-hash|cache-lock|hmac-sha256|open-private-dir|inspect-file-cache)\.ts$/;
// The CLI imports the file cache statically (its warm path reads it before anything else), so
// there the file cache's import() is no split: expected, not worth a warning at every build.
/** @type {import("rolldown").InputOptions["onLog"]} */
const onLog = (level, log, handler) => {
  if (log.code === "INEFFECTIVE_DYNAMIC_IMPORT" && /file-cache-slot\.ts/.test(log.message)) {
    return;
  }
  handler(level, log);
};
// The container link's fetch path (container-fetch.ts, loaded at fromContainer's first fetch).
const LAZY_CONTAINER = /[\\/]src[\\/]providers[\\/]container[\\/]container-fetch\.ts$/;

// IAM Roles Anywhere's call path (create-session.ts, loaded at fromRolesAnywhere's first call: the
// files, the PEM, certificate and key parsers, the signer, the answer's checks) — not its factory,
// its options or their checks. The testing entry's emulator imports the signer's pieces from it.
const LAZY_ROLES_ANYWHERE =
  /[\\/]src[\\/]providers[\\/]roles-anywhere[\\/](create-session|load-signing-material|read-material|parse-pem-blocks|parse-certificates|parse-private-key|sign-x509-request|x509-canonical-request|parse-create-session-response|map-roles-anywhere-error)\.ts$/;

// The CommonJS shims (src/**/*.cjs: a `require` of an AWS SDK package that Node's `import()` would
// load slowly; see src/providers/sts/client-sts.cjs) stay files of their own, next to
// the chunks that `import()` them: bundled here, their `require` would become a createRequire
// call, which the users' bundlers could not follow.
const SHIMS = { "./client-sts.cjs": "src/providers/sts/client-sts.cjs", "./smithy-config.cjs": "src/providers/profile/smithy-config.cjs" };
/** @type {import("rolldown").Plugin} */
const commonjsShims = {
  name: "commonjs-shims",
  resolveId(source) {
    return Object.hasOwn(SHIMS, source) ? { id: source, external: true } : undefined;
  },
  generateBundle() {
    for (const [name, path] of Object.entries(SHIMS)) {
      this.emitFile({ type: "asset", fileName: `chunks/${name.slice(2)}`, source: readFileSync(path, "utf8") });
    }
  },
};

/** Whitespace and local names only (see the first output's comment). @type {import("rolldown").OutputOptions["minify"]} */
const MINIFY = { compress: { keepNames: { function: true, class: true } }, mangle: { keepNames: true }, codegen: true };

/** @param {string} id */
const lazy = (id) => LAZY_PROFILE.test(id) || LAZY_FILE_CACHE.test(id) || LAZY_CONTAINER.test(id) || LAZY_ROLES_ANYWHERE.test(id);

export default defineConfig([{
  input: {
    index: "src/index.ts",
    "testing/index": "src/testing/index.ts",
    // The CLI proper, an ES module loaded by the binary's CommonJS entry below when it is needed.
    "chunks/cli": "src/cli/full-cli.ts",
  },
  external: (id) => external.some((name) => id === name || id.startsWith(`${name}/`)),
  platform: "node",
  onLog,
  plugins: [commonjsShims],
  output: {
    dir: "dist",
    format: "esm",
    // No source maps: they pointed at sources the package does not ship (1 MB of the 1.8 MB
    // unpacked). Whitespace and local names are minified to bring the package within 0.5 MB
    // unpacked (issue 17; readable, it was 0.59 MB): function and class names are kept, so a stack
    // trace still names the function, and nothing is "compressed" (no code is rewritten).
    sourcemap: false,
    minify: MINIFY,
    // The TSDoc lives in the .d.ts files; comments in the shipped JavaScript would only be read and
    // skipped at every import.
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
          test: (id) => /[\\/]src[\\/]/.test(id) && !/[\\/]src[\\/](testing|cli|demo)[\\/]|sts-call\.ts$|map-sts-error\.ts$/.test(id) && !lazy(id),
        },
        // What only some users need, each behind an import() at its first call (the factories stay
        // synchronous and check their options when created, in the core chunk). Without these the
        // core chunk held everything (~224 KB) and the import cost ~0.45× the SDK's against ≤ 1/3.
        { name: "profile", test: (id) => LAZY_PROFILE.test(id) },
        { name: "file-cache", test: (id) => LAZY_FILE_CACHE.test(id) },
        { name: "container-fetch", test: (id) => LAZY_CONTAINER.test(id) },
        { name: "roles-anywhere", test: (id) => LAZY_ROLES_ANYWHERE.test(id) },
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
  onLog,
  plugins: [
    {
      name: "cli-is-commonjs",
      generateBundle() {
        this.emitFile({ type: "asset", fileName: "cli/package.json", source: `${JSON.stringify({ type: "commonjs" })}\n` });
      },
    },
  ],
  output: { dir: "dist", format: "cjs", sourcemap: false, minify: MINIFY, comments: false, entryFileNames: "[name].js" },
}]);
