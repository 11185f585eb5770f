import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { startStsEmulator, type StsEmulator } from "../../src/testing/sts-emulator.js";
import { captureIo, ENV_KEYS, leakedSecrets } from "./cli-test-io.js";

/** What BOSH's "IAM Profiles" docs show `aws sts decode-authorization-message` returning for BOSH's missing PassRole. */
const DECODED = {
  allowed: false,
  explicitDeny: false,
  matchedStatements: { items: [] },
  failures: { items: [] },
  context: {
    principal: { id: "AROxxx:i-56a18483", arn: "arn:aws:sts::123456789012:assumed-role/director/i-56a18483" },
    action: "iam:PassRole",
    resource: "arn:aws:iam::123456789012:role/deployed-vm",
    conditions: { items: [] },
  },
};
const ENCODED = "vHU-KncL6Yo4pG5J9p_example+encoded/message==";

let sts: StsEmulator | undefined;
afterEach(async () => {
  await sts?.close();
  sts = undefined;
});

/**
 * The STS emulator, knowing the env keys (it verifies each request's SigV4 signature against them)
 * and answering `ENCODED` with `DECODED`; any other message is InvalidAuthorizationMessageException.
 */
async function startDecodeServer(): Promise<StsEmulator> {
  sts = await startStsEmulator({
    baseCredentials: [
      { accessKeyId: ENV_KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: ENV_KEYS.AWS_SECRET_ACCESS_KEY, sessionToken: ENV_KEYS.AWS_SESSION_TOKEN },
    ],
    authorizationMessages: { [ENCODED]: DECODED },
  });
  return sts;
}

describe("env-or-profile decode-authorization-message", () => {
  it("decodes the message through STS with the chain's credentials and pretty-prints the JSON", async () => {
    const sts = await startDecodeServer();
    const { io, stdout, stderr } = captureIo({ ...ENV_KEYS, AWS_ENDPOINT_URL_STS: sts.endpoint, AWS_REGION: "eu-west-1" });
    expect(await runCli(["decode-authorization-message", ENCODED], io)).toBe(0);
    expect(stdout()).toBe(`${JSON.stringify(DECODED, null, 2)}\n`);
    expect(sts.lastRequest).toMatchObject({
      action: "DecodeAuthorizationMessage",
      accessKeyId: ENV_KEYS.AWS_ACCESS_KEY_ID,
      region: "eu-west-1",
      signatureValid: true,
    });
    expect(leakedSecrets(stdout() + stderr(), Object.values(ENV_KEYS))).toEqual([]);
  });

  it("reads the message from standard input with -, dropping a pasted error prefix", async () => {
    const sts = await startDecodeServer();
    const pasted = `You are not authorized to perform this operation. Encoded authorization failure message: ${ENCODED}\n`;
    const { io, stdout } = captureIo({ ...ENV_KEYS, AWS_ENDPOINT_URL_STS: sts.endpoint }, { stdin: pasted });
    expect(await runCli(["decode-authorization-message", "-"], io)).toBe(0);
    expect(JSON.parse(stdout())).toEqual(DECODED);
  });

  it("exits 1 with STS's error on stderr when STS cannot decode the message", async () => {
    const sts = await startDecodeServer();
    const { io, stdout, stderr } = captureIo({ ...ENV_KEYS, AWS_ENDPOINT_URL_STS: sts.endpoint });
    expect(await runCli(["decode-authorization-message", "bm90LWEtcmVhbC1tZXNzYWdl"], io)).toBe(1);
    expect(stdout()).toBe("");
    expect(stderr()).toContain("InvalidAuthorizationMessageException");
    expect(leakedSecrets(stderr(), Object.values(ENV_KEYS))).toEqual([]);
  });

  it("exits 1 without calling STS when there are no credentials to sign with", async () => {
    const sts = await startDecodeServer();
    const { io, stderr } = captureIo({ AWS_ENDPOINT_URL_STS: sts.endpoint });
    expect(await runCli(["decode-authorization-message", ENCODED], io)).toBe(1);
    expect(stderr()).toContain("no credentials to call STS with");
    expect(sts.requests).toHaveLength(0);
  });

  it("exits 2 for a message with characters an encoded message cannot have", async () => {
    const { io, stderr } = captureIo({ ...ENV_KEYS });
    expect(await runCli(["decode-authorization-message", "not a message!"], io)).toBe(2);
    expect(stderr()).toContain("decode-authorization-message --help");
  });
});
