// A namespace import: the declarations then compile in a CommonJS project without esModuleInterop.
import * as http from "node:http";
import { systemClock, type Clock } from "../clock.js";
import { createEmulatorServer, fakeCredentialText, FaultQueue, isoSeconds, resetConnection, sendHugeBody } from "./emulator-server.js";

/**
 * How the emulated IMDS treats session tokens:
 * - `"v2-optional"`: a token is issued on `PUT /latest/api/token`; GETs work with a valid token or
 *   none (an invalid or expired token gets 401), like an instance with `HttpTokens: optional`;
 * - `"v1-only"`: the token request answers 404, GETs work without a token (old or emulated IMDS);
 * - `"token-required"`: GETs without a valid token get 401 (`HttpTokens: required`).
 */
export type ImdsEmulatorMode = "v2-optional" | "v1-only" | "token-required";

/**
 * A fault the emulator plays instead of (or before) its normal answer:
 * - a number: answer that status with a short text body, e.g. `500`, `404`, `429`, `401`;
 * - `"hang"`: accept the request and never answer (`close()` still ends it);
 * - `"reset"`: destroy the connection without an answer;
 * - `"bad-json"`: status 200 with the normal body cut short (for credentials: still carrying the
 *   secret key and token, to check they are not echoed in errors);
 * - `"huge"`: status 200 with a 1 MiB body, streamed without `Content-Length`;
 * - `"drip"`: status 200, then the normal body one byte every 100 ms;
 * - an object: a custom `status` (default 200) and/or `body` (default the normal body), extra
 *   `headers`, a `delayMs` before answering, a `dripMs` byte interval.
 *
 * @example
 * ```ts
 * import { startImdsEmulator } from "env-or-profile/testing";
 *
 * const imds = await startImdsEmulator();
 * imds.fail("*", "hang");                                   // nothing answers, ever
 * imds.fail("/latest/api/token", 405, { times: 1 });        // one refused token request
 * imds.failOnce(`/latest/meta-data/iam/security-credentials/${imds.roleName}`, { body: "[]" });
 * imds.fail("/latest/meta-data/iam/info", { delayMs: 200 }); // slow, then the normal answer
 * imds.clearFaults();
 * ```
 */
export type ImdsEmulatorFault =
  | number
  | "hang"
  | "reset"
  | "bad-json"
  | "huge"
  | "drip"
  | {
      /** The status to answer. @defaultValue 200 */
      status?: number;
      /** The body to answer. @defaultValue the normal body */
      body?: string;
      /** Extra response headers. */
      headers?: Readonly<Record<string, string>>;
      /** Wait this long (a real timer) before answering. */
      delayMs?: number;
      /** Send the body one byte per this many ms. */
      dripMs?: number;
    };

/** How many times a fault plays. */
export interface ImdsEmulatorFaultOptions {
  /** Plays this many times, then the normal answer returns. @defaultValue `Infinity` (always) */
  times?: number;
}

/** The emulated instance's role credentials. Carries secrets: a test tool only. */
export interface ImdsEmulatorCredentials {
  /** `AccessKeyId` (`ASIA…`). */
  accessKeyId: string;
  /** `SecretAccessKey`. */
  secretAccessKey: string;
  /** `Token`. */
  sessionToken: string;
  /** `Expiration`. */
  expiration: Date;
  /** `AccountId`, when set. */
  accountId?: string;
}

/** One request the emulator received (tokens appear in `headers`: a test tool only). */
export interface ImdsEmulatorRequest {
  /** `GET` or `PUT`. */
  method: string;
  /** The request path, e.g. `/latest/api/token`. */
  path: string;
  /** The request headers (tokens included). */
  headers: http.IncomingHttpHeaders;
}

/** Options for {@link startImdsEmulator}. */
export interface ImdsEmulatorOptions {
  /** Token behaviour. @defaultValue `"v2-optional"` */
  mode?: ImdsEmulatorMode;
  /** Clock for token lifetimes and credential expirations. @defaultValue `systemClock` */
  clock?: Clock;
  /**
   * The instance profile's role. `null`: no instance profile (the role list and `iam/info` answer
   * 404); `""`: an empty role list (200, no role).
   * @defaultValue {@link DEFAULT_IMDS_EMULATOR_ROLE_NAME}
   */
  roleName?: string | null;
  /** Lifetime of each credential set, from issue. @defaultValue 6 hours, as on EC2 */
  credentialLifetimeMs?: number;
  /** A fixed expiration for the first credential set (no automatic rotation while it is current). */
  expiration?: Date;
  /** Adds `AccountId` to the credentials document (newer IMDS does). @defaultValue none */
  accountId?: string;
  /** @defaultValue `"arn:aws:iam::123456789012:instance-profile/env-or-profile-demo-profile"` */
  instanceProfileArn?: string;
  /** @defaultValue `"AIPAEMULATEDPROFILE01"` */
  instanceProfileId?: string;
  /**
   * Rotate automatically, like EC2, when a credentials request comes within 15 minutes of the
   * current expiration (never for a fixed `expiration`).
   * @defaultValue `true`
   */
  autoRotate?: boolean;
}

