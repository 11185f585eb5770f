import { describe, expect, it } from "vitest";
import type { ImdsOptions } from "../../../src/providers/imds/from-imds.js";
import type { ImdsEmulator } from "../../../src/testing/imds-emulator.js";
import { imdsProvider, recordingLogger, rejection, renderings, rolePath, ROLE_LIST, secretsOf, TOKEN, useEmulators } from "./helpers.js";

const start = useEmulators();
const ROLE = rolePath("env-or-profile-demo-role");

/** A credentials document carrying the emulator's real secrets, with one thing wrong. */
const document = (imds: ImdsEmulator, changes: Record<string, unknown>): string => {
  const c = imds.current;
  return JSON.stringify({
    Code: "Success",
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    Token: c.sessionToken,
    Expiration: c.expiration.toISOString(),
    ...changes,
  });
};

interface Scenario {
  name: string;
  options?: ImdsOptions;
  /** Faults to set after a first successful call (so a token has been issued and is live). */
  arrange: (imds: ImdsEmulator) => void;
}

const scenarios: Scenario[] = [
  { name: "a 500", arrange: (imds) => imds.fail(ROLE, 500) },
  { name: "a 429", arrange: (imds) => imds.fail(ROLE, 429) },
  { name: "a 403", arrange: (imds) => imds.fail(ROLE, 403) },
  { name: "a token rejected twice", arrange: (imds) => imds.fail(ROLE, 401) },
  { name: "truncated JSON", arrange: (imds) => imds.fail(ROLE, "bad-json") },
  { name: "a JSON array", arrange: (imds) => imds.fail(ROLE, { body: `[${document(imds, {})}]` }) },
  { name: "Code Failure", arrange: (imds) => imds.fail(ROLE, { body: document(imds, { Code: "Failure" }) }) },
  { name: "a Code that is a secret", arrange: (imds) => imds.fail(ROLE, { body: document(imds, { Code: imds.current.secretAccessKey }) }) },
  { name: "an expired Expiration", arrange: (imds) => imds.fail(ROLE, { body: document(imds, { Expiration: "2001-01-01T00:00:00Z" }) }) },
  { name: "an Expiration that is a secret", arrange: (imds) => imds.fail(ROLE, { body: document(imds, { Expiration: imds.current.sessionToken }) }) },
  { name: "a missing Token", arrange: (imds) => imds.fail(ROLE, { body: document(imds, { Token: undefined }) }) },
  { name: "a huge body", arrange: (imds) => imds.fail(ROLE, "huge") },
  { name: "a reset", arrange: (imds) => imds.fail(ROLE, "reset") },
  { name: "a hang", options: { timeoutMs: 100 }, arrange: (imds) => imds.fail(ROLE, "hang") },
  { name: "a role list holding a secret", arrange: (imds) => { imds.roleName = "gone"; imds.fail(ROLE_LIST, { body: imds.current.secretAccessKey }); } },
  {
    name: "a malformed token holding a secret",
    arrange: (imds) => { imds.revokeTokens(); imds.fail(TOKEN, { body: `${imds.current.secretAccessKey} ${imds.current.sessionToken}` }); },
  },
  { name: "IMDSv1 refused", options: { allowImdsV1: false }, arrange: (imds) => { imds.revokeTokens(); imds.fail(TOKEN, 404); } },
];

describe("IMDS errors and logs never carry secrets", () => {
  it.each(scenarios)("keeps secrets out of the error for $name", async ({ options, arrange }) => {
    const imds = await start();
    const logger = recordingLogger();
    const provider = imdsProvider(imds, { logger, ...options });
    await provider();
    arrange(imds);
    const error = await rejection(provider());
    const shown = [...renderings(error), ...logger.lines.map((line) => line.message)];
    for (const secret of secretsOf(imds)) {
      for (const text of shown) expect(text).not.toContain(secret);
    }
    for (const text of shown) expect(text).not.toContain(imds.current.accessKeyId);
  });

  it.each(scenarios)("keeps secrets out of the static-stability warning for $name", async ({ options, arrange }) => {
    const imds = await start();
    const logger = recordingLogger();
    const provider = imdsProvider(imds, { logger, staticStability: true, ...options });
    await provider();
    arrange(imds);
    await provider();
    expect(logger.lines.some((line) => line.level === "warn")).toBe(true);
    for (const secret of secretsOf(imds)) {
      for (const line of logger.lines) expect(line.message).not.toContain(secret);
    }
  });
});
