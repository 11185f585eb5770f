import type { STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import { CredentialsError } from "../../errors.js";
import { addMarks, credentialMarks } from "../../sdk/credential-marks.js";
import { coalesce } from "../../sharing/coalesce.js";
import { secretRef } from "../../sharing/key-parts.js";
import { processSlot } from "../../sharing/process-state.js";
import { stsClientConfig, stsDeadlineError } from "./sts-client-config.js";
import { stsLocationConfig, type StsLocation } from "./sts-location.js";

// How both STS links talk to STS: the SDK's STS client (loaded on the first call), one client per
// location, deadline and signing identity (kept, like a connection pool: clients, never answers),
// identical concurrent requests made once, and a deadline that aborts the request.

type StsSdk = typeof import("./client-sts.cjs");

let sdk: Promise<StsSdk> | undefined;

/**
 * `@aws-sdk/client-sts`, loaded on the first STS call through an `import()` with a literal specifier
 * (a bundler follows it; `import "env-or-profile"` does not pay for it) of a small CommonJS file
 * that `require`s it: see client-sts.cjs for why not `import("@aws-sdk/client-sts")` itself. A failed
 * load is tried again at the next call.
 * @internal
 */
export function loadStsSdk(source: string): Promise<StsSdk> {
  sdk ??= import("./client-sts.cjs").then(
    (module) => module.default,
    (error: unknown) => {
      sdk = undefined;
      throw new CredentialsError("Could not load @aws-sdk/client-sts (a dependency of env-or-profile) to call STS", {
        source,
        code: "STS_ERROR",
        tryNextLink: false,
        cause: error,
      });
    },
  );
  return sdk;
}

/** How many STS clients are kept (oldest out): one per location and signing identity in use. */
const MAX_CLIENTS = 32;

interface Clients {
  readonly byKey: Map<string, STSClient>;
  readonly inflight: Map<string, Promise<unknown>>;
}

function clients(): Clients {
  return processSlot<Clients>(
    "sts-transport",
    () => ({ byKey: new Map(), inflight: new Map() }),
    (value) => {
      for (const client of value.byKey.values()) client.destroy();
      value.byKey.clear();
      value.inflight.clear();
    },
  );
}

/** A request to STS: where, how long, signed by whom (`undefined`: unsigned), what. */
export interface StsRequest<Output> {
  readonly source: string;
  readonly location: StsLocation;
  readonly timeoutMs: number;
  readonly signing: AwsCredentialIdentity | undefined;
  /** What identifies the request among identical ones (its parameters; secrets as numbers standing for them). */
  readonly requestKey: string;
  /** Sends the command through `client` (built from `sdk`), passing `abortSignal` on. */
  readonly send: (client: STSClient, sdk: StsSdk, abortSignal: AbortSignal) => Promise<Output>;
}

/**
 * Sends one STS request. Identical concurrent requests (same location, signer and parameters) are
 * sent once and share the answer (nothing is kept after it settles). The whole call has a deadline
 * that aborts the request — its socket is closed, so nothing outlives a caller that was rejected —
 * and fails with `stsDeadlineError` (read as unreachable: retryable).
 * @internal
 */
export function sendSts<Output>(request: StsRequest<Output>): Promise<Output> {
  const signer = request.signing === undefined ? "unsigned" : signerKey(request.signing);
  const clientKey = `${request.location.key}|${request.timeoutMs}|${signer}`;
  return coalesce(clients().inflight, `${clientKey}|${request.requestKey}`, async () => {
    const module = await loadStsSdk(request.source);
    const client = clientFor(clientKey, () => {
      const signing = request.signing;
      return new module.STSClient({
        ...stsClientConfig(request.timeoutMs),
        ...stsLocationConfig(request.location),
        ...(signing === undefined ? {} : { credentials: staticIdentity(signing) }),
      });
    });
    return withDeadline((abortSignal) => request.send(client, module, abortSignal), request.timeoutMs);
  });
}

function clientFor(key: string, make: () => STSClient): STSClient {
  const { byKey } = clients();
  let client = byKey.get(key);
  if (client !== undefined) {
    byKey.delete(key);
    byKey.set(key, client); // most recently used last
    return client;
  }
  client = make();
  byKey.set(key, client);
  if (byKey.size > MAX_CLIENTS) {
    const oldest = byKey.keys().next();
    if (oldest.done !== true) {
      byKey.get(oldest.value)?.destroy();
      byKey.delete(oldest.value);
    }
  }
  return client;
}

/**
 * The signing identity as a key part: numbers standing for its key id, secret and token, and its
 * feature marks (the client's identity carries them into the user agent; see `staticIdentity`).
 */
function signerKey(identity: AwsCredentialIdentity): string {
  const marks = Object.values(credentialMarks(identity)).join(",");
  return `${secretRef(identity.accessKeyId)}${secretRef(identity.secretAccessKey)}${secretRef(identity.sessionToken ?? "")}${marks === "" ? "" : `;m/${marks}`}`;
}

/**
 * Exactly the keys that sign (no expiration: the client must not refuse or refresh them on its own),
 * as a plain object of the client's own, carrying the signer's feature marks: the AssumeRole request
 * then says what signed it, as the SDK's role assumer's does (a signer without marks is marked
 * `CREDENTIALS_CODE` by the client, as any credential object given to a client).
 */
function staticIdentity(identity: AwsCredentialIdentity): AwsCredentialIdentity {
  return addMarks(
    {
      accessKeyId: identity.accessKeyId,
      secretAccessKey: identity.secretAccessKey,
      ...(identity.sessionToken === undefined ? {} : { sessionToken: identity.sessionToken }),
    },
    credentialMarks(identity),
  );
}

/**
 * Sends `command` with a deadline on the whole call: the SDK's `requestTimeout` is a socket *idle*
 * timeout, so an endpoint that trickles its answer would never trip it. At the deadline the request
 * is aborted (its socket closed) and the call fails at once.
 */
async function withDeadline<Output>(send: (abortSignal: AbortSignal) => Promise<Output>, ms: number): Promise<Output> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, ms);
  try {
    return await send(controller.signal);
  } catch (error) {
    if (timedOut) {
      throw stsDeadlineError(ms);
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