/**
 * A running IMDS emulator; see {@link startImdsEmulator}.
 *
 * @example
 * ```ts
 * import { fromImds } from "env-or-profile";
 * import { startImdsEmulator } from "env-or-profile/testing";
 *
 * const imds = await startImdsEmulator();
 * const provider = fromImds({ endpoint: imds.endpoint });
 * await provider();
 * imds.revokeTokens();            // the next GET gets 401; the provider fetches a new token
 * await provider();
 * console.log(imds.tokenRequests, imds.count("/latest/meta-data/iam/security-credentials/")); // 2 1
 * await imds.close();
 * ```
 */
export interface ImdsEmulator {
  /** Base URL, e.g. `http://127.0.0.1:49152`: pass it as `fromImds({ endpoint })`. */
  readonly endpoint: string;
  /** The credentials currently served. **Carries secrets** — for assertions in tests only. */
  readonly current: ImdsEmulatorCredentials;
  /** Every session token issued so far (secrets, for leak tests). */
  readonly issuedTokens: readonly string[];
  /** Requests received per path, e.g. `requests["/latest/api/token"]`. Faulted requests count too. */
  readonly requests: Readonly<Record<string, number>>;
  /** Total requests received. */
  readonly requestCount: number;
  /** `PUT /latest/api/token` requests received. */
  readonly tokenRequests: number;
  /** Every request received, in order. */
  readonly log: readonly ImdsEmulatorRequest[];
  /** Token behaviour; may be changed while running. */
  mode: ImdsEmulatorMode;
  /** The role (see {@link ImdsEmulatorOptions.roleName}); may be changed while running. */
  roleName: string | null;
  /** Requests received for `path` (`"*"`: all). */
  count(path: string): number;
  /**
   * Issues a new credential set (new keys, a new expiration from now) and returns it.
   * @param overrides - fixed values, e.g. `{ expiration }` or `{ lifetimeMs }`.
   */
  rotate(overrides?: Partial<ImdsEmulatorCredentials> & { lifetimeMs?: number }): ImdsEmulatorCredentials;
  /** Plays `fault` for requests to `path` (exact path, or `"*"` for every path). */
  fail(path: string, fault: ImdsEmulatorFault, options?: ImdsEmulatorFaultOptions): void;
  /** `fail(path, fault, { times: 1 })`. */
  failOnce(path: string, fault: ImdsEmulatorFault): void;
  /** Removes every fault. */
  clearFaults(): void;
  /** Makes every issued token invalid: the next GET carrying one gets 401. */
  revokeTokens(): void;
  /** Zeroes the request counts and the log. */
  resetCounts(): void;
  /** Stops the server, ending hanging and dripping requests. Idempotent. */
  close(): Promise<void>;
}

/** The default role name of the emulated instance profile. */
export const DEFAULT_IMDS_EMULATOR_ROLE_NAME = "env-or-profile-demo-role";
/** The default credential lifetime: 6 hours, as EC2 issues them. */
export const DEFAULT_IMDS_EMULATOR_CREDENTIAL_LIFETIME_MS = 6 * 60 * 60 * 1000;

const TOKEN_PATH = "/latest/api/token";
const ROLE_LIST_PATH = "/latest/meta-data/iam/security-credentials/";
const INFO_PATH = "/latest/meta-data/iam/info";
const TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_HEADER = "x-aws-ec2-metadata-token";
const AUTO_ROTATE_BEFORE_MS = 15 * 60 * 1000;


/**
 * Starts an emulated EC2 Instance Metadata Service on `127.0.0.1` (an ephemeral port): IMDSv2
 * tokens with their TTL, role discovery, role credentials, `iam/info`, request counting, credential
 * rotation and fault injection. A real HTTP server, so code under test runs its real transport.
 *
 * The credentials are fake but shaped like real ones (`ASIA…` key ids, 40-character secrets).
 *
 * @param options - mode, clock, role name, lifetimes; see {@link ImdsEmulatorOptions}.
 * @returns the running emulator; `close()` it when done.
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromImds, memoize } from "env-or-profile";
 * import { startImdsEmulator } from "env-or-profile/testing";
 *
 * const imds = await startImdsEmulator({ mode: "token-required" });
 * const s3 = new S3Client({ region: "us-east-1", credentials: memoize(fromImds({ endpoint: imds.endpoint })) });
 * const credentials = await s3.config.credentials();
 * console.log(credentials.accessKeyId === imds.current.accessKeyId); // true
 * imds.fail("*", 500, { times: 1 }); // the next request answers 500
 * await imds.close();
 * ```
 */
