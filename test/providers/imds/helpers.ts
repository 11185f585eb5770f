import { createServer } from "node:net";
import { inspect } from "node:util";
import { afterEach, beforeEach, expect } from "vitest";
import { CredentialsError } from "../../../src/errors.js";
import { resetSharedState } from "../../../src/sharing/process-state.js";
import { fromImds, type ImdsOptions } from "../../../src/providers/imds/from-imds.js";
import { startImdsEmulator, type ImdsEmulator, type ImdsEmulatorOptions } from "../../../src/testing/imds-emulator.js";

/** Starts emulators on demand and closes them, and forgets process-wide IMDS state, after each test. */
export function useEmulators(): (options?: ImdsEmulatorOptions) => Promise<ImdsEmulator> {
  const running: ImdsEmulator[] = [];
  beforeEach(() => {
    resetSharedState();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((emulator) => emulator.close()));
    resetSharedState();
  });
  return async (options) => {
    const emulator = await startImdsEmulator(options);
    running.push(emulator);
    return emulator;
  };
}

/** `fromImds` against `imds`, isolated from the developer's environment. */
export function imdsProvider(imds: { endpoint: string }, options: ImdsOptions = {}) {
  return fromImds({ endpoint: imds.endpoint, env: {}, timeoutMs: 1_000, ...options });
}

/** Awaits `promise`, which must reject with a `CredentialsError`, and returns that error. */
export async function rejection(promise: Promise<unknown>): Promise<CredentialsError> {
  const outcome = await promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  expect(outcome.ok, "expected a rejection").toBe(false);
  const error = (outcome as { error: unknown }).error;
  expect(error).toBeInstanceOf(CredentialsError);
  return error as CredentialsError;
}

/** A loopback port with nothing listening on it: connections are refused. */
export async function closedPortEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return `http://127.0.0.1:${address.port}`;
}

/** Every way an error can be shown: message, stack, JSON, inspect. */
export function renderings(error: unknown): string[] {
  const e = error as Error;
  return [e.message, String(e.stack), JSON.stringify(e), inspect(e, { depth: 10 }), String(e)];
}

/** The secrets an emulator has handed out: current keys and every issued token. */
export function secretsOf(imds: ImdsEmulator): string[] {
  return [imds.current.secretAccessKey, imds.current.sessionToken, ...imds.issuedTokens];
}

/** A logger that records every line. */
export function recordingLogger() {
  const lines: { level: "debug" | "warn"; message: string }[] = [];
  return {
    lines,
    debug: (message: string) => lines.push({ level: "debug", message }),
    warn: (message: string) => lines.push({ level: "warn", message }),
  };
}

export const ROLE_LIST = "/latest/meta-data/iam/security-credentials/";
export const TOKEN = "/latest/api/token";
export const rolePath = (role: string): string => `${ROLE_LIST}${role}`;
