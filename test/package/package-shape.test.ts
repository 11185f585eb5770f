import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// These run against dist/, which `npm test` builds first (the `pretest` script).
const root = new URL("../../", import.meta.url);
const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as {
  type: string;
  exports: Record<string, Record<string, string> | string>;
  files: string[];
  sideEffects: boolean;
  engines: { node: string };
};

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: "utf8", env: { ...process.env, NODE_NO_WARNINGS: "1" } });
}

describe("the published package", () => {
  it("is ESM with types first in every exports entry", () => {
    expect(pkg.type).toBe("module");
    for (const [subpath, entry] of Object.entries(pkg.exports)) {
      if (typeof entry === "object") {
        expect(Object.keys(entry)[0], subpath).toBe("types");
      }
    }
    expect(pkg.files).toEqual(["dist"]);
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.engines.node).toBe(">=20");
  });

  it("can be imported by name, with the testing subpath", () => {
    const out = node(["--input-type=module", "-e", "const m = await import('env-or-profile'); const t = await import('env-or-profile/testing'); console.log(typeof m.envOrProfile, typeof t.startImdsEmulator)"]);
    expect(out.trim()).toBe("function function");
  });

  it("can be loaded with require() (Node 20.19+ loads ESM from require)", () => {
    const out = node(["-e", "const m = require('env-or-profile'); console.log(typeof m.envOrProfile, typeof m.CredentialsError)"]);
    expect(out.trim()).toBe("function function");
  });

  it("loads neither node:http nor node:crypto on import (they load on first use)", () => {
    const out = node([
      "--input-type=module",
      "-e",
      "const before = new Set(process.moduleLoadList); await import('env-or-profile'); const loaded = process.moduleLoadList.filter((m) => !before.has(m)); console.log(JSON.stringify({ http: loaded.includes('NativeModule http'), crypto: loaded.includes('NativeModule crypto') }))",
    ]);
    expect(JSON.parse(out)).toEqual({ http: false, crypto: false });
  });

  it("imports nothing but two small builtins statically: dependencies load on first use", () => {
    const staticImports = (file: URL, seen = new Set<string>()): Set<string> => {
      for (const [, specifier] of readFileSync(file, "utf8").matchAll(/^(?:import|export)\s[^;]*?from\s*"([^"]+)"/gm)) {
        if (specifier!.startsWith(".")) {
          staticImports(new URL(specifier!, file), seen);
        } else {
          seen.add(specifier!);
        }
      }
      return seen;
    };
    expect([...staticImports(new URL("dist/index.js", root))].sort()).toEqual(["node:module", "node:os"]);
  });

  it("loads no AWS SDK module on import", () => {
    const out = node([
      "--input-type=module",
      "-e",
      "import { createRequire } from 'node:module'; await import('env-or-profile'); const loaded = Object.keys(createRequire(import.meta.url).cache).filter((p) => p.includes('@aws-sdk') || p.includes('@smithy')); console.log(loaded.length)",
    ]);
    expect(out.trim()).toBe("0");
  });
});
