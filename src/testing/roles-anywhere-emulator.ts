import { X509Certificate } from "node:crypto";
import http from "node:http";
import { systemClock, type Clock } from "../clock.js";
import { parseRoleArn, ROLE_SESSION_NAME_PATTERN } from "../providers/sts/role-checks.js";
import { validityWindow } from "../providers/roles-anywhere/certificate-validity.js";
import { parsePemBlocks } from "../providers/roles-anywhere/parse-pem-blocks.js";
import { parseRolesAnywhereArn, type RolesAnywhereArn } from "../providers/roles-anywhere/parse-roles-anywhere-arn.js";
import { createEmulatorServer, fakeCredentialText, FaultQueue, isoSeconds, resetConnection, sendHugeBody } from "./emulator-server.js";
import { verifyCertificateChain } from "./verify-certificate-chain.js";
import { verifyX509Request } from "./verify-x509-request.js";

/** A trust anchor of the emulated service: the CA certificates a signing certificate must lead to. */
export interface RolesAnywhereEmulatorTrustAnchor {
  /** `arn:<partition>:rolesanywhere:<region>:<account>:trust-anchor/<id>`. Its region is the region requests must be signed for. */
  arn: string;
  /** PEM text with one or more CA certificates (text around the PEM blocks, such as `openssl x509 -text` output, is ignored). */
  certificates: string;
  /** A disabled trust anchor refuses every request (`AccessDeniedException`). @defaultValue `true` */
  enabled?: boolean;
}

/** A profile of the emulated service: the roles it may hand out. */
export interface RolesAnywhereEmulatorProfile {
  /** `arn:<partition>:rolesanywhere:<region>:<account>:profile/<id>`. */
  arn: string;
  /** The role ARNs a session may be created for; any other is `AccessDeniedException`. */
  roleArns: readonly string[];
  /**
   * The profile's session lifetime in seconds (900–43200): a request without `durationSeconds` gets
   * it, and none gets more. @defaultValue none: the request decides (3600 when it does not say)
   */
  durationSeconds?: number;
  /** Whether a request may name its `roleSessionName`; if not, one that does is a `ValidationException`. @defaultValue `true` */
  acceptRoleSessionName?: boolean;
  /** A disabled profile refuses every request (`AccessDeniedException`). @defaultValue `true` */
  enabled?: boolean;
}

/**
 * A fault the emulator plays instead of its normal answer (after counting and recording the request):
 * - a number: that status with the service's error shape — `429` as `ThrottlingException`, `403`
 *   as `AccessDeniedException`, `404` as `ResourceNotFoundException`, `400` as
 *   `ValidationException`, any other as `InternalServerException`;
 * - `"hang"`: accept the request and never answer (`close()` still ends it);
 * - `"reset"`: destroy the connection without an answer;
 * - `"huge"`: status 201 with a 1 MiB body streamed without `Content-Length`;
 * - `"bad-json"`: status 201 with the normal body cut short (still carrying a fresh secret key and
 *   token, to check they are not echoed in errors);
 * - `"expired"`: status 201 with a credential whose `expiration` is an hour in the past;
 * - `"missing-fields"`: status 201 with `sessionToken` and `expiration` left out;
 * - `"echo-secrets"`: status 500 with a message quoting the last issued secret key and token (to
 *   check that server text never reaches an error unscrubbed);
 * - an object: a custom `status` (default 201) and/or `body` (default the normal answer), extra
 *   `headers`, an `errorType` sent as `X-Amzn-ErrorType`, a `delayMs` before answering.
 */
export type RolesAnywhereEmulatorFault =
  | number
  | "hang"
  | "reset"
  | "huge"
  | "bad-json"
  | "expired"
  | "missing-fields"
  | "echo-secrets"
  | {
      /** The status to answer. @defaultValue 201 */
      status?: number;
      /** The body to answer. @defaultValue the normal answer */
      body?: string;
      /** Extra response headers. */
      headers?: Readonly<Record<string, string>>;
      /** Sent as `X-Amzn-ErrorType`. */
      errorType?: string;
      /** Wait this long (a real timer) before answering. */
      delayMs?: number;
    };

