import { CredentialsError } from "../../errors.js";
import { log } from "../../logger.js";
import { withRetry } from "../../retry.js";
import { endpointState } from "./endpoint-state.js";
import { httpRequest, type HttpRequest, type HttpResponse } from "../http-credentials/http-request.js";
import { HttpTransportError } from "../http-credentials/http-transport-error.js";
import {
  DEFAULT_IMDS_MAX_RESPONSE_BYTES,
  IMDS_COOL_DOWN_JITTER_MS,
  IMDS_COOL_DOWN_MS,
  IMDS_RETRY_BASE_DELAY_MS,
  IMDS_RETRY_MAX_DELAY_MS,
  type ResolvedImdsOptions,
} from "./imds-options.js";
import { sessionExpiry, sharedTokenCache, type ImdsSession, type TokenCache } from "./token-cache.js";

/**
 * How long IMDSv1 is used without asking for a token again, after the token request went
 * unanswered but a plain GET worked (the container hop-limit case, or one slow answer).
 */
export const PROBED_V1_TRUST_MS = 5 * 60_000;

/** The IMDSv2 token path (PUT). */
export const IMDS_TOKEN_PATH = "/latest/api/token";
/** The request header carrying the asked token lifetime, and the answer header carrying the granted one. */
export const IMDS_TOKEN_TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds";
/** The request header carrying the token on GETs. */
export const IMDS_TOKEN_HEADER = "x-aws-ec2-metadata-token";

/** A GET answered 2xx or 404; every other outcome is thrown as a `CredentialsError`. */
export interface ImdsClient {
  readonly endpoint: string;
  get(path: string): Promise<HttpResponse>;
}

/** A token request that went unanswered on an open connection: try one plain GET in the rest of the budget. */
interface Probe {
  readonly kind: "probe";
  readonly timeoutMs: number;
}

const SOURCE = "imds";
const TOKEN_SHAPE = /^[\x21-\x7e]{1,4096}$/;

/**
 * The IMDS protocol on top of the shared `httpRequest`: the shared IMDSv2 session, the IMDSv1 fallback, one
 * renewal on 401, attempts with backoff for what may heal, and the shared "no IMDS here" cool-down.
 */
