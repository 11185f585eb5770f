import http from "node:http";
import { systemClock, type Clock } from "../clock.js";
import { createEmulatorServer, fakeCredentialText, FaultQueue, isoSeconds, resetConnection, sendHugeBody } from "./emulator-server.js";

/**
 * A fault the emulated container credentials endpoint plays instead of its normal answer:
 * - a number: answer that status with a small JSON error body, e.g. `500`, `404`, `429`, `403`;
 * - `"hang"`: accept the request and never answer (`close()` still ends it);
 * - `"reset"`: destroy the connection without an answer;
 * - `"bad-json"`: status 200 with the normal body cut short (still carrying the secret key and
 *   token, to check they are not echoed in errors);
 * - `"huge"`: status 200 with a 1 MiB body, streamed without `Content-Length`;
 * - `"expired"`: status 200 with the normal credentials but an `Expiration` an hour in the past;
 * - `"missing-fields"`: status 200 with `Token` and `Expiration` left out;
 * - `"echo-secrets"`: status 500 with a message quoting the current secret key and token, to check
 *   that server text never reaches an error unscrubbed;
 * - an object: a custom `status` (default 200) and/or `body` (default the normal body), extra
 *   `headers`, a `delayMs` before answering.
 *
 * @example
 * ```ts
 * import { startContainerEmulator } from "env-or-profile/testing";
 *
 * const container = await startContainerEmulator();
 * container.fail(500, { times: 2 });   // two 500s, then the normal answer
 * container.failOnce("reset");
 * container.fail({ delayMs: 200 });    // slow, then the normal answer
 * container.clearFaults();
 * ```
 */
export type ContainerEmulatorFault =
  | number
  | "hang"
  | "reset"
  | "bad-json"
  | "huge"
  | "expired"
  | "missing-fields"
  | "echo-secrets"
  | {
      /** The status to answer. @defaultValue 200 */
      status?: number;
      /** The body to answer. @defaultValue the normal body */
      body?: string;
      /** Extra response headers. */
      headers?: Readonly<Record<string, string>>;
      /** Wait this long (a real timer) before answering. */
      delayMs?: number;
    };

/** How many times a fault plays. */
export interface ContainerEmulatorFaultOptions {
  /** Plays this many times, then the normal answer returns. @defaultValue `Infinity` (always) */
  times?: number;
}

