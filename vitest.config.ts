import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (path: string): string => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Examples import the package by name, as users do; in tests that name means the source.
    alias: [
      { find: /^env-or-profile\/testing$/, replacement: src("testing/index.ts") },
      { find: /^env-or-profile$/, replacement: src("index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    // isolate-home: every test file gets its own temporary HOME, AWS files and cache directory.
    // preload-p-retry: the first retry does not wait for p-retry to load (fake timers; see the file).
    setupFiles: ["test/setup/fail-on-unhandled-rejection.ts", "test/setup/quiet-sdk-version-warning.ts", "test/setup/isolate-home.ts", "test/setup/preload-p-retry.ts"],
    // The CLI tests run the real binary from dist/; build it once, before any worker starts.
    // real-home-guard: the run fails if the real ~/.aws or ~/.cache/env-or-profile changed.
    globalSetup: ["test/setup/build-dist.ts", "test/setup/real-home-guard.ts"],
    testTimeout: 20_000,
    // peers-reporter: lists the tests not run because a peer (AWS CLI v2, moto, boto3) is missing.
    reporters: ["default", "./test/setup/peers-reporter.ts"],
    // The suite runs on 2 cores; the forks pool isolates process.env changes per file.
    pool: "forks",
  },
});
