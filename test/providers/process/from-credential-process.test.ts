import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CredentialsError } from "../../../src/errors.js";
import { memoize } from "../../../src/memoize.js";
import { fromCredentialProcess, type CredentialProcessOptions } from "../../../src/providers/process/from-credential-process.js";
import { manualClock } from "../../../src/testing/manual-clock.js";
import { expectClean } from "../../helpers/leak-check.js";

const KEY = "AKIAIOSFODNN7PROCESS1";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPROCESS001";
const TOKEN = "IQoJb3JpZ2luX2VjPROCESS-SESSION-TOKEN-0001";
const NOW = Date.parse("2026-06-01T00:00:00Z");

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "eop process "));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A node script in the temp dir (whose path has a space), and the command line that runs it. */
function script(name: string, body: string): string {
  const path = join(dir, `${name}.mjs`);
  writeFileSync(path, body);
  return `"${process.execPath}" "${path}"`;
}

function printing(output: unknown): string {
  return script(`print-${Math.random().toString(36).slice(2)}`, `process.stdout.write(${JSON.stringify(JSON.stringify(output))});`);
}

const good = { Version: 1, AccessKeyId: KEY, SecretAccessKey: SECRET, SessionToken: TOKEN, Expiration: "2026-06-01T01:00:00Z" };

function run(command: string, options: Partial<CredentialProcessOptions> = {}) {
  return fromCredentialProcess({ command, clock: manualClock(NOW), ...options })();
}

async function failure(command: string, options: Partial<CredentialProcessOptions> = {}): Promise<CredentialsError> {
  const error: unknown = await run(command, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CredentialsError);
  return error as CredentialsError;
}

describe("fromCredentialProcess", () => {
  it("returns the Version 1 JSON's keys, token and expiration", async () => {
    expect(await run(printing({ ...good, AccountId: "123456789012" }))).toEqual({
      accessKeyId: KEY,
      secretAccessKey: SECRET,
      sessionToken: TOKEN,
      expiration: new Date("2026-06-01T01:00:00Z"),
      accountId: "123456789012",
    });
  });

  it("runs the program without a shell, passing quoted words and shell syntax as plain arguments", async () => {
    const argvFile = join(dir, "argv.json");
    const command = script(
      "argv",
      `import { writeFileSync } from "node:fs"; writeFileSync(${JSON.stringify(argvFile)}, JSON.stringify(process.argv.slice(2)));` +
        `process.stdout.write(${JSON.stringify(JSON.stringify(good))});`,
    );
    await run(`${command} --name 'my team' "$HOME" ';' '$(id)'`);
    expect(JSON.parse(readFileSync(argvFile, "utf8"))).toEqual(["--name", "my team", "$HOME", ";", "$(id)"]);
  });

  it("runs once per credential under memoize", async () => {
    const counter = join(dir, "count.txt");
    writeFileSync(counter, "");
    const command = script(
      "count",
      `import { appendFileSync } from "node:fs"; appendFileSync(${JSON.stringify(counter)}, "x"); process.stdout.write(${JSON.stringify(JSON.stringify(good))});`,
    );
    const clock = manualClock(NOW);
    const provider = memoize(fromCredentialProcess({ command, clock }), { clock });
    await Promise.all([provider(), provider(), provider()]);
    await provider();
    expect(readFileSync(counter, "utf8")).toBe("x");
  });

  it("reports a non-zero exit with its code and stderr's reason, scrubbed of anything key-like, and does not retry it", async () => {
    const command = script("fail", `process.stderr.write("vault: token ${SECRET} rejected for ${KEY}\\n"); process.exit(3);`);
    const error = await failure(command, { profile: "ci" });
    expect(error).toMatchObject({ source: "process", code: "PROCESS_FAILED", tryNextLink: false, retryable: false });
    expect(error.message).toContain('credential_process "node" of profile "ci" exited with code 3: vault: token [redacted] rejected for …');
    expectClean(error, [SECRET, KEY]);
  });

  it("keeps stderr out of the message when the program succeeded but printed bad JSON, and never shows stdout", async () => {
    const command = script("bad", `process.stderr.write("debug ${TOKEN}"); process.stdout.write('{"Version":1,"AccessKeyId":"${KEY}","SecretAccessKey":"${SECRET}"');`);
    const error = await failure(command);
    expect(error.code).toBe("PROCESS_BAD_OUTPUT");
    expect(error.message).toContain("stdout that is not JSON");
    expectClean(error, [SECRET, TOKEN]);
  });

  it("refuses a Version other than 1, a missing field and an unparseable Expiration, naming the field", async () => {
    expect((await failure(printing({ ...good, Version: 2 }))).message).toContain('"Version" 2; only Version 1 is defined');
    expect((await failure(printing({ Version: 1, AccessKeyId: KEY }))).message).toContain('JSON without "SecretAccessKey"');
    expect((await failure(printing({ ...good, Expiration: "tomorrow" }))).message).toContain('"Expiration" that is not an ISO 8601');
    expect((await failure(printing([good]))).message).toContain("JSON that is not an object");
  });

  it("refuses credentials that have already expired", async () => {
    const error = await failure(printing({ ...good, Expiration: "2026-05-31T23:59:59Z" }));
    expect(error).toMatchObject({ code: "CREDENTIALS_EXPIRED", tryNextLink: false });
    expectClean(error, [SECRET, TOKEN]);
  });

  it("kills a program that runs past the time limit", async () => {
    const error = await failure(script("hang", "setInterval(() => {}, 1000);"), { timeoutMs: 300 });
    expect(error).toMatchObject({ code: "PROCESS_TIMEOUT", tryNextLink: false });
    expect(error.message).toContain("did not finish within 300 ms");
  });

  it("stops a program that writes more than the output limit", async () => {
    const error = await failure(script("flood", 'const chunk = "x".repeat(65536); const go = () => { while (process.stdout.write(chunk)); process.stdout.once("drain", go); }; go();'), {
      maxOutputBytes: 10_000,
    });
    expect(error.code).toBe("PROCESS_BAD_OUTPUT");
    expect(error.message).toContain("more than 10000 bytes");
  });

  it("says when the program does not exist", async () => {
    const error = await failure(join(dir, "no-such-program"));
    expect(error).toMatchObject({ code: "PROCESS_FAILED", retryable: false });
    expect(error.message).toContain("was not found");
  });

  it("refuses a command line that cannot be split, when created", () => {
    expect(() => fromCredentialProcess({ command: "creds 'unterminated" })).toThrow(TypeError);
  });
});

