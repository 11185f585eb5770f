import { checkClock, checkLogger } from "../../check-runtime-options.js";
import { checkKnownOptions } from "../../known-options.js";
import { systemClock, type Clock } from "../../clock.js";
import type { Logger } from "../../logger.js";
import { registerSecret } from "../../scrub-secrets.js";
import type { AwsPartition } from "../sts/aws-partitions.js";
import { checkDurationSeconds, checkMs, checkRegion, parseRoleArn, ROLE_SESSION_NAME_PATTERN } from "../sts/role-checks.js";
import { parseRolesAnywhereArn } from "./parse-roles-anywhere-arn.js";
import { checkRolesAnywhereEndpoint, defaultRolesAnywhereEndpoint } from "./roles-anywhere-endpoint.js";
import {
  DEFAULT_ROLES_ANYWHERE_DURATION_SECONDS,
  DEFAULT_ROLES_ANYWHERE_TIMEOUT_MS,
  ROLES_ANYWHERE_OPTION_ALIASES,
  ROLES_ANYWHERE_OPTION_KEYS,
  type RolesAnywhereOptions,
} from "./roles-anywhere-options.js";

/**
 * Where a certificate, key or intermediates come from: a file (read again on every call) or PEM
 * text given inline. `where` names it, and the option, in messages without quoting it: ``the
 * certificate file "/etc/pki/host.pem" (`certificate`)`` or ``the PEM given as `certificate` ``.
 * @internal
 */
export type MaterialSource =
  | { readonly kind: "file"; readonly option: MaterialOption; readonly path: string; readonly where: string }
  | { readonly kind: "pem"; readonly option: MaterialOption; readonly text: string; readonly where: string };

/** The three options that name certificate or key material. @internal */
export type MaterialOption = "certificate" | "privateKey" | "intermediates";

/** {@link RolesAnywhereOptions}, every field checked and every default filled in. @internal */
export interface RolesAnywhereSettings {
  readonly certificate: MaterialSource;
  readonly privateKey: MaterialSource;
  readonly intermediates: MaterialSource | undefined;
  readonly privateKeyPassphrase: string | undefined;
  readonly trustAnchorArn: string;
  readonly profileArn: string;
  readonly roleArn: string;
  /** The role's account: the credential's `accountId`. */
  readonly accountId: string;
  readonly partition: AwsPartition;
  readonly region: string;
  readonly durationSeconds: number;
  readonly sessionName: string | undefined;
  /** The base URL, without a trailing `/`. */
  readonly endpoint: string;
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly logger: Logger | undefined;
}

/** What each material option is, for messages. */
const NOUN: Readonly<Record<MaterialOption, string>> = { certificate: "certificate", privateKey: "private key", intermediates: "intermediates" };

/** Longest value taken as a file path; anything longer (or with a line break) is neither a path nor PEM. */
const MAX_PATH_LENGTH = 4096;

/**
 * Checks {@link RolesAnywhereOptions} without any I/O (no file is read, no name resolved) and fills
 * in the defaults: the region from the trust anchor ARN, the endpoint from the region and the
 * partition's DNS suffix, one hour, the system clock.
 *
 * @param options - as the caller passed them.
 * @returns the settings every call of the provider works from.
 * @throws TypeError naming the option (“Expected `durationSeconds` to be …”) for a missing or
 *   malformed value, an unknown key (with a “did you mean”), a profile or role in another region or
 *   partition than the trust anchor, an `http:` endpoint that is not this machine, or key material
 *   only `aws_signing_helper` can use (`pkcs11:` URIs, TPM `handle:`s). Never quotes key material.
 * @example
 * ```ts
 * import { resolveRolesAnywhereSettings } from "./resolve-roles-anywhere-settings.js";
 *
 * const settings = resolveRolesAnywhereSettings({
 *   certificate: "/etc/pki/host.pem",
 *   privateKey: "/etc/pki/host.key",
 *   trustAnchorArn: "arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/0b7e1a5c-2f6d-4e8a-9c3b-1d2e3f4a5b6c",
 *   profileArn: "arn:aws:rolesanywhere:eu-west-1:123456789012:profile/6f4943fb-13d4-4242-89c4-be367595c380",
 *   roleArn: "arn:aws:iam::123456789012:role/app",
 * });
 * console.log(settings.endpoint); // https://rolesanywhere.eu-west-1.amazonaws.com
 * ```
 */
