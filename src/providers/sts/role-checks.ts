import { hostname } from "node:os";
import { AWS_PARTITIONS } from "./aws-partitions.js";

/** The partitions a role ARN may name, for messages: `aws, aws-cn, …`. */
const PARTITION_LIST = AWS_PARTITIONS.join(", ");

/**
 * A role ARN in any partition the AWS SDK's endpoint data knows ({@link AWS_PARTITIONS}: `aws`,
 * `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`, …): `arn:<partition>:iam::<12 digits>:role/<path/><name>`.
 * The path is `/` or `/segment/…/` of printable ASCII (IAM's rule); the name is 1–64 of `[\w+=,.@-]`.
 */
export const ROLE_ARN_PATTERN = new RegExp(`^arn:(${AWS_PARTITIONS.join("|")}):iam::(\\d{12}):role\\/((?:[\\x21-\\x7e]*\\/)?)([\\w+=,.@-]{1,64})$`);

/** STS's rule for `ExternalId`: 2–1224 characters of `[\w+=,.@:/-]`. */
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;

/** STS's rule for `RoleSessionName`: 2–64 characters of `[\w+=,.@-]`. */
export const ROLE_SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;

/** STS's bounds for `DurationSeconds`: 15 minutes to 12 hours (the role's own maximum may be lower). */
export const MIN_DURATION_SECONDS = 900;
/** @see {@link MIN_DURATION_SECONDS} */
export const MAX_DURATION_SECONDS = 43_200;

/** The parts of a valid role ARN. */
export interface ParsedRoleArn {
  partition: string;
  accountId: string;
  roleName: string;
}

/**
 * Checks a role ARN and returns its parts.
 * @throws TypeError when it is not `arn:<partition>:iam::<12 digits>:role/<path/name>` with a
 * partition of {@link AWS_PARTITIONS}.
 */
export function parseRoleArn(roleArn: unknown): ParsedRoleArn {
  if (typeof roleArn !== "string" || roleArn.length > 2048) {
    throw new TypeError(`Expected \`roleArn\` to be a role ARN string, got ${typeof roleArn}`);
  }
  const match = ROLE_ARN_PATTERN.exec(roleArn);
  if (match === null) {
    throw new TypeError(
      `Expected \`roleArn\` to look like arn:aws:iam::123456789012:role/name (partition one of ${PARTITION_LIST}), got ${JSON.stringify(roleArn)}`,
    );
  }
  const [, partition = "", accountId = "", , roleName = ""] = match;
  return { partition, accountId, roleName };
}

/** @throws TypeError unless 2–1224 characters of `[\w+=,.@:/-]`. The value is not echoed. */
export function checkExternalId(externalId: unknown): string {
  if (typeof externalId !== "string" || !EXTERNAL_ID_PATTERN.test(externalId)) {
    const length = typeof externalId === "string" ? `${externalId.length} characters` : typeof externalId;
    throw new TypeError(`Expected \`externalId\` to be 2–1224 characters of [A-Za-z0-9_+=,.@:/-], got ${length}`);
  }
  return externalId;
}

/** @throws TypeError unless 2–64 characters of `[\w+=,.@-]`. */
export function checkRoleSessionName(name: unknown): string {
  if (typeof name !== "string" || !ROLE_SESSION_NAME_PATTERN.test(name)) {
    throw new TypeError(
      `Expected \`roleSessionName\` to be 2–64 characters of [A-Za-z0-9_+=,.@-], got ${typeof name === "string" ? JSON.stringify(name) : typeof name}`,
    );
  }
  return name;
}

/** @throws TypeError unless a whole number of seconds in 900–43200. */
export function checkDurationSeconds(seconds: unknown): number {
  if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < MIN_DURATION_SECONDS || seconds > MAX_DURATION_SECONDS) {
    throw new TypeError(
      `Expected \`durationSeconds\` to be a whole number from ${MIN_DURATION_SECONDS} to ${MAX_DURATION_SECONDS}, got ${String(seconds)}`,
    );
  }
  return seconds;
}

/** @throws TypeError unless a region-shaped string such as `eu-west-1`. */
export function checkRegion(region: unknown, from: string): string {
  if (typeof region !== "string" || !/^[a-z0-9-]{1,63}$/.test(region)) {
    throw new TypeError(`Expected \`${from}\` to be an AWS region such as us-east-1, got ${JSON.stringify(region)}`);
  }
  return region;
}

/** @throws TypeError unless an absolute `http:` or `https:` URL without credentials in it. */
export function checkEndpoint(endpoint: unknown, from: string): string {
  let url: URL | undefined;
  try {
    url = typeof endpoint === "string" ? new URL(endpoint) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:") || url.username !== "" || url.password !== "") {
    throw new TypeError(`Expected \`${from}\` to be an http(s) URL such as https://sts.eu-west-1.amazonaws.com`);
  }
  // Plain http is for local emulators; to a real AWS endpoint it would send the signed request
  // (with the base session token) and receive the role's keys unencrypted.
  if (url.protocol === "http:" && /(^|\.)amazonaws\.com(\.cn)?$/i.test(url.hostname)) {
    throw new TypeError(`Expected \`${from}\` to use https for an AWS endpoint (${url.hostname}); plain http would carry credentials in clear`);
  }
  return endpoint as string;
}

/** @throws TypeError unless a finite number ≥ 0 (or > 0 when `positive`). */
export function checkMs(value: unknown, name: string, positive = false): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    throw new TypeError(`Expected \`${name}\` to be a finite number ${positive ? "> 0" : "≥ 0"}, got ${String(value)}`);
  }
  return value;
}

/**
 * The default `RoleSessionName`: `env-or-profile@<host>`, the host cut to fit and with characters
 * STS does not allow replaced by `-`. It is stable for a process (unlike the SDK's
 * `aws-sdk-js-<timestamp>`), so providers for the same role share one session and one cache entry,
 * and it tells a role owner reading CloudTrail which machine assumed the role.
 */
export function defaultRoleSessionName(host?: string): string {
  if (host === undefined) {
    return (hostSessionName ??= defaultRoleSessionName(safeHostname()));
  }
  const prefix = "env-or-profile";
  const cleaned = host.replace(/[^\w+=,.@-]/g, "-").slice(0, 64 - prefix.length - 1);
  return cleaned === "" ? prefix : `${prefix}@${cleaned}`;
}

/** This host's default session name, computed once (it reads the host name). */
let hostSessionName: string | undefined;

function safeHostname(): string {
  try {
    return hostname();
  } catch {
    return "";
  }
}
