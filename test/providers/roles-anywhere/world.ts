import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach } from "vitest";
import type { RolesAnywhereOptions } from "../../../src/providers/roles-anywhere/roles-anywhere-options.js";
import { manualClock, type ManualClock } from "../../../src/testing/manual-clock.js";
import {
  startRolesAnywhereEmulator,
  type RolesAnywhereEmulator,
  type RolesAnywhereEmulatorOptions,
} from "../../../src/testing/roles-anywhere-emulator.js";
import type { TestCa, TestLeaf } from "./pki.js";

/** The ARNs of the tests' Roles Anywhere account. */
export const TRUST_ANCHOR_ARN = "arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/0b7e1a5c-2f6d-4e8a-9c3b-1d2e3f4a5b6c";
export const PROFILE_ARN = "arn:aws:rolesanywhere:eu-west-1:123456789012:profile/6f4943fb-13d4-4242-89c4-be367595c380";
export const ROLE_ARN = "arn:aws:iam::123456789012:role/backup-writer";

/** A fresh folder for this test file's certificate and key files, removed at the end. */
export function tempFolder(prefix: string): { path(name: string): string; write(name: string, content: string | Buffer): string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    path: (name) => join(dir, name),
    write(name, content) {
      const file = join(dir, name);
      writeFileSync(file, content);
      return file;
    },
  };
}

/** Emulators started by a test, closed after it. */
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/**
 * An emulator trusting `cas` with the tests' trust anchor and a profile listing the tests' role, on
 * a manual clock (2026-01-01), closed after the test.
 */
export async function emulatorTrusting(
  cas: readonly TestCa[],
  options: Omit<RolesAnywhereEmulatorOptions, "clock"> & { clock?: ManualClock } = {},
): Promise<{ emulator: RolesAnywhereEmulator; clock: ManualClock }> {
  const clock = options.clock ?? manualClock();
  const emulator = await startRolesAnywhereEmulator({
    trustAnchors: [{ arn: TRUST_ANCHOR_ARN, certificates: cas.map((ca) => ca.pem).join("\n") }],
    profiles: [{ arn: PROFILE_ARN, roleArns: [ROLE_ARN] }],
    ...options,
    clock,
  });
  closers.push(() => emulator.close());
  return { emulator, clock };
}

/** The provider options for `leaf` (PEM given inline) against `emulator`. */
export function optionsFor(leaf: TestLeaf, keyPem: string, emulator: RolesAnywhereEmulator, clock: ManualClock, extra: Partial<RolesAnywhereOptions> = {}): RolesAnywhereOptions {
  return {
    certificate: leaf.certificatePem,
    privateKey: keyPem,
    trustAnchorArn: TRUST_ANCHOR_ARN,
    profileArn: PROFILE_ARN,
    roleArn: ROLE_ARN,
    endpoint: emulator.endpoint,
    clock,
    ...extra,
  };
}
