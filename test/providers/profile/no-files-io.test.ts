/*
 * With AWS_PROFILE unset and no files, the profile link falls through after exactly two `stat`
 * calls (synchronous ones: see file-identity.ts): no read, no open, and the SDK's loader is not
 * even loaded.
 */
import { createRequire } from "node:module";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

/** Whether the SDK's loader (its CommonJS bundle, which fromProfile requires) has been loaded. */
const loaderLoaded = (): boolean => Object.keys(createRequire(import.meta.url).cache).some((path) => /@smithy[\\/]core[\\/]dist-cjs[\\/]submodules[\\/]config[\\/]/.test(path));

const calls = vi.hoisted(() => ({ fs: [] as string[] }));

/** The module with each function recording its name (a synchronous call as its async name: `statSync` as `stat`). */
function counting<T extends object>(actual: T): T {
  const counted = Object.fromEntries(
    Object.entries(actual).map(([name, value]) => [
      name,
      typeof value === "function" && !/^[A-Z]/.test(name)
        ? (...args: unknown[]) => {
            calls.fs.push(name.replace(/Sync$/, ""));
            return (value as (...a: unknown[]) => unknown)(...args);
          }
        : value,
    ]),
  );
  return { ...counted, default: counted } as T;
}

vi.mock("node:fs/promises", async (importOriginal) => counting(await importOriginal<typeof import("node:fs/promises")>()));

// A file's identity is a synchronous stat through process.getBuiltinModule("node:fs") (see
// src/sharing/file-identity.ts), which no module mock reaches: that object's statSync is watched.
const builtinFs = process.getBuiltinModule("node:fs");
const realStatSync = builtinFs.statSync;
vi.spyOn(builtinFs, "statSync").mockImplementation(((...args: Parameters<typeof realStatSync>) => {
  calls.fs.push("stat");
  return realStatSync(...args);
}));

const { fromProfile } = await import("../../../src/providers/profile/from-profile.js");
const { tempAws } = await import("./temp-aws.js");

let aws: ReturnType<typeof tempAws>;
beforeEach(() => {
  aws = tempAws();
  calls.fs.length = 0;
});
afterEach(() => {
  aws.remove();
});

describe("fromProfile with nothing configured", () => {
  it("falls through after two stat calls and nothing else", async () => {
    const error: unknown = await fromProfile({ env: aws.env() })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "PROFILE_NOT_SET", tryNextLink: true });
    expect(calls.fs).toEqual(["stat", "stat"]);
    expect(loaderLoaded()).toBe(false);
  });

  it("reads and parses with the SDK's loader once a file exists", async () => {
    aws.writeCredentials("[default]\naws_access_key_id = AKIAIOSFODNN7COUNT01\naws_secret_access_key = secret-count\n");
    calls.fs.length = 0; // the test's own write
    await fromProfile({ env: aws.env() })();
    expect(calls.fs.sort()).toEqual(["readFile", "stat", "stat"]);
    expect(loaderLoaded()).toBe(true);
  });
});