describe("fromCredentialProcess: nesting", () => {
  it("tells the program how deeply it is nested", async () => {
    const command = script(
      "depth",
      `process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: "AKIADEPTH" + process.env.ENV_OR_PROFILE_CREDENTIAL_PROCESS_DEPTH + "0000000000", SecretAccessKey: "s" }));`,
    );
    expect((await run(command, { env: { ENV_OR_PROFILE_CREDENTIAL_PROCESS_DEPTH: "2" } })).accessKeyId).toBe("AKIADEPTH30000000000");
  });

  it("refuses to run once credential processes are nested four deep, without starting the program", async () => {
    const marker = join(dir, "never-ran.txt");
    const command = script("never", `import { writeFileSync } from "node:fs"; writeFileSync(${JSON.stringify(marker)}, "ran");`);
    const error = await failure(command, { env: { ENV_OR_PROFILE_CREDENTIAL_PROCESS_DEPTH: "4" } });
    expect(error).toMatchObject({ code: "PROCESS_LOOP", tryNextLink: false });
    expect(error.message).toContain("nested 4 deep");
    expect(() => readFileSync(marker)).toThrow();
  });

  it("tells its child which command lines run above it (a hash of each, never the line)", async () => {
    const seen = join(dir, "chain.txt");
    const command = script("chain", `import { writeFileSync } from "node:fs"; writeFileSync(${JSON.stringify(seen)}, process.env.ENV_OR_PROFILE_CREDENTIAL_PROCESS_CHAIN ?? ""); process.stdout.write(${JSON.stringify(JSON.stringify(good))});`);
    await run(command, { env: { ENV_OR_PROFILE_CREDENTIAL_PROCESS_CHAIN: "0123456789abcdef@42" } });
    expect(readFileSync(seen, "utf8")).toBe(`0123456789abcdef@42,${chainId(command)}@${process.pid}`);
  });

  it("does not run a command already running above it: PROCESS_LOOP, and the program never starts", async () => {
    const marker = join(dir, "never-ran-loop.txt");
    const command = script("loops", `import { writeFileSync } from "node:fs"; writeFileSync(${JSON.stringify(marker)}, "ran");`);
    const error = await failure(command, { profile: "partner", env: { ENV_OR_PROFILE_CREDENTIAL_PROCESS_CHAIN: `${chainId(command)}@42` } });
    expect(error).toMatchObject({ code: "PROCESS_LOOP", tryNextLink: false });
    expect(() => readFileSync(marker)).toThrow();
  });

  it("reports a child's PROCESS_LOOP as its own loop, once, with the fix — not the child's message nested in its own", async () => {
    const command = script("child-loop", `process.stderr.write("env-or-profile credential-process: no credentials: PROCESS_LOOP: credential_process of profile \\"partner\\" is already running\\n"); process.exit(1);`);
    const error = await failure(command, { profile: "partner" });
    expect(error).toMatchObject({ code: "PROCESS_LOOP", retryable: false });
    expect(error.message).toMatch(/^credential_process "node" of profile "partner" runs a program that selected profile "partner" again/);
    expect(error.message).toContain("--profile SOURCE");
    expect(error.message).not.toContain("exited with code");
  });

  it("quotes a failing program's stderr with its paths whole (paths are not secrets)", async () => {
    const command = script("path-error", `process.stderr.write("Cannot read the AWS config file /home/someone/.aws/config: EACCES\\n"); process.exit(2);`);
    const error = await failure(command);
    expect(error.message).toContain("exited with code 2: Cannot read the AWS config file /home/someone/.aws/config: EACCES");
  });
});

/** The hash a command line is known by in ENV_OR_PROFILE_CREDENTIAL_PROCESS_CHAIN. */
function chainId(command: string): string {
  return createHash("sha256").update(command, "utf8").digest("hex").slice(0, 16);
}
