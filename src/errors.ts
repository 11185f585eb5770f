
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
  | "SSO_LOGIN_REQUIRED"
  | "SSO_FAILED"
  | "STS_ACCESS_DENIED"
  | "STS_THROTTLED"
  | "STS_ERROR"
  | "STS_BAD_RESPONSE"
  | "STS_INVALID_BASE_CREDENTIALS"
  | "STS_SOURCE_FAILED"
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
 * Messages are written by us and never contain a secret; `JSON.stringify` and `util.inspect` show
 * only the safe fields, and a foreign `cause` is reduced to its name, code and message.
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
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CredentialsError";
    this.source = options.source;
    this.code = options.code ?? "PROVIDER_FAILED";
    this.tryNextLink = options.tryNextLink ?? true;
    this.retryable = options.retryable ?? false;
    this.errors = Object.freeze([...(options.errors ?? [])]);
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
 * summarised recursively; foreign messages are kept because they come from transports and servers
 * that do not echo credentials — bodies are never attached to errors we build).
 */
export function summarizeCause(cause: unknown, depth = 0): Record<string, unknown> | string {
  if (cause instanceof CredentialsError) {
    return cause.toJSON();
  }
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return {
      name: cause.name,
      ...(typeof code === "string" ? { code } : {}),
      message: cause.message,
      ...(cause.cause !== undefined && depth < 4 ? { cause: summarizeCause(cause.cause, depth + 1) } : {}),
    };
  }
  return typeof cause === "string" ? cause : Object.prototype.toString.call(cause);
}

/** True when `error` tells a chain to try its next link (ours or the SDK's convention). */
export function shouldTryNextLink(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { tryNextLink?: unknown }).tryNextLink === true;
}

/** A short, secret-free description of any thrown value, for messages and logs. */
export function describeError(error: unknown): string {
  if (error instanceof CredentialsError) {
    return `${error.code}: ${error.message}`;
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === "string" ? ` (${code})` : ""}: ${error.message}`;
  }
  return String(error);
}

/** Shows at most the last four characters of an access key id, e.g. `…WXYZ`. */
export function redactKeyId(accessKeyId: string): string {
  return `…${accessKeyId.slice(-4)}`;
}
