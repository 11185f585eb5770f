/*
 * A Lambda-style app bundled with esbuild (the default of CDK's NodejsFunction and of SAM), twice —
 * ESM with the banner Lambda users add for the AWS SDK, and CommonJS — and each bundle copied ALONE
 * into an empty folder (no node_modules anywhere above it) and run there against our emulators
 * and moto, one link at a time: env keys, IMDS, a role profile with source_profile and external_id,
 * web identity, container credentials, and an IMDS 500 that is retried. Whatever env-or-profile
 * loads lazily (p-retry, the SDK's profile parser, STS clients, its own chunks) must be inside the
 * bundle, or these runs fail with "Cannot find module".
 *
 * The app builds an S3Client on the provider and asks the client for credentials, so the SDK's own
 * code (its ESM build, in the ESM bundle: strict code that assigns `credentials.memoized = true`)
 * runs on our provider. Only the public API is used: `envOrProfile`, `fromConfig`, `fromWebIdentity`.
 */
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, parse } from "node:path";
import { promisify } from "node:util";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startContainerEmulator, type ContainerEmulator } from "../../src/testing/container-emulator.js";
import { startImdsEmulator, type ImdsEmulator } from "../../src/testing/imds-emulator.js";
import { startStsEmulator, type StsEmulator } from "../../src/testing/sts-emulator.js";
import { startMoto, type MotoServer } from "../helpers/moto.js";
import { usePeers } from "../helpers/peers.js";
import { ensureBuilt, ROOT } from "../setup/build-dist.js";

const exec = promisify(execFile);

/** The banner Lambda users add so the AWS SDK's `require` of builtins works in an ESM bundle. */
const LAMBDA_ESM_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

// The app: `node bundle <how>` prints the credential an S3Client got from the provider.
const MAIN = `async function main() {
  const how = process.argv[2];
  const credentials =
    how === "fromConfig" ? fromConfig({ profile: process.env.APP_PROFILE }) :
    how === "fromWebIdentity" ? fromWebIdentity() :
    envOrProfile();
  const client = new S3Client({ region: "us-east-1", credentials });
  const identity = await client.config.credentials();
  process.stdout.write(JSON.stringify({ accessKeyId: identity.accessKeyId, secretAccessKey: identity.secretAccessKey, sessionToken: identity.sessionToken, memoized: credentials.memoized }));
}
main().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exitCode = 1; });
`;
const APP = {
  esm: `import { S3Client } from "@aws-sdk/client-s3";\nimport { envOrProfile, fromConfig, fromWebIdentity } from "env-or-profile";\n${MAIN}`,
  cjs: `const { S3Client } = require("@aws-sdk/client-s3");\nconst { envOrProfile, fromConfig, fromWebIdentity } = require("env-or-profile");\n${MAIN}`,
};
type Format = keyof typeof APP;
const FORMATS = Object.keys(APP) as Format[];