export function resolveRolesAnywhereSettings(options: RolesAnywhereOptions): RolesAnywhereSettings {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError("Expected the options of fromRolesAnywhere to be an object with `certificate`, `privateKey`, `trustAnchorArn`, `profileArn` and `roleArn`");
  }
  checkKnownOptions(options, ROLES_ANYWHERE_OPTION_KEYS, "fromRolesAnywhere", {}, ROLES_ANYWHERE_OPTION_ALIASES);
  checkClock(options.clock);
  checkLogger(options.logger);

  const certificate = materialSource(options.certificate, "certificate", true);
  const privateKey = materialSource(options.privateKey, "privateKey", true);
  const intermediates = options.intermediates === undefined ? undefined : materialSource(options.intermediates, "intermediates", false);
  const passphrase = options.privateKeyPassphrase;
  if (passphrase !== undefined && (typeof passphrase !== "string" || passphrase === "")) {
    throw new TypeError("Expected `privateKeyPassphrase` to be a non-empty string");
  }
  // Kept out of every message we build anyway; registered so no foreign text can carry it out either.
  registerSecret(passphrase);

  const anchor = parseRolesAnywhereArn(options.trustAnchorArn, "trust-anchor", "trustAnchorArn");
  const profile = parseRolesAnywhereArn(options.profileArn, "profile", "profileArn");
  const role = parseRoleArn(options.roleArn);
  if (profile.partition !== anchor.partition || profile.region !== anchor.region) {
    throw new TypeError(
      `Expected \`profileArn\` to be in the trust anchor's partition and region (${anchor.partition}, ${anchor.region}), got ${profile.partition}, ${profile.region}: ` +
        "Roles Anywhere trust anchors and profiles are regional, and one CreateSession uses both",
    );
  }
  if (role.partition !== anchor.partition) {
    throw new TypeError(`Expected \`roleArn\` to be in the trust anchor's partition ${anchor.partition}, got ${role.partition}`);
  }
  const region = options.region === undefined ? anchor.region : checkRegion(options.region, "region");
  if (region !== anchor.region) {
    throw new TypeError(
      `Expected \`region\` to be the trust anchor's region ${anchor.region} (or left out), got ${region}: trust anchors are regional, so CreateSession must be asked there`,
    );
  }
  const durationSeconds = options.durationSeconds === undefined ? DEFAULT_ROLES_ANYWHERE_DURATION_SECONDS : checkDurationSeconds(options.durationSeconds);
  const sessionName = options.sessionName;
  if (sessionName !== undefined && (typeof sessionName !== "string" || !ROLE_SESSION_NAME_PATTERN.test(sessionName))) {
    const got = typeof sessionName === "string" ? JSON.stringify(sessionName.length > 80 ? `${sessionName.slice(0, 77)}...` : sessionName) : typeof sessionName;
    throw new TypeError(`Expected \`sessionName\` to be 2–64 characters of [A-Za-z0-9_+=,.@-] (a role session name), got ${got}`);
  }
  const endpoint = options.endpoint === undefined ? defaultRolesAnywhereEndpoint(anchor.partition, region) : checkRolesAnywhereEndpoint(options.endpoint);
  const timeoutMs = checkMs(options.timeoutMs ?? DEFAULT_ROLES_ANYWHERE_TIMEOUT_MS, "timeoutMs", true);

  return Object.freeze({
    certificate,
    privateKey,
    intermediates,
    privateKeyPassphrase: passphrase,
    trustAnchorArn: options.trustAnchorArn,
    profileArn: options.profileArn,
    roleArn: options.roleArn,
    accountId: role.accountId,
    partition: anchor.partition,
    region,
    durationSeconds,
    sessionName,
    endpoint,
    timeoutMs,
    clock: options.clock ?? systemClock,
    logger: options.logger,
  });
}

/**
 * A material option as a file or inline PEM. Refused now (TypeError): what is neither (a line break
 * or 4 KiB without `-----BEGIN`, e.g. a key pasted without its PEM lines — never echoed), and what
 * only `aws_signing_helper` can use: PKCS#11 URIs, TPM handles.
 */
function materialSource(value: unknown, option: MaterialOption, required: boolean): MaterialSource {
  const noun = NOUN[option];
  const expected = `Expected \`${option}\` to be a file path or PEM text (with its -----BEGIN and -----END lines)`;
  if (typeof value !== "string" || value.trim() === "") {
    throw new TypeError(`${expected}${required ? "" : " when given"}, got ${value === "" ? "an empty string" : typeof value}`);
  }
  if (value.includes("-----BEGIN")) {
    return { kind: "pem", option, text: value, where: `the PEM given as \`${option}\`` };
  }
  if (/^pkcs11:/i.test(value)) {
    throw new TypeError(
      `Expected \`${option}\` to be a file path or PEM text, got a PKCS#11 URI: keys and certificates on PKCS#11 tokens (HSMs, smart cards) are supported by AWS's aws_signing_helper, ` +
        "not by env-or-profile; keep running aws_signing_helper as the profile's credential_process for this one",
    );
  }
  if (option === "privateKey" && /^handle:/i.test(value)) {
    throw new TypeError(
      "Expected `privateKey` to be a file path or PEM text, got a TPM key handle: TPM 2.0 keys are supported by AWS's aws_signing_helper, not by env-or-profile; " +
        "keep running aws_signing_helper as the profile's credential_process for this one",
    );
  }
  if (value.length > MAX_PATH_LENGTH || value.includes("\n") || value.includes("\r") || value.includes("\0")) {
    // Not echoed: it may be a key's base64 pasted without its PEM lines.
    throw new TypeError(`${expected}; got ${value.length} characters that are neither (no -----BEGIN line, and too long or multi-line for a path)`);
  }
  return { kind: "file", option, path: value, where: `the ${noun} file ${JSON.stringify(value.length > 200 ? `${value.slice(0, 197)}...` : value)} (\`${option}\`)` };
}
