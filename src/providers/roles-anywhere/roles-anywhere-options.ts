import type { Clock } from "../../clock.js";
import type { Logger } from "../../logger.js";

/**
 * The session lifetime asked for when `durationSeconds` is not given: one hour, the service's and
 * `aws_signing_helper`'s default (`--session-duration 3600`).
 */
export const DEFAULT_ROLES_ANYWHERE_DURATION_SECONDS = 3600;

/**
 * The deadline of one `CreateSession` request (connect, TLS, answer), in milliseconds: 10 s, as for
 * our STS calls. The service answers in well under a second; the rest is room for a cold TLS
 * handshake to a distant region. `aws_signing_helper` has no deadline of its own.
 */
export const DEFAULT_ROLES_ANYWHERE_TIMEOUT_MS = 10_000;

/**
 * Options of {@link fromRolesAnywhere}: the certificate and key a server outside AWS authenticates
 * with, and the IAM Roles Anywhere trust anchor, profile and role to exchange them for. The names
 * follow `aws_signing_helper credential-process`'s flags (`--certificate`, `--private-key`,
 * `--intermediates`, `--trust-anchor-arn`, `--profile-arn`, `--role-arn`, `--region`,
 * `--session-duration`, `--role-session-name`, `--endpoint`).
 *
 * Unknown keys are refused (with a “did you mean”), as in `fromConfig`.
 */
export interface RolesAnywhereOptions {
  /**
   * The end-entity (leaf) certificate: a file path, or the PEM text itself (anything containing
   * `-----BEGIN`). A file is read again on every call, so a certificate renewed in place
   * (cert-manager, an ACM Private CA agent) is used from the next refresh on. The first certificate
   * in it is the leaf; further certificates in the same PEM are ignored, as `aws_signing_helper`
   * ignores them — give the chain as {@link RolesAnywhereOptions.intermediates} (which may name the
   * same file). A DER certificate file is read too.
   */
  certificate: string;
  /**
   * The certificate's private key: a file path or the PEM text. RSA, or EC on P-256, P-384 or P-521,
   * in PKCS#1 (`RSA PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`), or encrypted
   * PKCS#8 (`ENCRYPTED PRIVATE KEY`) with {@link RolesAnywhereOptions.privateKeyPassphrase}. Read
   * again on every call. PKCS#11 (`pkcs11:` URIs), TPM keys and PKCS#12 bundles are for
   * `aws_signing_helper`.
   */
  privateKey: string;
  /**
   * The intermediate CA certificates between the leaf and the trust anchor's CA, sent as
   * `X-Amz-X509-Chain`: a PEM file path or PEM text with one or more certificates. Read again on
   * every call. @defaultValue none: the leaf alone is sent
   */
  intermediates?: string;
  /**
   * The passphrase of an encrypted PKCS#8 key (`--pkcs8-password`). Held in memory only; never shown,
   * logged or put in a cache key in clear. Ignored for a key that is not encrypted.
   */
  privateKeyPassphrase?: string;
  /** `arn:<partition>:rolesanywhere:<region>:<account>:trust-anchor/<id>`: the trust anchor holding the CA that issued the certificate. */
  trustAnchorArn: string;
  /** `arn:<partition>:rolesanywhere:<region>:<account>:profile/<id>`, in the trust anchor's region: the profile listing the role. */
  profileArn: string;
  /** `arn:<partition>:iam::<account>:role/<path/name>`: the role whose credentials are returned. */
  roleArn: string;
  /**
   * The region of the `CreateSession` endpoint and of the signature's scope. Trust anchors and
   * profiles are regional, so it must be theirs. @defaultValue the trust anchor ARN's region
   */
  region?: string;
  /**
   * The session lifetime asked for, in seconds: 900–43200. The service may grant less (the
   * profile's own `durationSeconds`, the certificate's expiry). @defaultValue {@link DEFAULT_ROLES_ANYWHERE_DURATION_SECONDS} (3600)
   */
  durationSeconds?: number;
  /**
   * The role session name, sent as `roleSessionName` (2–64 characters of `[A-Za-z0-9_+=,.@-]`, STS's
   * rule); the profile must accept custom session names. @defaultValue none: the service names the session after the certificate's serial number
   */
  sessionName?: string;
  /**
   * The `CreateSession` base URL, e.g. a local emulator's in tests, or an interface VPC endpoint.
   * `https:`, or plain `http:` to this machine only (127.0.0.0/8, `[::1]`, `localhost`).
   * @defaultValue `https://rolesanywhere.<region>.<partition's DNS suffix>`, e.g. `https://rolesanywhere.eu-west-1.amazonaws.com`
   */
  endpoint?: string;
  /**
   * The deadline of one `CreateSession` request, in milliseconds; past it the request is aborted
   * (`ROLES_ANYWHERE_TIMEOUT`, retryable). @defaultValue {@link DEFAULT_ROLES_ANYWHERE_TIMEOUT_MS} (10 s)
   */
  timeoutMs?: number;
  /** Where time comes from: the certificate's validity is judged and requests are dated by it. @defaultValue `systemClock` */
  clock?: Clock;
  /** One debug line per decision (which certificate, which endpoint, when the credential expires); never a secret. */
  logger?: Logger;
}

/** Every key of {@link RolesAnywhereOptions}, for the unknown-key check. @internal */
export const ROLES_ANYWHERE_OPTION_KEYS: readonly (keyof RolesAnywhereOptions)[] = Object.freeze([
  "certificate",
  "privateKey",
  "intermediates",
  "privateKeyPassphrase",
  "trustAnchorArn",
  "profileArn",
  "roleArn",
  "region",
  "durationSeconds",
  "sessionName",
  "endpoint",
  "timeoutMs",
  "clock",
  "logger",
]);

/**
 * Names a caller may reach for instead of ours — the API's, `aws_signing_helper`'s, other libraries' —
 * each with the option meant, for the unknown-key message. @internal
 */
export const ROLES_ANYWHERE_OPTION_ALIASES: Readonly<Record<string, keyof RolesAnywhereOptions>> = Object.freeze({
  roleSessionName: "sessionName",
  sessionDuration: "durationSeconds",
  pkcs8Password: "privateKeyPassphrase",
  passphrase: "privateKeyPassphrase",
  certificateChain: "intermediates",
  certificateBundle: "intermediates",
  chain: "intermediates",
  cert: "certificate",
  key: "privateKey",
  timeout: "timeoutMs",
});
