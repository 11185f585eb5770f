import { CredentialsError } from "../../errors.js";
import { registerCredential } from "../../scrub-secrets.js";

/**
 * Deadline of one STS call (connect, answer, and the whole call), after which the request is
 * aborted. The SDK has none by default, so a black-holed STS endpoint would hang the caller forever;
 * STS answers in well under a second, and 10 s leaves room for a cold TLS handshake to a distant
 * region (and, for web identity, STS checking the token with the IdP).
 */
export const DEFAULT_STS_TIMEOUT_MS = 10_000;

// The STS client settings and the call deadline that both STS links (AssumeRole,
// AssumeRoleWithWebIdentity) use, so the two clients behave alike.

/**
 * The STS client's transport settings: one attempt per call (retries with full-jitter backoff are
 * `memoize`'s, and only for what can heal; SDK retries underneath would multiply the attempts and
 * hide the delays), and connection and request timeouts that throw. Where the client sends is
 * `stsLocationConfig`'s.
 * @internal
 */
export function stsClientConfig(timeoutMs: number): {
  maxAttempts: number;
  requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: boolean };
} {
  return {
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: timeoutMs,
      requestTimeout: timeoutMs,
      // Without this the SDK only logs (to console) when the timeout passes, and waits on.
      throwOnRequestTimeout: true,
    },
  };
}

/**
 * The error a call that outlived its deadline fails with. The SDK's `requestTimeout` is a socket
 * *idle* timeout, so an endpoint that trickles its answer never trips it, and every caller sharing
 * the in-flight request would hang; each link bounds the whole call and rejects with this, which
 * read-sts-error.ts reads as unreachable (retryable).
 * @internal
 */
export function stsDeadlineError(ms: number): Error {
  return Object.assign(new Error(`STS gave no complete answer within ${ms} ms`), { name: "TimeoutError", code: "ETIMEDOUT" });
}

/** The `Credentials` block of an STS answer (AssumeRole, AssumeRoleWithWebIdentity), as the SDK hands it over. @internal */
export interface StsAnswerCredentials {
  readonly AccessKeyId?: unknown;
  readonly SecretAccessKey?: unknown;
  readonly SessionToken?: unknown;
  readonly Expiration?: unknown;
}

/**
 * The credential in STS's answer to `action` for `roleArn`: access key id, secret and session token
 * non-empty strings, and a valid expiration date. Anything less is `STS_BAD_RESPONSE` (not retried),
 * with whatever secret and token the answer did hold made known to the scrubber first.
 * @internal
 */
export function completeStsCredential(
  answer: StsAnswerCredentials | undefined,
  action: string,
  roleArn: string,
  source: string,
): { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date } {
  const fields = {
    accessKeyId: answer?.AccessKeyId,
    secretAccessKey: answer?.SecretAccessKey,
    sessionToken: answer?.SessionToken,
    expiration: answer?.Expiration,
  };
  if (
    typeof fields.accessKeyId === "string" &&
    fields.accessKeyId !== "" &&
    typeof fields.secretAccessKey === "string" &&
    fields.secretAccessKey !== "" &&
    typeof fields.sessionToken === "string" &&
    fields.sessionToken !== "" &&
    fields.expiration instanceof Date &&
    !Number.isNaN(fields.expiration.getTime())
  ) {
    return { accessKeyId: fields.accessKeyId, secretAccessKey: fields.secretAccessKey, sessionToken: fields.sessionToken, expiration: fields.expiration };
  }
  registerCredential({ secretAccessKey: fields.secretAccessKey, sessionToken: fields.sessionToken });
  throw new CredentialsError(
    `STS answered ${action} for ${roleArn} without a complete credential (access key id, secret, session token and expiration)`,
    { source, code: "STS_BAD_RESPONSE", tryNextLink: false },
  );
}