/** How many times a fault plays. */
export interface RolesAnywhereEmulatorFaultOptions {
  /** Plays this many times, then the normal answer returns. @defaultValue `Infinity` (always) */
  times?: number;
}

/** A credential the emulator issued. Carries secrets: a test tool only. */
export interface RolesAnywhereEmulatorCredential {
  /** `accessKeyId` (`ASIA…`). */
  accessKeyId: string;
  /** `secretAccessKey`. */
  secretAccessKey: string;
  /** `sessionToken`. */
  sessionToken: string;
  /** `expiration`. */
  expiration: Date;
  /** The role the session is for. */
  roleArn: string;
  /** The session name: the one asked for, else the certificate's serial number in hex. */
  roleSessionName: string;
  /** The signing certificate's serial number, in decimal. */
  serialNumber: string;
}

/** One request the emulator received, with what it decided. Holds no secret. */
export interface RolesAnywhereEmulatorRequest {
  /** The HTTP method. */
  method: string;
  /** The path and query as received. */
  path: string;
  /** `trustAnchorArn` (query or body), when sent. */
  trustAnchorArn?: string;
  /** `profileArn`, when sent. */
  profileArn?: string;
  /** `roleArn`, when sent. */
  roleArn?: string;
  /** `durationSeconds`, when sent. */
  durationSeconds?: number;
  /** `roleSessionName`, when sent. */
  roleSessionName?: string;
  /** The signature's algorithm, when the `Authorization` header could be read. */
  algorithm?: "AWS4-X509-RSA-SHA256" | "AWS4-X509-ECDSA-SHA256";
  /** The `Credential` of the signature: the certificate's serial number in decimal. */
  serialNumber?: string;
  /** The region of the signature's scope. */
  region?: string;
  /** How many certificates `X-Amz-X509-Chain` carried. */
  chainLength: number;
  /** Whether the X.509 signature verified (`false` when a fault answered first). */
  signatureValid: boolean;
  /** The status answered (0 for a hang or a reset). */
  status: number;
  /** The `X-Amzn-ErrorType` answered, if any. */
  errorType?: string;
  /** Why the request was refused, in the emulator's words. */
  reason?: string;
  /** The access key id issued, on success. */
  accessKeyId?: string;
}

/** Options of {@link startRolesAnywhereEmulator}. */
export interface RolesAnywhereEmulatorOptions {
  /** The trust anchors. @defaultValue none: every request is `ResourceNotFoundException` until one is set */
  trustAnchors?: readonly RolesAnywhereEmulatorTrustAnchor[];
  /** The profiles. @defaultValue none */
  profiles?: readonly RolesAnywhereEmulatorProfile[];
  /** The emulator's time: certificate validity, `X-Amz-Date` skew, expirations. @defaultValue `systemClock` */
  clock?: Clock;
  /** How far `X-Amz-Date` may be from the emulator's time, in ms. @defaultValue 300_000 (5 minutes, as AWS) */
  maxClockSkewMs?: number;
  /**
   * Issue every credential for this long instead of the session's duration (e.g. to drive refreshes
   * in a test). @defaultValue the granted `durationSeconds`
   */
  credentialLifetimeMs?: number;
  /** Seeds the deterministic fake credentials. @defaultValue the port */
  seed?: string;
}

