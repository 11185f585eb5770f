import { scrubSecrets } from "./scrub-secrets.js";

/**
 * Stable, machine-readable reasons a credential link can fail. Match on `error.code`, never on
 * the message text.
 */
export type CredentialsErrorCode =
  | "ENV_NOT_SET"
  | "ENV_INVALID"
  | "IMDS_DISABLED"
  | "IMDS_UNAVAILABLE"
  | "IMDS_TIMEOUT"
  | "IMDS_HTTP_ERROR"
  | "IMDS_BAD_RESPONSE"
  | "IMDS_NO_ROLE"
  | "IMDS_V1_DISABLED"
  | "IMDS_TOO_LARGE"
  | "CONTAINER_NOT_SET"
  | "CONTAINER_CONFIG_INVALID"
  | "CONTAINER_HOST_NOT_ALLOWED"
  | "CONTAINER_TOKEN_INVALID"
  | "CONTAINER_UNAVAILABLE"
  | "CONTAINER_TIMEOUT"
  | "CONTAINER_HTTP_ERROR"
  | "CONTAINER_BAD_RESPONSE"
  | "CONTAINER_TOO_LARGE"
  | "PROFILE_NOT_SET"
  | "PROFILE_NOT_FOUND"
  | "PROFILE_INVALID"
  | "PROFILE_FILE_UNREADABLE"
  | "PROCESS_FAILED"
  | "PROCESS_TIMEOUT"
  | "PROCESS_BAD_OUTPUT"
  /** A `credential_process` that runs itself: the program it starts selected the same profile again (e.g. through `AWS_PROFILE`). Stopped at the first nested run. */
  | "PROCESS_LOOP"
  | "SSO_LOGIN_REQUIRED"
  | "SSO_FAILED"
  | "LOGIN_REQUIRED"
  | "LOGIN_FAILED"
  | "MFA_REQUIRED"
  | "WEB_IDENTITY_NOT_SET"
  | "WEB_IDENTITY_INVALID"
  | "WEB_IDENTITY_TOKEN_UNREADABLE"
  | "WEB_IDENTITY_TOKEN_EMPTY"
  | "WEB_IDENTITY_TOKEN_INVALID"
  | "WEB_IDENTITY_TOKEN_EXPIRED"
  | "WEB_IDENTITY_IDP_ERROR"
  | "WEB_IDENTITY_IDP_REJECTED"
  | "STS_ACCESS_DENIED"
  | "STS_THROTTLED"
  | "STS_ERROR"
  | "STS_BAD_RESPONSE"
  | "STS_INVALID_BASE_CREDENTIALS"
  | "STS_SOURCE_FAILED"
  // IAM Roles Anywhere (`source: "roles-anywhere"`, never `tryNextLink`): see `fromRolesAnywhere`.
  /** A certificate, key or intermediates file cannot be read (missing, no permission, a folder, too large). */
  | "ROLES_ANYWHERE_FILE_UNREADABLE"
  /** The certificate, key or intermediates are unusable: malformed or empty, outside the validity window, a key that is not the certificate's, a missing or wrong passphrase, an algorithm the service does not sign with. */
  | "ROLES_ANYWHERE_CERTIFICATE_INVALID"
  /** Material only `aws_signing_helper` handles (a PKCS#11 token, a TPM key, a PKCS#12 bundle, an ML-DSA key): run the helper for it. */
  | "ROLES_ANYWHERE_UNSUPPORTED"
  /** `AccessDeniedException`: an untrusted or disabled trust anchor or profile, a role not in the profile, a signature refused. */
  | "ROLES_ANYWHERE_ACCESS_DENIED"
  /** `ThrottlingException` or HTTP 429 (retryable). */
  | "ROLES_ANYWHERE_THROTTLED"
  /** The endpoint could not be reached or the connection broke (retryable). */
  | "ROLES_ANYWHERE_UNAVAILABLE"
  /** No answer within `timeoutMs` (retryable). */
  | "ROLES_ANYWHERE_TIMEOUT"
  /** Any other error answer: `ValidationException`, `ResourceNotFoundException`, other 4xx (not retryable), 5xx (retryable). */
  | "ROLES_ANYWHERE_ERROR"
  /** A success status whose body is not a usable credential (not JSON, a field missing, already expired, too large). */
  | "ROLES_ANYWHERE_BAD_RESPONSE"
  | "CONFIG_INVALID"
  | "CREDENTIALS_EXPIRED"
  | "CHAIN_EXHAUSTED"
  | "PROVIDER_FAILED";

