/**
 * Every example runs, against its local emulators, as `npm run example <name>` runs it — so CI
 * keeps them working on every supported Node, not only type-checked — and prints what its header
 * promises.
 */
import { describe, expect, it } from "vitest";
import * as boshStyle from "./bosh-style.js";
import * as crossAccount from "./cross-account-external-id.js";
import * as fogStyle from "./fog-style.js";
import * as recoverRejected from "./recover-rejected.js";
import * as rolesAnywhere from "./roles-anywhere.js";
import * as s3DropIn from "./s3-drop-in.js";

async function run(main: (print: (line: string) => void) => Promise<void>): Promise<string> {
  const lines: string[] = [];
  await main((line) => lines.push(line));
  return lines.join("\n");
}

describe("the examples", () => {
  it("s3-drop-in: two clients share one IMDS fetch", async () => {
    const output = await run(s3DropIn.main);
    expect(output).toContain("reports client: the same credential: true");
    expect(output).toContain("IMDS credential fetches for both clients: 1");
  });

  it("fog-style: use_iam_profile takes the instance profile", async () => {
    const output = await run(fogStyle.main);
    expect(output).toMatch(/use_iam_profile: access key …\w{4} from the instance profile/);
    expect(output).toContain("from a parsed config file: the same credential: true");
  });

  it("bosh-style: env_or_profile takes the environment on a jumpbox and the instance profile on the director", async () => {
    const output = await run(boshStyle.main);
    expect(output).toContain("jumpbox: access key …LE01 from the environment");
    expect(output).toMatch(/director: access key …\w{4} from the instance profile, expires \d{4}-/);
    expect(output).not.toContain("director: access key …LE01");
  });

  it("recover-rejected: a revoked cached credential costs one extra request and one fetch, and the call succeeds", async () => {
    const output = await run(recoverRejected.main);
    expect(output).toContain("the next call succeeded: arn:aws:sts::123456789012:assumed-role/app/i-0123456789abcdef0");
    expect(output).toContain("STS requests for it: 2 (InvalidClientTokenId, then OK); IMDS credential fetches in all: 2");
    expect(output).toMatch(/log: env-or-profile: STS GetCallerIdentity was refused with InvalidClientTokenId: the service rejected credential …\w{4}; re-sent once with fresh credential …\w{4}: succeeded/);
  });

  it("cross-account-external-id: assumes the partner role with the ExternalId and refuses a wrong one", async () => {
    const output = await run(crossAccount.main);
    expect(output).toContain("ExternalId sent: true");
    expect(output).toContain("a wrong ExternalId is refused: STS_ACCESS_DENIED");
    expect(output).toContain("from config: the same assumed credential: true");
    expect(output).toContain("AssumeRole calls: 2 (the partner role once for both clients, and the refused one)");
  });

  it("roles-anywhere: a certificate gets the role's credentials, shared by both clients; a renewed one is used; a partner role on top", async () => {
    const output = await run(rolesAnywhere.main);
    expect(output).toMatch(/backup-writer role: access key …\w{4}, account 123456789012, expires \d{4}-/);
    expect(output).toMatch(/signed with certificate serial \d+: true/);
    expect(output).toContain("second client: the same credential: true; CreateSession calls: 1");
    expect(output).toContain("after the renewal: a new credential: true, signed with the new certificate: true");
    expect(output).toContain("from config, the partner's role: account 210987654321, ExternalId sent: true, signed with the Roles Anywhere key: true");
    expect(output).toContain("CreateSession calls in all: 2; AssumeRole calls: 1");
  });
});
