import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { systemClock, type Clock } from "../clock.js";
import { checkSessionOptions, readSessionOptions, sessionResultXml, type StsEmulatorMfa, type StsSessionOptions } from "./sts-session-options.js";

export type { StsEmulatorMfa, StsSessionOptions } from "./sts-session-options.js";

/**
 * A base identity the emulator knows: requests signed with it (SigV4, secret and, when set, the
 * session token) are accepted.
 */
export interface StsEmulatorCredential {
  /** The access key id in the `Credential=` part of the `Authorization` header. */
  accessKeyId: string;
  /** The secret the signature is verified against. */
  secretAccessKey: string;
  /** When set, `X-Amz-Security-Token` must equal it (and be signed). */
  sessionToken?: string;
  /**
   * The ARN of this identity, shown in `GetCallerIdentity` and AccessDenied messages.
   * @defaultValue `arn:aws:iam::111122223333:user/emulated`
   */
  arn?: string;
}

/** Another emulator whose issued credentials STS accepts (see {@link StsEmulatorOptions.trustIssuedBy}): a Roles Anywhere or container emulator (the IMDS emulator's credentials go in `baseCredentials`: `imds.current`). */
export interface StsEmulatorIssuer {
  /** The credentials it issued so far, asked at each request. */
  readonly issued: readonly StsEmulatorCredential[];
}

/** What the emulator demands of one role. */
export interface StsEmulatorRole {
  /** When set, AssumeRole must send exactly this `ExternalId`; otherwise AccessDenied. */
  externalId?: string;
  /**
   * When set, AssumeRole must send this MFA device's `SerialNumber` and a `TokenCode` it accepts
   * (its trust policy asks for `aws:MultiFactorAuthPresent`): none is `AccessDenied`, a wrong or
   * already used code is `AccessDenied` "MultiFactorAuthentication failed with invalid MFA one time
   * pass code." — STS's answers.
   */
  mfa?: StsEmulatorMfa;
}

/**
 * A failure to inject into the next credential requests — AssumeRole and AssumeRoleWithWebIdentity
 * (see {@link StsEmulator.injectFault}).
 * - `access-denied`: 403 `AccessDenied` XML with a `RequestId`.
 * - `throttling`: 400 `Throttling` (STS's own throttling code).
 * - `server-error`: a 5xx (`status`, default 500) `InternalFailure`/`ServiceUnavailable` XML.
 * - `malformed`: 200 with a body that is not XML.
 * - `missing-credentials`: 200 with well-formed XML but no `<Credentials>`.
 * - `delay`: waits `ms` (a real timer), then answers normally.
 * - `hang`: never answers; the socket stays open until the client gives up or {@link StsEmulator.close}.
 * - `invalid-identity-token`: 400 `InvalidIdentityToken` (the IdP's signature or claims do not check out).
 * - `expired-token`: 400 `ExpiredTokenException` (the web identity token has expired).
 * - `idp-communication-error`: 400 `IDPCommunicationError` (STS could not reach the IdP's keys; transient).
 * - `idp-rejected-claim`: 403 `IDPRejectedClaim` (the IdP rejected the claim).
 */
export type StsFault =
  | {
      /** AccessDenied (403). */
      kind: "access-denied";
    }
  | {
      /** Throttling (400). */
      kind: "throttling";
    }
  | {
      /** A server error. */
      kind: "server-error";
      /** The HTTP status. @defaultValue 500 */
      status?: number;
    }
  | {
      /** 200 with XML that does not parse. */
      kind: "malformed";
    }
  | {
      /** 200 with no `<Credentials>`. */
      kind: "missing-credentials";
    }
  | {
      /** Answers normally after a delay. */
      kind: "delay";
      /** The delay in ms (a real timer). */
      ms: number;
    }
  | {
      /** Never answers. */
      kind: "hang";
    }
  | {
      /** 400 `InvalidIdentityToken`. */
      kind: "invalid-identity-token";
    }
  | {
      /** 400 `ExpiredTokenException`. */
      kind: "expired-token";
    }
  | {
      /** 400 `IDPCommunicationError`. */
      kind: "idp-communication-error";
    }
  | {
      /** 403 `IDPRejectedClaim`. */
      kind: "idp-rejected-claim";
    };

/** The actions that issue credentials, which faults apply to. */
export type StsCredentialAction = "AssumeRole" | "AssumeRoleWithWebIdentity";

/**
 * What AssumeRoleWithWebIdentity accepts: the exact token expected, or a check of the token (return
 * `false` to answer `InvalidIdentityToken`).
 */
export type StsWebIdentityTokenCheck = string | ((token: string) => boolean);

