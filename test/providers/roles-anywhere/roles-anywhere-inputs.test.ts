import { createHash } from "node:crypto";
import { renameSync, utimesSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { rolesAnywhereInputs } from "../../../src/providers/roles-anywhere/roles-anywhere-inputs.js";
import type { RolesAnywhereOptions } from "../../../src/providers/roles-anywhere/roles-anywhere-options.js";
import { manualClock } from "../../../src/testing/manual-clock.js";
import { PROFILE_ARN, ROLE_ARN, TRUST_ANCHOR_ARN, tempFolder } from "./world.js";

const files = tempFolder("roles-anywhere-inputs-");
/** A number standing for a secret (`secretRef`). */
const secretNumber: unknown = expect.stringMatching(/^#\d+$/);
/** A file's identity from `fileIdentity`: device, inode, size, modification and change times, kind. */
const fileKey: unknown = expect.stringMatching(/^\d+:\d+:\d+:\d+:\d+:file$/);
const PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUZ3Rlc3Q=\n-----END CERTIFICATE-----\n";

function options(extra: Partial<RolesAnywhereOptions> = {}): RolesAnywhereOptions {
  return {
    certificate: files.path("host.pem"),
    privateKey: files.path("host.key"),
    trustAnchorArn: TRUST_ANCHOR_ARN,
    profileArn: PROFILE_ARN,
    roleArn: ROLE_ARN,
    ...extra,
  };
}

describe("rolesAnywhereInputs", () => {
  it("lists every input that decides the answer, defaults filled in, files by their stat identity", async () => {
    files.write("host.pem", "certificate v1");
    files.write("host.key", "key v1");
    const inputs = JSON.parse(await rolesAnywhereInputs(options({ sessionName: "nightly" }))) as Record<string, unknown>;
    expect(inputs).toMatchObject({
      source: "roles-anywhere",
      certificate: { path: files.path("host.pem"), file: fileKey },
      privateKey: { path: files.path("host.key"), file: fileKey },
      intermediates: null,
      privateKeyPassphrase: null,
      trustAnchorArn: TRUST_ANCHOR_ARN,
      profileArn: PROFILE_ARN,
      roleArn: ROLE_ARN,
      region: "eu-west-1",
      endpoint: "https://rolesanywhere.eu-west-1.amazonaws.com",
      durationSeconds: 3600,
      sessionName: "nightly",
    });
  });

  it("is the same for the same inputs, and leaves out the clock, the logger and the deadline", async () => {
    files.write("host.pem", "certificate v1");
    files.write("host.key", "key v1");
    const a = await rolesAnywhereInputs(options());
    const b = await rolesAnywhereInputs(options({ clock: manualClock(), logger: {}, timeoutMs: 500 }));
    expect(b).toBe(a);
  });

  it("changes when a certificate file is renewed in place, by rename or by rewrite", async () => {
    files.write("host.pem", "certificate v1");
    files.write("host.key", "key v1");
    const before = await rolesAnywhereInputs(options());
    files.write("host.pem.new", "certificate v2");
    renameSync(files.path("host.pem.new"), files.path("host.pem"));
    const afterRename = await rolesAnywhereInputs(options());
    expect(afterRename).not.toBe(before);
    writeFileSync(files.path("host.key"), "key v2");
    utimesSync(files.path("host.key"), new Date(Date.UTC(2030, 0, 1)), new Date(Date.UTC(2030, 0, 1)));
    expect(await rolesAnywhereInputs(options())).not.toBe(afterRename);
  });

  it("shows inline PEM only as its SHA-256 digest, and the passphrase as a number standing for it", async () => {
    files.write("host.key", "key v1");
    const text = await rolesAnywhereInputs(options({ certificate: PEM, privateKeyPassphrase: "correct horse battery staple" }));
    expect(text).not.toContain("MIIBszCCAVmgAwIBAgIU");
    expect(text).not.toContain("correct horse");
    const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");
    expect(JSON.parse(text)).toMatchObject({ certificate: { pemSha256: sha256(PEM) }, privateKeyPassphrase: secretNumber });
    expect(text).not.toContain(sha256("correct horse battery staple"));
    const other = await rolesAnywhereInputs(options({ certificate: PEM, privateKeyPassphrase: "another passphrase" }));
    expect(other).not.toBe(text);
  });

  it("stands for a missing file by its error code, without throwing", async () => {
    const inputs = JSON.parse(await rolesAnywhereInputs(options({ intermediates: files.path("absent-chain.pem") }))) as Record<string, unknown>;
    expect(inputs["intermediates"]).toEqual({ path: files.path("absent-chain.pem"), file: "-" });
  });

  it("refuses invalid options as fromRolesAnywhere does", async () => {
    await expect(rolesAnywhereInputs(options({ durationSeconds: 10 }))).rejects.toThrow(TypeError);
  });
});
