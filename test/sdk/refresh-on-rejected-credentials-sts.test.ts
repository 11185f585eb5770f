/*
 * refreshOnRejectedCredentials with STS, the query protocol (`<ErrorResponse><Error><Code>`): our
 * STS emulator, which answers `InvalidClientTokenId` for a key it no longer knows (rotated base
 * keys), and a signed query double for `ExpiredToken`, which the emulator never answers.
 */
import { GetCallerIdentityCommand, STSClient, STSServiceException } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { afterEach, describe, expect, it } from "vitest";
import { memoize } from "../../src/memoize.js";
import { fromImds } from "../../src/providers/imds/from-imds.js";
import { refreshOnRejectedCredentials } from "../../src/sdk/refresh-on-rejected-credentials.js";
import { startImdsEmulator, type ImdsEmulator } from "../../src/testing/imds-emulator.js";
import { startStsEmulator } from "../../src/testing/sts-emulator.js";
import { startServiceDouble } from "./helpers/service-double.js";

const open: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function imdsWithProvider(): Promise<{ imds: ImdsEmulator; credentials: AwsCredentialIdentityProvider; fetches: () => number }> {
  const imds = await startImdsEmulator();
  open.push(imds);
  return {
    imds,
    credentials: memoize(fromImds({ endpoint: imds.endpoint })),
    fetches: () => imds.count(`/latest/meta-data/iam/security-credentials/${imds.roleName ?? ""}`),
  };
}

function stsClient(endpoint: string, credentials: AwsCredentialIdentityProvider): STSClient {
  const client = new STSClient({ region: "us-east-1", endpoint, maxAttempts: 1, credentials });
  client.middlewareStack.use(refreshOnRejectedCredentials(credentials));
  open.push({ close: () => client.destroy() });
  return client;
}

describe("refreshOnRejectedCredentials with STS (query protocol)", () => {
  it("recovers from InvalidClientTokenId for keys STS no longer knows (our STS emulator): 2 requests, 2 fetches", async () => {
    const { imds, credentials, fetches } = await imdsWithProvider();
    const sts = await startStsEmulator({ baseCredentials: [imds.current] });
    open.push(sts);
    const client = stsClient(sts.endpoint, credentials);
    await client.send(new GetCallerIdentityCommand({}));
    const fresh = imds.rotate();
    sts.setBaseCredentials([fresh]);

    const answer = await client.send(new GetCallerIdentityCommand({}));

    expect(answer.Account).toBe("111122223333");
    expect(sts.requests.slice(1).map((r) => [r.errorCode, r.accessKeyId === fresh.accessKeyId])).toEqual([
      ["InvalidClientTokenId", false],
      [undefined, true],
    ]);
    expect(fetches()).toBe(2);
  });

  it.each(["ExpiredToken", "InvalidClientTokenId"])("recovers from %s (a signed query double): 2 requests, 2 fetches", async (code) => {
    const { imds, credentials, fetches } = await imdsWithProvider();
    const double = await startServiceDouble("query", { accept: imds.current, rejectAs: code });
    open.push(double);
    const client = stsClient(double.endpoint, credentials);
    await client.send(new GetCallerIdentityCommand({}));
    const fresh = imds.rotate();
    double.accept(fresh);

    await client.send(new GetCallerIdentityCommand({}));

    expect(double.requests.slice(1).map((r) => r.errorCode)).toEqual([code, undefined]);
    expect(double.signedWith.at(-1)).toBe(fresh.accessKeyId);
    expect(fetches()).toBe(2);
  });

  it("surfaces STS's own ExpiredToken error when the re-sent request is rejected too", async () => {
    const { imds, credentials } = await imdsWithProvider();
    const double = await startServiceDouble("query", { accept: imds.current });
    open.push(double);
    const client = stsClient(double.endpoint, credentials);
    await client.send(new GetCallerIdentityCommand({}));
    imds.rotate();
    double.accept(undefined);

    const error: unknown = await client.send(new GetCallerIdentityCommand({})).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(STSServiceException);
    expect(error).toMatchObject({ name: "ExpiredToken", $metadata: { httpStatusCode: 400 } });
    expect(double.requests).toHaveLength(3);
  });

  it("passes Throttling through to the client's retry strategy: 1 request with one attempt", async () => {
    const { imds, credentials, fetches } = await imdsWithProvider();
    const double = await startServiceDouble("query", { accept: imds.current });
    open.push(double);
    const client = stsClient(double.endpoint, credentials);
    double.failNext("Throttling");

    await expect(client.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: "Throttling" });
    expect(double.requests).toHaveLength(1);
    expect(fetches()).toBe(1);
  });
});
