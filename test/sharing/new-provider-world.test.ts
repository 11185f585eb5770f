/*
 * Issue 16: a new provider answers from the world as it is now. Each case changes the world —
 * rotates environment keys, switches AWS_PROFILE, points the files or STS elsewhere, replaces the
 * instance profile — and then asks a *new* provider of ours and, where the AWS SDK has the source,
 * a new SDK provider, side by side: both must answer from the changed world. Providers made before
 * the change share one cache in between, so a stale shared entry would show.
 *
 * The SDK's providers read `process.env`, so this file sets `process.env` (the forks pool gives
 * every test file its own process) and restores it after each test.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromInstanceMetadata, fromNodeProviderChain, fromTemporaryCredentials, fromTokenFile } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity } from "@smithy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { envOrProfile } from "../../src/env-or-profile.js";
import { fromConfig } from "../../src/config.js";
import { memoize } from "../../src/memoize.js";
import { fromImds } from "../../src/providers/imds/from-imds.js";
import { fromWebIdentity } from "../../src/providers/web-identity/from-web-identity.js";
import { startImdsEmulator, type ImdsEmulator } from "../../src/testing/imds-emulator.js";
import { manualClock } from "../../src/testing/manual-clock.js";
import { startStsEmulator, type StsEmulator } from "../../src/testing/sts-emulator.js";

const ROLE = "arn:aws:iam::123456789012:role/partner";
const KEYS_A = { accessKeyId: "AKIAWORLDCHANGE0000A", secretAccessKey: "world-change-secret-a-0123456789" };
const KEYS_B = { accessKeyId: "AKIAWORLDCHANGE0000B", secretAccessKey: "world-change-secret-b-0123456789" };
const TOKEN = "world-change-session-token-0123456789";

const saved = { ...process.env };
const closers: (() => Promise<void>)[] = [];
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "eop-world-"));
  // A world with nothing in it: no keys, no profile files, no container or web identity.
  for (const name of Object.keys(process.env)) {
    if (name.startsWith("AWS_")) Reflect.deleteProperty(process.env, name);
  }
  process.env["HOME"] = dir;
  process.env["AWS_CONFIG_FILE"] = join(dir, "none-config");
  process.env["AWS_SHARED_CREDENTIALS_FILE"] = join(dir, "none-credentials");
  process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:9"; // a closed port: no IMDS unless a test starts one
});

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  for (const name of Object.keys(process.env)) {
    if (!(name in saved)) Reflect.deleteProperty(process.env, name);
  }
  Object.assign(process.env, saved);
  rmSync(dir, { recursive: true, force: true });
});

function setKeys(keys: { accessKeyId: string; secretAccessKey: string } | undefined, sessionToken?: string): void {
  for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) Reflect.deleteProperty(process.env, name);
  if (keys !== undefined) {
    process.env["AWS_ACCESS_KEY_ID"] = keys.accessKeyId;
    process.env["AWS_SECRET_ACCESS_KEY"] = keys.secretAccessKey;
  }
  if (sessionToken !== undefined) process.env["AWS_SESSION_TOKEN"] = sessionToken;
}

async function imds(): Promise<ImdsEmulator> {
  const emulator = await startImdsEmulator();
  closers.push(() => emulator.close());
  process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = emulator.endpoint;
  return emulator;
}

async function sts(options: Parameters<typeof startStsEmulator>[0] = {}): Promise<StsEmulator> {
  const emulator = await startStsEmulator({ baseCredentials: [KEYS_A, KEYS_B], ...options });
  closers.push(() => emulator.close());
  return emulator;
}

/** A new envOrProfile() and a new fromNodeProviderChain(), each called once, now. */
async function bothNew(): Promise<{ ours: AwsCredentialIdentity; sdk: AwsCredentialIdentity }> {
  const [ours, sdk] = await Promise.all([envOrProfile()(), fromNodeProviderChain()()]);
  return { ours, sdk };
}

function keyPair(identity: AwsCredentialIdentity): { accessKeyId: string; sessionToken: string | undefined } {
  return { accessKeyId: identity.accessKeyId, sessionToken: identity.sessionToken };
}

function writeFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const profileKeys = (profile: string, keys: { accessKeyId: string; secretAccessKey: string }): string =>
  `[${profile}]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n`;

