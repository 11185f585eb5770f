/*
 * A loopback S3 that keeps the user agent of every request and answers ListBuckets with no buckets:
 * what the feature-mark tests sign one request against, with our provider and with the SDK's. The
 * AWS SDK (in Node) sends its feature marks in `user-agent` as `m/<code>,<code>,…` (in a browser,
 * in `x-amz-user-agent`); both headers are read.
 */
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { createEmulatorServer } from "../../../src/testing/emulator-server.js";

/** A running capture server. */
export interface UserAgentCapture {
  /** Its base URL, for a client's `endpoint`. */
  readonly endpoint: string;
  /** The user agents received, oldest first. */
  readonly userAgents: readonly string[];
  /** Stops the server. */
  close(): Promise<void>;
}

const NO_BUCKETS =
  '<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>marks</ID></Owner><Buckets></Buckets></ListAllMyBucketsResult>';

/** Starts a capture server on 127.0.0.1, an ephemeral port. */
export async function startUserAgentCapture(): Promise<UserAgentCapture> {
  const userAgents: string[] = [];
  const server = createEmulatorServer((req, res) => {
    const header = (name: string): string => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(",") : (value ?? "");
    };
    userAgents.push(`${header("user-agent")} ${header("x-amz-user-agent")}`.trim());
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/xml", "x-amz-request-id": "marks" });
      res.end(NO_BUCKETS);
    });
  });
  await server.listen();
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    userAgents,
    close: () => server.close(),
  };
}

/**
 * The feature marks in a user agent: the codes of its `m/…` part, in order (`[]` when it has none).
 * @example featureCodes("aws-sdk-js/3.1 ua/2.1 m/E,T,g") // ["E", "T", "g"]
 */
export function featureCodes(userAgent: string | undefined): string[] {
  const part = /(?:^|\s)m\/([^\s]*)/.exec(userAgent ?? "")?.[1];
  return part === undefined || part === "" ? [] : part.split(",");
}

/**
 * Signs one S3 ListBuckets with `credentials` (a provider, or a credential object as static keys)
 * through a new S3Client against `capture`, and returns the codes of that request's `m/…`.
 */
export async function signedMarks(capture: UserAgentCapture, credentials: AwsCredentialIdentityProvider | AwsCredentialIdentity): Promise<string[]> {
  const client = new S3Client({ region: "us-east-1", endpoint: capture.endpoint, forcePathStyle: true, maxAttempts: 1, credentials });
  const before = capture.userAgents.length;
  try {
    await client.send(new ListBucketsCommand({}));
  } finally {
    client.destroy();
  }
  if (capture.userAgents.length !== before + 1) {
    throw new Error(`expected one request, the capture server received ${capture.userAgents.length - before}`);
  }
  return featureCodes(capture.userAgents.at(-1));
}
