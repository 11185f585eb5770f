/*
 * What the tests of real clients (boto3, the AWS CLI v2) running our binary as their
 * credential_process share: the built CLI, a temporary HOME with an AWS config, an IMDS emulator
 * for the base identity, an STS emulator trusting it with an ExternalId, and the environment the
 * client runs in (never the real ~/.aws or ~/.cache).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { startImdsEmulator, type ImdsEmulator } from "../../src/testing/imds-emulator.js";
import { startStsEmulator, type StsEmulator } from "../../src/testing/sts-emulator.js";
import { CLI_MAIN, ensureBuilt } from "../setup/build-dist.js";

/** The role the clients' profiles assume. */
export const CLIENT_ROLE_ARN = "arn:aws:iam::123456789012:role/partner-upload";
/** The ExternalId the STS emulator requires for {@link CLIENT_ROLE_ARN}. */
export const CLIENT_EXTERNAL_ID = "tenant-42";
/** The `credential_process` command line running our built CLI. */
export const CREDENTIAL_PROCESS_COMMAND = `"${process.execPath}" "${CLI_MAIN}" credential-process`;

/** The emulators and temporary HOME of one test file. */
export interface SdkClientWorld {
  /** The temporary HOME. */
  readonly dir: string;
  readonly imds: ImdsEmulator;
  readonly sts: StsEmulator;
  /**
   * The client's environment: the temporary config, no shared credentials file, our cache in the
   * temporary HOME, IMDS and STS at the emulators unless given, region us-east-1.
   */
  clientEnv(endpoints?: { imds?: string; sts?: string }): Record<string, string>;
}

/**
 * Registers hooks that build the CLI and start the world once for the file (`beforeAll`), write
 * `configLines` as the AWS config, empty our cache and reset IMDS's counts before each test, and
 * close everything after the file (`afterAll`).
 */
export function useSdkClientWorld(prefix: string, configLines: readonly string[]): SdkClientWorld {
  let dir = "";
  let imds: ImdsEmulator | undefined;
  let sts: StsEmulator | undefined;
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the SDK client world is used before beforeAll ran");
    return value;
  };
  beforeAll(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), prefix));
    imds = await startImdsEmulator();
    sts = await startStsEmulator({ baseCredentials: [{ ...imds.current }], externalId: CLIENT_EXTERNAL_ID });
    writeFileSync(join(dir, "config"), [...configLines, ""].join("\n"));
  }, 90_000);
  afterAll(async () => {
    await imds?.close();
    await sts?.close();
    if (dir !== "") {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  beforeEach(() => {
    rmSync(join(dir, "cache"), { recursive: true, force: true });
    imds?.resetCounts();
  });
  const world: SdkClientWorld = {
    get dir() {
      return dir;
    },
    get imds() {
      return started(imds);
    },
    get sts() {
      return started(sts);
    },
    clientEnv: (endpoints = {}) => ({
      PATH: process.env["PATH"] ?? "",
      HOME: dir,
      AWS_CONFIG_FILE: join(dir, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials-none"),
      ENV_OR_PROFILE_CACHE_DIR: join(dir, "cache"),
      AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoints.imds ?? world.imds.endpoint,
      AWS_ENDPOINT_URL_STS: endpoints.sts ?? world.sts.endpoint,
      AWS_REGION: "us-east-1",
    }),
  };
  return world;
}
