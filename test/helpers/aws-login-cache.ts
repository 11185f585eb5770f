/*
 * The cached login `aws login` writes (AWS CLI v2, Nov 2025: console sign-in for the CLI), for tests:
 * `~/.aws/login/cache/<sha256 of login_session>.json` (or AWS_LOGIN_CACHE_DIRECTORY), written by
 * botocore's JSONFileCache — Python's `json.dumps` with its default separators (", " and ": ") — with
 * the fields of awscli/customizations/login/utils.py (`_exchange_auth_code_for_access_token`) in
 * their order, `expiresAt` as `%Y-%m-%dT%H:%M:%SZ`, and the DPoP key as a SEC1 PEM ("EC PRIVATE
 * KEY", 64-character lines). The AWS SDK's fromLoginCredentials reads exactly these fields.
 */
import { createHash, generateKeyPairSync } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A login as `aws login` caches it. Secrets: a test's own. */
export interface AwsLoginToken {
  accessToken: { accessKeyId: string; secretAccessKey: string; sessionToken: string; accountId: string; expiresAt: string };
  tokenType: string;
  clientId: string;
  refreshToken: string;
  idToken: string;
  dpopKey: string;
}

/** The file name `aws login` uses for `loginSession`: its SHA-256, hex. */
export function loginCacheFileName(loginSession: string): string {
  return `${createHash("sha256").update(loginSession, "utf8").digest("hex")}.json`;
}

/** `expiresAt` as the AWS CLI writes it (no milliseconds). */
export function awsCliTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A login of `loginSession` (an IAM user's ARN) with its own keys, expiring at `expiresAtMs`. */
export function makeLoginToken(loginSession: string, keys: { accessKeyId: string; secretAccessKey: string; sessionToken: string }, expiresAtMs: number): AwsLoginToken {
  const accountId = /^arn:[\w-]+:[\w-]+::(\d{12}):/.exec(loginSession)?.[1] ?? "123456789012";
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const payload = Buffer.from(JSON.stringify({ sub: loginSession, aud: "arn:aws:signin:::devtools/same-device" })).toString("base64url");
  return {
    accessToken: { ...keys, accountId, expiresAt: awsCliTime(expiresAtMs) },
    tokenType: "urn:aws:params:oauth:token-type:access_token_sigv4",
    clientId: "arn:aws:signin:::devtools/same-device",
    refreshToken: `aorAAAAAGRefresh${createHash("sha256").update(loginSession).digest("base64url")}`,
    idToken: `eyJhbGciOiJFUzI1NiJ9.${payload}.c2lnbmF0dXJl`,
    dpopKey: privateKey.export({ format: "pem", type: "sec1" }).toString(),
  };
}

/** Python's `json.dumps(value)` (default separators, ASCII only), as botocore's JSONFileCache writes. */
export function pythonJsonDumps(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (typeof value === "number" || typeof value === "boolean") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([key, item]) => `${pythonJsonDumps(key)}: ${pythonJsonDumps(item)}`)
    .join(", ")}}`;
}

/** Writes `token` where `aws login` would for `loginSession` under `directory`, and returns the file's path. */
export function writeAwsLoginCache(directory: string, loginSession: string, token: AwsLoginToken): string {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const path = join(directory, loginCacheFileName(loginSession));
  writeFileSync(path, pythonJsonDumps(token), { mode: 0o600 });
  return path;
}