/** Options of {@link startStsEmulator}. */
export interface StsEmulatorOptions {
  /**
   * The identities whose signatures are accepted. Credentials the emulator issued are accepted too
   * (so role chaining and `GetCallerIdentity` with issued credentials work).
   * @defaultValue `[]` — every request fails with `InvalidClientTokenId` until one is added.
   */
  baseCredentials?: readonly StsEmulatorCredential[];
  /**
   * Other emulators whose issued credentials sign requests here too, looked up at each request: e.g.
   * a Roles Anywhere emulator (`trustIssuedBy: [rolesAnywhere]`), to test a chain from a certificate
   * to a role in another account, where the base credential is only known once it is issued.
   * @defaultValue none
   */
  trustIssuedBy?: readonly StsEmulatorIssuer[];
  /**
   * Per-role rules, keyed by role ARN. When given, roles not listed are denied.
   * @defaultValue every role may be assumed, with no ExternalId check (unless {@link externalId} is set)
   */
  roles?: Readonly<Record<string, StsEmulatorRole>>;
  /** An ExternalId every role requires, unless its {@link roles} entry says otherwise. */
  externalId?: string;
  /** An MFA rule every role has, unless its {@link roles} entry has its own (see {@link StsEmulatorRole.mfa}). */
  mfa?: StsEmulatorMfa;
  /**
   * The clock that dates issued credentials (`Expiration = now + lifetime`).
   * @defaultValue {@link systemClock}
   */
  clock?: Clock;
  /**
   * Lifetime of issued credentials in ms. @defaultValue the request's `DurationSeconds` (STS default 3600 s)
   */
  lifetimeMs?: number;
  /** Host to listen on. Loopback only. @defaultValue `"127.0.0.1"` */
  host?: string;
  /**
   * The web identity token AssumeRoleWithWebIdentity accepts (or a check of it); any other token is
   * answered with `InvalidIdentityToken`.
   * @defaultValue any token of 4–20000 characters (STS's length bounds)
   */
  webIdentityToken?: StsWebIdentityTokenCheck;
  /**
   * Encoded authorization messages DecodeAuthorizationMessage knows, each with the decoded value it
   * answers (as JSON). Add more with {@link StsEmulator.encodeAuthorizationMessage}.
   * @defaultValue none: every message is `InvalidAuthorizationMessageException`
   */
  authorizationMessages?: Readonly<Record<string, unknown>>;
}

/**
 * One request the emulator received, with what it decided. Holds no secret access key. AssumeRole's
 * session options (tags, transitive tag keys, source identity, policies, the MFA device and code)
 * are recorded as sent.
 */
export interface StsRequestRecord extends StsSessionOptions {
  /** The `Action` form field, e.g. `"AssumeRole"`. */
  action: string;
  /** `RoleArn`, when sent. */
  roleArn?: string;
  /** `ExternalId`, when sent. */
  externalId?: string;
  /** `RoleSessionName`, when sent. */
  roleSessionName?: string;
  /** `DurationSeconds`, when sent. */
  durationSeconds?: number;
  /** The access key id from the `Authorization` header, when present. */
  accessKeyId?: string;
  /** The `X-Amz-Security-Token` header, when present. */
  sessionToken?: string;
  /**
   * SHA-256 (hex) of the `WebIdentityToken` sent to AssumeRoleWithWebIdentity, when sent. The
   * token itself is never recorded: it is a secret.
   */
  webIdentityTokenSha256?: string;
  /** `ProviderId`, when sent (OAuth 2.0 providers only). */
  providerId?: string;
  /** `EncodedMessage` sent to DecodeAuthorizationMessage, when sent. */
  encodedMessage?: string;
  /** The region in the signature's credential scope. */
  region?: string;
  /**
   * The `user-agent` header, when sent. The AWS SDK's (in Node) has an `m/…` part listing its feature
   * marks, among them those of the credential that signed the request.
   */
  userAgent?: string;
  /** Whether the SigV4 signature matched a known secret (`false` for unsigned AssumeRoleWithWebIdentity). */
  signatureValid: boolean;
  /** HTTP status answered (0 when the request was left hanging). */
  status: number;
  /** The STS error code answered, if any. */
  errorCode?: string;
  /** The request id answered (also in the `x-amzn-RequestId` header). */
  requestId: string;
}

/** A credential the emulator issued. */
export interface StsIssuedCredential {
  /** The issued access key id (`ASIA…`). */
  accessKeyId: string;
  /** The issued secret. */
  secretAccessKey: string;
  /** The issued session token. */
  sessionToken: string;
  /** When it expires, by the emulator's clock. */
  expiration: Date;
  /** The role that was assumed. */
  roleArn: string;
  /** The session name the caller sent. */
  roleSessionName: string;
  /** `arn:aws:sts::<account>:assumed-role/<name>/<session>` */
  assumedRoleArn: string;
  /** The action that issued it. */
  action: StsCredentialAction;
}