/** Options for {@link CredentialsError}. */
export interface CredentialsErrorOptions {
  /** Which link failed, e.g. `"env"`, `"imds"`, `"assume-role"`, `"chain"`. */
  source: string;
  /** Stable reason code. @defaultValue `"PROVIDER_FAILED"` */
  code?: CredentialsErrorCode;
  /**
   * `true` when the link is simply not configured here and a chain should try the next one; `false`
   * when it is configured but broken, which must stop the chain rather than silently fall through
   * to another identity. Same meaning as the AWS SDK's `CredentialsProviderError.tryNextLink`.
   * @defaultValue `true`
   */
  tryNextLink?: boolean;
  /**
   * `true` when trying again later may heal it (network errors, timeouts, 5xx, throttling).
   * @defaultValue `false`
   */
  retryable?: boolean;
  /** The underlying error. Kept, never hidden, but never allowed to carry a secret into output. */
  cause?: unknown;
  /** Every link's failure, in order, when a whole chain failed. */
  errors?: readonly unknown[];
}

const BRAND = Symbol.for("env-or-profile.CredentialsError");
/** `util.inspect.custom`, by its registered name, so this module does not load `node:util`. */
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/**
 * The one error family of env-or-profile. It says which link failed (`source`), why (`code`,
 * `message`), whether a chain should try the next link (`tryNextLink`), whether a retry can help
 * (`retryable`), and keeps the root `cause`.
 *
 * `instanceof CredentialsError` works even when two copies of the package are loaded (the check
 * uses a `Symbol.for` brand), and an AWS SDK chain treats it like its own `CredentialsProviderError`
 * because it carries `tryNextLink`.
 *
 * Secret-safe by construction: the message (which may quote a server) and every string field are
 * passed through `scrubSecrets` (every secret env-or-profile has seen, base or issued, is taken
 * out), and the `cause` chain and `errors` are sanitized when the error is built — a foreign error
 * keeps only its name, message, stack, code and a few plain diagnostic fields (`errno`, `syscall`,
 * `$metadata`, …), scrubbed, and loses everything else (`rawPacket`, `$response`, `body`, symbols),
 * enumerable or not. `JSON.stringify` and `util.inspect` show only the safe fields.
 *
 * @example
 * ```ts
 * import { CredentialsError, envOrProfile } from "env-or-profile";
 *
 * try {
 *   await envOrProfile()();
 * } catch (error) {
 *   if (error instanceof CredentialsError && error.code === "CHAIN_EXHAUSTED") {
 *     console.error(error.message); // every link's reason, no secrets
 *   }
 * }
 * ```
 */
export class CredentialsError extends Error {
  /** Which link failed. */
  readonly source: string;
  /** Stable reason code. */
  readonly code: CredentialsErrorCode;
  /** Whether a chain should fall through to its next link. */
  readonly tryNextLink: boolean;
  /** Whether trying again later may succeed. */
  readonly retryable: boolean;
  /** Every link's failure, in order, when a whole chain failed; otherwise empty. */
  readonly errors: readonly unknown[];

  /**
   * @param message - what went wrong, written for a person; must not contain a secret.
   * @param options - the link, code, fall-through and retry flags, and the cause.
   */
  constructor(message: string, options: CredentialsErrorOptions) {
    const seen = new Set<object>();
    super(
      scrubSecrets(asText(message)),
      options.cause === undefined ? undefined : { cause: sanitizeCause(options.cause, 0, seen) },
    );
    this.name = "CredentialsError";
    this.source = scrubSecrets(asText(options.source));
    this.code = options.code ?? "PROVIDER_FAILED";
    this.tryNextLink = options.tryNextLink ?? true;
    this.retryable = options.retryable ?? false;
    this.errors = Object.freeze((options.errors ?? []).map((error) => sanitizeCause(error, 0, seen)));
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** Works across copies of the package: checks the `Symbol.for` brand, not the prototype. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== CredentialsError) {
      // A subclass keeps ordinary prototype semantics: the brand says "a CredentialsError", not
      // "an instance of every subclass".
      return Function.prototype[Symbol.hasInstance].call(this, value);
    }
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** The safe fields only; a foreign cause is summarised, never serialised whole. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      source: this.source,
      tryNextLink: this.tryNextLink,
      retryable: this.retryable,
      message: this.message,
      ...(this.cause === undefined ? {} : { cause: summarizeCause(this.cause) }),
      ...(this.errors.length === 0 ? {} : { errors: this.errors.map((error) => summarizeCause(error)) }),
    };
  }

  /** `util.inspect` shows the same safe view as `toJSON`, plus the stack. */
  [INSPECT](): string {
    return `${this.stack ?? `${this.name}: ${this.message}`}\n${JSON.stringify(this.toJSON(), null, 2)}`;
  }
}

/**
 * Reduces any thrown value to a secret-free summary: name, code, message (our own causes are
 * summarised recursively; foreign messages are scrubbed of every known secret, since a server may
 * echo a request's token).
 */
