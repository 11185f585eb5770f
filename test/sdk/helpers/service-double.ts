/*
 * Signed AWS service doubles for the client plugin's tests: real HTTP servers on 127.0.0.1 that
 * verify each request's SigV4 signature (the STS emulator's verifier) against the one credential
 * they currently accept, and answer in a service's own protocol:
 * - "s3": REST-XML, `GET`/`PUT /<bucket>/<key>`, errors as `<Error><Code>…</Code>…</Error>`;
 * - "dynamodb": JSON 1.0, `X-Amz-Target: DynamoDB_20120810.<Operation>`, errors as
 *   `{"__type": "com.amazon.coral.service#<Code>", "message": …}`;
 * - "query": STS's query protocol, form `Action=GetCallerIdentity`, errors as
 *   `<ErrorResponse><Error><Code>…</Code>…</Error></ErrorResponse>`.
 * A request signed with anything but the accepted credential is answered with `rejectAs` (e.g.
 * `ExpiredToken`), as the real service answers a credential it no longer honours. Every response
 * carries a `Date` header from `clock` plus `dateOffsetMs`, so a test can play a service whose clock
 * is ahead of ours.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AwsCredentialIdentity } from "@smithy/types";
import { systemClock, type Clock } from "../../../src/clock.js";
import { createEmulatorServer } from "../../../src/testing/emulator-server.js";
import { verifySignature } from "../../../src/testing/sts-emulator.js";

/** Which protocol the double speaks. */
export type ServiceProtocol = "s3" | "dynamodb" | "query";

/** One request the double received. */
export interface ServiceDoubleRequest {
  /** The access key id the request was signed with (from `Authorization`), if signed. */
  accessKeyId: string | undefined;
  /** The error code answered, or `undefined` for a success. */
  errorCode: string | undefined;
  /** The request's operation: `GetObject`/`PutObject`, the JSON target's operation, or the query `Action`. */
  operation: string;
}

/** Options of {@link startServiceDouble}. */
export interface ServiceDoubleOptions {
  /** The credential whose signatures are accepted. @defaultValue none: every request is rejected */
  accept?: AwsCredentialIdentity;
  /** The code a request signed with another credential is answered with. @defaultValue per protocol: `ExpiredToken`, `ExpiredTokenException` */
  rejectAs?: string;
  /** Dates the `Date` header. @defaultValue the system clock */
  clock?: Clock;
  /** How far the double's clock is ahead of `clock`, in ms. @defaultValue 0 */
  dateOffsetMs?: number;
}

/** A running double. */
export interface ServiceDouble {
  /** Its base URL, for a client's `endpoint`. */
  readonly endpoint: string;
  /** Every request received, oldest first. */
  readonly requests: readonly ServiceDoubleRequest[];
  /** The access key ids of the requests received, oldest first. */
  readonly signedWith: readonly (string | undefined)[];
  /** Accepts `credential` (only it) from now on; `undefined`: none. */
  accept(credential: AwsCredentialIdentity | undefined): void;
  /** The code for a credential that is not accepted. */
  rejectAs: string;
  /** How far the double's clock is ahead of `clock`, in ms. */
  dateOffsetMs: number;
  /** Answers the next `times` properly signed requests with the error `code` instead (AccessDenied, NoSuchKey, throttling…). */
  failNext(code: string, times?: number): void;
  /** Stops the server. */
  close(): Promise<void>;
}

const MESSAGES: Readonly<Record<string, { status: number; message: string }>> = {
  ExpiredToken: { status: 400, message: "The provided token has expired." },
  ExpiredTokenException: { status: 400, message: "The security token included in the request is expired" },
  InvalidToken: { status: 400, message: "The provided token is malformed or otherwise invalid." },
  TokenRefreshRequired: { status: 400, message: "The provided token must be refreshed." },
  InvalidAccessKeyId: { status: 403, message: "The AWS Access Key Id you provided does not exist in our records." },
  InvalidClientTokenId: { status: 403, message: "The security token included in the request is invalid." },
  UnrecognizedClientException: { status: 400, message: "The security token included in the request is invalid." },
  AccessDenied: { status: 403, message: "Access Denied" },
  AccessDeniedException: { status: 400, message: "User is not authorized to perform this action" },
  NoSuchKey: { status: 404, message: "The specified key does not exist." },
  ResourceNotFoundException: { status: 400, message: "Requested resource not found" },
  SlowDown: { status: 503, message: "Please reduce your request rate." },
  ThrottlingException: { status: 400, message: "Rate of requests exceeds the allowed throughput." },
  Throttling: { status: 400, message: "Rate exceeded" },
  SignatureDoesNotMatch: { status: 403, message: "The request signature we calculated does not match the signature you provided." },
};

