import type {
  AbsoluteLocation,
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  HandlerExecutionContext,
  MiddlewareStack,
  SerializeHandlerOptions,
  SerializeMiddleware,
} from "@smithy/types";
import { checkClock, checkLogger } from "../check-runtime-options.js";
import { systemClock, type Clock } from "../clock.js";
import { describeError, redactKeyId } from "../errors.js";
import { hasKeys, sameCredential } from "../has-keys.js";
import { printableKey } from "../known-options.js";
import { log, type Logger } from "../logger.js";
import { watchClockSkew } from "./clock-skew-watch.js";
import { freshCredential } from "./fresh-credential.js";
import { markNotResent } from "./mark-not-resent.js";
import { rejectedCredentialCode } from "./rejected-credential-code.js";
import { unreplayableMember } from "./unreplayable-member.js";

/** Options of {@link refreshOnRejectedCredentials}. */
export interface RefreshOnRejectedCredentialsOptions {
  /**
   * Receives one `warn` line per rejected credential (what was rejected, by which operation, and
   * whether the request was re-sent and how that went) and one when the local clock is found more
   * than a minute behind a service's. Access key ids appear as their last four characters; no
   * secret ever does.
   * @defaultValue none: nothing is logged
   */
  logger?: Logger;
  /**
   * The clock compared with the services' `Date` headers; give the one the provider uses.
   * @defaultValue {@link systemClock}
   */
  clock?: Clock;
}

const OPTION_KEYS: ReadonlySet<string> = new Set(["logger", "clock"]);

/** The middleware's name in the client's stack: adding the plugin again replaces it. */
const RESEND_MIDDLEWARE = "refreshOnRejectedCredentialsMiddleware";

/**
 * Where the re-send enters the stack: the serialize step, at high priority — the first middleware
 * of that step, so just above `httpAuthSchemeMiddleware` (`@smithy/core`, serialize step, placed
 * before `endpointV2Middleware`, itself before `serializerMiddleware`), where the client resolves
 * the identity for the request (`selectedHttpAuthScheme.identity`, read here to learn which
 * credential was rejected). Calling `next(args)` again from here rebuilds the whole request: identity
 * resolution (a provider that was told of the rejection answers with the fresh credential),
 * endpoint resolution (which may depend on the identity's account), serialization (a new request
 * from the same input), the build step, the retry strategy, and signing (`httpSigningMiddleware`,
 * finalizeRequest step, whose SigV4 signer asks the client's `config.credentials` again) — while the
 * initialize step (input validation, S3's SSE-C key digest, the logger) is not repeated. The
 * initialize step would work too, but re-runs middleware that already transformed the input; any
 * later step would re-send a request already signed with the rejected credential. An absolute
 * position, not one relative to `httpAuthSchemeMiddleware`: a client without that middleware (one
 * that resolves credentials in its signer) still gets a working plugin instead of a stack error.
 */
const RESEND_POSITION: SerializeHandlerOptions & AbsoluteLocation = {
  step: "serialize",
  priority: "high",
  name: RESEND_MIDDLEWARE,
  tags: ["CREDENTIALS", "RETRY"],
  override: true,
};

/**
 * A client plugin that fits a client of any AWS service: a `Pluggable<Input, Output>` (from
 * `@smithy/types`) for every `Input` and `Output`, so one plugin can be added to an `S3Client` and a
 * `DynamoDBClient` alike — without the `Pluggable<any, any>` the SDK types its own plugins with,
 * which strict lint rules refuse to pass to `middlewareStack.use()`.
 */
export interface ClientPlugin {
  /**
   * Adds the plugin's middleware to a client's (or a command's) stack; called by
   * `middlewareStack.use(plugin)`.
   * @param stack - the stack to add to.
   */
  applyToStack<Input extends object, Output extends object>(stack: MiddlewareStack<Input, Output>): void;
}