export function summarizeCause(cause: unknown, depth = 0): Record<string, unknown> | string {
  if (cause instanceof CredentialsError) {
    return cause.toJSON();
  }
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return {
      name: scrubSecrets(asText(cause.name)),
      ...(typeof code === "string" ? { code: scrubSecrets(code) } : {}),
      message: scrubSecrets(asText(cause.message)),
      ...(cause.cause !== undefined && depth < 4 ? { cause: summarizeCause(cause.cause, depth + 1) } : {}),
    };
  }
  return typeof cause === "string" ? scrubSecrets(cause) : Object.prototype.toString.call(cause);
}

/**
 * The own properties a foreign error keeps when it becomes a cause: what says what failed and
 * where, never what was sent or received (`rawPacket`, `$response`, `body`, `headers`, `config`,
 * `request`, … are removed).
 */
const SAFE_ERROR_FIELDS = new Set<PropertyKey>([
  "name",
  "message",
  "stack",
  "code",
  "errno",
  "syscall",
  "address",
  "port",
  "path",
  "hostname",
  "reason",
  "bytesParsed",
  "status",
  "statusCode",
  "cause",
  "errors",
  "$metadata",
  "$fault",
  "$retryable",
  "tryNextLink",
  "retryable",
  "source",
]);

/** Fields of an AWS SDK `$metadata` that are kept (no headers, no body). */
const SAFE_METADATA_FIELDS = ["httpStatusCode", "requestId", "extendedRequestId", "cfId", "attempts", "totalRetryDelay"] as const;

/** How deep a cause chain is walked; deeper causes are cut off. */
const MAX_CAUSE_DEPTH = 8;

/**
 * Makes `value` safe to hang under an error: our own errors are re-scrubbed (a secret may have
 * become known since they were built); a foreign error is cleaned in place (so `error.cause` is
 * still the object that was thrown) down to {@link SAFE_ERROR_FIELDS}, scrubbed, its own cause chain
 * too — or replaced by a clean copy when it cannot be changed (frozen); a string is scrubbed; any
 * other object becomes its `[object Tag]`.
 * @internal
 */
export function sanitizeCause(value: unknown, depth = 0, seen: Set<object> = new Set()): unknown {
  if (typeof value === "string") {
    return scrubSecrets(value);
  }
  if (typeof value !== "object" && typeof value !== "function") {
    return typeof value === "symbol" ? value.toString() : value;
  }
  if (value === null) {
    return value;
  }
  if (seen.has(value)) {
    return value;
  }
  seen.add(value);
  if (depth >= MAX_CAUSE_DEPTH) {
    return "[cause chain cut: too deep]";
  }
  try {
    if (value instanceof CredentialsError || value instanceof Error || Object.prototype.toString.call(value) === "[object Error]") {
      if (cleanErrorInPlace(value, depth, seen) || value instanceof CredentialsError) {
        return value; // (a frozen CredentialsError was cleaned when it was built)
      }
      return cleanCopy(value, depth, seen);
    }
  } catch {
    // A Proxy or an object whose properties throw: describe it instead.
  }
  return safeTag(value);
}

/** Strips and scrubs `error`'s own properties; false when it cannot be changed (frozen). */
function cleanErrorInPlace(error: object, depth: number, seen: Set<object>): boolean {
  const ours = error instanceof CredentialsError;
  for (const key of Reflect.ownKeys(error)) {
    const descriptor = Reflect.getOwnPropertyDescriptor(error, key);
    if (descriptor === undefined || (ours && typeof key === "symbol")) {
      continue; // our brand is safe by construction
    }
    if (!ours && !SAFE_ERROR_FIELDS.has(key)) {
      if (!Reflect.deleteProperty(error, key)) {
        return false;
      }
      continue;
    }
    // A getter is read once and replaced by its cleaned value, so nothing computes text later.
    const raw: unknown = "value" in descriptor ? descriptor.value : Reflect.get(error, key);
    const clean = cleanField(key, raw, depth, seen, ours);
    if (clean === REMOVE) {
      if (!Reflect.deleteProperty(error, key)) {
        return false;
      }
    } else if (clean !== raw || !("value" in descriptor)) {
      const redefined = Reflect.defineProperty(error, key, {
        value: clean,
        writable: true,
        enumerable: descriptor.enumerable ?? false,
        configurable: true,
      });
      if (!redefined) {
        return false;
      }
    }
  }
  return true;
}

const REMOVE = Symbol("remove");

