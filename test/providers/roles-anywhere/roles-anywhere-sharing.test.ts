import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { memoize } from "../../../src/memoize.js";
import { fromAssumeRole } from "../../../src/providers/assume-role.js";
import { fromRolesAnywhere } from "../../../src/providers/roles-anywhere/from-roles-anywhere.js";
import type { RolesAnywhereOptions } from "../../../src/providers/roles-anywhere/roles-anywhere-options.js";
import { linkOf } from "../../../src/sharing/link.js";
import { resetSharedState } from "../../../src/sharing/process-state.js";
import { startStsEmulator, type StsEmulator } from "../../../src/testing/sts-emulator.js";
import { createCa, createLeaf, keyPem, type TestCa, type TestLeaf } from "./pki.js";
import { emulatorTrusting, PROFILE_ARN, ROLE_ARN, tempFolder, TRUST_ANCHOR_ARN } from "./world.js";

const files = tempFolder("roles-anywhere-sharing-");
const NO_JITTER = { jitter: false } as const;

let root: TestCa;
let leaf: TestLeaf;
beforeAll(async () => {
  root = await createCa("p256", "Sharing Root");
  leaf = await createLeaf("p256", root);
});
afterEach(() => resetSharedState());

/** Options reading the certificate and key from files (a fresh object each time, as separate modules would build them). */
function fileOptions(name: string, endpoint: string, extra: Partial<RolesAnywhereOptions> = {}): RolesAnywhereOptions {
  return {
    certificate: files.path(`${name}.pem`),
    privateKey: files.path(`${name}.key`),
    trustAnchorArn: TRUST_ANCHOR_ARN,
    profileArn: PROFILE_ARN,
    roleArn: ROLE_ARN,
    endpoint,
    ...extra,
  };
}

function writePair(name: string, pair: TestLeaf): void {
  files.write(`${name}.pem`, pair.certificatePem);
  files.write(`${name}.key`, keyPem(pair.key, "pkcs8"));
}

describe("fromRolesAnywhere is a link", () => {
  it("carries its link, so memoize and chain can share by what it reads", () => {
    const provider = fromRolesAnywhere(fileOptions("any", "http://127.0.0.1:9"));
    expect(linkOf(provider)?.name).toBe("roles-anywhere");
  });
});

