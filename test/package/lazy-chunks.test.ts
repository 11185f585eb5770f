import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// The lazy boundaries of dist/ (rolldown.config.mjs, issue 13: `import "env-or-profile"` within a
// third of the SDK's import): what only some users need loads at its first call, not at import.
// A resolve hook (module.register) records every module the child imports (p-retry included: an
// `import()` on the first retry). These run against dist/.
const root = new URL("../../", import.meta.url);
const dir = mkdtempSync(join(tmpdir(), "eop-lazy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, "hooks.mjs"),
  `import { appendFileSync } from "node:fs";\nexport async function resolve(specifier, context, next) {\n  const result = await next(specifier, context);\n  appendFileSync(process.env.EOP_RECORD, result.url + "\\n");\n  return result;\n}\n`,
);
writeFileSync(join(dir, "register.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});\n`);

/** Runs `body` (an ES module, after `import * as eop from "env-or-profile"`) and says what it loaded. */
function loadedBy(name: string, body: string): { modules: string[]; out: unknown } {
  const record = join(dir, `${name}.modules`);
  writeFileSync(record, "");
  const script = `import { readFileSync } from "node:fs";\nimport * as eop from "env-or-profile";\nconst pRetryLoaded = () => readFileSync(process.env.EOP_RECORD, "utf8").split("\\n").some((url) => /[\\\\/]node_modules[\\\\/]p-retry[\\\\/]/.test(url));\nconst out = {};\n${body}\nconsole.log(JSON.stringify(out));\n`;
  const stdout = execFileSync(process.execPath, ["--import", join(dir, "register.mjs"), "--input-type=module", "-e", script], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, EOP_RECORD: record, NODE_NO_WARNINGS: "1", AWS_CONFIG_FILE: join(dir, "none"), AWS_SHARED_CREDENTIALS_FILE: join(dir, "none") },
  });
  const modules = readFileSync(record, "utf8").split("\n").filter(Boolean);
  return { modules, out: JSON.parse(stdout) as unknown };
}

const chunk = (name: string) => (url: string) => new RegExp(`[\\\\/]dist[\\\\/]chunks[\\\\/]${name}-[\\w-]+\\.js$`).test(url);

describe("what importing the package loads", () => {
  it("loads neither p-retry nor the profile, file-cache or container-fetch chunk, and creating providers does not either", () => {
    const { modules, out } = loadedBy(
      "import",
      `eop.fromProfile({ profile: "x" }); eop.withFileCache(eop.fromEnv(), { key: { k: "v" } }); eop.fromContainer(); eop.envOrProfile(); out.pRetry = pRetryLoaded();`,
    );
    expect(modules.some(chunk("core"))).toBe(true); // the probe saw the import
    expect(modules.filter((url) => chunk("profile")(url) || chunk("file-cache")(url) || chunk("container-fetch")(url) || /p-retry/.test(url))).toEqual([]);
    expect(out).toEqual({ pRetry: false });
  });

  it("loads the Roles Anywhere chunk at a fromRolesAnywhere provider's first call, not when it is created", () => {
    const arn = (resource: string) => `arn:aws:rolesanywhere:eu-west-1:123456789012:${resource}/6f4943fb-13d4-4242-89c4-be367595c380`;
    const options = JSON.stringify({
      certificate: join(dir, "no-such.pem"),
      privateKey: join(dir, "no-such.key"),
      trustAnchorArn: arn("trust-anchor"),
      profileArn: arn("profile"),
      roleArn: "arn:aws:iam::123456789012:role/app",
    });
    const created = loadedBy(
      "roles-anywhere-created",
      `eop.fromRolesAnywhere(${options}); eop.memoize(eop.fromRolesAnywhere(${options})); eop.fromConfig({ rolesAnywhere: ${options} }); out.ok = true;`,
    );
    expect(created.out).toEqual({ ok: true });
    expect(created.modules.filter((url) => chunk("roles-anywhere")(url) || url === "node:crypto")).toEqual([]);
    const called = loadedBy("roles-anywhere-called", `try { await eop.fromRolesAnywhere(${options})(); } catch (error) { out.code = error.code; }`);
    expect(called.out).toEqual({ code: "ROLES_ANYWHERE_FILE_UNREADABLE" });
    expect(called.modules.some(chunk("roles-anywhere"))).toBe(true);
    expect(called.modules).toContain("node:crypto"); // the probe sees built-ins: their absence above means something
  });

  it("loads the profile chunk at the first call of a provider with a profile to look up", () => {
    const { modules, out } = loadedBy("profile", `try { await eop.fromProfile({ profile: "x" })(); } catch (error) { out.code = error.code; }`);
    expect(out).toEqual({ code: "PROFILE_NOT_FOUND" });
    expect(modules.some(chunk("profile"))).toBe(true);
  });

  it("does not load the profile chunk when no profile is asked for and neither file exists", () => {
    const { modules, out } = loadedBy("profile-none", `try { await eop.fromProfile()(); } catch (error) { out.code = error.code; }`);
    expect(out).toEqual({ code: "PROFILE_NOT_SET" });
    expect(modules.filter(chunk("profile"))).toEqual([]);
  });

  it("reads no profile file for IMDS settings when neither file exists: the IMDS link's first call loads no profile chunk", () => {
    const { modules, out } = loadedBy("imds-no-files", `try { await eop.fromImds({ endpoint: "http://127.0.0.1:9", timeoutMs: 200 })(); } catch (error) { out.code = error.code; }`);
    expect(out).toEqual({ code: "IMDS_UNAVAILABLE" });
    expect(modules.filter(chunk("profile"))).toEqual([]);
  });

  it("parses the config file for the IMDS settings of the selected profile when it exists (the profile chunk)", () => {
    const config = join(dir, "imds-config");
    writeFileSync(config, "[default]\nec2_metadata_v1_disabled = maybe\n");
    const { modules, out } = loadedBy(
      "imds-config",
      `try { await eop.fromImds({ endpoint: "http://127.0.0.1:9", timeoutMs: 200, env: { ...process.env, AWS_CONFIG_FILE: ${JSON.stringify(config)} } })(); } catch (error) { out.code = error.code; }`,
    );
    expect(out).toEqual({ code: "CONFIG_INVALID" });
    expect(modules.some(chunk("profile"))).toBe(true);
  });

  it("loads the file-cache chunk at a cached provider's first call", () => {
    const { modules, out } = loadedBy(
      "file-cache",
      `const credential = await eop.withFileCache(async () => ({ accessKeyId: "AKIDLAZY", secretAccessKey: "s" }), { key: { k: "v" }, dir: ${JSON.stringify(join(dir, "cache"))} })(); out.id = credential.accessKeyId;`,
    );
    expect(out).toEqual({ id: "AKIDLAZY" });
    expect(modules.some(chunk("file-cache"))).toBe(true);
  });

  it("loads p-retry only when a first attempt fails with a failure worth retrying", () => {
    const { out } = loadedBy(
      "retry",
      `let calls = 0;
const provider = eop.memoize(async () => { calls += 1; if (calls === 1) throw Object.assign(new Error("reset"), { code: "ECONNRESET" }); return { accessKeyId: "AKIDRETRY", secretAccessKey: "s" }; }, { retry: { minTimeout: 1, maxTimeout: 1 }, jitter: false });
const ok = eop.memoize(async () => ({ accessKeyId: "AKIDOK", secretAccessKey: "s" }), { jitter: false });
await ok();
out.afterSuccess = pRetryLoaded();
out.id = (await provider()).accessKeyId;
out.calls = calls;
out.afterRetry = pRetryLoaded();`,
    );
    expect(out).toEqual({ afterSuccess: false, id: "AKIDRETRY", calls: 2, afterRetry: true });
  });
});