/** A running STS emulator. See {@link startStsEmulator}. */
export interface StsEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` — pass it as `endpoint`. */
  readonly endpoint: string;
  /** AssumeRole requests received (including rejected ones). */
  readonly calls: number;
  /** AssumeRoleWithWebIdentity requests received (including rejected ones). */
  readonly webIdentityCalls: number;
  /** AssumeRole requests per role ARN. */
  readonly callsByRole: ReadonlyMap<string, number>;
  /** Every request, oldest first (any action). */
  readonly requests: readonly StsRequestRecord[];
  /** The most recent request, if any. */
  readonly lastRequest: StsRequestRecord | undefined;
  /** Credentials issued so far, oldest first. */
  readonly issued: readonly StsIssuedCredential[];
  /** Lifetime of credentials issued from now on; `undefined` means the request's `DurationSeconds`. */
  lifetimeMs: number | undefined;
  /** Replaces the accepted base identities (e.g. to simulate a rotated or revoked key). */
  setBaseCredentials(credentials: readonly StsEmulatorCredential[]): void;
  /** Sets or clears (`undefined`) the rule for one role. */
  setRole(roleArn: string, role: StsEmulatorRole | undefined): void;
  /** Replaces the check of web identity tokens (see {@link StsEmulatorOptions.webIdentityToken}). */
  setWebIdentityToken(expected: StsWebIdentityTokenCheck | undefined): void;
  /**
   * Registers `decoded` and returns an encoded authorization message that DecodeAuthorizationMessage
   * answers with `JSON.stringify(decoded)`.
   */
  encodeAuthorizationMessage(decoded: unknown): string;
  /**
   * Makes the next `times` credential requests (AssumeRole and AssumeRoleWithWebIdentity, or only
   * `action`'s) fail with `fault`, queued after any faults already injected.
   * @param times - how many requests; `Infinity` for all. @defaultValue 1
   * @param action - only requests of this action take the fault. @defaultValue either
   */
  injectFault(fault: StsFault, times?: number, action?: StsCredentialAction): void;
  /** Drops all queued faults. */
  clearFaults(): void;
  /** Forgets counters, requests and issued credentials (keeps configuration). */
  reset(): void;
  /** Stops listening and destroys every open socket, hanging requests included. */
  close(): Promise<void>;
}

const STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/";
const DEFAULT_BASE_ARN = "arn:aws:iam::111122223333:user/emulated";
const MAX_BODY_BYTES = 64 * 1024;

/** An identity whose signatures are accepted (see {@link verifySignature}). @internal */
export interface KnownIdentity {
  secretAccessKey: string;
  sessionToken?: string;
  arn: string;
  account: string;
}

/**
 * Starts a real STS on 127.0.0.1 (an ephemeral port) speaking the query protocol the AWS SDK uses:
 * form-encoded `POST /` with `Action=AssumeRole&Version=2011-06-15…`, answered with
 * `AssumeRoleResponse` XML. It verifies each request's SigV4 signature (canonical request, HMAC
 * chain, `X-Amz-Security-Token`) against the known base secrets, checks `ExternalId`, counts calls,
 * dates credentials by its `clock`, and injects faults. `GetCallerIdentity` is answered too.
 *
 * `AssumeRoleWithWebIdentity` is unsigned, as in STS: the `WebIdentityToken` is checked against
 * {@link StsEmulatorOptions.webIdentityToken} instead, and only its SHA-256 is recorded.
 * `DecodeAuthorizationMessage` (signed) answers the messages registered with
 * {@link StsEmulatorOptions.authorizationMessages} or {@link StsEmulator.encodeAuthorizationMessage}.
 *
 * The emulator does not check `X-Amz-Date` against its clock, so a manual clock far from real time
 * works (the SDK signs with the wall clock).
 *
 * @param options - known identities, role rules, web identity token, clock and credential lifetime.
 * @returns the running emulator; call `close()` when done.
 * @example
 * ```ts
 * import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
 * import { fromAssumeRole } from "env-or-profile";
 * import { startStsEmulator } from "env-or-profile/testing";
 *
 * const base = { accessKeyId: "AKIAEXAMPLEBASE00001", secretAccessKey: "base-secret" };
 * const sts = await startStsEmulator({ baseCredentials: [base], externalId: "tenant-42" });
 * const credentials = fromAssumeRole({
 *   roleArn: "arn:aws:iam::123456789012:role/deploy",
 *   externalId: "tenant-42",
 *   endpoint: sts.endpoint,
 *   source: async () => base,
 * });
 * const client = new STSClient({ region: "us-east-1", endpoint: sts.endpoint, credentials });
 * await client.send(new GetCallerIdentityCommand({})); // signed with the assumed role
 * console.log(sts.calls); // 1
 * await sts.close();
 * ```
 * @example
 * Web identity (EKS IRSA) against the emulator:
 * ```ts
 * import { writeFileSync } from "node:fs";
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromWebIdentity, memoize } from "env-or-profile";
 * import { startStsEmulator } from "env-or-profile/testing";
 *
 * const sts = await startStsEmulator({ webIdentityToken: "eyJhbGciOi.example.token" });
 * writeFileSync("/tmp/token", "eyJhbGciOi.example.token");
 * const s3 = new S3Client({
 *   region: "us-east-1",
 *   credentials: memoize(
 *     fromWebIdentity({
 *       roleArn: "arn:aws:iam::123456789012:role/app",
 *       webIdentityTokenFile: "/tmp/token",
 *       endpoint: sts.endpoint,
 *     }),
 *   ),
 * });
 * ```
 */
export async function startStsEmulator(options: StsEmulatorOptions = {}): Promise<StsEmulator> {
  const clock = options.clock ?? systemClock;
  const host = options.host ?? "127.0.0.1";
  let base = new Map<string, KnownIdentity>();
  const issuedByKey = new Map<string, KnownIdentity>();
  const roles = new Map<string, StsEmulatorRole>(Object.entries(options.roles ?? {}));
  const restrictRoles = options.roles !== undefined;
  const faults: { fault: StsFault; remaining: number; action: StsCredentialAction | undefined }[] = [];
  const requests: StsRequestRecord[] = [];
  const issued: StsIssuedCredential[] = [];
  const callsByRole = new Map<string, number>();
  const usedMfaCodes = new Map<string, Set<string>>();
  const messages = new Map<string, string>(
    Object.entries(options.authorizationMessages ?? {}).map(([encoded, decoded]) => [encoded, JSON.stringify(decoded)]),
  );
  const sockets = new Set<Socket>();
  let expectedToken = options.webIdentityToken;
  let calls = 0;
  let webIdentityCalls = 0;
  let serial = 0;

  const setBase = (credentials: readonly StsEmulatorCredential[]): void => {
    base = new Map(
      credentials.map((c) => {
        const arn = c.arn ?? DEFAULT_BASE_ARN;
        const identity: KnownIdentity = {
          secretAccessKey: c.secretAccessKey,
          arn,
          account: accountOf(arn),
          ...(c.sessionToken === undefined ? {} : { sessionToken: c.sessionToken }),
        };
        return [c.accessKeyId, identity];
      }),
    );
  };
  setBase(options.baseCredentials ?? []);
  const issuers = [...(options.trustIssuedBy ?? [])];
  /** A credential one of {@link StsEmulatorOptions.trustIssuedBy} issued, as a known identity. */
  const issuedElsewhere = (keyId: string): KnownIdentity | undefined => {
    for (const issuer of issuers) {
      const found = issuer.issued.find((credential) => credential.accessKeyId === keyId);
      if (found !== undefined) {
        const arn = found.arn ?? DEFAULT_BASE_ARN;
        return { secretAccessKey: found.secretAccessKey, arn, account: accountOf(arn), ...(found.sessionToken === undefined ? {} : { sessionToken: found.sessionToken }) };
      }
    }
    return undefined;
  };

  const emulator: StsEmulator = {
    endpoint: "",
    get calls() {
      return calls;
    },
    get webIdentityCalls() {
      return webIdentityCalls;
    },
    get callsByRole() {
      return new Map(callsByRole);
    },
    get requests() {
      return [...requests];
    },
    get lastRequest() {
      return requests.at(-1);
    },
    get issued() {
      return [...issued];
    },
    lifetimeMs: options.lifetimeMs,
    setBaseCredentials: setBase,
    setRole(roleArn, role) {
      if (role === undefined) {
        roles.delete(roleArn);
      } else {
        roles.set(roleArn, role);
      }
    },
    setWebIdentityToken(expected) {
      expectedToken = expected;
    },
    encodeAuthorizationMessage(decoded) {
      const encoded = randomBytes(48).toString("base64url");
      messages.set(encoded, JSON.stringify(decoded));
      return encoded;
    },
    injectFault(fault, times = 1, action) {
      if (!(times > 0)) {
        throw new TypeError(`Expected \`times\` to be > 0, got ${String(times)}`);
      }
      faults.push({ fault, remaining: times, action });
    },
    clearFaults() {
      faults.length = 0;
    },
    reset() {
      calls = 0;
      webIdentityCalls = 0;
      callsByRole.clear();
      requests.length = 0;
      issued.length = 0;
    },
    close: async () => {
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  /** The first queued fault for `action`, used up by one. */
  const takeFault = (action: StsCredentialAction): StsFault | undefined => {
    const index = faults.findIndex((queued) => queued.action === undefined || queued.action === action);
    const queued = faults[index];
    if (queued === undefined) {
      return undefined;
    }
    queued.remaining -= 1;
    if (queued.remaining <= 0) {
      faults.splice(index, 1);
    }
    return queued.fault;
  };

  /**
   * Answers `fault` when it is one that replaces the answer; `"hang"` leaves the request open.
   * @returns whether the request is answered (or deliberately left hanging).
   */
  const answerFault = async (fault: StsFault | undefined, res: ServerResponse, record: StsRequestRecord, denied: () => void): Promise<boolean> => {
    switch (fault?.kind) {
      case undefined:
      case "missing-credentials":
        return false;
      case "hang":
        return true; // never answer; close() destroys the socket
      case "delay":
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        return false;
      case "access-denied":
        denied();
        return true;
      case "throttling":
        sendError(res, record, 400, "Sender", "Throttling", "Rate exceeded");
        return true;
      case "server-error": {
        const status = fault.status ?? 500;
        sendError(res, record, status, "Receiver", status === 503 ? "ServiceUnavailable" : "InternalFailure", "Service error");
        return true;
      }
      case "malformed":
        sendRaw(res, record, 200, "text/xml", `<${record.action}Response><${record.action}Result><Credentials><AccessKeyId>ASIA`);
        return true;
      case "invalid-identity-token":
        sendError(res, record, 400, "Sender", "InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements");
        return true;
      case "expired-token":
        sendError(res, record, 400, "Sender", "ExpiredTokenException", "Token expired: current date/time 1700000000 must be before the expiration date/time 1600000000");
        return true;
      case "idp-communication-error":
        sendError(res, record, 400, "Sender", "IDPCommunicationError", "Couldn't retrieve verification key from your identity provider");
        return true;
      case "idp-rejected-claim":
        sendError(res, record, 403, "Sender", "IDPRejectedClaim", "The identity provider rejected the claim");
        return true;
    }
  };

  /** Checks RoleArn, RoleSessionName and DurationSeconds as STS does; answers when one is wrong. */
  const checkRequest = (res: ServerResponse, record: StsRequestRecord): { roleArn: string; sessionName: string; duration: number } | undefined => {
    const { roleArn, roleSessionName: sessionName } = record;
    if (roleArn === undefined || !/^arn:[\w-]+:iam::\d{12}:role\/.+$/.test(roleArn)) {
      sendError(res, record, 400, "Sender", "ValidationError", "RoleArn is missing or invalid");
      return undefined;
    }
    if (sessionName === undefined || !/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      sendError(res, record, 400, "Sender", "ValidationError", "RoleSessionName is missing or invalid");
      return undefined;
    }
    const duration = record.durationSeconds ?? 3600;
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
      sendError(res, record, 400, "Sender", "ValidationError", "DurationSeconds must be between 900 and 43200");
      return undefined;
    }
    return { roleArn, sessionName, duration };
  };

  /** Issues a credential for the role, remembers it (so it can sign later requests) and answers it. */
  const issue = (
    res: ServerResponse,
    record: StsRequestRecord,
    action: StsCredentialAction,
    request: { roleArn: string; sessionName: string; duration: number },
    extraResultXml: string,
  ): void => {
    const { roleArn, sessionName, duration } = request;
    serial += 1;
    const account = accountOf(roleArn);
    const roleName = roleArn.slice(roleArn.lastIndexOf("/") + 1);
    const lifetimeMs = emulator.lifetimeMs ?? duration * 1000;
    const expiration = new Date(Math.floor((clock.now() + lifetimeMs) / 1000) * 1000);
    const credential: StsIssuedCredential = {
      accessKeyId: `ASIA${String(serial).padStart(6, "0")}${randomBytes(5).toString("hex").toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString("base64"),
      sessionToken: `FwoGZXIvYXdzE${randomBytes(48).toString("base64")}`,
      expiration,
      roleArn,
      roleSessionName: sessionName,
      assumedRoleArn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
      action,
    };
    issued.push(credential);
    issuedByKey.set(credential.accessKeyId, {
      secretAccessKey: credential.secretAccessKey,
      sessionToken: credential.sessionToken,
      arn: credential.assumedRoleArn,
      account,
    });
    const xml =
      `<${action}Response xmlns="${STS_NS}">\n  <${action}Result>\n${extraResultXml}` +
      `    <AssumedRoleUser>\n      <Arn>${escapeXml(credential.assumedRoleArn)}</Arn>\n` +
      `      <AssumedRoleId>AROA${String(serial).padStart(12, "0")}:${escapeXml(sessionName)}</AssumedRoleId>\n` +
      `    </AssumedRoleUser>\n    <Credentials>\n` +
      `      <AccessKeyId>${credential.accessKeyId}</AccessKeyId>\n` +
      `      <SecretAccessKey>${escapeXml(credential.secretAccessKey)}</SecretAccessKey>\n` +
      `      <SessionToken>${escapeXml(credential.sessionToken)}</SessionToken>\n` +
      `      <Expiration>${expiration.toISOString().replace(/\.\d{3}Z$/, "Z")}</Expiration>\n` +
      `    </Credentials>\n  </${action}Result>\n` +
      `  <ResponseMetadata>\n    <RequestId>${record.requestId}</RequestId>\n  </ResponseMetadata>\n</${action}Response>\n`;
    sendXml(res, record, 200, xml);
  };

  const missingCredentials = (res: ServerResponse, record: StsRequestRecord): void =>
    sendXml(
      res,
      record,
      200,
      `<${record.action}Response xmlns="${STS_NS}"><${record.action}Result></${record.action}Result>` +
        `<ResponseMetadata><RequestId>${record.requestId}</RequestId></ResponseMetadata></${record.action}Response>`,
    );

  /** AssumeRoleWithWebIdentity: unsigned; the token is the proof of identity. */
  const handleWebIdentity = async (form: URLSearchParams, res: ServerResponse, record: StsRequestRecord): Promise<void> => {
    webIdentityCalls += 1;
    const token = form.get("WebIdentityToken") ?? undefined;
    if (token !== undefined) {
      record.webIdentityTokenSha256 = sha256Hex(token);
    }
    assign(record, "providerId", form.get("ProviderId") ?? undefined);
    if (form.get("Version") !== "2011-06-15") {
      sendError(res, record, 400, "Sender", "InvalidParameterValue", "Version must be 2011-06-15");
      return;
    }
    const fault = takeFault("AssumeRoleWithWebIdentity");
    const denied = (): void =>
      sendError(res, record, 403, "Sender", "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
    if (await answerFault(fault, res, record, denied)) {
      return;
    }
    if (token === undefined || token.length < 4 || token.length > 20_000) {
      sendError(res, record, 400, "Sender", "ValidationError", "WebIdentityToken must be 4 to 20000 characters");
      return;
    }
    const request = checkRequest(res, record);
    if (request === undefined) {
      return;
    }
    if (!tokenAccepted(expectedToken, token)) {
      sendError(res, record, 400, "Sender", "InvalidIdentityToken", "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)");
      return;
    }
    if (restrictRoles && !roles.has(request.roleArn)) {
      denied();
      return;
    }
    const refused = checkSessionOptions(record, undefined, usedMfaCodes, "");
    if (refused !== undefined) {
      sendError(res, record, refused.status, "Sender", refused.code, refused.message);
      return;
    }
    if (fault?.kind === "missing-credentials") {
      missingCredentials(res, record);
      return;
    }
    issue(
      res,
      record,
      "AssumeRoleWithWebIdentity",
      request,
      sessionResultXml(record, escapeXml) +
      `    <SubjectFromWebIdentityToken>system:serviceaccount:default:emulated</SubjectFromWebIdentityToken>\n` +
        `    <Audience>sts.amazonaws.com</Audience>\n    <Provider>oidc.emulator.local</Provider>\n`,
    );
  };

  const deniedMessage = (caller: KnownIdentity, roleArn: string | undefined): string =>
    `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn ?? "(none)"}`;

  /** AssumeRole, signed by `caller`. */
  const handleAssumeRole = async (caller: KnownIdentity, res: ServerResponse, record: StsRequestRecord): Promise<void> => {
    const fault = takeFault("AssumeRole");
    const roleArn = record.roleArn;
    const denied = (): void => sendError(res, record, 403, "Sender", "AccessDenied", deniedMessage(caller, roleArn));
    if (await answerFault(fault, res, record, denied)) {
      return;
    }
    const request = checkRequest(res, record);
    if (request === undefined) {
      return;
    }
    const rule = roles.get(request.roleArn);
    if (restrictRoles && rule === undefined) {
      denied();
      return;
    }
    const refused = checkSessionOptions(record, rule?.mfa ?? options.mfa, usedMfaCodes, deniedMessage(caller, request.roleArn));
    if (refused !== undefined) {
      sendError(res, record, refused.status, "Sender", refused.code, refused.message);
      return;
    }
    const requiredExternalId = rule === undefined ? options.externalId : (rule.externalId ?? options.externalId);
    if (requiredExternalId !== undefined && record.externalId !== requiredExternalId) {
      denied();
      return;
    }
    if (fault?.kind === "missing-credentials") {
      missingCredentials(res, record);
      return;
    }
    issue(res, record, "AssumeRole", request, sessionResultXml(record, escapeXml));
  };

  /** DecodeAuthorizationMessage, signed: answers a registered message's decoded JSON. */
  const handleDecode = (form: URLSearchParams, res: ServerResponse, record: StsRequestRecord): void => {
    const encoded = form.get("EncodedMessage") ?? undefined;
    assign(record, "encodedMessage", encoded);
    const decoded = encoded === undefined ? undefined : messages.get(encoded);
    if (decoded === undefined) {
      sendError(res, record, 400, "Sender", "InvalidAuthorizationMessageException", "The encoded message is not valid");
      return;
    }
    sendXml(
      res,
      record,
      200,
      `<DecodeAuthorizationMessageResponse xmlns="${STS_NS}"><DecodeAuthorizationMessageResult>` +
        `<DecodedMessage>${escapeXml(decoded)}</DecodedMessage></DecodeAuthorizationMessageResult>` +
        `<ResponseMetadata><RequestId>${record.requestId}</RequestId></ResponseMetadata></DecodeAuthorizationMessageResponse>`,
    );
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const body = await readBody(req);
    const record: StsRequestRecord = { action: "", signatureValid: false, status: 0, requestId };
    requests.push(record);
    if (body === undefined) {
      sendError(res, record, 413, "Sender", "RequestEntityTooLarge", "Request body too large");
      return;
    }
    const form = new URLSearchParams(body.toString("utf8"));
    record.action = form.get("Action") ?? "";
    const field = (name: string): string | undefined => form.get(name) ?? undefined;
    assign(record, "roleArn", field("RoleArn"));
    assign(record, "externalId", field("ExternalId"));
    assign(record, "roleSessionName", field("RoleSessionName"));
    const durationText = field("DurationSeconds");
    if (durationText !== undefined) {
      record.durationSeconds = Number(durationText);
    }
    assign(record, "sessionToken", header(req, "x-amz-security-token"));
    assign(record, "userAgent", header(req, "user-agent"));
    if (record.action === "AssumeRole" || record.action === "AssumeRoleWithWebIdentity") {
      Object.assign(record, readSessionOptions(form));
    }

    if (record.action === "AssumeRoleWithWebIdentity") {
      await handleWebIdentity(form, res, record);
      return;
    }
    if (record.action === "AssumeRole") {
      calls += 1;
      if (record.roleArn !== undefined) {
        callsByRole.set(record.roleArn, (callsByRole.get(record.roleArn) ?? 0) + 1);
      }
    }

    // Authentication first, as STS does.
    const auth = verifySignature(req, body, (keyId) => base.get(keyId) ?? issuedByKey.get(keyId) ?? issuedElsewhere(keyId));
    assign(record, "accessKeyId", auth.accessKeyId);
    assign(record, "region", auth.region);
    if (!auth.ok) {
      sendError(res, record, 403, "Sender", auth.code, auth.message);
      return;
    }
    record.signatureValid = true;
    const caller = auth.identity;

    if (form.get("Version") !== "2011-06-15") {
      sendError(res, record, 400, "Sender", "InvalidParameterValue", "Version must be 2011-06-15");
      return;
    }
    switch (record.action) {
      case "GetCallerIdentity":
        sendXml(
          res,
          record,
          200,
          `<GetCallerIdentityResponse xmlns="${STS_NS}"><GetCallerIdentityResult>` +
            `<Arn>${escapeXml(caller.arn)}</Arn><UserId>${escapeXml(auth.accessKeyId)}</UserId>` +
            `<Account>${caller.account}</Account></GetCallerIdentityResult>` +
            `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        );
        return;
      case "AssumeRole":
        await handleAssumeRole(caller, res, record);
        return;
      case "DecodeAuthorizationMessage":
        handleDecode(form, res, record);
        return;
      default:
        sendError(res, record, 400, "Sender", "InvalidAction", `Could not find operation ${record.action}`);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.statusCode = 500;
        res.end(String(error));
      }
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  Object.defineProperty(emulator, "endpoint", { value: `http://${host}:${port}`, enumerable: true });
  return emulator;
}

