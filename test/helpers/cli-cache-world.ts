import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { startImdsEmulator, type ImdsEmulator } from "../../src/testing/imds-emulator.js";
import { manualClock, type ManualClock } from "../../src/testing/manual-clock.js";
import { startStsEmulator, type StsEmulator } from "../../src/testing/sts-emulator.js";
import { captureIo } from "../cli/cli-test-io.js";

/** The role the CLI cache tests assume, with the ExternalId the STS emulator requires. */
export const CACHE_WORLD_ROLE_ARN = "arn:aws:iam::123456789012:role/partner-upload";
/** `--role-arn` and `--external-id` for {@link CACHE_WORLD_ROLE_ARN}. */
export const CACHE_WORLD_ROLE = ["--role-arn", CACHE_WORLD_ROLE_ARN, "--external-id", "tenant-42"];

/** What one CLI cache test runs against; fresh for every test. */
export interface CliCacheWorld {
  /** A temporary HOME (config, credentials and the cache directory live in it). */
  readonly home: string;
  /** `<home>/cache`: credential-process's cache directory. */
  readonly cacheDir: string;
  readonly clock: ManualClock;
  /** The instance profile the base credentials come from. */
  readonly imds: ImdsEmulator;
  /** STS, trusting the IMDS credentials with ExternalId `tenant-42`. */
  readonly sts: StsEmulator;
  /** How many times IMDS was asked for the role's credentials. */
  credentialFetches(): number;
  /** One CLI run against the emulators, with the cache in the temporary home. */
  run(args: string[], env?: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }>;
}

/**
 * Registers `beforeEach`/`afterEach` hooks that start an IMDS and an STS emulator on one manual
 * clock and a temporary HOME (prefix `prefix`), and close and remove them after each test.
 */
export function useCliCacheWorld(prefix: string): CliCacheWorld {
  let home = "";
  let clock: ManualClock | undefined;
  let imds: ImdsEmulator | undefined;
  let sts: StsEmulator | undefined;
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the CLI cache world is used outside a test");
    return value;
  };
  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), prefix));
    clock = manualClock();
    imds = await startImdsEmulator({ clock });
    sts = await startStsEmulator({ clock, baseCredentials: [{ ...imds.current }], externalId: "tenant-42" });
  });
  afterEach(async () => {
    await imds?.close();
    await sts?.close();
    rmSync(home, { recursive: true, force: true });
  });
  const world: CliCacheWorld = {
    get home() {
      return home;
    },
    get cacheDir() {
      return join(home, "cache");
    },
    get clock() {
      return started(clock);
    },
    get imds() {
      return started(imds);
    },
    get sts() {
      return started(sts);
    },
    credentialFetches: () => world.imds.count("/latest/meta-data/iam/security-credentials/env-or-profile-demo-role"),
    async run(args, env = {}) {
      const captured = captureIo(
        {
          HOME: home,
          ENV_OR_PROFILE_CACHE: undefined,
          ENV_OR_PROFILE_CACHE_DIR: world.cacheDir,
          AWS_ENDPOINT_URL_STS: world.sts.endpoint,
          AWS_CONFIG_FILE: join(home, "config"),
          AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
          ...env,
        },
        { clock: world.clock, imdsEndpoint: world.imds.endpoint },
      );
      const code = await runCli(args, captured.io);
      return { code, stdout: captured.stdout(), stderr: captured.stderr() };
    },
  };
  return world;
}
