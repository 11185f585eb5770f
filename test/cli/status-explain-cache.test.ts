import { chmodSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ExplainJson } from "../../src/cli/commands/explain.js";
import type { StatusJson } from "../../src/cli/commands/status.js";
import { ENV_KEYS, leakedSecrets } from "./cli-test-io.js";
import { CACHE_WORLD_ROLE, CACHE_WORLD_ROLE_ARN, useCliCacheWorld } from "../helpers/cli-cache-world.js";

const ROLE_ARN = CACHE_WORLD_ROLE_ARN;
const MINUTE = 60_000;
const ROLE = CACHE_WORLD_ROLE;

const world = useCliCacheWorld("eop-status-cache-");
const credentialFetches = (): number => world.credentialFetches();
const cacheDir = (): string => world.cacheDir;

/** One CLI run against the emulators, with credential-process's cache in the temporary home. */
const cli = (args: string[], env: Record<string, string | undefined> = {}) => world.run(args, env);

async function statusJson(args: string[], env: Record<string, string | undefined> = {}): Promise<StatusJson> {
  return JSON.parse((await cli(["--json", ...args], env)).stdout) as StatusJson;
}

async function explainJson(args: string[], env: Record<string, string | undefined> = {}): Promise<ExplainJson> {
  return JSON.parse((await cli(["explain", "--json", ...args], env)).stdout) as ExplainJson;
}

/** Every secret the emulators handed out so far. */
function secrets(): string[] {
  return [world.imds.current.secretAccessKey, world.imds.current.sessionToken, ...world.sts.issued.flatMap((issued) => [issued.secretAccessKey, issued.sessionToken])];
}

