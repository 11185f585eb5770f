/*
 * The AWS SDK's ESM build (what esbuild puts in a Lambda bundle) runs, in strict code,
 * `credentials.memoized = true` on the provider it is given. Our providers carry `memoized` (so the
 * SDK adds no second cache) and must let it be assigned, as the SDK's own providers do: an
 * inherited read-only `memoized` made that assignment throw. test/package/bundle.test.ts runs the
 * SDK's real ESM build on them; this checks each public factory in strict code directly.
 */
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { describe, expect, it } from "vitest";
import { envOrProfile, fromConfig, fromWebIdentity, memoize } from "../src/index.js";

const made: Record<string, () => AwsCredentialIdentityProvider> = {
  "memoize()": () => memoize(async () => ({ accessKeyId: "AKIDMARKER", secretAccessKey: "s" })),
  "envOrProfile()": () => envOrProfile(),
  "fromConfig()": () => fromConfig({ useIamProfile: true }),
  "memoize(fromWebIdentity())": () => memoize(fromWebIdentity({ roleArn: "arn:aws:iam::123456789012:role/marker", webIdentityTokenFile: "/nonexistent/token" })),
};

describe("the memoized marker the AWS SDK reads", () => {
  it.each(Object.keys(made))("%s says memoized, and the SDK may assign it in strict code", (name) => {
    const provider = made[name]!() as AwsCredentialIdentityProvider & { memoized?: boolean };
    expect(provider.memoized).toBe(true);
    expect(() => {
      "use strict";
      provider.memoized = true;
    }).not.toThrow();
    expect(provider.memoized).toBe(true);
  });

  it("a link on its own (one attempt per call, no cache) does not say memoized: an SDK client caches it itself", () => {
    const raw = fromWebIdentity({ roleArn: "arn:aws:iam::123456789012:role/marker", webIdentityTokenFile: "/nonexistent/token" }) as AwsCredentialIdentityProvider & { memoized?: boolean };
    expect(raw.memoized).toBeUndefined();
  });

  it("an assignment on one provider does not touch another's marker", () => {
    const one = memoize(async () => ({ accessKeyId: "AKIDONE", secretAccessKey: "s" })) as AwsCredentialIdentityProvider & { memoized?: boolean };
    const two = memoize(async () => ({ accessKeyId: "AKIDTWO", secretAccessKey: "s" })) as AwsCredentialIdentityProvider & { memoized?: boolean };
    one.memoized = false;
    expect(two.memoized).toBe(true);
  });
});
