import type { CliIo } from "../../src/cli/cli-io.js";
import type { Clock } from "../../src/clock.js";

/** An in-memory {@link CliIo}: what the CLI wrote, and the environment it read. */
export interface CapturedIo {
  io: CliIo;
  stdout(): string;
  stderr(): string;
}

/**
 * A CLI environment with nothing in it but what the test gives, IMDS pointed at `imdsEndpoint`
 * (an emulator, or a closed loopback port by default — never the real 169.254.169.254), and
 * credential-process's file cache off (never the real ~/.cache; a cache test sets
 * `ENV_OR_PROFILE_CACHE: undefined` and `ENV_OR_PROFILE_CACHE_DIR` to a temporary directory).
 */
export function captureIo(
  env: Record<string, string | undefined> = {},
  options: { clock?: Clock; stdin?: string; imdsEndpoint?: string } = {},
): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: options.imdsEndpoint ?? CLOSED_PORT_ENDPOINT, ENV_OR_PROFILE_CACHE: "off", ...env },
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    imds: { timeoutMs: 2_000 },
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.stdin === undefined ? {} : { readStdin: async () => options.stdin ?? "" }),
  };
  return { io, stdout: () => out.join(""), stderr: () => err.join("") };
}

/** A loopback port nothing listens on (the discard port): connections are refused at once. */
export const CLOSED_PORT_ENDPOINT = "http://127.0.0.1:9";

/** Distinctive fake keys, so a leak check can search every output for them. */
export const ENV_KEYS = Object.freeze({
  AWS_ACCESS_KEY_ID: "AKIAENVEXAMPLE7Q2WX",
  AWS_SECRET_ACCESS_KEY: "env-secret-DO-NOT-PRINT-9f8e7d6c5b4a",
  AWS_SESSION_TOKEN: "env-token-DO-NOT-PRINT-0a1b2c3d4e5f",
});

/** Every secret in `secrets` that appears in `text`. */
export function leakedSecrets(text: string, secrets: readonly (string | undefined)[]): string[] {
  return secrets.filter((secret): secret is string => secret !== undefined && secret.length > 0 && text.includes(secret));
}