/** Whether `token` passes `expected`: equal (in constant time) to a string, or accepted by a function. */
function tokenAccepted(expected: StsWebIdentityTokenCheck | undefined, token: string): boolean {
  if (expected === undefined) {
    return true;
  }
  if (typeof expected === "function") {
    return expected(token);
  }
  const a = createHash("sha256").update(expected).digest();
  const b = createHash("sha256").update(token).digest();
  return timingSafeEqual(a, b);
}

/** What {@link verifySignature} found. @internal */
export type AuthResult =
  | { ok: true; identity: KnownIdentity; accessKeyId: string; region: string }
  | { ok: false; code: string; message: string; accessKeyId?: string; region?: string };

/**
 * Verifies an AWS Signature Version 4 `Authorization` header: rebuilds the canonical request from
 * the signed headers, method, path, query and body hash, then the string to sign and the HMAC chain
 * `AWS4<secret>` → date → region → service → `aws4_request`, and compares in constant time.
 * Exported for the other signed test doubles (the SDK plugin's tests).
 * @internal
 */
export function verifySignature(
  req: IncomingMessage,
  body: Buffer,
  lookup: (accessKeyId: string) => KnownIdentity | undefined,
): AuthResult {
  const authorization = header(req, "authorization");
  if (authorization === undefined) {
    return { ok: false, code: "MissingAuthenticationToken", message: "Request is missing Authentication Token" };
  }
  const match = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(
    authorization.trim(),
  );
  if (match === null) {
    return { ok: false, code: "IncompleteSignature", message: "Authorization header is malformed" };
  }
  const [, accessKeyId = "", date = "", region = "", service = "", signedHeaderList = "", signature = ""] = match;
  const identity = lookup(accessKeyId);
  const signedHeaders = signedHeaderList.split(";");
  const token = header(req, "x-amz-security-token");
  // An unknown key id, or a known one whose session token is missing, wrong or unsigned.
  if (
    identity === undefined ||
    (identity.sessionToken !== undefined && (token !== identity.sessionToken || !signedHeaders.includes("x-amz-security-token")))
  ) {
    return {
      ok: false,
      code: "InvalidClientTokenId",
      message: "The security token included in the request is invalid.",
      accessKeyId,
      region,
    };
  }
  const amzDate = header(req, "x-amz-date");
  if (amzDate === undefined || !amzDate.startsWith(date) || !signedHeaders.includes("host")) {
    return { ok: false, code: "IncompleteSignature", message: "X-Amz-Date or host is missing or unsigned", accessKeyId, region };
  }
  const url = new URL(req.url ?? "/", "http://localhost");
  const canonicalQuery = [...url.searchParams.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? compare(av, bv) : compare(a, b)))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${(header(req, name) ?? "").trim().replace(/\s+/g, " ")}\n`).join("");
  const payloadHash = header(req, "x-amz-content-sha256") ?? sha256Hex(body);
  const canonicalRequest = [
    req.method ?? "POST",
    url.pathname === "" ? "/" : url.pathname,
    canonicalQuery,
    canonicalHeaders,
    signedHeaderList,
    payloadHash,
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
  let key = hmac(`AWS4${identity.secretAccessKey}`, date);
  for (const part of [region, service, "aws4_request"]) {
    key = hmac(key, part);
  }
  const expected = createHmac("sha256", key).update(stringToSign, "utf8").digest();
  const given = Buffer.from(signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      code: "SignatureDoesNotMatch",
      message:
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
      accessKeyId,
      region,
    };
  }
  return { ok: true, identity, accessKeyId, region };
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function assign<K extends keyof StsRequestRecord>(record: StsRequestRecord, key: K, value: StsRequestRecord[K] | undefined): void {
  if (value !== undefined) {
    record[key] = value;
  }
}

function accountOf(arn: string): string {
  return /^arn:[\w-]+:[\w-]+:[\w-]*:(\d{12}):/.exec(arn)?.[1] ?? "111122223333";
}

function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      return undefined;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function sendRaw(res: ServerResponse, record: StsRequestRecord, status: number, type: string, body: string): void {
  record.status = status;
  res.writeHead(status, {
    "content-type": type,
    "content-length": Buffer.byteLength(body),
    "x-amzn-requestid": record.requestId,
  });
  res.end(body);
}

function sendXml(res: ServerResponse, record: StsRequestRecord, status: number, xml: string): void {
  sendRaw(res, record, status, "text/xml", xml);
}

function sendError(
  res: ServerResponse,
  record: StsRequestRecord,
  status: number,
  type: "Sender" | "Receiver",
  code: string,
  message: string,
): void {
  record.errorCode = code;
  sendXml(
    res,
    record,
    status,
    `<ErrorResponse xmlns="${STS_NS}">\n  <Error>\n    <Type>${type}</Type>\n    <Code>${code}</Code>\n` +
      `    <Message>${escapeXml(message)}</Message>\n  </Error>\n  <RequestId>${record.requestId}</RequestId>\n</ErrorResponse>\n`,
  );
}