const ROLE = "arn:aws:iam::123456789012:role/partner-upload";
const EXTERNAL_ID = "tenant-42";
const BASE = { accessKeyId: "AKIAIOSFODNN7BUNDLE01", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYBUNDLE00001" };
const ENV_KEYS = { accessKeyId: "AKIAIOSFODNN7BUNDLEEV", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYBUNDLEENV01", sessionToken: "IQoJb3JpZ2luX2VjBUNDLE-ENV-TOKEN" };
const IRSA_ROLE = "arn:aws:iam::123456789012:role/irsa-bundle";
/** A JWT-shaped token; moto does not verify it against an IdP. */
const TOKEN = "eyJhbGciOiJSUzI1NiIsImtpZCI6Im1vdG8ifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDpidW5kbGUifQ.YnVuZGxlLXNpZ25hdHVyZQ";
const POD_TOKEN = "pod-identity-token-bundle";

const project = join(ROOT, "node_modules", ".cache", `bundle-app-${process.pid}`);
let dir = ""; // the emulators' files: config, credentials, token
const runDirs: Partial<Record<Format, string>> = {};
let imds: ImdsEmulator;
let sts: StsEmulator;
let container: ContainerEmulator;

/** Bundles the app in `format` with esbuild and copies the bundle alone into an empty folder. */
async function bundle(format: Format): Promise<string> {
  const entry = join(project, `app.${format === "esm" ? "mjs" : "cjs"}`);
  writeFileSync(entry, APP[format]);
  const outfile = join(project, "out", `bundle.${format === "esm" ? "mjs" : "cjs"}`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format,
    logLevel: "error",
    ...(format === "esm" ? { banner: { js: LAMBDA_ESM_BANNER } } : {}),
  });
  const runDir = mkdtempSync(join(tmpdir(), `eop-bundle-${format}-`));
  copyFileSync(outfile, join(runDir, parse(outfile).base));
  return join(runDir, parse(outfile).base);
}

/** No node_modules in `path`'s folder or any folder above it: the bundle is all there is. */
function noNodeModulesAbove(path: string): boolean {
  for (let at = dirname(path); ; at = dirname(at)) {
    if (existsSync(join(at, "node_modules"))) return false;
    if (dirname(at) === at) return true;
  }
}

/** Runs a bundle with only `env` (and PATH, a temporary HOME, no profile files, IMDS at the emulator). */
async function run(file: string, how: string, env: Record<string, string>): Promise<Record<string, unknown>> {
  const { stdout } = await exec(process.execPath, [file, how], {
    cwd: dirname(file),
    timeout: 30_000,
    env: {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      HOME: dirname(file),
      NODE_NO_WARNINGS: "1",
      AWS_REGION: "us-east-1",
      AWS_CONFIG_FILE: join(dir, "no-config"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-credentials"),
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
      ...env,
    },
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

const credentialPath = (): string => `/latest/meta-data/iam/security-credentials/${imds.roleName ?? ""}`;

beforeAll(async () => {
  await ensureBuilt();
  rmSync(project, { recursive: true, force: true });
  mkdirSync(join(project, "node_modules"), { recursive: true });
  symlinkSync(ROOT, join(project, "node_modules", "env-or-profile"), "dir");
  dir = mkdtempSync(join(tmpdir(), "eop-bundle-world-"));
  writeFileSync(
    join(dir, "config"),
    [`[profile partner]`, `role_arn = ${ROLE}`, `source_profile = base`, `external_id = ${EXTERNAL_ID}`, `role_session_name = bundle`, ""].join("\n"),
  );
  writeFileSync(join(dir, "credentials"), [`[base]`, `aws_access_key_id = ${BASE.accessKeyId}`, `aws_secret_access_key = ${BASE.secretAccessKey}`, ""].join("\n"));
  writeFileSync(join(dir, "token"), TOKEN);
  imds = await startImdsEmulator();
  sts = await startStsEmulator({ baseCredentials: [BASE], externalId: EXTERNAL_ID });
  container = await startContainerEmulator({ authorizationToken: POD_TOKEN });
  for (const format of FORMATS) {
    const file = await bundle(format);
    runDirs[format] = file;
  }
}, 120_000);

afterAll(async () => {
  await imds.close();
  await sts.close();
  await container.close();
  for (const file of Object.values(runDirs)) rmSync(dirname(file), { recursive: true, force: true });
  rmSync(project, { recursive: true, force: true });
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

describe.each(FORMATS)("an app bundled with esbuild (%s), alone in an empty folder", (format) => {
  const file = (): string => {
    const path = runDirs[format];
    if (path === undefined) throw new Error("the bundle was not built");
    return path;
  };

  it("has no node_modules to fall back on", () => {
    expect(noNodeModulesAbove(file())).toBe(true);
  });

  it("gets the environment's keys through an S3Client, and the provider keeps the SDK's memoized marker", async () => {
    const out = await run(file(), "envOrProfile", {
      AWS_ACCESS_KEY_ID: ENV_KEYS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ENV_KEYS.secretAccessKey,
      AWS_SESSION_TOKEN: ENV_KEYS.sessionToken,
    });
    expect(out).toEqual({ ...ENV_KEYS, memoized: true });
  });

  it("gets the instance profile's credentials from IMDS", async () => {
    const out = await run(file(), "envOrProfile", {});
    expect(out).toMatchObject({ accessKeyId: imds.current.accessKeyId, secretAccessKey: imds.current.secretAccessKey, sessionToken: imds.current.sessionToken });
  });

  it("retries an IMDS 500 (p-retry is in the bundle) and gets the credentials", async () => {
    imds.resetCounts();
    imds.fail(credentialPath(), 500, { times: 1 });
    const out = await run(file(), "envOrProfile", {});
    expect(out).toMatchObject({ accessKeyId: imds.current.accessKeyId });
    expect(imds.count(credentialPath())).toBe(2);
  });

  it("assumes a role profile's role with its external_id, signed with its source_profile's keys (AWS_PROFILE, STS from AWS_ENDPOINT_URL_STS)", async () => {
    const before = sts.calls;
    const out = await run(file(), "envOrProfile", {
      AWS_PROFILE: "partner",
      AWS_CONFIG_FILE: join(dir, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
      AWS_ENDPOINT_URL_STS: sts.endpoint,
    });
    expect(sts.calls - before).toBe(1);
    const issued = sts.issued.at(-1);
    expect(out).toMatchObject({ accessKeyId: issued?.accessKeyId, secretAccessKey: issued?.secretAccessKey, sessionToken: issued?.sessionToken });
    expect(sts.lastRequest).toMatchObject({ action: "AssumeRole", roleArn: ROLE, externalId: EXTERNAL_ID, roleSessionName: "bundle", accessKeyId: BASE.accessKeyId });
  });

  it("assumes the same role through fromConfig({ profile })", async () => {
    const out = await run(file(), "fromConfig", {
      APP_PROFILE: "partner",
      AWS_CONFIG_FILE: join(dir, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
      AWS_ENDPOINT_URL_STS: sts.endpoint,
    });
    expect(out).toMatchObject({ accessKeyId: sts.issued.at(-1)?.accessKeyId });
    expect(sts.lastRequest).toMatchObject({ roleArn: ROLE, externalId: EXTERNAL_ID, accessKeyId: BASE.accessKeyId });
  });

  it("gets container credentials with the authorization token", async () => {
    const out = await run(file(), "envOrProfile", {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: container.endpoint,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: POD_TOKEN,
    });
    expect(out).toMatchObject({ accessKeyId: container.current.accessKeyId, secretAccessKey: container.current.secretAccessKey, sessionToken: container.current.sessionToken });
  });

  describe("against moto (a real STS)", () => {
    const peers = usePeers("moto");
    let moto: MotoServer;
    beforeAll(async () => {
      if (peers.ready) moto = await startMoto();
    }, 60_000);
    afterAll(async () => {
      if (peers.ready) await moto.close();
    });

    it.each(["envOrProfile", "fromWebIdentity"])("%s: web identity (AssumeRoleWithWebIdentity from the token file), and the credentials are the role's", async (how) => {
      const out = await run(file(), how, {
        AWS_ROLE_ARN: IRSA_ROLE,
        AWS_WEB_IDENTITY_TOKEN_FILE: join(dir, "token"),
        AWS_ROLE_SESSION_NAME: "bundle-irsa",
        AWS_ENDPOINT_URL_STS: moto.endpoint,
      });
      expect(out["accessKeyId"]).toMatch(/^ASIA/);
      const { accessKeyId, secretAccessKey, sessionToken } = out as { accessKeyId: string; secretAccessKey: string; sessionToken: string };
      const client = new STSClient({ region: "us-east-1", endpoint: moto.endpoint, credentials: { accessKeyId, secretAccessKey, sessionToken } });
      try {
        const { Arn } = await client.send(new GetCallerIdentityCommand({}));
        expect(Arn).toBe("arn:aws:sts::123456789012:assumed-role/irsa-bundle/bundle-irsa");
      } finally {
        client.destroy();
      }
    });
  });
});