/**
 * An AWS SDK v3 client plugin that recovers when a service rejects the credential a request was
 * signed with — the long-running process that fails with `ExpiredToken` while its cache believes
 * the credential is good (a local clock minutes slow, a source that rotated early, keys
 * deactivated and replaced). No AWS SDK recovers from this by itself: the client's retry re-signs
 * with the same cached credential.
 *
 * When a response's error code is `ExpiredToken`, `ExpiredTokenException`, `InvalidToken`,
 * `TokenRefreshRequired`, `InvalidClientTokenId`, `UnrecognizedClientException` or (S3)
 * `InvalidAccessKeyId` — in the XML, query and JSON protocols alike, so any client: S3, DynamoDB,
 * STS, SQS… — the plugin tells `credentials` that the credential which signed the request was
 * rejected, waits for one fresh credential and sends the request once more, signed with it. A
 * provider of ours (every `env-or-profile` provider is memoized) forgets the credential only while
 * it is still the cached one and fetches once: fifty requests rejected together, from any number of
 * clients sharing the provider, make one fetch. With a provider that is not ours, the client's own
 * cache (the SDK wraps such a provider in one) is asked with `{ forceRefresh: true }`, which the
 * SDK's caches honour, once per rejected credential.
 *
 * What it never does:
 * - a second rejection is not retried again: the service's own error is thrown, unchanged;
 * - any other error (`AccessDenied`, `NoSuchKey`, throttling, 5xx) passes through untouched, left to
 *   the client's own retry strategy;
 * - a fresh credential identical to the rejected one (same key id, secret and token: the source
 *   has not rotated yet) is not re-sent: the service's error is thrown;
 * - a request whose input has a stream (an S3 `Body` given as a `Readable`, a web `ReadableStream`,
 *   a `Blob`, an async iterable) is not re-sent, since the stream was read by the first attempt: the
 *   provider is still told, so the next request gets a fresh credential, and the service's error is
 *   thrown with a note appended to its `message` and `notResentReason: "STREAMING_BODY"` added —
 *   its class, `name`, `Code` and `$metadata` unchanged;
 * - if the fresh credential cannot be had, the service's error is thrown (the cause is logged).
 *
 * Each rejection is logged once, as a `warn`, with access key ids cut to their last four
 * characters.
 *
 * It also measures the clock: every response's `Date` header is compared with `clock`, and while
 * the local clock is more than a minute behind the service's, a provider of ours treats its
 * credentials as expiring that much earlier (logged once) — so a slow clock no longer hands out
 * credentials the service already considers expired.
 *
 * @param credentials - the provider the client was given (`config.credentials`), the one to tell
 *   and ask again: any provider works; the ones from env-or-profile single-flight their refetch.
 * @param options - `logger` and `clock`.
 * @returns a plugin (a `Pluggable`) for `client.middlewareStack.use(...)`, for clients of any
 *   service (one plugin may serve several clients sharing `credentials`). Adding it again to a
 *   client replaces it.
 * @throws TypeError when `credentials` is not a function, an option is of the wrong type, or an
 *   option is unknown (the message names it).
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { envOrProfile, refreshOnRejectedCredentials } from "env-or-profile";
 *
 * const credentials = envOrProfile();
 * const s3 = new S3Client({ region: "us-east-1", credentials });
 * s3.middlewareStack.use(refreshOnRejectedCredentials(credentials, { logger: console }));
 * ```
 */
