/*
 * Issue 19, item 4 (marks): a client signing with our credential says in its user agent what the
 * SDK's own provider would have it say. For every source, one S3 request is signed through our
 * provider and one through the AWS SDK's equivalent provider, both caught by a loopback capture
 * server, and the `m/…` part of their user agents is compared: the whole of it (the client's own
 * marks, `T` for a credential with an account id, then the credential's marks, in order).
 *
 * Like with like, said where it matters:
 * - AssumeRole over a base (`fromAssumeRole`, `envOrProfile({ assumeRole })`): the SDK's
 *   `fromTemporaryCredentials` returns a credential with no marks at all (asserted below, so a change
 *   in the SDK shows); its role assumer (`getDefaultRoleAssumer`, what `fromIni` assumes roles with)
 *   marks `CREDENTIALS_STS_ASSUME_ROLE`. Ours carries the base's marks, then that one: compared with
 *   the SDK's base provider's marks followed by its role assumer's.
 * - IMDS in the default chain: the SDK's `fromNodeProviderChain` reaches IMDS through
 *   `@smithy/credential-provider-imds`, which sets no mark; its `fromInstanceMetadata` (of
 *   `@aws-sdk/credential-providers`) sets `CREDENTIALS_IMDS`, as ours does in and out of the chain.
 *
 * The SDK's providers read `process.env`, so this file sets it (the forks pool gives every test file
 * its own process) and restores it after each test.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getDefaultRoleAssumer } from "@aws-sdk/client-sts";
import * as sdk from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fromConfig } from "../../src/config.js";
import { envOrProfile } from "../../src/env-or-profile.js";
import { fromAssumeRole } from "../../src/providers/assume-role.js";
import { fromContainer } from "../../src/providers/container/from-container.js";
import { fromEnv } from "../../src/providers/env.js";
import { fromImds } from "../../src/providers/imds/from-imds.js";
import { fromCredentialProcess } from "../../src/providers/process/from-credential-process.js";
import { fromProfile } from "../../src/providers/profile/from-profile.js";
import { fromWebIdentity } from "../../src/providers/web-identity/from-web-identity.js";
import { CREDENTIAL_FEATURES } from "../../src/sdk/credential-marks.js";
import { resetSharedState } from "../../src/sharing/process-state.js";
import { startContainerEmulator } from "../../src/testing/container-emulator.js";
import { startImdsEmulator } from "../../src/testing/imds-emulator.js";
import { startStsEmulator, type StsEmulator } from "../../src/testing/sts-emulator.js";
import { startMoto, type MotoServer } from "../helpers/moto.js";
import { usePeers } from "../helpers/peers.js";
import { featureCodes, signedMarks, startUserAgentCapture, type UserAgentCapture } from "./helpers/user-agent-capture.js";

const KEYS = { accessKeyId: "AKIAFEATUREMARKS0001", secretAccessKey: "feature-marks-secret-0123456789abcdef" };
const ROLE = "arn:aws:iam::123456789012:role/marks";
const TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtYXJrcyJ9.bWFya3M";

/** The codes of the credential's own marks (`T`, said of any credential with an account id, left out). */
const SOURCE_CODES = new Set<string>(Object.values(CREDENTIAL_FEATURES).filter((code) => code !== CREDENTIAL_FEATURES.RESOLVED_ACCOUNT_ID));
const sourceMarks = (codes: readonly string[]): string[] => codes.filter((code) => SOURCE_CODES.has(code));
const otherMarks = (codes: readonly string[]): string[] => codes.filter((code) => !SOURCE_CODES.has(code));

const saved = { ...process.env };
const closers: (() => Promise<void>)[] = [];
let capture: UserAgentCapture;
let dir: string;