/** The emulated task's or pod's role credentials. Carries secrets: a test tool only. */
export interface ContainerEmulatorCredentials {
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

/** One request the emulator received. */
export interface ContainerEmulatorRequest {
  /** The HTTP method. */
  method: string;
  /** The request path and query, e.g. `/v2/credentials/env-or-profile-emulator`. */
  path: string;
  /** The `Authorization` header as received (a secret: a test tool only), when there was one. */
  authorization: string | undefined;
  /** Whether the request was let through by the authorization check. */
  authorized: boolean;
}

/** Options for {@link startContainerEmulator}. */
export interface ContainerEmulatorOptions {
  /** Clock for credential expirations and rotation. @defaultValue `systemClock` */
  clock?: Clock;
  /**
   * The `Authorization` header every request must carry: a value, or a function asked on every
   * request (to follow a token file a test rotates). Missing → 401, different → 403.
   * @defaultValue none: no header is required
   */
  authorizationToken?: string | (() => string);
  /** The credentials path. @defaultValue {@link DEFAULT_CONTAINER_EMULATOR_PATH} */
  path?: string;
  /** Lifetime of each credential set, from issue. @defaultValue 6 hours, as ECS and EKS issue them */
  credentialLifetimeMs?: number;
  /** A fixed expiration for the first credential set (no automatic rotation while it is current). */
  expiration?: Date;
  /** Adds `AccountId` to the answer (EKS Pod Identity does). @defaultValue none */
  accountId?: string;
  /** Adds `RoleArn` to the answer (ECS does). @defaultValue `"arn:aws:iam::123456789012:role/env-or-profile-task-role"` */
  roleArn?: string;
  /**
   * Rotate automatically, like ECS, when a request comes within 15 minutes of the current expiration
   * (never for a fixed `expiration`).
   * @defaultValue `true`
   */
  autoRotate?: boolean;
}

/**
 * A running container credentials endpoint; see {@link startContainerEmulator}.
 *
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromContainer, memoize } from "env-or-profile";
 * import { startContainerEmulator } from "env-or-profile/testing";
 *
 * const container = await startContainerEmulator({ authorizationToken: "pod-token" });
 * const credentials = memoize(
 *   fromContainer({ env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: container.endpoint, AWS_CONTAINER_AUTHORIZATION_TOKEN: "pod-token" } }),
 * );
 * const s3 = new S3Client({ region: "us-east-1", credentials });
 * console.log((await credentials()).accessKeyId === container.current.accessKeyId, container.requestCount); // true 1
 * await container.close();
 * ```
 */
export interface ContainerEmulator {
  /** The full URI to put in `AWS_CONTAINER_CREDENTIALS_FULL_URI`, e.g. `http://127.0.0.1:49152/v2/credentials/…`. */
  readonly endpoint: string;
  /** The credentials path (the part a `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` would hold). */
  readonly path: string;
  /** The credentials currently served. **Carries secrets** — for assertions in tests only. */
  readonly current: ContainerEmulatorCredentials;
  /** Every credential set issued so far (secrets, for leak tests). */
  readonly issued: readonly ContainerEmulatorCredentials[];
  /** Requests received (faulted and refused ones included). */
  readonly requestCount: number;
  /** Requests that passed the authorization check and reached the credentials path. */
  readonly credentialRequests: number;
  /** Every request received, in order. */
  readonly log: readonly ContainerEmulatorRequest[];
  /** The expected `Authorization`; may be changed while running (`undefined`: none required). */
  authorizationToken: string | (() => string) | undefined;
  /**
   * Issues a new credential set (new keys, a new expiration from now) and returns it.
   * @param overrides - fixed values, e.g. `{ expiration }` or `{ lifetimeMs }`.
   */
  rotate(overrides?: Partial<ContainerEmulatorCredentials> & { lifetimeMs?: number }): ContainerEmulatorCredentials;
  /** Plays `fault` for the next requests (all of them, or `times`). */
  fail(fault: ContainerEmulatorFault, options?: ContainerEmulatorFaultOptions): void;
  /** `fail(fault, { times: 1 })`. */
  failOnce(fault: ContainerEmulatorFault): void;
  /** Removes every fault. */
  clearFaults(): void;
  /** Zeroes the request counts and the log. */
  resetCounts(): void;
  /** Stops the server, ending hanging requests. Idempotent. */
  close(): Promise<void>;
}

/** The default credentials path: shaped like ECS's `/v2/credentials/<id>`. */
export const DEFAULT_CONTAINER_EMULATOR_PATH = "/v2/credentials/env-or-profile-emulator";
/** The default credential lifetime: 6 hours. */
export const DEFAULT_CONTAINER_EMULATOR_CREDENTIAL_LIFETIME_MS = 6 * 60 * 60 * 1000;
const AUTO_ROTATE_BEFORE_MS = 15 * 60 * 1000;


/**
 * Starts an emulated ECS / EKS Pod Identity container credentials endpoint on `127.0.0.1` (an
 * ephemeral port): the IMDS-shaped credentials JSON, an `Authorization` check, rotation, request
 * counting and fault injection. A real HTTP server, so code under test runs its real transport.
 * Its `endpoint` is a full URI for `AWS_CONTAINER_CREDENTIALS_FULL_URI` (loopback `http:` is allowed).
 *
 * @param options - clock, expected authorization, path, lifetimes; see {@link ContainerEmulatorOptions}.
 * @returns the running emulator; `close()` it when done.
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { envOrProfile } from "env-or-profile";
 * import { startContainerEmulator } from "env-or-profile/testing";
 *
 * const container = await startContainerEmulator();
 * const s3 = new S3Client({
 *   region: "us-east-1",
 *   credentials: envOrProfile({ env: false, profile: false, container: { env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: container.endpoint } }, imds: false }),
 * });
 * container.fail(500, { times: 1 }); // the next request answers 500; the retry gets credentials
 * await s3.config.credentials();
 * await container.close();
 * ```
 */
export async function startContainerEmulator(options: ContainerEmulatorOptions = {}): Promise<ContainerEmulator> {
  const clock = options.clock ?? systemClock;
  const lifetimeMs = options.credentialLifetimeMs ?? DEFAULT_CONTAINER_EMULATOR_CREDENTIAL_LIFETIME_MS;
  const path = options.path ?? DEFAULT_CONTAINER_EMULATOR_PATH;
  const roleArn = options.roleArn ?? "arn:aws:iam::123456789012:role/env-or-profile-task-role";
  const autoRotate = options.autoRotate ?? true;

  const faults = new FaultQueue<ContainerEmulatorFault>();
  const server = createEmulatorServer(handle);
  const requestLog: ContainerEmulatorRequest[] = [];
  const issued: ContainerEmulatorCredentials[] = [];
  let credentialRequests = 0;
  let sequence = 0;
  let pinned = false;
  let credentials: ContainerEmulatorCredentials | undefined;

  const fake = (label: string, length: number, alphabet: "upper" | "base64"): string =>
    fakeCredentialText(`container:${server.port}:${sequence}:${label}`, length, alphabet);

  const rotate = (overrides: Partial<ContainerEmulatorCredentials> & { lifetimeMs?: number } = {}): ContainerEmulatorCredentials => {
    sequence += 1;
    const now = clock.now();
    pinned = overrides.expiration !== undefined;
    const accountId = overrides.accountId ?? options.accountId;
    credentials = {
      accessKeyId: overrides.accessKeyId ?? `ASIA${fake("key", 16, "upper")}`,
      secretAccessKey: overrides.secretAccessKey ?? `ctrSecret/${fake("secret", 30, "base64")}`,
      sessionToken: overrides.sessionToken ?? `IQoJb3JpZ2luX2VjCtrToken${fake("token", 120, "base64")}`,
      expiration: new Date(Math.floor((overrides.expiration?.getTime() ?? now + (overrides.lifetimeMs ?? lifetimeMs)) / 1000) * 1000),
      ...(accountId === undefined ? {} : { accountId }),
    };
    issued.push({ ...credentials });
    return { ...credentials };
  };

  const current = (): ContainerEmulatorCredentials => {
    if (credentials === undefined) throw new Error("the container emulator has not started");
    return credentials;
  };

  const document = (c: ContainerEmulatorCredentials, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    ...(c.accountId === undefined ? {} : { AccountId: c.accountId }),
    AccessKeyId: c.accessKeyId,
    Expiration: isoSeconds(c.expiration),
    RoleArn: roleArn,
    SecretAccessKey: c.secretAccessKey,
    Token: c.sessionToken,
    ...overrides,
  });

