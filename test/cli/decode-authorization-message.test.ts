import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { captureIo, ENV_KEYS, leakedSecrets } from "./cli-test-io.js";

/** What seed 000 shows `aws sts decode-authorization-message` returning for BOSH's missing PassRole. */
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

interface Received {
  form: URLSearchParams;
  authorization: string;
}

/**
 * A minimal STS speaking the query protocol for DecodeAuthorizationMessage only: 200 with the
 * decoded JSON (XML-escaped) for `ENCODED`, else the InvalidAuthorizationMessageException error.
 */
async function startDecodeServer(): Promise<{ endpoint: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      received.push({ form, authorization: req.headers.authorization ?? "" });
      res.setHeader("content-type", "text/xml");
      if (form.get("Action") !== "DecodeAuthorizationMessage" || form.get("EncodedMessage") !== ENCODED) {
        res.statusCode = 400;
        res.end(
          `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>` +
            `<Code>InvalidAuthorizationMessageException</Code><Message>Invalid authorization message</Message></Error>` +
            `<RequestId>req-2</RequestId></ErrorResponse>`,
        );
        return;
      }
      const escaped = JSON.stringify(DECODED).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
      res.end(
        `<DecodeAuthorizationMessageResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">` +
          `<DecodeAuthorizationMessageResult><DecodedMessage>${escaped}</DecodedMessage></DecodeAuthorizationMessageResult>` +
          `<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DecodeAuthorizationMessageResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, received, server };
}

let server: Server | undefined;
afterEach(async () => {
  const closing = server;
  server = undefined;
  if (closing !== undefined) {
    closing.closeAllConnections();
    await new Promise((resolve) => closing.close(resolve));
  }
});

describe("env-or-profile decode-authorization-message", () => {
  it("decodes the message through STS with the chain's credentials and pretty-prints the JSON", async () => {
    const sts = await startDecodeServer();
    server = sts.server;
    const { io, stdout, stderr } = captureIo({ ...ENV_KEYS, AWS_ENDPOINT_URL_STS: sts.endpoint, AWS_REGION: "eu-west-1" });
    expect(await runCli(["decode-authorization-message", ENCODED], io)).toBe(0);
    expect(stdout()).toBe(`${JSON.stringify(DECODED, null, 2)}\n`);
    expect(sts.received[0]?.authorization).toContain(`Credential=${ENV_KEYS.AWS_ACCESS_KEY_ID}/`);
    expect(sts.received[0]?.authorization).toContain("/eu-west-1/sts/aws4_request");
    expect(leakedSecrets(stdout() + stderr(), Object.values(ENV_KEYS))).toEqual([]);
  });

  it("reads the message from standard input with -, dropping a pasted error prefix", async () => {
    const sts = await startDecodeServer();
    server = sts.server;
    const pasted = `You are not authorized to perform this operation. Encoded authorization failure message: ${ENCODED}\n`;
    const { io, stdout } = captureIo({ ...ENV_KEYS, AWS_ENDPOINT_URL_STS: sts.endpoint }, { stdin: pasted });
    expect(await runCli(["decode-authorization-message", "-"], io)).toBe(0);
    expect(JSON.parse(stdout())).toEqual(DECODED);
  });

  it("exits 1 with STS's error on stderr when STS cannot decode the message", async () => {
    const sts = await startDecodeServer();
    server = sts.server;
    const { io, stdout, stderr } = captureIo({ ...ENV_KEYS, AWS_ENDPOINT_URL_STS: sts.endpoint });
    expect(await runCli(["decode-authorization-message", "bm90LWEtcmVhbC1tZXNzYWdl"], io)).toBe(1);
    expect(stdout()).toBe("");
    expect(stderr()).toContain("InvalidAuthorizationMessageException");
    expect(leakedSecrets(stderr(), Object.values(ENV_KEYS))).toEqual([]);
  });

  it("exits 1 without calling STS when there are no credentials to sign with", async () => {
    const sts = await startDecodeServer();
    server = sts.server;
    const { io, stderr } = captureIo({ AWS_ENDPOINT_URL_STS: sts.endpoint });
    expect(await runCli(["decode-authorization-message", ENCODED], io)).toBe(1);
    expect(stderr()).toContain("no credentials to call STS with");
    expect(sts.received).toHaveLength(0);
  });

  it("exits 2 for a message with characters an encoded message cannot have", async () => {
    const { io, stderr } = captureIo({ ...ENV_KEYS });
    expect(await runCli(["decode-authorization-message", "not a message!"], io)).toBe(2);
    expect(stderr()).toContain("decode-authorization-message --help");
  });
});
