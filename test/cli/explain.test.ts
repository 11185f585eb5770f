import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import type { ExplainJson } from "../../src/cli/commands/explain.js";
import { startContainerEmulator } from "../../src/testing/container-emulator.js";
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
    expect(lines.find((line) => line.includes("2. profile"))).toMatch(/skipped\s+\d+ ms\s+PROFILE_NOT_SET/);
    expect(lines.find((line) => line.includes("3. web-identity"))).toMatch(/skipped\s+\d+ ms\s+WEB_IDENTITY_NOT_SET: AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are not set/);
    expect(lines.find((line) => line.includes("4. container"))).toMatch(/skipped\s+\d+ ms\s+CONTAINER_NOT_SET/);
    expect(lines.find((line) => line.includes("5. imds"))).toMatch(/skipped\s+\d+ ms\s+IMDS_UNAVAILABLE: .*127\.0\.0\.1:9/);
    expect(lines.find((line) => line.includes("6. assume-role"))).toMatch(/not configured\s+no role asked for/);
    expect(stdout()).toContain("Result: no credentials.");
    expect(stderr()).toContain("no credentials");
  });

  it("says IMDS is disabled when AWS_EC2_METADATA_DISABLED is true", async () => {
    const { code, json } = await explainJson([], { AWS_EC2_METADATA_DISABLED: "true" });
    expect(code).toBe(1);
    expect(json.links[4]).toMatchObject({ link: "imds", status: "skipped", code: "IMDS_DISABLED" });
  });

  it("reports a timeout when IMDS does not answer", async () => {
    imds = await startImdsEmulator();
    imds.fail("*", "hang");
    const { io, stdout } = captureIo({ AWS_METADATA_SERVICE_TIMEOUT: "0.2" }, { imdsEndpoint: imds.endpoint });
    io.imds = {};
    expect(await runCli(["explain", "--json"], io)).toBe(1);
    const json = JSON.parse(stdout()) as ExplainJson;
    expect(json.links[4]).toMatchObject({ link: "imds", code: "IMDS_TIMEOUT" });
    expect(json.links[4]?.ms).toBeGreaterThanOrEqual(150);
  });

  it("marks the environment as the winner and IMDS as not needed when keys are set", async () => {
    const { code, json } = await explainJson([], { ...ENV_KEYS });
    expect(code).toBe(0);
    expect(json.winner).toBe("env");
    expect(json.links.map((link) => [link.link, link.status])).toEqual([
      ["env", "ok"],
      ["profile", "not-tried"],
      ["web-identity", "not-tried"],
      ["container", "not-tried"],
      ["imds", "not-tried"],
      ["assume-role", "not-configured"],
    ]);
    expect(json.ignored).toEqual([]);
    expect(json.accessKeyIdLast4).toBe("Q2WX");
    expect(json.marks).toEqual({ CREDENTIALS_ENV_VARS: "g" });
  });

  it("stops at a configured-but-broken link and says the later links were not tried", async () => {
    imds = await startImdsEmulator();
    const { io, stdout } = captureIo({ AWS_ACCESS_KEY_ID: ENV_KEYS.AWS_ACCESS_KEY_ID }, { imdsEndpoint: imds.endpoint });
    expect(await runCli(["explain"], io)).toBe(1);
    expect(stdout()).toMatch(/1\. env\s+FAILED\s+\d+ ms\s+ENV_INVALID/);
    expect(stdout()).toMatch(/5\. imds\s+not tried\s+not tried: the chain stopped at env/);
    expect(stdout()).toContain("configured but broken");
    expect(imds.requestCount).toBe(0);
  });

  it("reports each link's time in milliseconds and the IMDS credential as the winner", async () => {
    imds = await startImdsEmulator();
    const { code, json } = await explainJson([], {}, imds.endpoint);
    expect(code).toBe(0);
    expect(json.winner).toBe("imds");
    for (const link of json.links.slice(0, 5)) {
      expect(Number.isInteger(link.ms)).toBe(true);
    }
  });

  it("does not echo a broken IMDS answer that carries the secret key and token", async () => {
    imds = await startImdsEmulator();
    imds.fail(`/latest/meta-data/iam/security-credentials/${imds.roleName ?? ""}`, "bad-json");
    const { io, stdout, stderr } = captureIo({}, { imdsEndpoint: imds.endpoint });
    expect(await runCli(["explain"], io)).toBe(1);
    expect(stdout()).toMatch(/5\. imds\s+FAILED\s+\d+ ms\s+IMDS_BAD_RESPONSE/);
    expect(leakedSecrets(stdout() + stderr(), [imds.current.secretAccessKey, imds.current.sessionToken])).toEqual([]);
  });

  it("shows an AccessDenied from AssumeRole as the failing link, without the ExternalId or any secret", async () => {
    imds = await startImdsEmulator();
    const sts = await startStsEmulator({ baseCredentials: [{ ...imds.current }], externalId: "the-right-one" });
    try {
      const { io, stdout, stderr } = captureIo({ AWS_ENDPOINT_URL_STS: sts.endpoint }, { imdsEndpoint: imds.endpoint });
      expect(await runCli(["explain", "--role-arn", ROLE_ARN, "--external-id", "a-wrong-external-id"], io)).toBe(1);
      expect(stdout()).toMatch(/5\. imds\s+OK/);
      expect(stdout()).toMatch(/6\. assume-role\s+FAILED\s+\d+ ms\s+STS_ACCESS_DENIED/);
      expect(leakedSecrets(stdout() + stderr(), ["a-wrong-external-id", imds.current.secretAccessKey, imds.current.sessionToken])).toEqual([]);
    } finally {
      await sts.close();
    }
  });

  describe("the container link and configured-but-ignored sources", () => {
    it("takes the container credentials and marks the explicitly configured IMDS as IGNORED (a container on an EC2 host)", async () => {
      const container = await startContainerEmulator();
      try {
        const { io, stdout } = captureIo({ AWS_CONTAINER_CREDENTIALS_FULL_URI: container.endpoint });
        expect(await runCli(["explain"], io)).toBe(0);
        expect(stdout()).toMatch(/4\. container\s+OK\s+\d+ ms\s+got the task's or pod's role credentials from http:\/\/127\.0\.0\.1:\d+\/v2\/credentials\/env-or-profile-emulator \(AWS_CONTAINER_CREDENTIALS_FULL_URI\)/);
        expect(stdout()).toMatch(/5\. imds\s+IGNORED\s+configured too \(AWS_EC2_METADATA_SERVICE_ENDPOINT\) but not used: container answered first/);
        expect(stdout()).toMatch(/Warning: credentials come from container; also configured but ignored: imds/);
        expect(leakedSecrets(stdout(), [container.current.secretAccessKey, container.current.sessionToken])).toEqual([]);
      } finally {
        await container.close();
      }
    });

    it("asks IMDS for the instance profile (not its credentials) to say the container runs on an EC2 host", async () => {
      const container = await startContainerEmulator();
      imds = await startImdsEmulator({ instanceProfileArn: "arn:aws:iam::123456789012:instance-profile/node-role" });
      try {
        const { io, stdout } = captureIo({ AWS_CONTAINER_CREDENTIALS_FULL_URI: container.endpoint, AWS_EC2_METADATA_SERVICE_ENDPOINT: undefined });
        io.imds = { endpoint: imds.endpoint, timeoutMs: 2_000 };
        expect(await runCli(["explain", "--json"], io)).toBe(0);
        const json = JSON.parse(stdout()) as ExplainJson;
        expect(json.winner).toBe("container");
        expect(json.ignored).toEqual([{ link: "imds", why: "this host is an EC2 instance with instance profile arn:aws:iam::123456789012:instance-profile/node-role" }]);
        expect(json.links.find((link) => link.link === "imds")).toMatchObject({ status: "ignored" });
        expect(imds.count(`/latest/meta-data/iam/security-credentials/${imds.roleName ?? ""}`)).toBe(0);
      } finally {
        await container.close();
      }
    });

    it("says nothing about IMDS when it does not answer (a container off EC2, or IMDS blocked for containers)", async () => {
      const container = await startContainerEmulator();
      try {
        const { io, stdout } = captureIo({ AWS_CONTAINER_CREDENTIALS_FULL_URI: container.endpoint, AWS_EC2_METADATA_SERVICE_ENDPOINT: undefined });
        io.imds = { endpoint: "http://127.0.0.1:9", timeoutMs: 2_000 };
        expect(await runCli(["explain", "--json"], io)).toBe(0);
        const json = JSON.parse(stdout()) as ExplainJson;
        expect(json.ignored).toEqual([]);
        expect(json.links.find((link) => link.link === "imds")).toMatchObject({ status: "not-tried" });
      } finally {
        await container.close();
      }
    });

    it("names a container URI ignored because environment keys answered first, without asking the endpoint", async () => {
      const container = await startContainerEmulator();
      try {
        const { code, json } = await explainJson([], { ...ENV_KEYS, AWS_CONTAINER_CREDENTIALS_FULL_URI: container.endpoint, AWS_PROFILE: "work" });
        expect(code).toBe(0);
        expect(json.winner).toBe("env");
        expect(json.ignored).toEqual([
          { link: "profile", why: "AWS_PROFILE=work" },
          { link: "container", why: "AWS_CONTAINER_CREDENTIALS_FULL_URI" },
        ]);
        expect(json.links.find((link) => link.link === "container")).toMatchObject({ status: "ignored" });
        expect(container.requestCount).toBe(0);
      } finally {
        await container.close();
      }
    });

    it("says which container URI would win when both are set, without asking either", async () => {
      const { json } = await explainJson([], {
        ...ENV_KEYS,
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/task",
        AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/pod",
      });
      expect(json.links.find((link) => link.link === "container")?.message).toMatch(
        /configured too .* but not used: env answered first; AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are both set; AWS_CONTAINER_CREDENTIALS_RELATIVE_URI wins/,
      );
    });

    it("with --profile, marks env keys IGNORED (the AWS CLI's --profile negates them) and takes the profile", async () => {
      const dir = mkdtempSync(join(tmpdir(), "explain-profile-"));
      try {
        writeFileSync(join(dir, "credentials"), "[work]\naws_access_key_id = AKIAPROFILEEXAMPLE01\naws_secret_access_key = profile-secret-value\n");
        const { io, stdout } = captureIo({ ...ENV_KEYS, AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"), AWS_CONFIG_FILE: join(dir, "config") });
        expect(await runCli(["explain", "--json", "--profile", "work"], io)).toBe(0);
        const json = JSON.parse(stdout()) as ExplainJson;
        expect(json.winner).toBe("profile");
        expect(json.accessKeyIdLast4).toBe("PLE01".slice(-4));
        expect(json.links[0]).toMatchObject({ link: "env", status: "ignored" });
        expect(json.ignored[0]).toMatchObject({ link: "env" });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("stops at a refused container host and says IMDS was not tried", async () => {
      const { code, json } = await explainJson([], { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.2.evil.example/creds" });
      expect(code).toBe(1);
      expect(json.links.find((link) => link.link === "container")).toMatchObject({ status: "failed", code: "CONTAINER_HOST_NOT_ALLOWED" });
      expect(json.links.find((link) => link.link === "imds")).toMatchObject({ status: "not-tried" });
    });
  });
});
