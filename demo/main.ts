/**
 * `npm start`: env-or-profile end to end, with no AWS account.
 *
 * 1. starts the IMDS emulator (a real HTTP server on 127.0.0.1) and a local "S3" that captures
 *    requests;
 * 2. resolves credentials through `envOrProfile()` — the environment link falls through (the demo
 *    gives it an empty environment), the instance profile answers;
 * 3. signs a real `@aws-sdk/client-s3` request with them;
 * 4. drives a manual clock through a rotation and shows the refresh starting before the
 *    five-minute window, then a thousand concurrent callers sharing one fetch.
 *
 * Nothing secret is printed: key ids appear as their last four characters.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { envOrProfile } from "env-or-profile";
import { manualClock, startImdsEmulator } from "env-or-profile/testing";

const MINUTE = 60_000;
const last4 = (keyId: string): string => `…${keyId.slice(-4)}`;

const clock = manualClock(Date.now());
const at = (): string => new Date(clock.now()).toISOString().slice(11, 19);
const say = (line: string): void => console.log(`[${at()}] ${line}`);

const imds = await startImdsEmulator({ clock, mode: "token-required", credentialLifetimeMs: 6 * 60 * MINUTE });
const s3 = await startCaptureServer();

const credentials = envOrProfile({
  env: { env: {} }, // an empty environment, so the demo never picks up your real keys
  imds: { endpoint: imds.endpoint },
  clock,
  // Pinned jitter for a repeatable demo: the background refresh starts 2.5 min before the window
  // (half of its 5-minute cap). In production each credential draws its own.
  random: () => 0.5,
  logger: { debug: (line) => say(`  log: ${line}`), warn: (line) => say(`  WARN: ${line}`) },
});

try {
  say(`IMDS emulator at ${imds.endpoint} (IMDSv2 tokens required); capture "S3" at ${s3.endpoint}`);

  const first = await credentials();
  say(`resolved ${last4(first.accessKeyId)} from the instance profile, expires ${first.expiration?.toISOString() ?? "never"}`);
  say(`IMDS requests so far: ${imds.requestCount} (token ${imds.tokenRequests}, credentials ${imds.count(credentialsPath())})`);

  const client = new S3Client({ region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true, credentials });
  await client.send(new ListBucketsCommand({}));
  const signed = s3.requests[0];
  say(`S3 request signed with ${signed?.keyId ?? "?"} (session token header ${signed?.hasToken === true ? "present" : "MISSING"})`);

  const expiresAt = first.expiration?.getTime() ?? 0;
  for (const minutesBefore of [60, 8, 7, 6, 4]) {
    clock.set(expiresAt - minutesBefore * MINUTE);
    const current = await credentials();
    await settle();
    say(`${String(minutesBefore).padStart(2)} min before expiry: answered ${last4(current.accessKeyId)} at once; IMDS credentials requests so far: ${imds.count(credentialsPath())}`);
  }

  const fresh = await credentials();
  say(`rotated: now ${last4(fresh.accessKeyId)}, expires ${fresh.expiration?.toISOString() ?? "never"}`);

  clock.set((fresh.expiration?.getTime() ?? 0) - 4 * MINUTE);
  const before = imds.count(credentialsPath());
  const many = await Promise.all(Array.from({ length: 1_000 }, () => credentials()));
  say(`1,000 concurrent callers in the refresh window → ${imds.count(credentialsPath()) - before} IMDS credentials request(s), ${new Set(many.map((c) => c.accessKeyId)).size} distinct key`);

  await client.send(new ListBucketsCommand({}));
  say(`second S3 request signed with ${s3.requests[1]?.keyId ?? "?"}`);
  client.destroy();
} finally {
  await imds.close();
  await s3.close();
}

function credentialsPath(): string {
  return `/latest/meta-data/iam/security-credentials/${imds.roleName ?? ""}`;
}

/** Lets a background refresh finish before the next line is printed. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

interface Captured {
  keyId: string;
  hasToken: boolean;
}

/** A loopback stand-in for S3 that records who signed each request and answers an empty list. */
async function startCaptureServer(): Promise<{ endpoint: string; requests: Captured[]; close(): Promise<void> }> {
  const requests: Captured[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const authorization = request.headers.authorization ?? "";
    const keyId = /Credential=([^/]+)\//.exec(authorization)?.[1] ?? "";
    requests.push({ keyId: last4(keyId), hasToken: typeof request.headers["x-amz-security-token"] === "string" });
    request.resume();
    response.writeHead(200, { "content-type": "application/xml" });
    response.end(
      '<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>demo</ID></Owner><Buckets></Buckets></ListAllMyBucketsResult>',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