export async function startImdsEmulator(options: ImdsEmulatorOptions = {}): Promise<ImdsEmulator> {
  const clock = options.clock ?? systemClock;
  const lifetimeMs = options.credentialLifetimeMs ?? DEFAULT_IMDS_EMULATOR_CREDENTIAL_LIFETIME_MS;
  const instanceProfileArn =
    options.instanceProfileArn ?? "arn:aws:iam::123456789012:instance-profile/env-or-profile-demo-profile";
  const instanceProfileId = options.instanceProfileId ?? "AIPAEMULATEDPROFILE01";
  const autoRotate = options.autoRotate ?? true;

  const tokens = new Map<string, number>();
  const issuedTokens: string[] = [];
  const requests = new Map<string, number>();
  const faults = new FaultQueue<ImdsEmulatorFault>();
  const server = createEmulatorServer(handle);
  const requestLog: ImdsEmulatorRequest[] = [];
  let tokenRequests = 0;
  let sequence = 0;
  let pinned = false;
  let credentials: ImdsEmulatorCredentials | undefined;
  let issuedAt = clock.now();

  const fake = (label: string, length: number, alphabet: "upper" | "base64"): string =>
    fakeCredentialText(`${server.port}:${sequence}:${label}`, length, alphabet);

  const wholeSeconds = (ms: number): Date => new Date(Math.floor(ms / 1000) * 1000);

  const rotate = (overrides: Partial<ImdsEmulatorCredentials> & { lifetimeMs?: number } = {}): ImdsEmulatorCredentials => {
    sequence += 1;
    issuedAt = clock.now();
    pinned = overrides.expiration !== undefined;
    const accountId = overrides.accountId ?? options.accountId;
    credentials = {
      accessKeyId: overrides.accessKeyId ?? `ASIA${fake("key", 16, "upper")}`,
      secretAccessKey: overrides.secretAccessKey ?? `emuSecret/${fake("secret", 30, "base64")}`,
      sessionToken: overrides.sessionToken ?? `IQoJb3JpZ2luX2VjEmuToken${fake("token", 120, "base64")}`,
      expiration: wholeSeconds(overrides.expiration?.getTime() ?? issuedAt + (overrides.lifetimeMs ?? lifetimeMs)),
      ...(accountId === undefined ? {} : { accountId }),
    };
    return { ...credentials };
  };

  const current = (): ImdsEmulatorCredentials => {
    if (credentials === undefined) throw new Error("the IMDS emulator has not started");
    return credentials;
  };

  const credentialsBody = (): string => {
    const c = current();
    return JSON.stringify({
      Code: "Success",
      LastUpdated: isoSeconds(new Date(issuedAt)),
      Type: "AWS-HMAC",
      ...(c.accountId === undefined ? {} : { AccountId: c.accountId }),
      AccessKeyId: c.accessKeyId,
      SecretAccessKey: c.secretAccessKey,
      Token: c.sessionToken,
      Expiration: isoSeconds(c.expiration),
    }, null, 2);
  };

  const emulator = {
    endpoint: "",
    mode: options.mode ?? "v2-optional",
    roleName: options.roleName === undefined ? DEFAULT_IMDS_EMULATOR_ROLE_NAME : options.roleName,
    get current(): ImdsEmulatorCredentials {
      return { ...current() };
    },
    get issuedTokens(): readonly string[] {
      return [...issuedTokens];
    },
    get requests(): Readonly<Record<string, number>> {
      return Object.fromEntries(requests);
    },
    get requestCount(): number {
      return requestLog.length;
    },
    get tokenRequests(): number {
      return tokenRequests;
    },
    get log(): readonly ImdsEmulatorRequest[] {
      return [...requestLog];
    },
    count(path: string): number {
      return path === "*" ? requestLog.length : (requests.get(path) ?? 0);
    },
    rotate,
    fail(path: string, fault: ImdsEmulatorFault, faultOptions: ImdsEmulatorFaultOptions = {}): void {
      faults.push(fault, faultOptions.times, path);
    },
    failOnce(path: string, fault: ImdsEmulatorFault): void {
      faults.push(fault, 1, path);
    },
    clearFaults(): void {
      faults.clear();
    },
    revokeTokens(): void {
      tokens.clear();
    },
    resetCounts(): void {
      requests.clear();
      requestLog.length = 0;
      tokenRequests = 0;
    },
    close: () => server.close(),
  } satisfies ImdsEmulator;

  /** The normal answer for a request: status, headers, body. */
  function normal(req: http.IncomingMessage, path: string): { status: number; headers: Record<string, string>; body: string } {
    const text = (status: number, body: string, headers: Record<string, string> = {}) => ({
      status,
      headers: { "content-type": "text/plain", ...headers },
      body,
    });
    if (path === TOKEN_PATH) {
      if (req.method !== "PUT") return text(405, "Method Not Allowed");
      if (emulator.mode === "v1-only") return text(404, "Not Found");
      if (req.headers["x-forwarded-for"] !== undefined) return text(403, "Forbidden");
      const ttl = Number(req.headers[TTL_HEADER]);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21_600) return text(400, "Bad Request");
      const token = `AQAEAEmuToken${fake(`session-token-${issuedTokens.length}`, 40, "base64")}`.replace(/[+/]/g, "_");
      tokens.set(token, clock.now() + ttl * 1000);
      issuedTokens.push(token);
      return text(200, token, { [TTL_HEADER]: String(ttl) });
    }
    if (req.method !== "GET") return text(405, "Method Not Allowed");
    if (emulator.mode !== "v1-only") {
      const token = req.headers[TOKEN_HEADER];
      if (typeof token === "string") {
        const expiresAt = tokens.get(token);
        if (expiresAt === undefined || clock.now() >= expiresAt) return text(401, "Unauthorized");
      } else if (emulator.mode === "token-required") {
        return text(401, "Unauthorized");
      }
    }
    const role = emulator.roleName;
    if (path === ROLE_LIST_PATH || path === ROLE_LIST_PATH.slice(0, -1)) {
      return role === null ? text(404, "Not Found") : text(200, role);
    }
    if (path === INFO_PATH) {
      if (role === null) return text(404, "Not Found");
      return {
        status: 200,
        headers: { "content-type": "text/plain" },
        body: JSON.stringify({
          Code: "Success",
          LastUpdated: isoSeconds(new Date(issuedAt)),
          InstanceProfileArn: instanceProfileArn,
          InstanceProfileId: instanceProfileId,
        }, null, 2),
      };
    }
    if (role !== null && role !== "" && path === `${ROLE_LIST_PATH}${role}`) {
      if (autoRotate && !pinned && clock.now() >= current().expiration.getTime() - AUTO_ROTATE_BEFORE_MS) rotate();
      return { status: 200, headers: { "content-type": "text/plain" }, body: credentialsBody() };
    }
    return text(404, "Not Found");
  }

  function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body: string, dripMs?: number): void {
    if (res.destroyed) return;
    if (dripMs === undefined) {
      res.writeHead(status, { ...headers, "content-length": String(Buffer.byteLength(body)) });
      res.end(body);
      return;
    }
    res.writeHead(status, headers);
    const bytes = Buffer.from(body);
    let index = 0;
    const step = (): void => {
      if (res.destroyed) return;
      if (index >= bytes.length) {
        res.end();
        return;
      }
      res.write(bytes.subarray(index, index + 1));
      index += 1;
      server.later(dripMs, step);
    };
    step();
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = new URL(req.url ?? "/", "http://imds.invalid").pathname;
    requests.set(path, (requests.get(path) ?? 0) + 1);
    requestLog.push({ method: req.method ?? "", path, headers: { ...req.headers } });
    if (req.method === "PUT" && path === TOKEN_PATH) tokenRequests += 1;
    res.on("error", () => {});

    const fault = faults.take(path);
    if (fault === undefined) {
      const answer = normal(req, path);
      send(res, answer.status, answer.headers, answer.body);
      return;
    }
    if (typeof fault === "number") {
      send(res, fault, { "content-type": "text/plain" }, http.STATUS_CODES[fault] ?? "Error");
      return;
    }
    switch (fault) {
      case "hang":
        return;
      case "reset":
        resetConnection(req);
        return;
      case "bad-json": {
        const answer = normal(req, path);
        const cut = Math.max(1, answer.body.length - 20);
        send(res, 200, { "content-type": "text/plain" }, answer.body.slice(0, cut));
        return;
      }
      case "huge":
        sendHugeBody(res, "text/plain");
        return;
      case "drip": {
        const answer = normal(req, path);
        send(res, answer.status, answer.headers, answer.body, 100);
        return;
      }
      default: {
        const play = (): void => {
          const answer = fault.status === undefined && fault.body === undefined ? normal(req, path) : undefined;
          send(
            res,
            fault.status ?? answer?.status ?? 200,
            { "content-type": "text/plain", ...answer?.headers, ...fault.headers },
            fault.body ?? answer?.body ?? normal(req, path).body,
            fault.dripMs,
          );
        };
        if (fault.delayMs !== undefined && fault.delayMs > 0) server.later(fault.delayMs, play);
        else play();
      }
    }
  }

  await server.listen();
  emulator.endpoint = `http://127.0.0.1:${server.port}`;
  rotate(options.expiration === undefined ? {} : { expiration: options.expiration });
  return emulator;
}