/**
 * A running Roles Anywhere emulator; see {@link startRolesAnywhereEmulator}. Credentials rotate as
 * the service's do: every session gets a fresh one; {@link RolesAnywhereEmulator.credentialLifetimeMs}
 * makes them short-lived, to drive refreshes.
 *
 * @example
 * ```ts
 * import { startRolesAnywhereEmulator } from "env-or-profile/testing";
 *
 * declare const caPem: string;
 * const rolesAnywhere = await startRolesAnywhereEmulator({
 *   trustAnchors: [{ arn: "arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/6b0e5d1e-0000-4000-8000-000000000001", certificates: caPem }],
 *   profiles: [{ arn: "arn:aws:rolesanywhere:eu-west-1:123456789012:profile/6b0e5d1e-0000-4000-8000-000000000002", roleArns: ["arn:aws:iam::123456789012:role/app"] }],
 * });
 * rolesAnywhere.failOnce(429); // the next CreateSession is throttled
 * console.log(rolesAnywhere.sessionCount, rolesAnywhere.requests.length);
 * await rolesAnywhere.close();
 * ```
 */
export interface RolesAnywhereEmulator {
  /** The base URL to pass as `endpoint`, e.g. `http://127.0.0.1:49152`. */
  readonly endpoint: string;
  /** Requests received (faulted and refused ones included). */
  readonly requestCount: number;
  /** Sessions created (201 answers with a fresh credential). */
  readonly sessionCount: number;
  /** Every request received, oldest first. No secrets. */
  readonly requests: readonly RolesAnywhereEmulatorRequest[];
  /** Every credential issued, oldest first. **Carries secrets** — for assertions in tests only. */
  readonly issued: readonly RolesAnywhereEmulatorCredential[];
  /** The last credential issued, if any. **Carries secrets.** */
  readonly current: RolesAnywhereEmulatorCredential | undefined;
  /** Lifetime of credentials issued from now on; `undefined` means the granted duration. */
  credentialLifetimeMs: number | undefined;
  /** Adds or replaces a trust anchor (by ARN). */
  setTrustAnchor(anchor: RolesAnywhereEmulatorTrustAnchor): void;
  /** Removes a trust anchor: requests naming it get `ResourceNotFoundException`. */
  removeTrustAnchor(arn: string): void;
  /** Adds or replaces a profile (by ARN). */
  setProfile(profile: RolesAnywhereEmulatorProfile): void;
  /** Removes a profile. */
  removeProfile(arn: string): void;
  /** Plays `fault` for the next requests (all of them, or `times`), queued after earlier faults. */
  fail(fault: RolesAnywhereEmulatorFault, options?: RolesAnywhereEmulatorFaultOptions): void;
  /** `fail(fault, { times: 1 })`. */
  failOnce(fault: RolesAnywhereEmulatorFault): void;
  /** Removes every fault. */
  clearFaults(): void;
  /** Forgets the counts, the request records and the issued credentials (keeps the configuration). */
  resetCounts(): void;
  /** Stops the server, ending hanging requests. Idempotent. */
  close(): Promise<void>;
}

/** The emulator's default allowed `X-Amz-Date` skew: 5 minutes, as AWS's SigV4 services allow. */
export const DEFAULT_ROLES_ANYWHERE_EMULATOR_MAX_SKEW_MS = 5 * 60 * 1000;

const MAX_BODY_BYTES = 64 * 1024;
const MIN_DURATION = 900;
const MAX_DURATION = 43_200;
/** The service's session lifetime when neither the request nor the profile names one. */
const DEFAULT_DURATION = 3600;

interface Anchor {
  readonly arn: RolesAnywhereArn;
  readonly cas: readonly X509Certificate[];
  readonly enabled: boolean;
}

interface Profile {
  readonly arn: RolesAnywhereArn;
  readonly roleArns: readonly string[];
  readonly durationSeconds: number | undefined;
  readonly acceptRoleSessionName: boolean;
  readonly enabled: boolean;
}

/** A refusal in the service's shape. */
class Refusal {
  constructor(
    readonly status: number,
    readonly errorType: string,
    readonly message: string,
  ) {}
}

