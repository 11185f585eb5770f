import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/parse-cli-args.js";

const doc = readFileSync(new URL("../../docs/cli.md", import.meta.url), "utf8");

describe("docs/cli.md", () => {
  it("never recommends npx in a credential_process line, or running the binary through npx", () => {
    expect(doc).not.toMatch(/credential_process\s*=\s*npx/);
    expect(doc).not.toMatch(/run it with `npx/);
  });

  it("names every command, and says how MFA, aws login and the line's source work", () => {
    for (const command of COMMANDS.filter((name) => name !== "status")) expect(doc).toContain(`env-or-profile ${command}`);
    for (const topic of ["--no-profile", "mfa_process", "/dev/tty", "MFA_REQUIRED", "login_session", "LOGIN_REQUIRED", "PROCESS_LOOP", "ec2_metadata_v1_disabled", "--mfa-serial"]) {
      expect(doc).toContain(topic);
    }
  });
});
