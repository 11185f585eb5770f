import { CredentialsError } from "../../errors.js";
import { log } from "../../logger.js";
import { httpRequest, type HttpRequest, type HttpResponse } from "../http-credentials/http-request.js";
import { HttpTransportError } from "../http-credentials/http-transport-error.js";
import { assertNotCoolingDown, startCoolDown } from "./cool-down.js";
import { endpointState, type EndpointState } from "./endpoint-state.js";
import { imdsError, statusError, v1Disabled } from "./imds-errors.js";
import { DEFAULT_IMDS_MAX_RESPONSE_BYTES, type ResolvedImdsOptions } from "./imds-options.js";
import { sessionExpiry, sharedTokenCache, V1_VERDICT_MS, type ImdsSession, type TokenCache } from "./token-cache.js";

/** The IMDSv2 token path (PUT). */
export const IMDS_TOKEN_PATH = "/latest/api/token";
/** The request header carrying the asked token lifetime, and the answer header carrying the granted one. */
export const IMDS_TOKEN_TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds";
/** The request header carrying the token on GETs. */
export const IMDS_TOKEN_HEADER = "x-aws-ec2-metadata-token";

/** A GET answered 2xx or 404, and whether it went over an IMDSv2 session or IMDSv1. */
export interface ImdsAnswer extends HttpResponse {
  readonly via: "token" | "v1";
}

/** A token request that went unanswered on an open connection: try one plain GET in the rest of the budget. */
interface Probe {
  readonly kind: "probe";
  readonly timeoutMs: number;
}

const TOKEN_SHAPE = /^[\x21-\x7e]{1,4096}$/;

/**
 * The IMDS protocol on top of the shared `httpRequest`: the shared IMDSv2 session, the IMDSv1
 * fallback, one renewal on 401, and the shared "no IMDS here" cool-down. One method per decision.
 * Each request is one attempt; what may heal is said by each error's `retryable`, and retried by
 * the `memoize` around the link (the only retry layer).
 */
export class ImdsClient {
  readonly endpoint: string;
  /** Providers with equal values here may share in-flight requests (same budget, same v1 rule). */
  readonly flightKey: string;
  readonly #config: ResolvedImdsOptions;
  readonly #cache: TokenCache;
  /**
   * When v1 is allowed, the token request gets half the budget so a silent token endpoint (hop
   * limit) still leaves time for one plain GET: nothing answering costs one timeout, not two.
   */
  readonly #tokenTimeoutMs: number;

  constructor(config: ResolvedImdsOptions, cache: TokenCache = sharedTokenCache()) {
    this.#config = config;
    this.#cache = cache;
    this.endpoint = config.endpoint;
    this.#tokenTimeoutMs = config.allowImdsV1 ? Math.max(1, Math.ceil(config.timeoutMs / 2)) : config.timeoutMs;
    this.flightKey = `v1=${String(config.allowImdsV1)} t=${config.timeoutMs}`;
  }

  /** What every provider on the endpoint knows (looked up each time: tests may reset it). */
  get state(): EndpointState {
    return endpointState(this.endpoint);
  }

  /**
   * GETs `path` over the shared session: 2xx and 404 are returned, everything else is thrown as a
   * `CredentialsError`. A 401 renews the session once.
   */
  async get(path: string): Promise<ImdsAnswer> {
    assertNotCoolingDown(this.state, this.#config);
    let renewed = false;
    for (;;) {
      const session = await this.#acquire();
      if (session.kind === "probe") return this.#probe(path, session);
      const response = await this.#send(path, session);
      if (response.status !== 401) return this.#checkStatus(response, path, session.kind);
      this.#cache.invalidate(this.endpoint, session);
      if (renewed) {
        throw imdsError(
          session.kind === "token"
            ? `IMDS at ${this.endpoint} rejected a freshly issued session token (401) for GET ${path}`
            : `IMDS at ${this.endpoint} requires a session token (401) for GET ${path} but refuses to issue one`,
          "IMDS_HTTP_ERROR",
          { tryNextLink: false, retryable: false },
        );
      }
      renewed = true;
      this.#debug(
        session.kind === "token"
          ? "the session token was rejected (401); fetching a new one"
          : "IMDS now requires a session token (401); asking for one",
      );
    }
  }