/**
 * Starts an emulated IAM Roles Anywhere `CreateSession` on `127.0.0.1` (an ephemeral port), for
 * testing code that authenticates with X.509 certificates — a real HTTP server, so the code under
 * test runs its real signer and transport.
 *
 * Like the service, it answers `POST /sessions?profileArn=…&roleArn=…&trustAnchorArn=…` (the ARNs
 * may be in the JSON body instead) only after checking, in order:
 * - the X.509 signature: `AWS4-X509-RSA-SHA256` or `AWS4-X509-ECDSA-SHA256`, recomputed from the
 *   request as received and verified with the `X-Amz-X509` certificate's public key; the
 *   `Credential` equal to its serial number in decimal; the scope's service `rolesanywhere`;
 *   `X-Amz-Date` within {@link RolesAnywhereEmulatorOptions.maxClockSkewMs} of its clock;
 * - the trust anchor and profile exist (`ResourceNotFoundException`), are enabled, share the
 *   scope's region (`AccessDeniedException`);
 * - the chain: leaf ← `X-Amz-X509-Chain` intermediates ← one of the trust anchor's CA certificates,
 *   every certificate within its validity window on the emulator's clock (`AccessDeniedException`);
 * - the role is one of the profile's (`AccessDeniedException`);
 * - `durationSeconds` within 900–43200 and `roleSessionName` well-formed and accepted by the
 *   profile (`ValidationException`).
 * A success is `201` with `credentialSet[0]` (`credentials`, `assumedRoleUser`, `roleArn`,
 * `sourceIdentity`) and `subjectArn`; the credential is fresh for every session, deterministic from
 * the seed, and expires after the granted duration (the request's, at most the profile's), never
 * after the certificate. Errors carry `X-Amzn-ErrorType` and `{ "message": … }`.
 *
 * @param options - trust anchors, profiles, clock, skew, lifetimes.
 * @returns the running emulator; `close()` it when done.
 * @throws TypeError for a malformed trust anchor or profile (an ARN, a CA PEM without certificates).
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromRolesAnywhere, memoize } from "env-or-profile";
 * import { startRolesAnywhereEmulator } from "env-or-profile/testing";
 *
 * declare const caPem: string; // the CA that issued the test certificate
 * const trustAnchorArn = "arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/6b0e5d1e-0000-4000-8000-000000000001";
 * const profileArn = "arn:aws:rolesanywhere:eu-west-1:123456789012:profile/6b0e5d1e-0000-4000-8000-000000000002";
 * const roleArn = "arn:aws:iam::123456789012:role/app";
 * const rolesAnywhere = await startRolesAnywhereEmulator({
 *   trustAnchors: [{ arn: trustAnchorArn, certificates: caPem }],
 *   profiles: [{ arn: profileArn, roleArns: [roleArn] }],
 * });
 * const credentials = memoize(
 *   fromRolesAnywhere({ certificate: "test/host.pem", privateKey: "test/host.key", trustAnchorArn, profileArn, roleArn, endpoint: rolesAnywhere.endpoint }),
 * );
 * const s3 = new S3Client({ region: "eu-west-1", credentials });
 * await credentials();
 * console.log(rolesAnywhere.sessionCount); // 1
 * await rolesAnywhere.close();
 * ```
 */