export function refreshOnRejectedCredentials(credentials: AwsCredentialIdentityProvider, options: RefreshOnRejectedCredentialsOptions = {}): ClientPlugin {
  if (typeof credentials !== "function") {
    throw new TypeError(`Expected \`credentials\` to be a credential provider (a function), got ${credentials === null ? "null" : typeof credentials}`);
  }
  checkOptions(options);
  const logger = options.logger;
  const skew = watchClockSkew(credentials, options.clock ?? systemClock, logger);
  const resend = <Input extends object, Output extends object>(): SerializeMiddleware<Input, Output> => (next, context) => async (args) => {
    const service = serviceOf(context);
    let rejection: unknown;
    try {
      const result = await next(args);
      skew.observe(result.response, service);
      return result;
    } catch (error) {
      skew.observe(responseOf(error), service);
      rejection = error;
    }
    const code = rejectedCredentialCode(rejection);
    const rejected = signingIdentity(context);
    if (code === undefined || rejected === undefined) {
      throw rejection;
    }
    const what = `${operationOf(context)} was refused with ${code}: the service rejected credential ${redactKeyId(rejected.accessKeyId)}`;
    const member = unreplayableMember(args.input);
    if (member !== undefined) {
      freshCredential(credentials, rejected, clientCredentials(context)).catch(() => {
        // Only started so the next request signs with a fresh credential; this one is not re-sent.
      });
      log(logger, "warn", `${what}; not re-sent: its ${member} is a stream, read by the first attempt (the next request gets a fresh credential)`);
      throw markNotResent(rejection, member);
    }
    let fresh: AwsCredentialIdentity;
    try {
      fresh = await freshCredential(credentials, rejected, clientCredentials(context));
    } catch (error) {
      log(logger, "warn", `${what}; not re-sent: no fresh credential could be had (${describeError(error)})`);
      throw rejection;
    }
    if (!hasKeys(fresh)) {
      log(logger, "warn", `${what}; not re-sent: the provider answered with no usable credential`);
      throw rejection;
    }
    if (sameCredential(fresh, rejected)) {
      log(logger, "warn", `${what}; not re-sent: the provider answered with the same credential again (its source has not rotated it yet)`);
      throw rejection;
    }
    try {
      const result = await next(args);
      skew.observe(result.response, service);
      log(logger, "warn", `${what}; re-sent once with fresh credential ${redactKeyId(fresh.accessKeyId)}: succeeded`);
      return result;
    } catch (error) {
      skew.observe(responseOf(error), service);
      log(logger, "warn", `${what}; re-sent once with fresh credential ${redactKeyId(fresh.accessKeyId)}: failed again (${describeError(error)})`);
      throw error;
    }
  };
  return {
    applyToStack(stack) {
      stack.add(resend(), RESEND_POSITION);
    },
  };
}

/** Refuses an options object with an unknown key or a value of the wrong type. */
function checkOptions(options: RefreshOnRejectedCredentialsOptions): void {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Expected \`options\` to be an object, got ${options === null ? "null" : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new TypeError(`Unknown option \`${printableKey(key)}\` of refreshOnRejectedCredentials (expected ${[...OPTION_KEYS].map((k) => `\`${k}\``).join(" or ")})`);
    }
  }
  checkLogger(options.logger);
  checkClock(options.clock);
}

/** The credential the failed request was signed with: the identity the client resolved for it. */
function signingIdentity(context: HandlerExecutionContext): AwsCredentialIdentity | undefined {
  const identity = context.__smithy_context?.selectedHttpAuthScheme?.identity;
  return isCredential(identity) ? identity : undefined;
}

/** An AWS credential (not a bearer token, not the empty identity of an unsigned operation). */
function isCredential(identity: unknown): identity is AwsCredentialIdentity {
  return hasKeys(identity);
}

/**
 * The client's own credential provider (`config.credentials`), from the signing properties the
 * SDK's SigV4 auth scheme carries: what its signer calls to sign. A client given a provider that is
 * not memoized wraps it in a cache of its own, which only this reaches (with `forceRefresh`).
 */
function clientCredentials(context: HandlerExecutionContext): AwsCredentialIdentityProvider | undefined {
  const config = context.__smithy_context?.selectedHttpAuthScheme?.httpAuthOption.signingProperties?.["config"];
  const credentials = typeof config === "object" && config !== null ? (config as { credentials?: unknown }).credentials : undefined;
  return typeof credentials === "function" ? (credentials as AwsCredentialIdentityProvider) : undefined;
}

/** The raw response an SDK error carries (non-enumerable `$response`), if any. */
function responseOf(error: unknown): unknown {
  return typeof error === "object" && error !== null ? (error as { $response?: unknown }).$response : undefined;
}

/** `S3` from the context's `S3Client`, for log lines. */
function serviceOf(context: HandlerExecutionContext): string {
  const client = typeof context.clientName === "string" ? context.clientName : "";
  return client === "" ? "the service" : client.replace(/Client$/, "");
}

/** `S3 GetObject`, for log lines. */
function operationOf(context: HandlerExecutionContext): string {
  const command = typeof context.commandName === "string" ? context.commandName.replace(/Command$/, "") : "";
  return command === "" ? serviceOf(context) : `${serviceOf(context)} ${command}`;
}