/** The cleaned value of one kept field, or {@link REMOVE}. */
function cleanField(key: PropertyKey, value: unknown, depth: number, seen: Set<object>, ours: boolean): unknown {
  if (key === "cause") {
    return sanitizeCause(value, depth + 1, seen);
  }
  if (key === "errors") {
    if (!Array.isArray(value)) {
      return ours ? value : REMOVE;
    }
    const cleaned = value.map((item: unknown) => sanitizeCause(item, depth + 1, seen));
    return ours ? Object.freeze(cleaned) : cleaned;
  }
  if (typeof value === "string") {
    return scrubSecrets(value);
  }
  if (ours || value === undefined || value === null || typeof value === "number" || typeof value === "boolean") {
    return value;
  }
  if (key === "$metadata" && typeof value === "object") {
    const metadata: Record<string, unknown> = {};
    for (const field of SAFE_METADATA_FIELDS) {
      const item = (value as Record<string, unknown>)[field];
      if (typeof item === "number") {
        metadata[field] = item;
      } else if (typeof item === "string") {
        metadata[field] = scrubSecrets(item);
      }
    }
    return metadata;
  }
  if (key === "$retryable" && typeof value === "object") {
    const throttling = (value as { throttling?: unknown }).throttling;
    return typeof throttling === "boolean" ? { throttling } : {};
  }
  return REMOVE;
}

/** A new error with the same prototype and only the cleaned safe fields of `error`. */
function cleanCopy(error: object, depth: number, seen: Set<object>): unknown {
  let prototype: unknown;
  try {
    prototype = Object.getPrototypeOf(error);
  } catch {
    prototype = Error.prototype;
  }
  const copy = Object.create(typeof prototype === "object" ? prototype : Error.prototype) as Record<PropertyKey, unknown>;
  for (const key of SAFE_ERROR_FIELDS) {
    let raw: unknown;
    try {
      if (!Object.prototype.hasOwnProperty.call(error, key)) {
        continue;
      }
      raw = (error as unknown as Record<PropertyKey, unknown>)[key];
    } catch {
      continue;
    }
    const clean = cleanField(key, raw, depth, seen, false);
    if (clean !== REMOVE) {
      Object.defineProperty(copy, key, { value: clean, writable: true, enumerable: key !== "message" && key !== "stack" && key !== "cause", configurable: true });
    }
  }
  return copy;
}

/** A string as is; anything else (a JavaScript caller's mistake) as `String(value)`. */
function asText(value: unknown): string {
  return typeof value === "string" ? value : String(value);
}

function safeTag(value: object): string {
  try {
    return Object.prototype.toString.call(value);
  } catch {
    return "[object Unknown]";
  }
}

/** True when `error` tells a chain to try its next link (ours or the SDK's convention). */
export function shouldTryNextLink(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { tryNextLink?: unknown }).tryNextLink === true;
}

/** A short, secret-free description of any thrown value, for messages and logs. */
export function describeError(error: unknown): string {
  try {
    if (error instanceof CredentialsError) {
      return scrubSecrets(`${error.code}: ${error.message}`);
    }
    if (error instanceof Error) {
      const code = (error as { code?: unknown }).code;
      return scrubSecrets(`${asText(error.name)}${typeof code === "string" ? ` (${code})` : ""}: ${asText(error.message)}`);
    }
    if (typeof error === "string") {
      return scrubSecrets(error);
    }
    return typeof error === "object" && error !== null ? safeTag(error) : String(error);
  } catch {
    return "an error that cannot be described";
  }
}

/**
 * Shows at most the last four characters of an access key id, e.g. `…WXYZ` — of its first word
 * only, so a secret pasted after the key id (`"AKIA… <secret>"`) never shows.
 */
export function redactKeyId(accessKeyId: string): string {
  return `…${firstWord(accessKeyId).slice(-4)}`;
}

/**
 * The one rule for hinting at which key id a message is about: ` (…WXYZ)` when the value's first
 * word looks like an access key id (16–128 of `[A-Z0-9]`), else nothing — the last characters of
 * anything else (a secret pasted after the key id, a secret in the wrong variable) could be secret.
 *
 * @param value - what was found where an access key id belongs.
 * @returns ` (…WXYZ)` or `""`.
 * @example
 * ```ts
 * import { keyIdHint } from "./errors.js";
 *
 * const value = process.env["AWS_ACCESS_KEY_ID"] ?? "";
 * const message = `AWS_ACCESS_KEY_ID${keyIdHint(value)} is set but AWS_SECRET_ACCESS_KEY is not`;
 * ```
 */
export function keyIdHint(value: string): string {
  const word = firstWord(value);
  return /^[A-Z0-9]{16,128}$/.test(word) ? ` (…${word.slice(-4)})` : "";
}

function firstWord(value: string): string {
  return value.trim().split(/\s/, 1)[0] ?? "";
}