beforeAll(async () => {
  capture = await startUserAgentCapture();
});
afterAll(async () => {
  await capture.close();
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "eop-marks-"));
  // A world with nothing in it: no keys, no profile files, no container or web identity, no IMDS.
  for (const name of Object.keys(process.env)) {
    if (name.startsWith("AWS_")) Reflect.deleteProperty(process.env, name);
  }
  process.env["HOME"] = dir;
  process.env["AWS_CONFIG_FILE"] = join(dir, "config");
  process.env["AWS_SHARED_CREDENTIALS_FILE"] = join(dir, "credentials");
  process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:9"; // a closed port: no IMDS unless a test starts one
  process.env["AWS_REGION"] = "us-east-1";
});

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  resetSharedState();
  for (const name of Object.keys(process.env)) {
    if (!(name in saved)) Reflect.deleteProperty(process.env, name);
  }
  Object.assign(process.env, saved);
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function setKeys(): void {
  process.env["AWS_ACCESS_KEY_ID"] = KEYS.accessKeyId;
  process.env["AWS_SECRET_ACCESS_KEY"] = KEYS.secretAccessKey;
}

async function sts(): Promise<StsEmulator> {
  const emulator = await startStsEmulator({ baseCredentials: [KEYS] });
  closers.push(() => emulator.close());
  process.env["AWS_ENDPOINT_URL_STS"] = emulator.endpoint;
  return emulator;
}

/** The user-agent marks of one request signed through `ours` and one through `theirs`. */
async function bothMarks(ours: AwsCredentialIdentityProvider, theirs: AwsCredentialIdentityProvider): Promise<{ ours: string[]; sdk: string[] }> {
  return { ours: await signedMarks(capture, ours), sdk: await signedMarks(capture, theirs) };
}

