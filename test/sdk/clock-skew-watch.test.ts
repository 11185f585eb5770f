/*
 * The client plugin's clock-skew measurement, on fake time: a double whose `Date` header is ahead
 * of our (manual) clock, a memoized IMDS provider on the same clock. While the service's clock is
 * more than a minute ahead, the provider refreshes that much earlier, and the plugin says so once.
 */
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterEach, describe, expect, it } from "vitest";
import { memoize } from "../../src/memoize.js";
import { fromImds } from "../../src/providers/imds/from-imds.js";
import { refreshOnRejectedCredentials } from "../../src/sdk/refresh-on-rejected-credentials.js";
import { startImdsEmulator } from "../../src/testing/imds-emulator.js";
import { manualClock } from "../../src/testing/manual-clock.js";
import { startServiceDouble } from "./helpers/service-double.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The IMDS emulator's credential lifetime, as on EC2. */
const LIFETIME = 6 * HOUR;

const open: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

/** A client with the plugin, against a double whose clock is `aheadMs` ahead of ours. */
async function world(aheadMs: number) {
  const clock = manualClock();
  const imds = await startImdsEmulator({ clock, autoRotate: false });
  open.push(imds);
  const double = await startServiceDouble("s3", { accept: imds.current, clock, dateOffsetMs: aheadMs });
  open.push(double);
  const credentials = memoize(fromImds({ endpoint: imds.endpoint, clock }), { clock, jitter: false });
  const client = new S3Client({ region: "us-east-1", endpoint: double.endpoint, forcePathStyle: true, maxAttempts: 1, credentials });
  open.push({ close: () => client.destroy() });
  const warnings: string[] = [];
  client.middlewareStack.use(refreshOnRejectedCredentials(credentials, { clock, logger: { warn: (line) => warnings.push(line) } }));
  const get = async (): Promise<void> => {
    await (await client.send(new GetObjectCommand({ Bucket: "reports", Key: "a.csv" }))).Body?.transformToString();
  };
  const fetches = (): number => imds.count(`/latest/meta-data/iam/security-credentials/${imds.roleName ?? ""}`);
  return { clock, double, credentials, warnings, get, fetches };
}

describe("refreshOnRejectedCredentials measuring the clock", () => {
  it("lets the provider refresh ten minutes earlier when the service's clock is ten minutes ahead", async () => {
    const { clock, credentials, get, fetches } = await world(10 * MINUTE);
    await get();

    clock.advance(LIFETIME - 5 * MINUTE - 10 * MINUTE - 1_000); // just before the window, moved ten minutes
    await credentials();
    expect(fetches()).toBe(1);
    clock.advance(2_000);
    await credentials();
    expect(fetches()).toBe(2);
  });

  it("logs the skew once, however many responses show it", async () => {
    const { get, warnings } = await world(10 * MINUTE);
    await get();
    await get();
    await get();

    expect(warnings).toEqual([expect.stringMatching(/^env-or-profile: the local clock is 600 s behind S3's \(its Date header\); credentials are refreshed that much earlier/)]);
  });

  it("changes nothing while the service's clock is within a minute of ours", async () => {
    const { clock, credentials, get, fetches, warnings } = await world(50_000);
    await get();

    clock.advance(LIFETIME - 5 * MINUTE - 1_000);
    await credentials();
    expect(fetches()).toBe(1);
    expect(warnings).toEqual([]);
  });

  it("changes nothing when our clock is ahead of the service's", async () => {
    const { clock, credentials, get, fetches, warnings } = await world(-10 * MINUTE);
    await get();

    clock.advance(LIFETIME - 5 * MINUTE - 1_000);
    await credentials();
    expect(fetches()).toBe(1);
    expect(warnings).toEqual([]);
  });

  it("withdraws the earlier refresh once the clocks agree again", async () => {
    const { clock, credentials, double, get, fetches } = await world(10 * MINUTE);
    await get();
    double.dateOffsetMs = 0;
    await get();

    clock.advance(LIFETIME - 5 * MINUTE - 1_000);
    await credentials();
    expect(fetches()).toBe(1);
  });

  it("measures error responses too", async () => {
    const { clock, credentials, double, get, fetches } = await world(10 * MINUTE);
    double.failNext("NoSuchKey");
    await expect(get()).rejects.toMatchObject({ name: "NoSuchKey" });

    clock.advance(LIFETIME - 15 * MINUTE);
    await credentials();
    expect(fetches()).toBe(2);
  });
});