  /** One GET with the session's token (or none for IMDSv1). */
  async #send(path: string, session: ImdsSession): Promise<HttpResponse> {
    try {
      return await this.#exchange({
        method: "GET",
        url: `${this.endpoint}${path}`,
        headers: session.kind === "token" ? { [IMDS_TOKEN_HEADER]: session.token } : {},
        timeoutMs: this.#config.timeoutMs,
      });
    } catch (error) {
      throw this.#transportFailure(error, `GET ${path}`);
    }
  }

  /** The plain GET after an unanswered token request: IMDSv1 answers, or a hop limit is told. */
  async #probe(path: string, probe: Probe): Promise<ImdsAnswer> {
    let response: HttpResponse;
    try {
      response = await this.#exchange({ method: "GET", url: `${this.endpoint}${path}`, timeoutMs: probe.timeoutMs });
    } catch (error) {
      throw this.#transportFailure(error, `GET ${path}`);
    }
    if (response.status === 401) {
      throw imdsError(
        `IMDS at ${this.endpoint} requires a session token (IMDSv2), but the token request got no answer within ` +
          `${this.#tokenTimeoutMs} ms (a hop limit of 1 seen from a container?)`,
        // A hop limit is configuration: retrying would only pay the token timeout again.
        "IMDS_TIMEOUT",
        { tryNextLink: false, retryable: false },
      );
    }
    if ((response.status >= 200 && response.status < 300) || response.status === 404) {
      // A silent token endpoint may only have been slow once: a short-lived verdict, re-checked.
      const now = this.#config.clock.now();
      this.#cache.set(this.endpoint, { kind: "v1", issuedAt: now, expiresAt: now + V1_VERDICT_MS });
    }
    this.#debug("IMDSv1 answers where the token request did not; using IMDSv1");
    return this.#checkStatus(response, path, "v1");
  }

  /**
   * The session to use: a live shared one, else one token request in flight per endpoint and
   * budget. A provider that refuses IMDSv1 never takes a v1 verdict: it always asks for a token.
   */
  #acquire(): Promise<ImdsSession | Probe> {
    const cached = this.#cache.get(this.endpoint, this.#config.clock.now());
    if (cached !== undefined && (cached.kind === "token" || this.#config.allowImdsV1)) return Promise.resolve(cached);
    return this.#cache.singleFlight(`${this.endpoint} ${this.flightKey}`, () => this.#fetchSession());
  }

  /** `PUT /latest/api/token`, and what its answer means. */
  async #fetchSession(): Promise<ImdsSession | Probe> {
    const { allowImdsV1, timeoutMs, tokenTtlSeconds } = this.#config;
    let response: HttpResponse;
    try {
      response = await this.#exchange({
        method: "PUT",
        url: `${this.endpoint}${IMDS_TOKEN_PATH}`,
        headers: { [IMDS_TOKEN_TTL_HEADER]: String(tokenTtlSeconds) },
        timeoutMs: this.#tokenTimeoutMs,
      });
    } catch (error) {
      if (error instanceof HttpTransportError && error.failure === "timeout" && error.connected && allowImdsV1) {
        this.#debug(`the token request got no answer within ${this.#tokenTimeoutMs} ms on an open connection; trying IMDSv1`);
        return { kind: "probe", timeoutMs: Math.max(1, timeoutMs - this.#tokenTimeoutMs) };
      }
      throw this.#transportFailure(error, "token request");
    }
    return this.#sessionFrom(response);
  }

  /** A token, a short-lived IMDSv1 verdict, or the error a token answer means. */
  #sessionFrom(response: HttpResponse): ImdsSession {
    const now = this.#config.clock.now();
    const { status } = response;
    if (status >= 200 && status < 300) {
      const token = response.body.trim();
      if (!TOKEN_SHAPE.test(token)) {
        throw imdsError(`IMDS at ${this.endpoint} answered the token request with a malformed token (${token.length} characters)`, "IMDS_BAD_RESPONSE", {
          tryNextLink: false,
          retryable: false,
        });
      }
      const asked = this.#config.tokenTtlSeconds;
      const granted = Number(response.headers[IMDS_TOKEN_TTL_HEADER]);
      const ttl = Number.isInteger(granted) && granted >= 1 && granted <= asked ? granted : asked;
      const session: ImdsSession = { kind: "token", token, issuedAt: now, expiresAt: sessionExpiry(now, ttl) };
      this.#cache.set(this.endpoint, session);
      this.#debug(`got an IMDSv2 token for ${ttl} s`);
      return session;
    }
    if (status === 403 || status === 404 || status === 405) {
      if (!this.#config.allowImdsV1) throw v1Disabled(this.#config, `refused to issue a session token (${status})`);
      const session: ImdsSession = { kind: "v1", issuedAt: now, expiresAt: now + V1_VERDICT_MS };
      this.#cache.set(this.endpoint, session);
      this.#debug(`the token request was refused (${status}); using IMDSv1 for ${V1_VERDICT_MS / 1000} s, then asking again`);
      return session;
    }
    if (status === 400) {
      throw imdsError(`IMDS at ${this.endpoint} rejected the token request as malformed (400)`, "IMDS_HTTP_ERROR", { tryNextLink: false, retryable: false });
    }
    throw statusError(this.endpoint, status, "token request");
  }

  #checkStatus(response: HttpResponse, path: string, via: "token" | "v1"): ImdsAnswer {
    if ((response.status >= 200 && response.status < 300) || response.status === 404) return { ...response, via };
    throw statusError(this.endpoint, response.status, `GET ${path}`);
  }

  /** One attempt; an answer of any status proves IMDS is there and ends a cool-down. Throws the raw `HttpTransportError`. */
  async #exchange(request: HttpRequest): Promise<HttpResponse> {
    const response = await httpRequest({ ...request, maxBytes: DEFAULT_IMDS_MAX_RESPONSE_BYTES });
    this.state.answered = true;
    this.state.coolDown = undefined;
    return response;
  }

  /** What a transport failure means here, and whether it is a "no IMDS here" verdict. */
  #transportFailure(error: unknown, what: string): CredentialsError {
    if (error instanceof CredentialsError) return error;
    if (!(error instanceof HttpTransportError)) {
      return imdsError(`IMDS ${what} failed unexpectedly`, "IMDS_UNAVAILABLE", { tryNextLink: false, retryable: true, cause: error });
    }
    const { endpoint } = this;
    const { answered } = this.state;
    const code = error.code ?? "unreachable";
    switch (error.failure) {
      case "unreachable":
        if (answered) {
          return imdsError(`IMDS at ${endpoint} answered before but now refuses the ${what} (${code}); restarting?`, "IMDS_UNAVAILABLE", {
            tryNextLink: false,
            retryable: true,
            cause: error,
          });
        }
        startCoolDown(this.state, this.#config, "unreachable", `connection failed: ${code}`);
        return imdsError(`IMDS is not reachable at ${endpoint} (${code}); not on EC2?`, "IMDS_UNAVAILABLE", { tryNextLink: true, retryable: false, cause: error });
      case "timeout":
        return this.#timeoutFailure(error, what);
      case "network":
        return imdsError(`The connection to IMDS at ${endpoint} failed during the ${what} (${error.code ?? "network error"})`, "IMDS_UNAVAILABLE", {
          tryNextLink: !answered,
          retryable: true,
          cause: error,
        });
      case "too-large":
        return imdsError(`IMDS at ${endpoint} sent a body over the size cap for the ${what}; not reading it`, "IMDS_TOO_LARGE", {
          tryNextLink: false,
          retryable: false,
          cause: error,
        });
    }
  }

  /** A timeout is "not on EC2" only when nothing ever answered and our own event loop was not the cause. */
  #timeoutFailure(error: HttpTransportError, what: string): CredentialsError {
    const { endpoint } = this;
    const { timeoutMs } = this.#config;
    if (this.state.answered) {
      return imdsError(`IMDS at ${endpoint} did not answer the ${what} within ${timeoutMs} ms`, "IMDS_TIMEOUT", { tryNextLink: false, retryable: true, cause: error });
    }
    if (error.loopStalled) {
      return imdsError(
        `Nothing answered at ${endpoint} within ${timeoutMs} ms, but this process's event loop was blocked meanwhile; not taken as "no IMDS"`,
        "IMDS_TIMEOUT",
        { tryNextLink: true, retryable: true, cause: error },
      );
    }
    startCoolDown(this.state, this.#config, "timeout", `nothing answered within ${timeoutMs} ms`);
    return imdsError(`Nothing answered at ${endpoint} within ${timeoutMs} ms; not on EC2?`, "IMDS_TIMEOUT", { tryNextLink: true, retryable: false, cause: error });
  }

  #debug(message: string): void {
    log(this.#config.logger, "debug", `imds: ${message}`);
  }
}

/** The IMDS client for `config` (see {@link ImdsClient}). */
export function createImdsClient(config: ResolvedImdsOptions, cache: TokenCache = sharedTokenCache()): ImdsClient {
  return new ImdsClient(config, cache);
}