describe("a new provider after the environment keys change", () => {
  it("rotated keys: the new key, as a new SDK chain gives", async () => {
    setKeys(KEYS_A);
    const before = envOrProfile();
    expect((await before()).accessKeyId).toBe(KEYS_A.accessKeyId);
    setKeys(KEYS_B);
    const { ours, sdk } = await bothNew();
    expect(ours.accessKeyId).toBe(KEYS_B.accessKeyId);
    expect(keyPair(ours)).toEqual(keyPair(sdk));
    expect((await before()).accessKeyId).toBe(KEYS_A.accessKeyId); // an existing provider keeps its keys (static: for its life)
  });

  it("rotated keys through fromConfig({ credentialsSource: \"env_or_profile\" })", async () => {
    setKeys(KEYS_A);
    await fromConfig({ credentialsSource: "env_or_profile" })();
    setKeys(KEYS_B);
    expect((await fromConfig({ credentialsSource: "env_or_profile" })()).accessKeyId).toBe(KEYS_B.accessKeyId);
  });

  it("deleted keys, with IMDS up: IMDS's credential, as a new SDK chain gives", async () => {
    const metadata = await imds();
    setKeys(KEYS_A);
    await envOrProfile()();
    setKeys(undefined);
    const { ours, sdk } = await bothNew();
    expect(ours.accessKeyId).toBe(metadata.current.accessKeyId);
    expect(keyPair(ours)).toEqual(keyPair(sdk));
  });

  it("keys added after IMDS answered: the keys, as a new SDK chain gives", async () => {
    await imds();
    await envOrProfile()();
    setKeys(KEYS_A);
    const { ours, sdk } = await bothNew();
    expect(ours.accessKeyId).toBe(KEYS_A.accessKeyId);
    expect(keyPair(ours)).toEqual(keyPair(sdk));
  });

  it("a session token added, then removed: sent when set, gone when not", async () => {
    setKeys(KEYS_A);
    expect((await envOrProfile()()).sessionToken).toBeUndefined();
    setKeys(KEYS_A, TOKEN);
    let both = await bothNew();
    expect(both.ours.sessionToken).toBe(TOKEN);
    expect(keyPair(both.ours)).toEqual(keyPair(both.sdk));
    setKeys(KEYS_A);
    both = await bothNew();
    expect(both.ours.sessionToken).toBeUndefined();
    expect(keyPair(both.ours)).toEqual(keyPair(both.sdk));
  });
});

describe("a new provider after the profile changes", () => {
  it("AWS_PROFILE dev → prod: prod's keys, as a new SDK chain gives", async () => {
    process.env["AWS_SHARED_CREDENTIALS_FILE"] = writeFile("credentials", profileKeys("dev", KEYS_A) + profileKeys("prod", KEYS_B));
    process.env["AWS_PROFILE"] = "dev";
    expect((await envOrProfile()()).accessKeyId).toBe(KEYS_A.accessKeyId);
    process.env["AWS_PROFILE"] = "prod";
    const { ours, sdk } = await bothNew();
    expect(ours.accessKeyId).toBe(KEYS_B.accessKeyId);
    expect(keyPair(ours)).toEqual(keyPair(sdk));
  });

  it("AWS_PROFILE set after an IMDS-only first call: the profile's keys, as a new SDK chain gives", async () => {
    await imds();
    await envOrProfile()();
    process.env["AWS_SHARED_CREDENTIALS_FILE"] = writeFile("credentials", profileKeys("dev", KEYS_A));
    process.env["AWS_PROFILE"] = "dev";
    const { ours, sdk } = await bothNew();
    expect(ours.accessKeyId).toBe(KEYS_A.accessKeyId);
    expect(keyPair(ours)).toEqual(keyPair(sdk));
  });

  it("AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE pointed at other files: the new files' keys, as a new SDK chain gives", async () => {
    process.env["AWS_SHARED_CREDENTIALS_FILE"] = writeFile("credentials-a", profileKeys("default", KEYS_A));
    expect((await envOrProfile()()).accessKeyId).toBe(KEYS_A.accessKeyId);
    process.env["AWS_SHARED_CREDENTIALS_FILE"] = writeFile("credentials-b", profileKeys("default", KEYS_B));
    let both = await bothNew();
    expect(both.ours.accessKeyId).toBe(KEYS_B.accessKeyId);
    expect(keyPair(both.ours)).toEqual(keyPair(both.sdk));
    delete process.env["AWS_SHARED_CREDENTIALS_FILE"];
    process.env["AWS_CONFIG_FILE"] = writeFile("config-c", profileKeys("default", KEYS_A));
    process.env["AWS_SHARED_CREDENTIALS_FILE"] = join(dir, "none-credentials");
    both = await bothNew();
    expect(both.ours.accessKeyId).toBe(KEYS_A.accessKeyId);
    expect(keyPair(both.ours)).toEqual(keyPair(both.sdk));
  });

  it("the credentials file edited in place: the new keys (the SDK's file cache would still serve the old ones in this process)", async () => {
    const path = writeFile("credentials", profileKeys("default", KEYS_A));
    process.env["AWS_SHARED_CREDENTIALS_FILE"] = path;
    expect((await envOrProfile()()).accessKeyId).toBe(KEYS_A.accessKeyId);
    writeFileSync(path, profileKeys("default", KEYS_B));
    expect((await envOrProfile()()).accessKeyId).toBe(KEYS_B.accessKeyId);
  });

  it("AWS_CONFIG_FILE with a ~: the profile as the file now says, read from the expanded path", async () => {
    writeFile("config-tilde", profileKeys("default", KEYS_A));
    process.env["AWS_CONFIG_FILE"] = "~/config-tilde";
    expect((await envOrProfile()()).accessKeyId).toBe(KEYS_A.accessKeyId);
    writeFile("config-tilde", profileKeys("default", KEYS_B));
    expect((await envOrProfile()()).accessKeyId).toBe(KEYS_B.accessKeyId);
  });
});