describe("status --cache", () => {
  it("reports credential-process's entry — its file, age and expiry — and asks no link", async () => {
    expect((await cli(["credential-process", ...ROLE])).code).toBe(0);
    world.clock.advance(5 * MINUTE);
    const status = await statusJson([...ROLE, "--cache"]);
    expect(status).toMatchObject({ ok: true, source: "cache", roleArn: ROLE_ARN, accessKeyIdLast4: world.sts.issued[0]?.accessKeyId.slice(-4) });
    expect(status.cache).toMatchObject({ state: "hit", ageSeconds: 300, expiration: world.sts.issued[0]?.expiration.toISOString().replace(/\.\d{3}Z$/, "Z") });
    expect(status.cache?.path?.startsWith(cacheDir())).toBe(true);
    expect(world.sts.calls).toBe(1);
    expect(credentialFetches()).toBe(1);
  });

  it("says so in its text: the source is the cache entry, obtained how long ago", async () => {
    await cli(["credential-process", ...ROLE]);
    world.clock.advance(5 * MINUTE);
    const { code, stdout } = await cli([...ROLE, "--cache"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Source: +cache \(credential-process's entry .+\.json, for arn:aws:iam::123456789012:role\/partner-upload\)$/m);
    expect(stdout).toMatch(/^Cache: +hit: obtained \S+Z \(5m 00s ago\); no link was asked$/m);
    expect(stdout).toMatch(/^Expires: +\S+Z \(in 55m 00s\)$/m);
  });

  it("prints no secret of the cached credential, as text or JSON", async () => {
    await cli(["credential-process", ...ROLE]);
    const text = await cli([...ROLE, "--cache"]);
    const json = await cli(["--json", ...ROLE, "--cache"]);
    expect(leakedSecrets(text.stdout + text.stderr + json.stdout + json.stderr, secrets())).toEqual([]);
  });

  it("without --cache neither reads nor writes the cache: the links answer", async () => {
    await cli(["credential-process", ...ROLE]);
    const status = await statusJson(ROLE);
    expect(status.source).toBe("assume-role");
    expect(status.cache).toBeUndefined();
    expect(world.sts.calls).toBe(2);
  });

  it("on a miss asks the links and keeps their credential, so the next credential-process is served from it", async () => {
    const status = await statusJson([...ROLE, "--cache"]);
    expect(status).toMatchObject({ ok: true, source: "assume-role", base: "imds", cache: { state: "miss", written: true } });
    expect(status.cache?.message).toContain("no entry for this command line and environment");
    expect((await cli(["credential-process", ...ROLE])).code).toBe(0);
    expect(world.sts.calls).toBe(1);
  });
});

describe("explain --cache", () => {
  it("on a hit prints the cache line before the links, and every link as not asked", async () => {
    await cli(["credential-process", ...ROLE]);
    const { code, stdout } = await cli(["explain", ...ROLE, "--cache"]);
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[0]).toMatch(/^Cache: hit — served .+\.json, obtained \S+Z \(0s ago\), expires \S+Z \(refreshed 20m 00s before\); no link was asked\.$/);
    const links = lines.filter((line) => /^ {2}\d\. /.test(line));
    expect(links).toHaveLength(6);
    for (const line of links.slice(0, 5)) expect(line).toMatch(/not tried .*not asked: the credential came from the cache$/);
    expect(links[5]).toMatch(/assume-role +not tried .*not asked: the cache holds the credential for arn:aws:iam::123456789012:role\/partner-upload$/);
    expect(stdout).toMatch(/^Result: credentials from cache \(access key id …\w{4}, expires /m);
    expect(world.sts.calls).toBe(1);
    expect(credentialFetches()).toBe(1);
  });

  it("on a hit, as JSON: winner cache, the cache report, the links not tried", async () => {
    await cli(["credential-process", ...ROLE]);
    const explain = await explainJson([...ROLE, "--cache"]);
    expect(explain.winner).toBe("cache");
    expect(explain.cache?.state).toBe("hit");
    expect(explain.links.map((link) => link.status)).toEqual(["not-tried", "not-tried", "not-tried", "not-tried", "not-tried", "not-tried"]);
  });

  it("on a miss traces the links as usual, then keeps the credential", async () => {
    const explain = await explainJson([...ROLE, "--cache"]);
    expect(explain.winner).toBe("assume-role");
    expect(explain.cache).toMatchObject({ state: "miss", written: true });
    expect(explain.links.find((link) => link.link === "imds")?.status).toBe("ok");
    expect(readdirSync(cacheDir()).filter((name) => name.endsWith(".json"))).toHaveLength(1);
  });

  it("says an entry inside the refresh window is not served, and asks the links", async () => {
    await cli(["credential-process", ...ROLE]);
    world.clock.advance(41 * MINUTE); // 19 minutes left of an hour: inside the 20-minute window
    const explain = await explainJson([...ROLE, "--cache"]);
    expect(explain.cache?.state).toBe("miss");
    expect(explain.cache?.message).toMatch(/^the entry expires \S+Z, inside the 20m 00s refresh window; the links' credential is now kept/);
    expect(explain.winner).toBe("assume-role");
    expect(world.sts.calls).toBe(2);
  });

  it("says why an entry it does not trust was ignored (readable by the group)", async () => {
    await cli(["credential-process", ...ROLE]);
    const [entry] = readdirSync(cacheDir()).filter((name) => name.endsWith(".json"));
    chmodSync(join(cacheDir(), entry ?? ""), 0o640);
    const explain = await explainJson([...ROLE, "--cache"]);
    expect(explain.cache?.state).toBe("miss");
    expect(explain.cache?.message).toContain("was ignored: mode 640: group or others have access");
    expect(explain.winner).toBe("assume-role");
  });

  it("is overruled by --no-cache: the cache is ignored, and nothing is written", async () => {
    const { stdout } = await cli(["explain", ...ROLE, "--cache", "--no-cache"]);
    expect(stdout.split("\n")[0]).toBe("Cache: ignored — not used: --no-cache.");
    expect(() => readdirSync(cacheDir())).toThrow();
  });

  it("is overruled by ENV_OR_PROFILE_CACHE=off, and says so", async () => {
    await cli(["credential-process", ...ROLE]);
    const explain = await explainJson([...ROLE, "--cache"], { ENV_OR_PROFILE_CACHE: "off" });
    expect(explain.cache).toEqual({ state: "ignored", message: "not used: ENV_OR_PROFILE_CACHE=off" });
    expect(explain.winner).toBe("assume-role");
  });

  it("leaves environment keys (no role, no profile) out, as credential-process does, and says why", async () => {
    const explain = await explainJson(["--cache"], { ...ENV_KEYS });
    expect(explain.winner).toBe("env");
    expect(explain.cache?.state).toBe("ignored");
    expect(explain.cache?.message).toContain("the keys are in the environment");
    expect(() => readdirSync(cacheDir())).toThrow();
  });

  it("without --cache shows no cache line", async () => {
    const { stdout } = await cli(["explain", ...ROLE]);
    expect(stdout.startsWith("Credential links, in the order envOrProfile() tries them:\n")).toBe(true);
  });
});

describe("the help", () => {
  it("documents --cache for status and for explain", async () => {
    const main = await cli(["--help"]);
    const explain = await cli(["explain", "--help"]);
    expect(main.stdout).toMatch(/^ {2}--cache +status, explain: look in credential-process's cache first/m);
    expect(explain.stdout).toMatch(/^Usage: env-or-profile explain \[--json\] \[--cache\]/);
    expect(explain.stdout).toMatch(/^ {2}--cache +first a "Cache:" line/m);
  });
});
