/*
 * A hostile or careless server (an STS, a proxy, an emulator) that repeats the request's session
 * token — and a secret it somehow knows — in its error message. None of it may reach an error's
 * message, toJSON, inspect, any property of the cause chain, a log line, or the CLI's output.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect, promisify } from "node:util";
import type { AwsCredentialIdentity } from "@smithy/types";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/run-cli.js";
import { CredentialsError } from "../src/errors.js";
import { memoize } from "../src/memoize.js";
import { fromAssumeRole } from "../src/providers/assume-role.js";
import { startStsEmulator } from "../src/testing/sts-emulator.js";
import { captureIo, CLOSED_PORT_ENDPOINT, ENV_KEYS, leakedSecrets } from "./cli/cli-test-io.js";
import { collectingLogger, expectClean, rawServer } from "./helpers/leak-check.js";
import { CLI_MAIN, ensureBuilt } from "./setup/build-dist.js";

const ROLE_ARN = "arn:aws:iam::123456789012:role/echo";
const BASE: AwsCredentialIdentity = {
  accessKeyId: "AKIAECHOBASE00000001",
  secretAccessKey: "echo/BASE/SECRET+wJalrXUtnFEMIK7MDENGbPxRfiCY",
  sessionToken: "echo-BASE-SESSION-TOKEN-IQoJb3JpZ2luX2VjEXAMPLEtoken",
};

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/**
 * An STS look-alike that answers every request 403 AccessDenied, quoting the request's
 * `X-Amz-Security-Token` and `Authorization` headers, and `alsoEcho` (a secret a proxy might hold).
 */
async function echoingSts(alsoEcho: readonly string[] = [], code = "AccessDenied", status = 403) {
  const server = await rawServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const token = String(req.headers["x-amz-security-token"] ?? "");
      const authorization = req.headers.authorization ?? "";
      res.writeHead(status, { "content-type": "text/xml" });
      res.end(
        `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code>` +
          `<Message>Rejected token ${token} (auth ${authorization}) ${alsoEcho.join(" ")}; truncated ${token.slice(0, 24)}...</Message>` +
          `</Error><RequestId>echo-request-1</RequestId></ErrorResponse>`,
      );
    });
  });
  closers.push(() => server.close());
  return server;
}

/** A fresh, private cache directory for credential-process, removed after the test. */
function cacheDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "eop-echo-"));
  closers.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function failure(attempt: () => Promise<unknown>): Promise<unknown> {
  return attempt().then(
    () => expect.fail("expected a failure"),
    (error: unknown) => error,
  );
}