describe("the user agent's marks equal the SDK's, source by source", () => {
  it("environment keys: m/…,g (CREDENTIALS_ENV_VARS), as the SDK's fromEnv and default chain", async () => {
    setKeys();
    const link = await bothMarks(fromEnv(), sdk.fromEnv());
    expect(link.ours).toEqual(link.sdk);
    expect(sourceMarks(link.ours)).toEqual(["g"]);
    const chain = await bothMarks(envOrProfile(), sdk.fromNodeProviderChain());
    expect(chain.ours).toEqual(chain.sdk);
    expect(sourceMarks(chain.ours)).toEqual(["g"]);
  });

  it("a profile's static keys: n (CREDENTIALS_PROFILE), as the SDK's fromIni and default chain", async () => {
    write("credentials", `[static]\naws_access_key_id = ${KEYS.accessKeyId}\naws_secret_access_key = ${KEYS.secretAccessKey}\n`);
    process.env["AWS_PROFILE"] = "static";
    const link = await bothMarks(fromProfile(), sdk.fromIni());
    expect(link.ours).toEqual(link.sdk);
    expect(sourceMarks(link.ours)).toEqual(["n"]);
    const chain = await bothMarks(envOrProfile(), sdk.fromNodeProviderChain());
    expect(chain.ours).toEqual(chain.sdk);
  });

  it("a profile role with source_profile: T, i, o (STS_ASSUME_ROLE, PROFILE_SOURCE_PROFILE), as the SDK's fromIni", async () => {
    const emulator = await sts();
    write("credentials", `[base]\naws_access_key_id = ${KEYS.accessKeyId}\naws_secret_access_key = ${KEYS.secretAccessKey}\n`);
    write("config", `[profile role]\nrole_arn = ${ROLE}\nsource_profile = base\n`);
    process.env["AWS_PROFILE"] = "role";
    const link = await bothMarks(fromProfile(), sdk.fromIni());
    expect(link.ours).toEqual(link.sdk);
    expect(link.ours).toContain("T"); // the role's account id, on both
    expect(sourceMarks(link.ours)).toEqual(["i", "o"]);
    const chain = await bothMarks(envOrProfile(), sdk.fromNodeProviderChain());
    expect(chain.ours).toEqual(chain.sdk);
    expect(emulator.calls).toBe(4);
  });

  it("…and its AssumeRole request carries the source profile's mark n, as the SDK's role assumer's does", async () => {
    const emulator = await sts();
    write("credentials", `[base]\naws_access_key_id = ${KEYS.accessKeyId}\naws_secret_access_key = ${KEYS.secretAccessKey}\n`);
    write("config", `[profile role]\nrole_arn = ${ROLE}\nsource_profile = base\n`);
    process.env["AWS_PROFILE"] = "role";
    await fromProfile()();
    await sdk.fromIni()();
    const [ours, theirs] = emulator.requests.filter((request) => request.action === "AssumeRole").map((request) => featureCodes(request.userAgent));
    // The STS clients differ in their own settings (ours makes one attempt per call), so the credential's part is compared.
    expect(sourceMarks(ours ?? [])).toEqual(sourceMarks(theirs ?? []));
    expect(sourceMarks(ours ?? [])).toEqual(["n"]);
  });

  it("a profile's credential_process: w, v (PROCESS, PROFILE_PROCESS), as the SDK's fromIni; w alone as its fromProcess", async () => {
    const expiration = new Date(Date.now() + 3_600_000).toISOString();
    const script = write(
      "process.cjs",
      `process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: ${JSON.stringify(KEYS.accessKeyId)}, SecretAccessKey: ${JSON.stringify(KEYS.secretAccessKey)}, SessionToken: "marks-session-token", Expiration: ${JSON.stringify(expiration)} }));\n`,
    );
    const command = `"${process.execPath}" "${script}"`;
    write("config", `[profile proc]\ncredential_process = ${command}\n`);
    process.env["AWS_PROFILE"] = "proc";
    const profile = await bothMarks(fromProfile(), sdk.fromIni());
    expect(profile.ours).toEqual(profile.sdk);
    expect(sourceMarks(profile.ours)).toEqual(["w", "v"]);
    const alone = await bothMarks(fromCredentialProcess({ command }), sdk.fromProcess({ profile: "proc" }));
    expect(alone.ours).toEqual(alone.sdk);
    expect(sourceMarks(alone.ours)).toEqual(["w"]);
  });

  it("a profile's web_identity_token_file: T, k, q (STS_ASSUME_ROLE_WEB_ID, PROFILE_STS_WEB_ID_TOKEN), as the SDK's fromIni", async () => {
    await sts();
    const tokenFile = write("token", TOKEN);
    write("config", `[profile wi]\nrole_arn = ${ROLE}\nweb_identity_token_file = ${tokenFile}\n`);
    process.env["AWS_PROFILE"] = "wi";
    const link = await bothMarks(fromProfile(), sdk.fromIni());
    expect(link.ours).toEqual(link.sdk);
    expect(sourceMarks(link.ours)).toEqual(["k", "q"]);
  });

  it("web identity from the environment: T, k, h (STS_ASSUME_ROLE_WEB_ID, ENV_VARS_STS_WEB_ID_TOKEN), as the SDK's fromTokenFile and chain", async () => {
    const emulator = await sts();
    process.env["AWS_ROLE_ARN"] = ROLE;
    process.env["AWS_WEB_IDENTITY_TOKEN_FILE"] = write("token", TOKEN);
    const link = await bothMarks(fromWebIdentity(), sdk.fromTokenFile());
    expect(link.ours).toEqual(link.sdk);
    expect(link.ours).toContain("T");
    expect(sourceMarks(link.ours)).toEqual(["k", "h"]);
    const chain = await bothMarks(envOrProfile(), sdk.fromNodeProviderChain());
    expect(chain.ours).toEqual(chain.sdk);
    expect(emulator.webIdentityCalls).toBe(4);
  });

  it("the container endpoint: z (CREDENTIALS_HTTP), as the SDK's fromHttp and chain", async () => {
    const container = await startContainerEmulator({ authorizationToken: "marks-pod-token" });
    closers.push(() => container.close());
    process.env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = container.endpoint;
    process.env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "marks-pod-token";
    const link = await bothMarks(fromContainer(), sdk.fromHttp());
    expect(link.ours).toEqual(link.sdk);
    expect(sourceMarks(link.ours)).toEqual(["z"]);
    const chain = await bothMarks(envOrProfile(), sdk.fromNodeProviderChain());
    expect(chain.ours).toEqual(chain.sdk);
    // The SDK's older container provider marks nothing.
    expect(sourceMarks(await signedMarks(capture, sdk.fromContainerMetadata()))).toEqual([]);
  });

  it("IMDS: 0 (CREDENTIALS_IMDS), as the SDK's fromInstanceMetadata — which its default chain does not send", async () => {
    const imds = await startImdsEmulator();
    closers.push(() => imds.close());
    process.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.endpoint;
    const link = await bothMarks(fromImds(), sdk.fromInstanceMetadata());
    expect(link.ours).toEqual(link.sdk);
    expect(sourceMarks(link.ours)).toEqual(["0"]);
    const chain = await bothMarks(envOrProfile(), sdk.fromNodeProviderChain());
    expect(sourceMarks(chain.ours)).toEqual(["0"]);
    expect(sourceMarks(chain.sdk)).toEqual([]); // @smithy/credential-provider-imds marks nothing
    expect(otherMarks(chain.ours)).toEqual(otherMarks(chain.sdk));
  });

  it("keys in fromConfig: e (CREDENTIALS_CODE), as keys given to an SDK client in code", async () => {
    const ours = await signedMarks(capture, fromConfig({ credentialsSource: "static", ...KEYS }));
    const theirs = await signedMarks(capture, { ...KEYS });
    expect(ours).toEqual(theirs);
    expect(sourceMarks(ours)).toEqual(["e"]);
  });

  it("fromAssumeRole's AssumeRole request carries its base's marks, as the SDK's role assumer's and fromTemporaryCredentials' do", async () => {
    const emulator = await sts();
    setKeys();
    await fromAssumeRole({ roleArn: ROLE, source: fromEnv() })();
    await getDefaultRoleAssumer({ region: "us-east-1" })(await sdk.fromEnv()(), { RoleArn: ROLE, RoleSessionName: "marks" });
    await sdk.fromTemporaryCredentials({ masterCredentials: sdk.fromEnv(), params: { RoleArn: ROLE } })();
    const requests = emulator.requests.filter((request) => request.action === "AssumeRole").map((request) => sourceMarks(featureCodes(request.userAgent)));
    expect(requests).toEqual([["g"], ["g"], ["g"]]);
  });
});

