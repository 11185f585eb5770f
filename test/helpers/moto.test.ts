import { STSClient, AssumeRoleCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMoto, type MotoServer } from "./moto.js";
import { usePeers } from "./peers.js";

describe("the moto test helper", () => {
  const peers = usePeers("moto");
  let moto: MotoServer;
  beforeAll(async () => {
    if (peers.ready) moto = await startMoto();
  }, 40_000);
  afterAll(async () => {
    if (peers.ready) await moto.close();
  });

  it("starts a real STS on loopback that answers AssumeRole", async () => {
    expect(moto.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const sts = new STSClient({
      region: "us-east-1",
      endpoint: moto.endpoint,
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    });
    const answer = await sts.send(
      new AssumeRoleCommand({ RoleArn: "arn:aws:iam::123456789012:role/partner", RoleSessionName: "s", ExternalId: "tenant-42" }),
    );
    expect(answer.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(answer.AssumedRoleUser?.Arn).toBe("arn:aws:sts::123456789012:assumed-role/partner/s");
    await moto.reset();
  });
});
