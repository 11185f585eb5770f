import type { AwsCredentialIdentity } from "@smithy/types";
import type { Clock } from "../../src/clock.js";

export const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY-SECRET";
export const TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE-SESSION-TOKEN";

/** A scripted credential source: counts calls, issues credentials living `lifetimeMs` from now. */
export function fakeSource(clock: Clock, options: { lifetimeMs?: number | undefined } = {}) {
  let calls = 0;
  let serial = 0;
  const script: (() => Promise<AwsCredentialIdentity>)[] = [];
  const issue = (lifetimeMs = options.lifetimeMs): AwsCredentialIdentity => {
    serial += 1;
    return {
      accessKeyId: `ASIAFAKE${String(serial).padStart(8, "0")}`,
      secretAccessKey: `${SECRET}-${serial}`,
      sessionToken: `${TOKEN}-${serial}`,
      ...(lifetimeMs === undefined ? {} : { expiration: new Date(clock.now() + lifetimeMs) }),
    };
  };
  const provider = async (): Promise<AwsCredentialIdentity> => {
    calls += 1;
    const next = script.shift();
    return next ? next() : issue();
  };
  return {
    provider,
    get calls() {
      return calls;
    },
    issue,
    /** The next call runs `step` instead of issuing a fresh credential. */
    queue(step: () => Promise<AwsCredentialIdentity>) {
      script.push(step);
      return this;
    },
  };
}
