import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// A user's TypeScript project importing both entry points by name, type-checked by tsc under each
// `moduleResolution`. The package is linked into the project's node_modules; its types come from
// dist/ (built before the tests). node16/nodenext/bundler read the `exports` map; node10 ignores
// it, and finds the root through `types` and the `testing` subpath through `typesVersions`.
const root = fileURLToPath(new URL("../../", import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const project = join(root, "node_modules", ".cache", `module-resolution-${process.pid}`);

const APP = `import { envOrProfile, type MemoizedProvider } from "env-or-profile";
import { manualClock, type ManualClock } from "env-or-profile/testing";

const clock: ManualClock = manualClock();
export const credentials: MemoizedProvider = envOrProfile({ env: false, clock });
`;

const SETTINGS = {
  node10: { module: "commonjs", moduleResolution: "node10", type: "commonjs" },
  node16: { module: "node16", moduleResolution: "node16", type: "module" },
  nodenext: { module: "nodenext", moduleResolution: "nodenext", type: "module" },
  bundler: { module: "esnext", moduleResolution: "bundler", type: "module" },
} as const;

beforeAll(() => {
  rmSync(project, { recursive: true, force: true });
  mkdirSync(join(project, "node_modules"), { recursive: true });
  symlinkSync(root, join(project, "node_modules", "env-or-profile"), "dir");
});
afterAll(() => {
  rmSync(project, { recursive: true, force: true });
});

/** tsc's output for the app in a fresh folder with these settings; "" when it type-checks. */
function typecheck(name: keyof typeof SETTINGS): string {
  const { type, ...compilerOptions } = SETTINGS[name];
  const dir = join(project, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `app-${name}`, private: true, type }));
  writeFileSync(join(dir, "app.ts"), APP);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { ...compilerOptions, target: "es2022", strict: true, noEmit: true, skipLibCheck: true, types: [], typeRoots: [] }, files: ["app.ts"] }),
  );
  try {
    execFileSync(process.execPath, [tsc, "-p", dir, "--pretty", "false"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return "";
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

describe("TypeScript users find both entry points", () => {
  it.each(Object.keys(SETTINGS) as (keyof typeof SETTINGS)[])("with moduleResolution %s", (name) => {
    expect(typecheck(name)).toBe("");
  });
});