describe("memoized fromRolesAnywhere providers share by what they read", () => {
  it("makes one CreateSession for 50 memoized providers reading the same certificate, key and ARNs", async () => {
    writePair("shared", leaf);
    const { emulator, clock } = await emulatorTrusting([root]);
    const providers = Array.from({ length: 50 }, () => memoize(fromRolesAnywhere(fileOptions("shared", emulator.endpoint, { clock })), { clock, ...NO_JITTER }));

    const credentials = await Promise.all(providers.map((provider) => provider()));

    expect(emulator.sessionCount).toBe(1);
    expect(new Set(credentials.map((credential) => credential.accessKeyId))).toEqual(new Set([emulator.current?.accessKeyId]));
  });

  it("gives a provider made after the certificate and key were renewed in place its own session, with the new certificate", async () => {
    writePair("renewed", leaf);
    const { emulator, clock } = await emulatorTrusting([root]);
    const before = memoize(fromRolesAnywhere(fileOptions("renewed", emulator.endpoint, { clock })), { clock, ...NO_JITTER });
    const first = await before();

    const next = await createLeaf("p256", root);
    writePair("renewed", next);
    const after = memoize(fromRolesAnywhere(fileOptions("renewed", emulator.endpoint, { clock })), { clock, ...NO_JITTER });
    const second = await after();

    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(emulator.requests.map((request) => request.serialNumber)).toEqual([leaf.serialDecimal, next.serialDecimal]);
    // The existing provider keeps its credential until its refresh window, as the SDK's do…
    expect((await before()).accessKeyId).toBe(first.accessKeyId);
    // …then reads the files again and joins the renewed certificate's credential, with no new session.
    clock.advance(56 * 60_000);
    expect((await before()).accessKeyId).not.toBe(first.accessKeyId);
    expect(emulator.sessionCount).toBe(3); // the refreshed renewed entry: one session for both providers
  });

  it("does not share between different roles", async () => {
    writePair("roles", leaf);
    const other = "arn:aws:iam::123456789012:role/restore-reader";
    const { emulator, clock } = await emulatorTrusting([root], { profiles: [{ arn: PROFILE_ARN, roleArns: [ROLE_ARN, other] }] });
    const a = memoize(fromRolesAnywhere(fileOptions("roles", emulator.endpoint, { clock })), { clock, ...NO_JITTER });
    const b = memoize(fromRolesAnywhere(fileOptions("roles", emulator.endpoint, { clock, roleArn: other })), { clock, ...NO_JITTER });
    const [ca, cb] = await Promise.all([a(), b()]);
    expect(ca.accessKeyId).not.toBe(cb.accessKeyId);
    expect(emulator.requests.map((request) => request.roleArn).sort()).toEqual([ROLE_ARN, other].sort());
  });

  it("forgets the shared credential at resetSharedState()", async () => {
    writePair("reset", leaf);
    const { emulator, clock } = await emulatorTrusting([root]);
    await memoize(fromRolesAnywhere(fileOptions("reset", emulator.endpoint, { clock })), { clock, ...NO_JITTER })();
    resetSharedState();
    await memoize(fromRolesAnywhere(fileOptions("reset", emulator.endpoint, { clock })), { clock, ...NO_JITTER })();
    expect(emulator.sessionCount).toBe(2);
  });

  it("retries throttling and a 5xx with backoff, and shares the one success", async () => {
    writePair("retry", leaf);
    const { emulator, clock } = await emulatorTrusting([root]);
    emulator.failOnce(429);
    emulator.failOnce(503);
    const options = { clock, ...NO_JITTER, random: () => 0, retry: { retries: 3, minTimeout: 1, maxTimeout: 1 } };
    const providers = Array.from({ length: 5 }, () => memoize(fromRolesAnywhere(fileOptions("retry", emulator.endpoint, { clock })), options));
    const credentials = await Promise.all(providers.map((provider) => provider()));
    expect(emulator.requests.map((request) => request.status)).toEqual([429, 503, 201]);
    expect(new Set(credentials.map((credential) => credential.accessKeyId)).size).toBe(1);
  });
});

describe("fromRolesAnywhere as the source of fromAssumeRole", () => {
  let sts: StsEmulator | undefined;
  afterEach(async () => {
    await sts?.close();
    sts = undefined;
  });

  it("assumes a role in another account with an ExternalId, signed with the Roles Anywhere credential", async () => {
    writePair("chain", leaf);
    const { emulator, clock } = await emulatorTrusting([root]);
    sts = await startStsEmulator({ trustIssuedBy: [emulator], externalId: "tenant-42", clock });
    const partnerRole = "arn:aws:iam::210987654321:role/partner-upload";
    const credentials = memoize(
      fromAssumeRole({
        roleArn: partnerRole,
        externalId: "tenant-42",
        endpoint: sts.endpoint,
        region: "eu-west-1",
        // Memoized on the test's clock (a bare provider is memoized on the system clock).
        source: memoize(fromRolesAnywhere(fileOptions("chain", emulator.endpoint, { clock })), { clock }),
        clock,
      }),
      { clock, ...NO_JITTER },
    );

    const [a, b] = await Promise.all([credentials(), credentials()]);

    expect(a).toBe(b);
    expect(a).toMatchObject({ accessKeyId: sts.issued[0]?.accessKeyId, accountId: "210987654321" });
    expect(sts.requests).toEqual([
      expect.objectContaining({ action: "AssumeRole", roleArn: partnerRole, externalId: "tenant-42", accessKeyId: emulator.current?.accessKeyId, signatureValid: true, status: 200 }),
    ]);
    expect(emulator.sessionCount).toBe(1);
  });
});
