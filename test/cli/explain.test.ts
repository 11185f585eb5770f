import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import type { ExplainJson } from "../../src/cli/commands/explain.js";
import { startImdsEmulator, type ImdsEmulator } from "../../src/testing/imds-emulator.js";
import { startStsEmulator } from "../../src/testing/sts-emulator.js";
import { captureIo, ENV_KEYS, leakedSecrets } from "./cli-test-io.js";

const ROLE_ARN = "arn:aws:iam::123456789012:role/partner-upload";

let imds: ImdsEmulator | undefined;
afterEach(async () => {
  await imds?.close();
  imds = undefined;
});

async function explainJson(args: string[], env: Record<string, string>, imdsEndpoint?: string): Promise<{ code: number; json: ExplainJson }> {
  const { io, stdout } = captureIo(env, imdsEndpoint === undefined ? {} : { imdsEndpoint });
  const code = await runCli(["explain", "--json", ...args], io);
  return { code, json: JSON.parse(stdout()) as ExplainJson };
}

describe("env-or-profile explain", () => {
  it("gives a readable account of every link and exits 1 on a machine with no credentials", async () => {
    const { io, stdout, stderr } = captureIo({});
    expect(await runCli(["explain"], io)).toBe(1);
    const lines = stdout().split("\n");
    expect(lines.find((line) => line.includes("1. env"))).toMatch(/skipped\s+\d+ ms\s+ENV_NOT_SET: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set/);
    expect(lines.find((line) => line.includes("2. imds"))).toMatch(/skipped\s+\d+ ms\s+IMDS_UNAVAILABLE: .*127\.0\.0\.1:9/);
    expect(lines.find((line) => line.includes("3. assume-role"))).toMatch(/not configured\s+no role asked for/);
    expect(stdout()).toContain("Result: no credentials.");
    expect(stderr()).toContain("no credentials");
  });

  it("says IMDS is disabled when AWS_EC2_METADATA_DISABLED is true", async () => {
    const { code, json } = await explainJson([], { AWS_EC2_METADATA_DISABLED: "true" });
    expect(code).toBe(1);
    expect(json.links[1]).toMatchObject({ link: "imds", status: "skipped", code: "IMDS_DISABLED" });
  });

  it("reports a timeout when IMDS does not answer", async () => {
    imds = await startImdsEmulator();
    imds.fail("*", "hang");
    const { io, stdout } = captureIo({ AWS_METADATA_SERVICE_TIMEOUT: "0.2" }, { imdsEndpoint: imds.endpoint });
    io.imds = {};
    expect(await runCli(["explain", "--json"], io)).toBe(1);
    const json = JSON.parse(stdout()) as ExplainJson;
    expect(json.links[1]).toMatchObject({ link: "imds", code: "IMDS_TIMEOUT" });
    expect(json.links[1]?.ms).toBeGreaterThanOrEqual(150);
  });

  it("marks the environment as the winner and IMDS as not needed when keys are set", async () => {
    const { code, json } = await explainJson([], { ...ENV_KEYS });
    expect(code).toBe(0);
    expect(json.winner).toBe("env");
    expect(json.links.map((link) => [link.link, link.status])).toEqual([
      ["env", "ok"],
      ["imds", "not-tried"],
      ["assume-role", "not-configured"],
    ]);
    expect(json.accessKeyIdLast4).toBe("Q2WX");
  });

  it("stops at a configured-but-broken link and says the later links were not tried", async () => {
    imds = await startImdsEmulator();
    const { io, stdout } = captureIo({ AWS_ACCESS_KEY_ID: ENV_KEYS.AWS_ACCESS_KEY_ID }, { imdsEndpoint: imds.endpoint });
    expect(await runCli(["explain"], io)).toBe(1);
    expect(stdout()).toMatch(/1\. env\s+FAILED\s+\d+ ms\s+ENV_INVALID/);
    expect(stdout()).toMatch(/2\. imds\s+not tried\s+not tried: the chain stopped at env/);
    expect(stdout()).toContain("configured but broken");
    expect(imds.requestCount).toBe(0);
  });

  it("reports each link's time in milliseconds and the IMDS credential as the winner", async () => {
    imds = await startImdsEmulator();
    const { code, json } = await explainJson([], {}, imds.endpoint);
    expect(code).toBe(0);
    expect(json.winner).toBe("imds");
    for (const link of json.links.slice(0, 2)) {
      expect(Number.isInteger(link.ms)).toBe(true);
    }
  });

  it("does not echo a broken IMDS answer that carries the secret key and token", async () => {
    imds = await startImdsEmulator();
    imds.fail(`/latest/meta-data/iam/security-credentials/${imds.roleName ?? ""}`, "bad-json");
    const { io, stdout, stderr } = captureIo({}, { imdsEndpoint: imds.endpoint });
    expect(await runCli(["explain"], io)).toBe(1);
    expect(stdout()).toMatch(/2\. imds\s+FAILED\s+\d+ ms\s+IMDS_BAD_RESPONSE/);
    expect(leakedSecrets(stdout() + stderr(), [imds.current.secretAccessKey, imds.current.sessionToken])).toEqual([]);
  });

  it("shows an AccessDenied from AssumeRole as the failing link, without the ExternalId or any secret", async () => {
    imds = await startImdsEmulator();
    const sts = await startStsEmulator({ baseCredentials: [{ ...imds.current }], externalId: "the-right-one" });
    try {
      const { io, stdout, stderr } = captureIo({ AWS_ENDPOINT_URL_STS: sts.endpoint }, { imdsEndpoint: imds.endpoint });
      expect(await runCli(["explain", "--role-arn", ROLE_ARN, "--external-id", "a-wrong-external-id"], io)).toBe(1);
      expect(stdout()).toMatch(/2\. imds\s+OK/);
      expect(stdout()).toMatch(/3\. assume-role\s+FAILED\s+\d+ ms\s+STS_ACCESS_DENIED/);
      expect(leakedSecrets(stdout() + stderr(), ["a-wrong-external-id", imds.current.secretAccessKey, imds.current.sessionToken])).toEqual([]);
    } finally {
      await sts.close();
    }
  });
});