export async function startRolesAnywhereEmulator(options: RolesAnywhereEmulatorOptions = {}): Promise<RolesAnywhereEmulator> {
  const clock = options.clock ?? systemClock;
  const maxSkewMs = options.maxClockSkewMs ?? DEFAULT_ROLES_ANYWHERE_EMULATOR_MAX_SKEW_MS;
  const anchors = new Map<string, Anchor>();
  const profiles = new Map<string, Profile>();
  for (const anchor of options.trustAnchors ?? []) anchors.set(anchor.arn, toAnchor(anchor));
  for (const profile of options.profiles ?? []) profiles.set(profile.arn, toProfile(profile));

  const faults = new FaultQueue<RolesAnywhereEmulatorFault>();
  const server = createEmulatorServer(handle);
  const records: RolesAnywhereEmulatorRequest[] = [];
  const issued: RolesAnywhereEmulatorCredential[] = [];
  let sequence = 0;

  const emulator = {
    endpoint: "",
    credentialLifetimeMs: options.credentialLifetimeMs,
    get requestCount(): number {
      return records.length;
    },
    get sessionCount(): number {
      return issued.length;
    },
    get requests(): readonly RolesAnywhereEmulatorRequest[] {
      return records.map((record) => ({ ...record }));
    },
    get issued(): readonly RolesAnywhereEmulatorCredential[] {
      return issued.map((credential) => ({ ...credential }));
    },
    get current(): RolesAnywhereEmulatorCredential | undefined {
      const last = issued.at(-1);
      return last === undefined ? undefined : { ...last };
    },
    setTrustAnchor(anchor: RolesAnywhereEmulatorTrustAnchor): void {
      anchors.set(anchor.arn, toAnchor(anchor));
    },
    removeTrustAnchor(arn: string): void {
      anchors.delete(arn);
    },
    setProfile(profile: RolesAnywhereEmulatorProfile): void {
      profiles.set(profile.arn, toProfile(profile));
    },
    removeProfile(arn: string): void {
      profiles.delete(arn);
    },
    fail(fault: RolesAnywhereEmulatorFault, faultOptions: RolesAnywhereEmulatorFaultOptions = {}): void {
      faults.push(fault, faultOptions.times);
    },
    failOnce(fault: RolesAnywhereEmulatorFault): void {
      faults.push(fault, 1);
    },
    clearFaults(): void {
      faults.clear();
    },
    resetCounts(): void {
      records.length = 0;
      issued.length = 0;
    },
    close: () => server.close(),
  } satisfies RolesAnywhereEmulator;

  /** A fresh fake credential (not recorded as issued: faults use it too). */
  function mint(roleArn: string, roleSessionName: string, serialNumber: string, expiration: Date): RolesAnywhereEmulatorCredential {
    sequence += 1;
    const fake = (label: string, length: number, alphabet: "upper" | "base64"): string =>
      fakeCredentialText(`roles-anywhere:${options.seed ?? String(server.port)}:${sequence}:${label}`, length, alphabet);
    return {
      accessKeyId: `ASIA${fake("key", 16, "upper")}`,
      secretAccessKey: `raSecret/${fake("secret", 31, "base64")}`,
      sessionToken: `IQoJb3JpZ2luX2VjRolesAnywhere${fake("token", 160, "base64")}`,
      expiration: new Date(Math.floor(expiration.getTime() / 1000) * 1000),
      roleArn,
      roleSessionName,
      serialNumber,
    };
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.on("error", () => {});
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => {
      const record: RolesAnywhereEmulatorRequest = { method: req.method ?? "", path: req.url ?? "/", chainLength: 0, signatureValid: false, status: 0 };
      records.push(record);
      const fault = faults.take();
      if (fault !== undefined) {
        play(req, res, fault, record);
        return;
      }
      if (tooLarge) {
        answerError(res, record, new Refusal(413, "ValidationException", "Request body too large"));
        return;
      }
      const outcome = createSession(req, Buffer.concat(chunks).toString("utf8"), record);
      if (outcome instanceof Refusal) answerError(res, record, outcome);
      else answer(res, record, 201, {}, JSON.stringify(outcome));
    });
  }

  /** The normal answer to a request: the session document, or the refusal the service would give. */
  function createSession(req: http.IncomingMessage, body: string, record: RolesAnywhereEmulatorRequest): Record<string, unknown> | Refusal {
    const target = new URL(req.url ?? "/", "http://emulator.invalid");
    if (req.method !== "POST" || target.pathname !== "/sessions") {
      return new Refusal(404, "ResourceNotFoundException", `No operation at ${req.method ?? ""} ${target.pathname}; CreateSession is POST /sessions`);
    }
    let document: Record<string, unknown> = {};
    if (body.trim() !== "") {
      try {
        const parsed: unknown = JSON.parse(body);
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return new Refusal(400, "ValidationException", "The request body must be a JSON object");
        document = parsed as Record<string, unknown>;
      } catch {
        return new Refusal(400, "ValidationException", "The request body is not valid JSON");
      }
    }
    const field = (name: string): string | undefined => {
      const value = target.searchParams.get(name) ?? document[name];
      return typeof value === "string" ? value : undefined;
    };
    const trustAnchorArn = field("trustAnchorArn");
    const profileArn = field("profileArn");
    const roleArn = field("roleArn");
    const durationSeconds = document["durationSeconds"];
    const roleSessionName = document["roleSessionName"];
    Object.assign(record, {
      ...(trustAnchorArn === undefined ? {} : { trustAnchorArn }),
      ...(profileArn === undefined ? {} : { profileArn }),
      ...(roleArn === undefined ? {} : { roleArn }),
      ...(typeof durationSeconds === "number" ? { durationSeconds } : {}),
      ...(typeof roleSessionName === "string" ? { roleSessionName } : {}),
    });

    const nowMs = clock.now();
    const verdict = verifyX509Request({ method: req.method ?? "", target: req.url ?? "/", headers: req.headers, body }, { nowMs, maxSkewMs, service: "rolesanywhere" });
    if (verdict.serialNumber !== undefined) record.serialNumber = verdict.serialNumber;
    if (verdict.region !== undefined) record.region = verdict.region;
    if (!verdict.ok) return new Refusal(403, "AccessDeniedException", verdict.reason);
    Object.assign(record, { signatureValid: true, algorithm: verdict.algorithm, chainLength: verdict.chain.length });

    if (trustAnchorArn === undefined || profileArn === undefined || roleArn === undefined) {
      return new Refusal(400, "ValidationException", "profileArn, roleArn and trustAnchorArn are required");
    }
    const anchor = anchors.get(trustAnchorArn);
    if (anchor === undefined) return new Refusal(404, "ResourceNotFoundException", `Trust anchor ${trustAnchorArn} not found`);
    const profile = profiles.get(profileArn);
    if (profile === undefined) return new Refusal(404, "ResourceNotFoundException", `Profile ${profileArn} not found`);
    if (anchor.arn.region !== verdict.region || profile.arn.region !== verdict.region) {
      return new Refusal(403, "AccessDeniedException", `Credential should be scoped to the trust anchor's and profile's region, not ${verdict.region}`);
    }
    if (!anchor.enabled) return new Refusal(403, "AccessDeniedException", `Trust anchor ${trustAnchorArn} is disabled`);
    if (!profile.enabled) return new Refusal(403, "AccessDeniedException", `Profile ${profileArn} is disabled`);
    const chain = verifyCertificateChain(verdict.certificate, verdict.chain, anchor.cas, nowMs);
    if (!chain.ok) return new Refusal(403, "AccessDeniedException", `Untrusted signing certificate: ${chain.reason}`);
    if (!profile.roleArns.includes(roleArn)) {
      return new Refusal(403, "AccessDeniedException", `Unable to assume role ${roleArn}: it is not one of the roles of profile ${profileArn}`);
    }
    if (durationSeconds !== undefined && (typeof durationSeconds !== "number" || !Number.isInteger(durationSeconds) || durationSeconds < MIN_DURATION || durationSeconds > MAX_DURATION)) {
      return new Refusal(400, "ValidationException", `durationSeconds must be a whole number from ${MIN_DURATION} to ${MAX_DURATION}`);
    }
    if (roleSessionName !== undefined) {
      if (typeof roleSessionName !== "string" || !ROLE_SESSION_NAME_PATTERN.test(roleSessionName)) {
        return new Refusal(400, "ValidationException", "roleSessionName must be 2-64 characters of [A-Za-z0-9_+=,.@-]");
      }
      if (!profile.acceptRoleSessionName) return new Refusal(400, "ValidationException", `Profile ${profileArn} does not accept a custom roleSessionName`);
    }

    const asked = typeof durationSeconds === "number" ? durationSeconds : (profile.durationSeconds ?? DEFAULT_DURATION);
    const granted = Math.min(asked, profile.durationSeconds ?? MAX_DURATION);
    const lifetimeMs = emulator.credentialLifetimeMs ?? granted * 1000;
    const expiresMs = Math.min(nowMs + lifetimeMs, validityWindow(verdict.certificate).notAfter);
    const sessionName = typeof roleSessionName === "string" ? roleSessionName : verdict.certificate.serialNumber.toLowerCase();
    const credential = mint(roleArn, sessionName, verdict.serialNumber, new Date(expiresMs));
    issued.push(credential);
    record.accessKeyId = credential.accessKeyId;
    return sessionDocument(credential, anchor.arn, verdict.certificate);
  }

  function sessionDocument(credential: RolesAnywhereEmulatorCredential, anchor: RolesAnywhereArn, certificate: X509Certificate | undefined): Record<string, unknown> {
    const role = parseRoleArn(credential.roleArn);
    return {
      credentialSet: [
        {
          assumedRoleUser: {
            arn: `arn:${role.partition}:sts::${role.accountId}:assumed-role/${role.roleName}/${credential.roleSessionName}`,
            assumedRoleId: `AROA${fakeCredentialText(credential.roleArn, 17, "upper")}:${credential.roleSessionName}`,
          },
          credentials: {
            accessKeyId: credential.accessKeyId,
            expiration: isoSeconds(credential.expiration),
            secretAccessKey: credential.secretAccessKey,
            sessionToken: credential.sessionToken,
          },
          packedPolicySize: 0,
          roleArn: credential.roleArn,
          sourceIdentity: certificate === undefined ? "CN=emulated" : certificate.subject.split("\n").reverse().join(","),
        },
      ],
      subjectArn: `arn:${anchor.partition}:rolesanywhere:${anchor.region}:${anchor.accountId}:subject/${fakeCredentialText(`subject:${credential.serialNumber}`, 32, "upper").toLowerCase()}`,
    };
  }

  function answer(res: http.ServerResponse, record: RolesAnywhereEmulatorRequest, status: number, headers: Readonly<Record<string, string>>, body: string): void {
    record.status = status;
    if (res.destroyed) return;
    res.writeHead(status, {
      "content-type": "application/json",
      "x-amzn-requestid": fakeCredentialText(`request:${records.length}`, 32, "upper").toLowerCase(),
      ...headers,
      "content-length": String(Buffer.byteLength(body)),
    });
    res.end(body);
  }

  function answerError(res: http.ServerResponse, record: RolesAnywhereEmulatorRequest, refusal: Refusal): void {
    record.errorType = refusal.errorType;
    record.reason = refusal.message;
    answer(res, record, refusal.status, { "x-amzn-errortype": refusal.errorType }, JSON.stringify({ message: refusal.message }));
  }

  /** A credential for a fault's body, dated by the emulator's clock; recorded as issued (its secrets may be echoed). */
  function faultCredential(expiration: Date): { credential: RolesAnywhereEmulatorCredential; document: Record<string, unknown> } {
    const anchor = anchors.values().next().value?.arn ?? parseRolesAnywhereArn("arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/emulated", "trust-anchor", "arn");
    const credential = mint("arn:aws:iam::123456789012:role/emulated", "emulated", "0", expiration);
    return { credential, document: sessionDocument(credential, anchor, undefined) };
  }

  function play(req: http.IncomingMessage, res: http.ServerResponse, fault: RolesAnywhereEmulatorFault, record: RolesAnywhereEmulatorRequest): void {
    if (typeof fault === "number") {
      const errorType =
        fault === 429 ? "ThrottlingException" : fault === 403 ? "AccessDeniedException" : fault === 404 ? "ResourceNotFoundException" : fault === 400 ? "ValidationException" : "InternalServerException";
      answerError(res, record, new Refusal(fault, errorType, "Injected fault"));
      return;
    }
    const nowMs = clock.now();
    switch (fault) {
      case "hang":
        return;
      case "reset":
        resetConnection(req);
        return;
      case "huge":
        record.status = 201;
        sendHugeBody(res, "application/json");
        return;
      case "bad-json": {
        const body = JSON.stringify(faultCredential(new Date(nowMs + 3_600_000)).document);
        answer(res, record, 201, {}, body.slice(0, Math.max(1, body.length - 20)));
        return;
      }
      case "expired": {
        answer(res, record, 201, {}, JSON.stringify(faultCredential(new Date(nowMs - 3_600_000)).document));
        return;
      }
      case "missing-fields": {
        const { document } = faultCredential(new Date(nowMs + 3_600_000));
        const set = document["credentialSet"] as [{ credentials: Record<string, unknown> }];
        delete set[0].credentials["sessionToken"];
        delete set[0].credentials["expiration"];
        answer(res, record, 201, {}, JSON.stringify(document));
        return;
      }
      case "echo-secrets": {
        const last = issued.at(-1) ?? faultCredential(new Date(nowMs + 3_600_000)).credential;
        answerError(
          res,
          record,
          new Refusal(500, "InternalServerException", `failed to refresh ${last.accessKeyId} with secret ${last.secretAccessKey} and token ${last.sessionToken}`),
        );
        return;
      }
      default: {
        const reply = (): void => {
          const status = fault.status ?? 201;
          const body = fault.body ?? (status === 201 ? JSON.stringify(faultCredential(new Date(clock.now() + 3_600_000)).document) : JSON.stringify({ message: "Injected fault" }));
          if (fault.errorType !== undefined) {
            record.errorType = fault.errorType;
          }
          answer(res, record, status, { ...(fault.errorType === undefined ? {} : { "x-amzn-errortype": fault.errorType }), ...fault.headers }, body);
        };
        if (fault.delayMs !== undefined && fault.delayMs > 0) server.later(fault.delayMs, reply);
        else reply();
      }
    }
  }

  await server.listen();
  emulator.endpoint = `http://127.0.0.1:${server.port}`;
  return emulator;
}

