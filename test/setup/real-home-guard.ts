/*
 * A vitest globalSetup that fails the run when a test changed the real user's AWS files or our
 * real cache directory: it records them (every entry's path, type, size, mode and mtime — never
 * contents) before any worker starts and compares after the last one ends. A directory that is
 * absent before must still be absent after (a clean CI machine); one that is there must be
 * unchanged. The per-file isolate-home setup keeps tests away from them; this proves it held.
 */
import { lstatSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The real directories a test must never touch, as this (the main vitest) process sees them. */
export function guardedDirs(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const home = env["HOME"] !== undefined && env["HOME"] !== "" ? env["HOME"] : homedir();
  const dirs = [join(home, ".aws"), join(home, ".cache", "env-or-profile")];
  const xdg = env["XDG_CACHE_HOME"];
  if (xdg !== undefined && xdg.startsWith("/")) dirs.push(join(xdg, "env-or-profile"));
  const explicit = env["ENV_OR_PROFILE_CACHE_DIR"];
  if (explicit !== undefined && explicit !== "") dirs.push(explicit);
  return [...new Set(dirs)];
}

/** One line per entry under `dir` (and `dir` itself): path, kind, size, mode, mtime; `absent` when missing. */
export function snapshotDir(dir: string): string[] {
  const lines: string[] = [];
  const visit = (path: string): void => {
    const stats = lstatSync(path, { throwIfNoEntry: false });
    if (stats === undefined) {
      lines.push(`${path} absent`);
      return;
    }
    const kind = stats.isDirectory() ? "dir" : stats.isSymbolicLink() ? "link" : "file";
    lines.push(`${path} ${kind} ${kind === "dir" ? "" : String(stats.size)} ${(stats.mode & 0o7777).toString(8)} ${String(stats.mtimeMs)}`);
    if (kind === "dir") {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
    }
  };
  visit(dir);
  return lines;
}

/** What changed between two snapshots, one line each (`-` before, `+` after); empty when nothing did. */
export function snapshotChanges(before: readonly string[], after: readonly string[]): string[] {
  const was = new Set(before);
  const is = new Set(after);
  return [...before.filter((line) => !is.has(line)).map((line) => `- ${line}`), ...after.filter((line) => !was.has(line)).map((line) => `+ ${line}`)];
}

export default function setup(): () => void {
  const dirs = guardedDirs();
  const before = dirs.map((dir) => snapshotDir(dir));
  return () => {
    const changes = dirs.flatMap((dir, index) => snapshotChanges(before[index] ?? [], snapshotDir(dir)));
    if (changes.length > 0) {
      // vitest prints an error thrown here but still exits 0: set the exit code too.
      process.exitCode = 1;
      throw new Error(
        `A test changed the real user's files (only temporary directories may be written):\n${changes.join("\n")}\n` +
          "Find the test that runs the CLI or a provider without a temporary HOME / ENV_OR_PROFILE_CACHE_DIR.",
      );
    }
  };
}