  const emulator = {
    endpoint: "",
    path,
    authorizationToken: options.authorizationToken,
    get current(): ContainerEmulatorCredentials {
      return { ...current() };
    },
    get issued(): readonly ContainerEmulatorCredentials[] {
      return issued.map((c) => ({ ...c }));
    },
    get requestCount(): number {
      return requestLog.length;
    },
    get credentialRequests(): number {
      return credentialRequests;
    },
    get log(): readonly ContainerEmulatorRequest[] {
      return requestLog.map((entry) => ({ ...entry }));
    },
    rotate,
    fail(fault: ContainerEmulatorFault, faultOptions: ContainerEmulatorFaultOptions = {}): void {
      faults.push(fault, faultOptions.times);
    },
    failOnce(fault: ContainerEmulatorFault): void {
      faults.push(fault, 1);
    },
    clearFaults(): void {
      faults.clear();
    },
    resetCounts(): void {
      requestLog.length = 0;
      credentialRequests = 0;
    },
    close: () => server.close(),
  } satisfies ContainerEmulator;

  function json(res: http.ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
    send(res, status, { "content-type": "application/json", ...headers }, typeof body === "string" ? body : JSON.stringify(body));
  }

  function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body: string): void {
    if (res.destroyed) return;
    res.writeHead(status, { ...headers, "content-length": String(Buffer.byteLength(body)) });
    res.end(body);
  }

  /** The normal answer: credentials, or 404 for another path, or 405 for another method. */
  function normalBody(): string {
    const c = current();
    if (autoRotate && !pinned && clock.now() >= c.expiration.getTime() - AUTO_ROTATE_BEFORE_MS) rotate();
    return JSON.stringify(document(current()), null, 2);
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.on("error", () => {});
    const target = req.url ?? "/";
    const received = req.headers.authorization;
    const expectedOption = emulator.authorizationToken;
    const expected = typeof expectedOption === "function" ? expectedOption() : expectedOption;
    const authorized = expected === undefined || received === expected;
    requestLog.push({ method: req.method ?? "", path: target, authorization: received, authorized });

    const fault = faults.take();
    if (fault !== undefined) {
      play(req, res, fault);
      return;
    }
    if (!authorized) {
      json(res, received === undefined ? 401 : 403, {
        Code: received === undefined ? "Unauthorized" : "AccessDenied",
        Message: received === undefined ? "Authorization header is missing" : "Authorization token is not valid",
      });
      return;
    }
    if (req.method !== "GET") {
      json(res, 405, { Code: "MethodNotAllowed", Message: "Only GET is supported" });
      return;
    }
    if (new URL(target, "http://container.invalid").pathname !== path) {
      json(res, 404, { Code: "NotFound", Message: "No credentials at this path" });
      return;
    }
    credentialRequests += 1;
    json(res, 200, normalBody());
  }

  function play(req: http.IncomingMessage, res: http.ServerResponse, fault: ContainerEmulatorFault): void {
    if (typeof fault === "number") {
      json(res, fault, { Code: http.STATUS_CODES[fault]?.replace(/\W/g, "") ?? "Error", Message: "Injected fault" });
      return;
    }
    const c = current();
    switch (fault) {
      case "hang":
        return;
      case "reset":
        resetConnection(req);
        return;
      case "bad-json": {
        const body = JSON.stringify(document(c));
        json(res, 200, body.slice(0, Math.max(1, body.length - 20)));
        return;
      }
      case "huge":
        sendHugeBody(res, "application/json");
        return;
      case "expired":
        json(res, 200, document(c, { Expiration: isoSeconds(new Date(clock.now() - 60 * 60 * 1000)) }));
        return;
      case "missing-fields": {
        const partial = document(c);
        delete partial["Token"];
        delete partial["Expiration"];
        json(res, 200, partial);
        return;
      }
      case "echo-secrets":
        json(res, 500, { Code: "InternalError", Message: `failed to refresh ${c.accessKeyId} with secret ${c.secretAccessKey} and token ${c.sessionToken}` });
        return;
      default: {
        const answer = (): void => {
          const body = fault.body ?? (fault.status === undefined || fault.status === 200 ? normalBody() : JSON.stringify({ Code: "Error", Message: "Injected fault" }));
          send(res, fault.status ?? 200, { "content-type": "application/json", ...fault.headers }, body);
        };
        if (fault.delayMs !== undefined && fault.delayMs > 0) server.later(fault.delayMs, answer);
        else answer();
      }
    }
  }

  await server.listen();
  emulator.endpoint = `http://127.0.0.1:${server.port}${path}`;
  rotate(options.expiration === undefined ? {} : { expiration: options.expiration });
  return emulator;
}
