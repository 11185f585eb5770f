/*
 * What the web identity tests share: a token file in a fresh temporary directory, an STS emulator
 * on this test's manual clock, and a provider pointed at both (options passed through `env`, the
 * way EKS sets them).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { afterEach, beforeEach } from "vitest";
import { memoize } from "../../../src/memoize.js";
import { fromWebIdentity, type WebIdentityOptions } from "../../../src/providers/web-identity/from-web-identity.js";
import { manualClock, type ManualClock } from "../../../src/testing/manual-clock.js";
import { startStsEmulator, type StsEmulator, type StsEmulatorOptions } from "../../../src/testing/sts-emulator.js";

export const ROLE = "arn:aws:iam::123456789012:role/irsa-app";
/** Shaped like an EKS projected service account token (a JWT), long enough to be registered as a secret. */
export const TOKEN_A = "eyJhbGciOiJSUzI1NiIsImtpZCI6IkEifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDphcHAifQ.c2lnbmF0dXJlLUE";
export const TOKEN_B = "eyJhbGciOiJSUzI1NiIsImtpZCI6IkIifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDphcHAifQ.c2lnbmF0dXJlLUI";

/** One randomness for every provider of the tests (a provider's `random` is part of what it shares by): no jitter, no backoff wait. */
export const NO_JITTER = (): number => 0;

/** A scratch directory with a token file; `cleanup()` removes it. */
export interface TokenDir {
  readonly dir: string;
  readonly tokenFile: string;
  write(token: string): void;
  cleanup(): void;
}

export function tokenDir(initial: string = TOKEN_A): TokenDir {
  const dir = mkdtempSync(join(tmpdir(), "env-or-profile-web-identity-"));
  const tokenFile = join(dir, "token");
  const write = (token: string): void => writeFileSync(tokenFile, token);
  write(initial);
  return { dir, tokenFile, write, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** SHA-256 hex of a token: what the emulator records instead of the token. */
export async function sha256Hex(text: string): Promise<string> {
  const { createHash } = await import("node:crypto");
  return createHash("sha256").update(text).digest("hex");
}

/** The world of one test: its clock, its STS, its token file. */
export interface World {
  readonly clock: ManualClock;
  readonly sts: StsEmulator;
  readonly token: TokenDir;
  /** The variables EKS would set, pointing at this world. */
  env(extra?: Record<string, string | undefined>): Record<string, string | undefined>;
  /** A memoized provider on this world's clock (so its own shared cache), reading {@link env}. */
  provider(options?: WebIdentityOptions): AwsCredentialIdentityProvider;
  close(): Promise<void>;
}

export async function startWorld(options: StsEmulatorOptions = {}): Promise<World> {
  const clock = manualClock();
  const sts = await startStsEmulator({ clock, webIdentityToken: (token) => token === TOKEN_A || token === TOKEN_B, ...options });
  const token = tokenDir();
  const env = (extra: Record<string, string | undefined> = {}): Record<string, string | undefined> => ({
    AWS_ROLE_ARN: ROLE,
    AWS_WEB_IDENTITY_TOKEN_FILE: token.tokenFile,
    AWS_ENDPOINT_URL_STS: sts.endpoint,
    AWS_REGION: "eu-west-1",
    ...extra,
  });
  return {
    clock,
    sts,
    token,
    env,
    // Memoized, as users run it (alone it makes one attempt per call): the cache and the retries are memoize's.
    provider: (providerOptions = {}) => memoize(fromWebIdentity({ env: env(), clock, timeoutMs: 2_000, ...providerOptions }), { clock, random: NO_JITTER }),
    close: async () => {
      token.cleanup();
      await sts.close();
    },
  };
}

/**
 * A fresh {@link World} for every test of the file: started in `beforeEach`, closed in `afterEach`.
 * The object returned always speaks for the current test's world.
 */
export function useWorld(options: StsEmulatorOptions = {}): World {
  let current: World | undefined;
  beforeEach(async () => {
    current = await startWorld(options);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const now = (): World => {
    if (current === undefined) throw new Error("the web identity world is used outside a test");
    return current;
  };
  return {
    get clock() {
      return now().clock;
    },
    get sts() {
      return now().sts;
    },
    get token() {
      return now().token;
    },
    env: (extra) => now().env(extra),
    provider: (providerOptions) => now().provider(providerOptions),
    close: () => now().close(),
  };
}

/**
 * Whether `promise` settles within a few microtask turns — before the event loop could complete
 * any I/O (a file read, a request) — i.e. without doing any.
 */
export async function settlesWithoutIo(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 10 && !settled; i++) {
    await Promise.resolve();
  }
  return settled;
}