describe("AssumeRole over a base, against moto (a real STS): the base's marks, then i", () => {
  const peers = usePeers("moto");
  let moto: MotoServer;
  beforeAll(async () => {
    if (peers.ready) moto = await startMoto();
  }, 40_000);
  afterAll(async () => {
    if (peers.ready) await moto.close();
  });
  beforeEach(() => {
    setKeys();
    process.env["AWS_ENDPOINT_URL_STS"] = moto.endpoint;
  });

  /** The marks of the SDK's two steps: its base provider's, and its role assumer's over that base. */
  async function sdkSteps(base: AwsCredentialIdentityProvider): Promise<{ base: string[]; role: string[] }> {
    const assume = getDefaultRoleAssumer({ region: "us-east-1" });
    return {
      base: await signedMarks(capture, base),
      role: await signedMarks(capture, async () => assume(await base(), { RoleArn: ROLE, RoleSessionName: "marks" })),
    };
  }

  it("fromAssumeRole over env keys: T, g, i — the SDK's fromEnv's g, then its role assumer's i", async () => {
    const ours = await signedMarks(capture, fromAssumeRole({ roleArn: ROLE, source: fromEnv() }));
    const steps = await sdkSteps(sdk.fromEnv());
    expect(sourceMarks(ours)).toEqual([...sourceMarks(steps.base), ...sourceMarks(steps.role)]);
    expect(sourceMarks(ours)).toEqual(["g", "i"]);
    expect(otherMarks(ours)).toEqual(otherMarks(steps.role)); // the client's own, and T for the role's account
    // The SDK's fromTemporaryCredentials hands back a credential without marks (none to compare with).
    expect(sourceMarks(await signedMarks(capture, sdk.fromTemporaryCredentials({ masterCredentials: sdk.fromEnv(), params: { RoleArn: ROLE } })))).toEqual([]);
  });

  it("envOrProfile({ assumeRole }) over env keys: g, i — the SDK's default chain's g, then its role assumer's i", async () => {
    const ours = await signedMarks(capture, envOrProfile({ assumeRole: { roleArn: ROLE } }));
    const steps = await sdkSteps(sdk.fromNodeProviderChain());
    expect(sourceMarks(ours)).toEqual([...sourceMarks(steps.base), ...sourceMarks(steps.role)]);
    expect(sourceMarks(ours)).toEqual(["g", "i"]);
    expect(otherMarks(ours)).toEqual(otherMarks(steps.role));
    expect(sourceMarks(await signedMarks(capture, sdk.fromTemporaryCredentials({ params: { RoleArn: ROLE } })))).toEqual([]);
  });
});
