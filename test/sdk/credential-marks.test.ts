/*
 * The feature marks on our credentials, against the AWS SDK's own helper and providers: the same
 * ids and codes, the same record in the same order, kept through freezing and memoize, out of the
 * credential's own fields. (What a client sends for each source: feature-marks.test.ts.)
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { setCredentialFeature } from "@aws-sdk/core/client";
import type { AwsCredentialIdentity } from "@smithy/types";
import { describe, expect, it } from "vitest";
import { freezeCredential } from "../../src/freeze-credential.js";
import { memoize } from "../../src/memoize.js";
import { fromEnv } from "../../src/providers/env.js";
import { fromRolesAnywhere } from "../../src/providers/roles-anywhere/from-roles-anywhere.js";
import { addMarks, CREDENTIAL_FEATURES, credentialMarks, markCredential, type CredentialFeature } from "../../src/sdk/credential-marks.js";
import { markedLink } from "../../src/sdk/marked-link.js";
import { linkProvider, type Link, type Reading } from "../../src/sharing/link.js";
import { createCa, createLeaf, keyPem } from "../providers/roles-anywhere/pki.js";
import { emulatorTrusting, optionsFor } from "../providers/roles-anywhere/world.js";

const KEYS = { accessKeyId: "AKIAMARKSUNITTEST001", secretAccessKey: "marks-unit-secret-0123456789abcdef" };

/** Every `setCredentialFeature(credentials, "<ID>", "<code>")` in the SDK's installed credential providers. */
function sdkCredentialFeatures(): Map<string, string> {
  const root = join(process.cwd(), "node_modules", "@aws-sdk");
  const found = new Map<string, string>();
  const visit = (path: string): void => {
    for (const name of readdirSync(path)) {
      const child = join(path, name);
      if (statSync(child).isDirectory()) {
        visit(child);
      } else if (name.endsWith(".js")) {
        for (const match of readFileSync(child, "utf8").matchAll(/setCredentialFeature\([^,()]+,\s*"([A-Z_]+)",\s*"([^"]+)"\)/g)) {
          found.set(match[1] ?? "", match[2] ?? "");
        }
      }
    }
  };
  for (const name of readdirSync(root)) {
    const es = join(root, name, "dist-es");
    if (name.startsWith("credential-provider") || name === "client-sts" || name === "nested-clients") {
      try {
        visit(es);
      } catch {
        // a package without dist-es: nothing of it to read
      }
    }
  }
  return found;
}

describe("the ids and codes", () => {
  it("are the SDK's: every id its credential providers set, with the code it sends", () => {
    const sdk = sdkCredentialFeatures();
    expect(sdk.size).toBeGreaterThanOrEqual(15); // the scan found the providers
    for (const [id, code] of sdk) {
      expect({ id, code: CREDENTIAL_FEATURES[id as CredentialFeature] }).toEqual({ id, code });
    }
  });
});

describe("markCredential", () => {
  it("writes the record the SDK's setCredentialFeature writes, in the same order (an id already there keeps its place)", () => {
    const theirs = setCredentialFeature(
      setCredentialFeature(setCredentialFeature({ ...KEYS }, "RESOLVED_ACCOUNT_ID", "T"), "CREDENTIALS_STS_ASSUME_ROLE_WEB_ID", "k"),
      "RESOLVED_ACCOUNT_ID",
      "T",
    );
    const ours = markCredential(markCredential({ ...KEYS }, "RESOLVED_ACCOUNT_ID", "CREDENTIALS_STS_ASSUME_ROLE_WEB_ID"), "RESOLVED_ACCOUNT_ID");
    expect(Object.entries(credentialMarks(ours))).toEqual(Object.entries(theirs.$source ?? {}));
  });

  it("keeps the marks out of the credential's own fields: keys, spread and JSON see the keys alone", () => {
    const marked = markCredential({ ...KEYS }, "CREDENTIALS_ENV_VARS");
    expect(Object.keys(marked)).toEqual(["accessKeyId", "secretAccessKey"]);
    expect(JSON.parse(JSON.stringify(marked))).toEqual(KEYS);
    expect((marked as { $source?: unknown }).$source).toEqual({ CREDENTIALS_ENV_VARS: "g" }); // what a client reads
  });

  it("marks a frozen, shared credential by a frozen copy and leaves the original as it was", () => {
    const shared = freezeCredential(markCredential({ ...KEYS, expiration: new Date(Date.UTC(2030, 0, 1)) }, "CREDENTIALS_PROCESS"));
    const profile = markCredential(shared, "CREDENTIALS_PROFILE_PROCESS");
    expect(profile).not.toBe(shared);
    expect(Object.isFrozen(profile)).toBe(true);
    expect(freezeCredential(profile)).toBe(profile); // already a shareable credential: not copied again
    expect(profile).toEqual(shared);
    expect(credentialMarks(profile)).toEqual({ CREDENTIALS_PROCESS: "w", CREDENTIALS_PROFILE_PROCESS: "v" });
    expect(credentialMarks(shared)).toEqual({ CREDENTIALS_PROCESS: "w" });
  });

  it("adds a base's marks (any ids) before a role's: addMarks", () => {
    const base = markCredential({ ...KEYS }, "CREDENTIALS_ENV_VARS");
    const assumed = markCredential(addMarks({ ...KEYS, sessionToken: "role-token" }, credentialMarks(base)), "CREDENTIALS_STS_ASSUME_ROLE");
    expect(Object.entries(credentialMarks(assumed))).toEqual([
      ["CREDENTIALS_ENV_VARS", "g"],
      ["CREDENTIALS_STS_ASSUME_ROLE", "i"],
    ]);
  });
});

