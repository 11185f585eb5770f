import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    setupFiles: ["test/setup/fail-on-unhandled-rejection.ts"],
    testTimeout: 20_000,
    // The suite runs on 2 cores; the forks pool isolates process.env changes per file.
    pool: "forks",
  },
});
