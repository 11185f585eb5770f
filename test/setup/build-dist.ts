/*
 * Builds dist/ (`npm run build`) when it is missing or older than src/, for tests that
 * run the real binary (`node dist/cli/main.js`) and for examples that import "env-or-profile"
 * through the package's own exports map. Usable as a vitest `globalSetup` (default export) and
 * from a test's `beforeAll` (`ensureBuilt`); a lock directory keeps parallel test files from
 * building at the same time.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The package root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The built CLI entry point. */
export const CLI_MAIN = join(ROOT, "dist", "cli", "main.js");

const LOCK = join(ROOT, "node_modules", ".cache", "env-or-profile-build.lock");
const STALE_LOCK_MS = 120_000;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function isFresh(): boolean {
  const built = join(ROOT, "dist", "index.js");
  if (!existsSync(CLI_MAIN) || !existsSync(built)) {
    return false;
  }
  return Math.min(statSync(CLI_MAIN).mtimeMs, statSync(built).mtimeMs) >= newestMtime(join(ROOT, "src"));
}

function tryLock(): boolean {
  mkdirSync(join(LOCK, ".."), { recursive: true });
  try {
    mkdirSync(LOCK);
    return true;
  } catch {
    if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })!.mtimeMs > STALE_LOCK_MS) {
      rmSync(LOCK, { recursive: true, force: true });
    }
    return false;
  }
}

/** Builds dist/ unless it is already newer than every file in src/. */
export async function ensureBuilt(): Promise<void> {
  for (let waited = 0; waited < 90_000; waited += 200) {
    if (isFresh()) {
      return;
    }
    if (tryLock()) {
      try {
        if (!isFresh()) {
          try {
            // The package's own build (declarations by tsc, JavaScript bundled by rolldown).
            await run("npm", ["run", "build", "--silent"], { cwd: ROOT });
          } catch (error) {
            // A type error fails the build's declaration step (the typecheck step reports those);
            // only a missing output is fatal here.
            if (!existsSync(CLI_MAIN)) {
              throw error;
            }
          }
        }
      } finally {
        rmSync(LOCK, { recursive: true, force: true });
      }
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("Timed out waiting for another test file to build dist/");
}

export default ensureBuilt;