function toAnchor(anchor: RolesAnywhereEmulatorTrustAnchor): Anchor {
  if (typeof anchor !== "object" || anchor === null) throw new TypeError("Expected a trust anchor to be an object with `arn` and `certificates`");
  const arn = parseRolesAnywhereArn(anchor.arn, "trust-anchor", "arn");
  const pems = typeof anchor.certificates === "string" ? parsePemBlocks(anchor.certificates).blocks.filter((block) => block.type === "CERTIFICATE") : [];
  if (pems.length === 0) throw new TypeError(`Expected \`certificates\` of trust anchor ${anchor.arn} to be PEM text with at least one CERTIFICATE block`);
  const cas = pems.map((block) => new X509Certificate(block.pem));
  return { arn, cas, enabled: anchor.enabled ?? true };
}

function toProfile(profile: RolesAnywhereEmulatorProfile): Profile {
  if (typeof profile !== "object" || profile === null) throw new TypeError("Expected a profile to be an object with `arn` and `roleArns`");
  const arn = parseRolesAnywhereArn(profile.arn, "profile", "arn");
  const roleArns: unknown = profile.roleArns;
  if (!Array.isArray(roleArns)) throw new TypeError(`Expected \`roleArns\` of profile ${profile.arn} to be an array of role ARNs`);
  for (const roleArn of roleArns) parseRoleArn(roleArn);
  const durationSeconds = profile.durationSeconds;
  if (durationSeconds !== undefined && (!Number.isInteger(durationSeconds) || durationSeconds < MIN_DURATION || durationSeconds > MAX_DURATION)) {
    throw new TypeError(`Expected \`durationSeconds\` of profile ${profile.arn} to be a whole number from ${MIN_DURATION} to ${MAX_DURATION}`);
  }
  return { arn, roleArns: roleArns.map(String), durationSeconds, acceptRoleSessionName: profile.acceptRoleSessionName ?? true, enabled: profile.enabled ?? true };
}