describe("frozen, shared credentials still carry the marks", () => {
  it("freezeCredential copies them into a hidden record of the copy's own", () => {
    const source = markCredential({ ...KEYS }, "CREDENTIALS_ENV_VARS");
    const frozen = freezeCredential(source);
    expect(credentialMarks(frozen)).toEqual({ CREDENTIALS_ENV_VARS: "g" });
    expect(credentialMarks(frozen)).not.toBe(credentialMarks(source));
    expect(Object.keys(frozen)).toEqual(["accessKeyId", "secretAccessKey"]);
  });

  it("an SDK credential's marks (an enumerable $source) are kept, hidden like ours", () => {
    const fromSdk = setCredentialFeature({ ...KEYS }, "CREDENTIALS_SSO", "s");
    const frozen = freezeCredential(fromSdk);
    expect(credentialMarks(frozen)).toEqual({ CREDENTIALS_SSO: "s" });
    expect(Object.keys(frozen)).toEqual(["accessKeyId", "secretAccessKey"]);
  });

  it("the SDK's helper can still mark an unmarked frozen credential, as a client given it as static keys does", () => {
    const frozen = freezeCredential({ ...KEYS });
    expect(() => setCredentialFeature(frozen, "CREDENTIALS_CODE", "e")).not.toThrow();
    expect(credentialMarks(frozen)).toEqual({ CREDENTIALS_CODE: "e" });
  });

  it("memoize hands out the link's marks, on the first call and the cached ones", async () => {
    const provider = memoize(fromEnv({ env: { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey } }));
    const first = await provider();
    expect(credentialMarks(first)).toEqual({ CREDENTIALS_ENV_VARS: "g" });
    expect(await provider()).toBe(first);
  });
});

describe("markedLink", () => {
  const link: Link = {
    name: "process",
    read: (): Reading => ({ key: "process:1", answers: true, fetch: async () => markCredential({ ...KEYS }, "CREDENTIALS_PROCESS") }),
  };

  it("adds its marks after the link's, reading what the link reads (a synchronous reading stays synchronous)", async () => {
    const marked = markedLink(link, "CREDENTIALS_PROFILE_PROCESS");
    const reading = marked.read();
    expect(reading).not.toBeInstanceOf(Promise);
    expect((reading as Reading).key).toBe("process:1");
    expect(credentialMarks(await linkProvider(marked)())).toEqual({ CREDENTIALS_PROCESS: "w", CREDENTIALS_PROFILE_PROCESS: "v" });
  });

  it("is the link itself when it adds nothing", () => {
    expect(markedLink(link)).toBe(link);
  });
});

describe("IAM Roles Anywhere", () => {
  it("carries no mark: the SDK has no such provider, and no id names it truthfully", async () => {
    const root = await createCa("p256", "Marks Root");
    const leaf = await createLeaf("p256", root);
    const { emulator, clock } = await emulatorTrusting([root]);
    const credential: AwsCredentialIdentity = await fromRolesAnywhere(optionsFor(leaf, keyPem(leaf.key, "pkcs8"), emulator, clock))();
    expect(credentialMarks(credential)).toEqual({});
  });
});
