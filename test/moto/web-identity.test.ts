/*
 * fromWebIdentity against moto (`python3 -m moto.server`): a real STS implementation, not ours,
 * answering AssumeRoleWithWebIdentity and AssumeRole. What it proves that our emulator cannot: the
 * requests we build are the ones a real STS parses, and the credentials it issues for one step are
 * accepted by it for the next.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { envOrProfile } from "../../src/env-or-profile.js";
import { memoize } from "../../src/memoize.js";
import { fromAssumeRole } from "../../src/providers/assume-role.js";
import { fromWebIdentity } from "../../src/providers/web-identity/from-web-identity.js";
import { manualClock } from "../../src/testing/manual-clock.js";
import { startMoto, type MotoServer } from "../helpers/moto.js";
import { usePeers } from "../helpers/peers.js";

const IRSA_ROLE = "arn:aws:iam::123456789012:role/irsa-app";
const PARTNER_ROLE = "arn:aws:iam::210987654321:role/partner-upload";
/** A JWT-shaped token; moto does not verify it against an IdP. */
const TOKEN = "eyJhbGciOiJSUzI1NiIsImtpZCI6Im1vdG8ifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDphcHAifQ.bW90by1zaWduYXR1cmU";

const peers = usePeers("moto");
let moto: MotoServer;
let dir: string;
let tokenFile: string;
beforeAll(async () => {
  if (peers.ready) moto = await startMoto();
  dir = mkdtempSync(join(tmpdir(), "env-or-profile-moto-web-identity-"));
  tokenFile = join(dir, "token");
  writeFileSync(tokenFile, `${TOKEN}\n`);
}, 40_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (peers.ready) await moto.close();
});

/** Who moto says is calling, with `credentials`. */
async function callerArn(credentials: AwsCredentialIdentityProvider): Promise<string | undefined> {
  const client = new STSClient({ region: "us-east-1", endpoint: moto.endpoint, credentials });
  try {
    return (await client.send(new GetCallerIdentityCommand({}))).Arn;
  } finally {
    client.destroy();
  }
}

describe("against moto (a real STS)", () => {
  it("web identity alone: AssumeRoleWithWebIdentity from the token file, and the credentials are the role's", async () => {
    const credentials = fromWebIdentity({
      env: { AWS_ROLE_ARN: IRSA_ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_SESSION_NAME: "irsa-alone", AWS_REGION: "us-east-1" },
      endpoint: moto.endpoint,
      clock: manualClock(Date.now()),
    });
    const identity = await credentials();
    expect(identity.accessKeyId).toMatch(/^ASIA/);
    expect(identity.sessionToken).toBeTruthy();
    expect(identity.expiration?.getTime()).toBeGreaterThan(Date.now());
    expect(identity.accountId).toBe("123456789012");
    expect(await callerArn(credentials)).toBe("arn:aws:sts::123456789012:assumed-role/irsa-app/irsa-alone");
  });

  it("web identity, then fromAssumeRole with an ExternalId, signed by the web identity credentials", async () => {
    const clock = manualClock(Date.now());
    const irsa = fromWebIdentity({
      env: { AWS_ROLE_ARN: IRSA_ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_REGION: "us-east-1", AWS_ENDPOINT_URL_STS: moto.endpoint },
      roleSessionName: "irsa-base",
      clock,
    });
    const partner = memoize(
      fromAssumeRole({
        roleArn: PARTNER_ROLE,
        externalId: "tenant-42",
        roleSessionName: "partner-from-irsa",
        endpoint: moto.endpoint,
        region: "us-east-1",
        source: irsa,
        clock,
      }),
      { clock },
    );
    const base = await irsa();
    const assumed = await partner();
    expect(assumed.accessKeyId).toMatch(/^ASIA/);
    expect(assumed.accessKeyId).not.toBe(base.accessKeyId);
    expect(await callerArn(irsa)).toBe("arn:aws:sts::123456789012:assumed-role/irsa-app/irsa-base");
    expect(await callerArn(partner)).toBe("arn:aws:sts::210987654321:assumed-role/partner-upload/partner-from-irsa");
  });

  it("the whole chain: envOrProfile() in an IRSA pod, with assumeRole and an ExternalId", async () => {
    const home = mkdtempSync(join(dir, "home-"));
    const environment = {
      HOME: home,
      AWS_CONFIG_FILE: join(home, "none"),
      AWS_SHARED_CREDENTIALS_FILE: join(home, "none"),
      AWS_ROLE_ARN: IRSA_ROLE,
      AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
      AWS_ROLE_SESSION_NAME: "irsa-chain",
      AWS_ENDPOINT_URL_STS: moto.endpoint,
      AWS_REGION: "us-east-1",
    };
    const credentials = envOrProfile({
      env: { env: environment },
      webIdentity: { env: environment },
      container: { env: environment },
      imds: { endpoint: "http://127.0.0.1:9", env: {} },
      clock: manualClock(Date.now()),
      assumeRole: { roleArn: PARTNER_ROLE, externalId: "tenant-42", roleSessionName: "partner-chain", endpoint: moto.endpoint, region: "us-east-1" },
    });
    expect(await callerArn(credentials)).toBe("arn:aws:sts::210987654321:assumed-role/partner-upload/partner-chain");
  });
});