/** Starts a double speaking `protocol` on 127.0.0.1, an ephemeral port. */
export async function startServiceDouble(protocol: ServiceProtocol, options: ServiceDoubleOptions = {}): Promise<ServiceDouble> {
  const clock = options.clock ?? systemClock;
  let accepted = options.accept;
  const failures: { code: string; remaining: number }[] = [];
  const requests: ServiceDoubleRequest[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readAll(req);
    const operation = operationOf(protocol, req, body);
    const record: ServiceDoubleRequest = { accessKeyId: undefined, errorCode: undefined, operation };
    requests.push(record);
    res.setHeader("Date", new Date(clock.now() + double.dateOffsetMs).toUTCString());
    const auth = verifySignature(req, body, (keyId) =>
      accepted !== undefined && keyId === accepted.accessKeyId
        ? { secretAccessKey: accepted.secretAccessKey, ...(accepted.sessionToken === undefined ? {} : { sessionToken: accepted.sessionToken }), arn: "arn:aws:iam::123456789012:user/double", account: "123456789012" }
        : undefined,
    );
    record.accessKeyId = auth.accessKeyId;
    if (!auth.ok) {
      const code = auth.code === "SignatureDoesNotMatch" || auth.code === "IncompleteSignature" ? auth.code : double.rejectAs;
      record.errorCode = code;
      sendError(protocol, res, code);
      return;
    }
    const failure = failures[0];
    if (failure !== undefined) {
      failure.remaining -= 1;
      if (failure.remaining <= 0) failures.shift();
      record.errorCode = failure.code;
      sendError(protocol, res, failure.code);
      return;
    }
    sendSuccess(protocol, res, operation, req);
  };

  const server = createEmulatorServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  await server.listen();
  const double: ServiceDouble = {
    endpoint: `http://127.0.0.1:${server.port}`,
    get requests() {
      return [...requests];
    },
    get signedWith() {
      return requests.map((request) => request.accessKeyId);
    },
    accept(credential) {
      accepted = credential;
    },
    rejectAs: options.rejectAs ?? (protocol === "dynamodb" ? "ExpiredTokenException" : "ExpiredToken"),
    dateOffsetMs: options.dateOffsetMs ?? 0,
    failNext(code, times = 1) {
      failures.push({ code, remaining: times });
    },
    close: () => server.close(),
  };
  return double;
}

function operationOf(protocol: ServiceProtocol, req: IncomingMessage, body: Buffer): string {
  switch (protocol) {
    case "s3":
      return req.method === "PUT" ? "PutObject" : req.method === "GET" ? "GetObject" : (req.method ?? "");
    case "dynamodb":
      return String(req.headers["x-amz-target"] ?? "").replace(/^DynamoDB_\d+\./, "");
    case "query":
      return new URLSearchParams(body.toString("utf8")).get("Action") ?? "";
  }
}

function sendSuccess(protocol: ServiceProtocol, res: ServerResponse, operation: string, req: IncomingMessage): void {
  switch (protocol) {
    case "s3":
      if (operation === "PutObject") {
        res.writeHead(200, { etag: '"d41d8cd98f00b204e9800998ecf8427e"', "content-length": "0" }).end();
      } else {
        const text = `object at ${req.url ?? "/"}`;
        res.writeHead(200, { "content-type": "text/plain", "content-length": String(Buffer.byteLength(text)) }).end(text);
      }
      return;
    case "dynamodb": {
      const answer = operation === "GetItem" ? { Item: { id: { S: "order-1" }, total: { N: "42" } } } : operation === "ListTables" ? { TableNames: ["orders"] } : {};
      res.writeHead(200, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": randomUUID() }).end(JSON.stringify(answer));
      return;
    }
    case "query":
      res
        .writeHead(200, { "content-type": "text/xml" })
        .end(
          `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
            `<Arn>arn:aws:iam::123456789012:user/double</Arn><UserId>AIDADOUBLE</UserId><Account>123456789012</Account>` +
            `</GetCallerIdentityResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        );
  }
}

function sendError(protocol: ServiceProtocol, res: ServerResponse, code: string): void {
  const { status, message } = MESSAGES[code] ?? { status: 400, message: code };
  const requestId = randomUUID();
  switch (protocol) {
    case "s3":
      res
        .writeHead(status, { "content-type": "application/xml", "x-amz-request-id": requestId })
        .end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId><HostId>double</HostId></Error>`);
      return;
    case "dynamodb": {
      const namespace = code.endsWith("Exception") && !["ExpiredTokenException", "UnrecognizedClientException", "AccessDeniedException", "ThrottlingException"].includes(code)
        ? "com.amazonaws.dynamodb.v20120810"
        : "com.amazon.coral.service";
      res
        .writeHead(status, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": requestId })
        .end(JSON.stringify({ __type: `${namespace}#${code}`, message }));
      return;
    }
    case "query":
      res
        .writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": requestId })
        .end(
          `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>` +
            `<Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        );
  }
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