describe("secrets a server echoes back", () => {
  it("are scrubbed from error.message, toJSON and inspect of an AssumeRole failure", async () => {
    const sts = await echoingSts([BASE.secretAccessKey]);
    const provider = fromAssumeRole({ roleArn: ROLE_ARN, endpoint: sts.endpoint, source: async () => BASE });
    const error = await failure(() => provider());
    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as CredentialsError).code).toBe("STS_ACCESS_DENIED");
    const secrets = [BASE.secretAccessKey, BASE.sessionToken!, BASE.sessionToken!.slice(0, 24)];
    expect((error as Error).message).toContain("Rejected token [REDACTED]");
    expect(leakedSecrets((error as Error).message, secrets)).toEqual([]);
    expect(leakedSecrets(JSON.stringify(error), secrets)).toEqual([]);
    expect(leakedSecrets(inspect(error, { depth: Infinity, showHidden: true }), secrets)).toEqual([]);
    expectClean(error, secrets);
  });

  it("are scrubbed from every log line of a memoized AssumeRole that keeps failing", async () => {
    const sts = await echoingSts([BASE.secretAccessKey], "RequestExpired", 400);
    const logger = collectingLogger();
    const provider = memoize(fromAssumeRole({ roleArn: ROLE_ARN, endpoint: sts.endpoint, source: async () => BASE, logger }), {
      logger,
      retry: { retries: 2, minTimeout: 1, maxTimeout: 2 },
    });
    const error = await failure(() => provider());
    expect(sts.requests).toBe(3);
    expect(logger.lines.join("\n")).toContain("[REDACTED]");
    expect(leakedSecrets(logger.lines.join("\n"), [BASE.secretAccessKey, BASE.sessionToken])).toEqual([]);
    expectClean(error, [BASE.secretAccessKey, BASE.sessionToken!]);
  });

  it("are scrubbed when the secret is one STS issued and the next hop echoes it", async () => {
    const emulator = await startStsEmulator({ baseCredentials: [{ accessKeyId: BASE.accessKeyId, secretAccessKey: BASE.secretAccessKey, sessionToken: BASE.sessionToken! }] });
    closers.push(() => emulator.close());
    const first = fromAssumeRole({ roleArn: ROLE_ARN, endpoint: emulator.endpoint, source: async () => BASE });
    const issued = await first();
    const echo = await echoingSts([issued.secretAccessKey]);
    const second = fromAssumeRole({ roleArn: ROLE_ARN, endpoint: echo.endpoint, source: async () => issued });
    const error = await failure(() => second());
    expectClean(error, [issued.secretAccessKey, issued.sessionToken!]);
  });

  describe("in the CLI", () => {
    const secrets = [ENV_KEYS.AWS_SECRET_ACCESS_KEY, ENV_KEYS.AWS_SESSION_TOKEN, ENV_KEYS.AWS_SESSION_TOKEN.slice(0, 24)];

    it("credential-process prints no echoed secret on stderr", async () => {
      const sts = await echoingSts([ENV_KEYS.AWS_SECRET_ACCESS_KEY]);
      const { io, stdout, stderr } = captureIo({ ...ENV_KEYS, AWS_ENDPOINT_URL_STS: sts.endpoint, ENV_OR_PROFILE_CACHE_DIR: cacheDir() });
      expect(await runCli(["credential-process", "--role-arn", ROLE_ARN], io)).not.toBe(0);
      expect(stderr()).toContain("AccessDenied");
      expect(leakedSecrets(stderr() + stdout(), secrets)).toEqual([]);
    });

    it("explain prints no echoed secret", async () => {
      const sts = await echoingSts([ENV_KEYS.AWS_SECRET_ACCESS_KEY]);
      const { io, stdout, stderr } = captureIo({ ...ENV_KEYS, AWS_ENDPOINT_URL_STS: sts.endpoint });
      await runCli(["explain", "--role-arn", ROLE_ARN], io);
      expect(stdout() + stderr()).toContain("AccessDenied");
      expect(leakedSecrets(stdout() + stderr(), secrets)).toEqual([]);
    });

    describe("the built binary", () => {
      beforeAll(async () => {
        await ensureBuilt();
      }, 120_000);

      it("credential-process (dist/cli/main.js) prints no echoed secret on stderr", async () => {
        const sts = await echoingSts([ENV_KEYS.AWS_SECRET_ACCESS_KEY]);
        const run = promisify(execFile);
        const outcome = await run(process.execPath, [CLI_MAIN, "credential-process", "--role-arn", ROLE_ARN], {
          env: {
            PATH: process.env.PATH ?? "",
            HOME: "/nonexistent",
            ENV_OR_PROFILE_CACHE_DIR: cacheDir(),
            ...ENV_KEYS,
            AWS_ENDPOINT_URL_STS: sts.endpoint,
            AWS_EC2_METADATA_SERVICE_ENDPOINT: CLOSED_PORT_ENDPOINT,
          },
        }).then(
          () => expect.fail("credential-process should fail"),
          (error: unknown) => error as { code: number; stdout: string; stderr: string },
        );
        expect(outcome.code).not.toBe(0);
        expect(outcome.stderr).toContain("AccessDenied");
        expect(leakedSecrets(outcome.stderr + outcome.stdout, secrets)).toEqual([]);
      });
    });
  });
});
