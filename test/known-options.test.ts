/*
 * Every public factory refuses an option it does not know, when it is made: a JavaScript caller's
 * (or a config-built object's) misspelt `endpont` must not silently become the default endpoint,
 * or a misspelt `externalId` a role assumed without one. One table, so a new factory cannot slip by.
 */
import { describe, expect, it } from "vitest";
import {
  envOrProfile,
  fromAssumeRole,
  fromContainer,
  fromCredentialProcess,
  fromEnv,
  fromImds,
  fromConfig,
  fromProfile,
  fromRolesAnywhere,
  fromWebIdentity,
  memoize,
  readInstanceProfile,
  refreshOnRejectedCredentials,
  withFileCache,
} from "../src/index.js";

const noop = async () => ({ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x" });

/** Each factory called with a misspelt option: [name, call, the key, the suggestion]. */
const FACTORIES: readonly [string, () => unknown, string, string][] = [
  ["fromEnv", () => fromEnv({ envv: {} } as never), "envv", "env"],
  ["fromImds", () => fromImds({ endpont: "http://127.0.0.1:1" } as never), "endpont", "endpoint"],
  ["readInstanceProfile", () => readInstanceProfile({ endpont: "http://127.0.0.1:1" } as never), "endpont", "endpoint"],
  ["fromContainer", () => fromContainer({ timeoutMS: 5 } as never), "timeoutMS", "timeoutMs"],
  ["fromWebIdentity", () => fromWebIdentity({ roleARN: "arn:aws:iam::123456789012:role/r" } as never), "roleARN", "roleArn"],
  ["fromProfile", () => fromProfile({ profle: "dev" } as never), "profle", "profile"],
  ["fromAssumeRole", () => fromAssumeRole({ roleArn: "arn:aws:iam::123456789012:role/r", externalID: "t" } as never), "externalID", "externalId"],
  ["fromCredentialProcess", () => fromCredentialProcess({ command: "true", timeoutMS: 5 } as never), "timeoutMS", "timeoutMs"],
  ["fromRolesAnywhere", () => fromRolesAnywhere({ durationSecond: 900 } as never), "durationSecond", "durationSeconds"],
  ["envOrProfile", () => envOrProfile({ assumeRoles: {} } as never), "assumeRoles", "assumeRole"],
  ["fromConfig (its options; the config has allowUnknownKeys)", () => fromConfig({ use_iam_profile: true }, { allowUnknownKey: true } as never), "allowUnknownKey", "allowUnknownKeys"],
  ["memoize", () => memoize(noop, { refreshWindowMS: 1 } as never), "refreshWindowMS", "refreshWindowMs"],
  ["withFileCache", () => withFileCache(noop, { key: {}, lockWaitMS: 5 } as never), "lockWaitMS", "lockWaitMs"],
  ["refreshOnRejectedCredentials", () => refreshOnRejectedCredentials(noop, { loger: console } as never), "loger", "logger"],
];

describe("every public factory refuses an unknown option when it is made", () => {
  it.each(FACTORIES)("%s", async (name, call, key, suggestion) => {
    let thrown: unknown;
    try {
      // A factory that returns a promise (readInstanceProfile) rejects instead of throwing.
      await call();
    } catch (error) {
      thrown = error;
    }
    expect(thrown, `${name} accepted \`${key}\``).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toContain(`Unknown option \`${key}\``);
    expect((thrown as Error).message).toContain(`\`${suggestion}\``);
  });

  it("fromEnv() with no options, and with known ones, is still accepted", () => {
    expect(typeof fromEnv()).toBe("function");
    expect(typeof fromEnv({ env: {} })).toBe("function");
  });
});