describe("a new role provider after its base or STS changes", () => {
  it("base env keys rotated: a new AssumeRole signed with the new keys, as a new SDK fromTemporaryCredentials makes", async () => {
    const emulator = await sts();
    process.env["AWS_ENDPOINT_URL_STS"] = emulator.endpoint;
    setKeys(KEYS_A);
    const assumeRole = { roleArn: ROLE, externalId: "tenant-42" };
    await envOrProfile({ assumeRole })();
    expect(emulator.calls).toBe(1);
    setKeys(KEYS_B);
    const ours = await envOrProfile({ assumeRole })();
    expect(emulator.calls).toBe(2);
    expect(emulator.lastRequest).toMatchObject({ accessKeyId: KEYS_B.accessKeyId, signatureValid: true });
    expect(ours.accessKeyId).toBe(emulator.issued[1]?.accessKeyId);
    await fromTemporaryCredentials({ params: { RoleArn: ROLE, ExternalId: "tenant-42" } })();
    expect(emulator.lastRequest).toMatchObject({ accessKeyId: KEYS_B.accessKeyId, signatureValid: true });
  });

  it("AWS_ENDPOINT_URL moved: AssumeRole and web identity ask the new STS, as new SDK providers do", async () => {
    const first = await sts({ webIdentityToken: () => true });
    const second = await sts({ webIdentityToken: () => true });
    setKeys(KEYS_A);
    process.env["AWS_WEB_IDENTITY_TOKEN_FILE"] = writeFile("token", "eyJ.world-change-token.sig");
    process.env["AWS_ROLE_ARN"] = ROLE;
    process.env["AWS_ENDPOINT_URL"] = first.endpoint;
    const asked = (emulator: StsEmulator): [number, number] => [emulator.calls, emulator.webIdentityCalls];
    await envOrProfile({ webIdentity: false, assumeRole: { roleArn: ROLE } })();
    await memoize(fromWebIdentity())();
    expect(asked(first)).toEqual([1, 1]);
    process.env["AWS_ENDPOINT_URL"] = second.endpoint;
    await envOrProfile({ webIdentity: false, assumeRole: { roleArn: ROLE } })();
    await memoize(fromWebIdentity())();
    expect([asked(first), asked(second)]).toEqual([[1, 1], [1, 1]]);
    await fromTemporaryCredentials({ params: { RoleArn: ROLE } })();
    await fromTokenFile()();
    expect([asked(first), asked(second)]).toEqual([[1, 1], [2, 2]]);
  });

  it("takes the chain's `env` as the STS call's environment: AWS_ENDPOINT_URL_STS given there is where AssumeRole goes", async () => {
    const emulator = await sts();
    const env = { ...KEYS_A, AWS_ACCESS_KEY_ID: KEYS_A.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS_A.secretAccessKey, AWS_ENDPOINT_URL_STS: emulator.endpoint, AWS_REGION: "eu-west-1" };
    await envOrProfile({ env: { env }, assumeRole: { roleArn: ROLE } })();
    expect(emulator.calls).toBe(1);
    expect(emulator.lastRequest).toMatchObject({ region: "eu-west-1", signatureValid: true });
  });
});

describe("a new provider after the instance profile is replaced on the same IMDS", () => {
  it("gets the new role's credentials once the role list is asked again (at most a minute later), as a new SDK provider does", async () => {
    const clock = manualClock();
    const metadata = await startImdsEmulator({ clock });
    closers.push(() => metadata.close());
    const options = { endpoint: metadata.endpoint, clock };
    const old = await memoize(fromImds(options), { clock })();
    metadata.roleName = "replacement-role";
    metadata.rotate();
    clock.advance(61_000);
    const fresh = await memoize(fromImds(options), { clock })();
    expect(fresh.accessKeyId).not.toBe(old.accessKeyId);
    expect(fresh.accessKeyId).toBe(metadata.current.accessKeyId);
    expect(metadata.log.some((request) => request.path.endsWith("/replacement-role"))).toBe(true);
    process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = metadata.endpoint;
    const sdk = await fromInstanceMetadata()();
    expect(sdk.accessKeyId).toBe(fresh.accessKeyId);
  });

  it("re-discovers at once when the old role's path answers 404 (a refresh of an existing provider)", async () => {
    const clock = manualClock();
    const metadata = await startImdsEmulator({ clock });
    closers.push(() => metadata.close());
    const provider = memoize(fromImds({ endpoint: metadata.endpoint, clock }), { clock });
    await provider();
    metadata.roleName = "replacement-role";
    const fresh = await provider({ forceRefresh: true });
    expect(fresh.accessKeyId).toBe(metadata.current.accessKeyId);
  });
});