export function createImdsClient(config: ResolvedImdsOptions, cache: TokenCache = sharedTokenCache): ImdsClient {
  const { endpoint, clock, random, logger, timeoutMs, maxAttempts, allowImdsV1, tokenTtlSeconds } = config;
  const state = endpointState(endpoint);
  // When v1 is allowed, the token request gets half the budget so a silent token endpoint (hop limit)
  // still leaves time for one plain GET: nothing answering costs one timeout in total, not two.
  const tokenTimeoutMs = allowImdsV1 ? Math.max(1, Math.ceil(timeoutMs / 2)) : timeoutMs;

  const debug = (message: string): void => log(logger, "debug", `imds: ${message}`);

  function assertNotCoolingDown(): void {
    const now = clock.now();
    if (state.coolDownUntil !== undefined && now < state.coolDownUntil) {
      const seconds = Math.ceil((state.coolDownUntil - now) / 1000);
      throw new CredentialsError(
        `IMDS at ${endpoint} was found unavailable moments ago (${state.coolDownReason ?? "no answer"}); ` +
          `not trying again for ${seconds} s`,
        { source: SOURCE, code: "IMDS_UNAVAILABLE", tryNextLink: true, retryable: false },
      );
    }
  }

  function startCoolDown(reason: string): void {
    const ms = Math.round(IMDS_COOL_DOWN_MS + random() * IMDS_COOL_DOWN_JITTER_MS);
    state.coolDownUntil = clock.now() + ms;
    state.coolDownReason = reason;
    debug(`no IMDS at ${endpoint} (${reason}); failing fast for ${ms} ms`);
  }

  function isRetryable(outcome: HttpResponse | HttpTransportError): boolean {
    if (outcome instanceof HttpTransportError) {
      return outcome.failure === "network" || (outcome.failure === "timeout" && state.answeredAt !== undefined);
    }
    return outcome.status === 429 || outcome.status >= 500;
  }

  /**
   * One request with up to `maxAttempts` tries through the shared p-retry helper (full jitter,
   * 50 ms doubling to 1 s); throws the raw `HttpTransportError`. Transport failures and answers
   * worth retrying (429, 5xx) travel through the retry loop wrapped in {@link WrappedOutcome} and
   * are unwrapped at the end, so the caller still sees the status or the raw failure.
   */
  async function exchange(request: HttpRequest): Promise<HttpResponse> {
    try {
      return await withRetry(
        async () => {
          let outcome: HttpResponse | HttpTransportError;
          try {
            outcome = await httpRequest({ ...request, maxBytes: DEFAULT_IMDS_MAX_RESPONSE_BYTES });
            state.answeredAt = clock.now();
            state.coolDownUntil = undefined;
          } catch (error) {
            if (!(error instanceof HttpTransportError)) throw error;
            outcome = error;
          }
          if (outcome instanceof HttpTransportError || isRetryable(outcome)) {
            // Wrapped so the helper retries exactly what isRetryable() says, not its own guess
            // from the error code (a refused connection is final here: "no IMDS", not a blip).
            throw new WrappedOutcome(outcome, isRetryable(outcome));
          }
          return outcome;
        },
        {
          retry: { retries: maxAttempts - 1, minTimeout: IMDS_RETRY_BASE_DELAY_MS, maxTimeout: IMDS_RETRY_MAX_DELAY_MS, factor: 2 },
          random,
          onRetry: ({ retry, delayMs, error }) => {
            const outcome = (error as WrappedOutcome).outcome;
            const what = outcome instanceof HttpTransportError ? outcome.failure : `status ${outcome.status}`;
            debug(`${request.method} ${new URL(request.url).pathname} failed (${what}); attempt ${retry + 1} of ${maxAttempts} in ${delayMs} ms`);
          },
        },
      );
    } catch (error) {
      if (error instanceof WrappedOutcome) {
        if (error.outcome instanceof HttpTransportError) throw error.outcome;
        return error.outcome;
      }
      throw error;
    }
  }

  function transportError(error: unknown, what: string): CredentialsError {
    if (error instanceof CredentialsError) return error;
    if (!(error instanceof HttpTransportError)) {
      return new CredentialsError(`IMDS ${what} failed unexpectedly`, { source: SOURCE, code: "IMDS_UNAVAILABLE", tryNextLink: false, retryable: true, cause: error });
    }
    switch (error.failure) {
      case "unreachable": {
        const reason = `connection failed: ${error.code ?? "unreachable"}`;
        startCoolDown(reason);
        return new CredentialsError(`IMDS is not reachable at ${endpoint} (${error.code ?? "unreachable"}); not on EC2?`, {
          source: SOURCE,
          code: "IMDS_UNAVAILABLE",
          tryNextLink: true,
          retryable: false,
          cause: error,
        });
      }
      case "timeout":
        if (state.answeredAt === undefined) {
          startCoolDown(`nothing answered within ${timeoutMs} ms`);
          return new CredentialsError(`Nothing answered at ${endpoint} within ${timeoutMs} ms; not on EC2?`, {
            source: SOURCE,
            code: "IMDS_TIMEOUT",
            tryNextLink: true,
            retryable: false,
            cause: error,
          });
        }
        return new CredentialsError(`IMDS at ${endpoint} did not answer the ${what} within ${timeoutMs} ms`, {
          source: SOURCE,
          code: "IMDS_TIMEOUT",
          tryNextLink: false,
          retryable: true,
          cause: error,
        });
      case "network":
        return new CredentialsError(`The connection to IMDS at ${endpoint} failed during the ${what} (${error.code ?? "network error"})`, {
          source: SOURCE,
          code: "IMDS_UNAVAILABLE",
          tryNextLink: state.answeredAt === undefined,
          retryable: true,
          cause: error,
        });
      case "too-large":
        return new CredentialsError(`IMDS at ${endpoint} sent a body over the size cap for the ${what}; not reading it`, {
          source: SOURCE,
          code: "IMDS_TOO_LARGE",
          tryNextLink: false,
          retryable: false,
          cause: error,
        });
    }
  }

  function statusError(status: number, what: string): CredentialsError {
    const retryable = status === 429 || status >= 500;
    // 403 is how an instance with its metadata endpoint turned off (HttpEndpoint=disabled), or a
    // host that blocks IMDS, answers: no instance profile here, so the chain may fall through.
    const forbidden = status === 403;
    const hint =
      status >= 300 && status < 400
        ? " (a redirect, not followed)"
        : status === 429
          ? " (throttled)"
          : status >= 500
            ? " (server error)"
            : forbidden
              ? " (forbidden: the metadata endpoint is turned off or blocked here)"
              : "";
    return new CredentialsError(`IMDS at ${endpoint} answered ${status}${hint} to the ${what}`, {
      source: SOURCE,
      code: "IMDS_HTTP_ERROR",
      tryNextLink: forbidden,
      retryable,
    });
  }

  function v1Disabled(reason: string): CredentialsError {
    const by =
      config.v1DisabledBy === "env" ? "AWS_EC2_METADATA_V1_DISABLED=true" : "the `allowImdsV1: false` option";
    return new CredentialsError(
      `IMDS at ${endpoint} ${reason}, and falling back to IMDSv1 (no token) is turned off by ${by}`,
      { source: SOURCE, code: "IMDS_V1_DISABLED", tryNextLink: false, retryable: false },
    );
  }

  async function fetchSession(): Promise<ImdsSession | Probe> {
    let response: HttpResponse;
    try {
      response = await exchange({
        method: "PUT",
        url: `${endpoint}${IMDS_TOKEN_PATH}`,
        headers: { [IMDS_TOKEN_TTL_HEADER]: String(tokenTtlSeconds) },
        timeoutMs: tokenTimeoutMs,
      });
    } catch (error) {
      if (error instanceof HttpTransportError && error.failure === "timeout" && error.connected && allowImdsV1) {
        debug(`the token request got no answer within ${tokenTimeoutMs} ms on an open connection; trying IMDSv1`);
        return { kind: "probe", timeoutMs: Math.max(1, timeoutMs - tokenTimeoutMs) };
      }
      throw transportError(error, "token request");
    }
    const now = clock.now();
    if (response.status >= 200 && response.status < 300) {
      const token = response.body.trim();
      if (!TOKEN_SHAPE.test(token)) {
        throw new CredentialsError(`IMDS at ${endpoint} answered the token request with a malformed token (${token.length} characters)`, {
          source: SOURCE,
          code: "IMDS_BAD_RESPONSE",
          tryNextLink: false,
          retryable: false,
        });
      }
      const granted = Number(response.headers[IMDS_TOKEN_TTL_HEADER]);
      const ttl = Number.isInteger(granted) && granted >= 1 && granted <= tokenTtlSeconds ? granted : tokenTtlSeconds;
      const session: ImdsSession = { kind: "token", token, expiresAt: sessionExpiry(now, ttl) };
      cache.set(endpoint, session);
      debug(`got an IMDSv2 token for ${ttl} s`);
      return session;
    }
    if (response.status === 403 || response.status === 404 || response.status === 405) {
      if (!allowImdsV1) throw v1Disabled(`refused to issue a session token (${response.status})`);
      const session: ImdsSession = { kind: "v1", expiresAt: sessionExpiry(now, tokenTtlSeconds) };
      cache.set(endpoint, session);
      debug(`the token request was refused (${response.status}); using IMDSv1`);
      return session;
    }
    if (response.status === 400) {
      throw new CredentialsError(`IMDS at ${endpoint} rejected the token request as malformed (400)`, {
        source: SOURCE,
        code: "IMDS_HTTP_ERROR",
        tryNextLink: false,
        retryable: false,
      });
    }
    throw statusError(response.status, "token request");
  }

  function acquire(): Promise<ImdsSession | Probe> {
    const cached = cache.get(endpoint, clock.now());
    if (cached !== undefined) return Promise.resolve(cached);
    return cache.singleFlight(`${endpoint} v1=${String(allowImdsV1)} t=${timeoutMs}`, fetchSession);
  }

  function checkStatus(response: HttpResponse, path: string): HttpResponse {
    if ((response.status >= 200 && response.status < 300) || response.status === 404) return response;
    throw statusError(response.status, `GET ${path}`);
  }

  async function get(path: string): Promise<HttpResponse> {
    assertNotCoolingDown();
    const url = `${endpoint}${path}`;
    let renewed = false;
    for (;;) {
      const session = await acquire();
      if (session.kind === "v1" && !allowImdsV1) throw v1Disabled("does not issue session tokens");
      if (session.kind === "probe") {
        let response: HttpResponse;
        try {
          response = await exchange({ method: "GET", url, timeoutMs: session.timeoutMs });
        } catch (error) {
          throw transportError(error, `GET ${path}`);
        }
        if (response.status === 401) {
          throw new CredentialsError(
            `IMDS at ${endpoint} requires a session token (IMDSv2), but the token request got no answer within ` +
              `${tokenTimeoutMs} ms (a hop limit of 1 seen from a container?)`,
            // A hop limit is configuration: retrying would only pay the token timeout again.
            { source: SOURCE, code: "IMDS_TIMEOUT", tryNextLink: false, retryable: false },
          );
        }
        if ((response.status >= 200 && response.status < 300) || response.status === 404) {
          // A silent token endpoint may only have been slow once: trust the IMDSv1 verdict for a
          // few minutes, not for a token's lifetime (which would pin every provider to v1 for hours).
          const now = clock.now();
          cache.set(endpoint, { kind: "v1", expiresAt: Math.min(sessionExpiry(now, tokenTtlSeconds), now + PROBED_V1_TRUST_MS) });
        }
        debug("IMDSv1 answers where the token request did not; using IMDSv1");
        return checkStatus(response, path);
      }
      let response: HttpResponse;
      try {
        response = await exchange({
          method: "GET",
          url,
          headers: session.kind === "token" ? { [IMDS_TOKEN_HEADER]: session.token } : {},
          timeoutMs,
        });
      } catch (error) {
        throw transportError(error, `GET ${path}`);
      }
      if (response.status === 401) {
        cache.invalidate(endpoint, session);
        if (!renewed) {
          renewed = true;
          debug(
            session.kind === "token"
              ? "the session token was rejected (401); fetching a new one"
              : "IMDS now requires a session token (401); asking for one",
          );
          continue;
        }
        throw new CredentialsError(
          session.kind === "token"
            ? `IMDS at ${endpoint} rejected a freshly issued session token (401) for GET ${path}`
            : `IMDS at ${endpoint} requires a session token (401) for GET ${path} but refuses to issue one`,
          { source: SOURCE, code: "IMDS_HTTP_ERROR", tryNextLink: false, retryable: false },
        );
      }
      return checkStatus(response, path);
    }
  }

  return { endpoint, get };
}

/** Carries an IMDS outcome through the retry helper, which retries on a rejection it deems retryable. */
class WrappedOutcome extends CredentialsError {
  constructor(
    readonly outcome: HttpResponse | HttpTransportError,
    retryable: boolean,
  ) {
    super("IMDS outcome", { source: SOURCE, code: "IMDS_HTTP_ERROR", retryable, tryNextLink: false });
  }
}
