import { CredentialsError, redactKeyId } from "../../errors.js";
import { codeSuffix, isStsServerFailure, isStsUnreachable, isStsUnreadableAnswer, readStsError } from "../sts/read-sts-error.js";

/** What {@link mapStsError} needs to write a useful message. */
export interface StsErrorContext {
  roleArn: string;
  /** Whether an ExternalId was sent (its value is never echoed). */
  externalIdSet: boolean;
  /** The base identity's access key id; shown cut to its last four characters. */
  baseAccessKeyId: string;
  /** Where the request went. */
  endpointLabel: string;
  /** The MFA device, when the call sent an MFA code (a refused code is then named as the likely cause). */
  mfaSerial?: string | undefined;
}

const SOURCE = "assume-role";

/** STS (and generic AWS) throttling codes. */
const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
  "PriorRequestNotComplete",
]);

/** STS rejected the signature or the base key itself. */
const BASE_REJECTED = new Set([
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "IncompleteSignature",
  "MissingAuthenticationToken",
  "ExpiredToken",
  "ExpiredTokenException",
  "UnrecognizedClientException",
]);

/** 4xx codes that can heal on their own. */
const TRANSIENT_CLIENT = new Set(["RequestExpired", "RequestTimeout", "RequestTimeoutException", "IDPCommunicationError"]);

/**
 * Turns whatever the STS client threw into a {@link CredentialsError} with a stable code:
 *
 * | STS says | code | retryable |
 * | --- | --- | --- |
 * | `AccessDenied` | `STS_ACCESS_DENIED` | no |
 * | `InvalidClientTokenId`, `SignatureDoesNotMatch`, `ExpiredToken`, … | `STS_INVALID_BASE_CREDENTIALS` | no |
 * | `Throttling`, HTTP 429, … | `STS_THROTTLED` | yes |
 * | HTTP 5xx, network errors, timeouts, `RequestExpired` | `STS_ERROR` | yes |
 * | unreadable 2xx body, or no `Credentials` | `STS_BAD_RESPONSE` | no |
 * | any other 4xx (e.g. `ValidationError`) | `STS_ERROR` | no |
 *
 * None of them falls through a chain (`tryNextLink: false`): an AssumeRole step that is configured
 * but broken must not silently hand out another identity. The cause is replaced by a summary (name,
 * code, message, HTTP status, request id) so a raw response body never rides along.
 */
export function mapStsError(error: unknown, context: StsErrorContext): CredentialsError {
  const facts = readStsError(error);
  const { name, status, rid, message: rawMessage, cause } = facts;
  const role = context.roleArn;
  const make = (message: string, errorCode: CredentialsError["code"], retryable: boolean): CredentialsError =>
    new CredentialsError(message, { source: SOURCE, code: errorCode, tryNextLink: false, retryable, cause });

  if (name === "CredentialsProviderError" && rawMessage.startsWith("Invalid response from STS")) {
    return make(`STS answered AssumeRole for ${role} without credentials (${rid}).`, "STS_BAD_RESPONSE", false);
  }
  if (THROTTLING.has(name) || status === 429) {
    return make(`STS throttled AssumeRole for ${role} (${name}, ${rid}); try again later.`, "STS_THROTTLED", true);
  }
  if (name === "AccessDenied" || name === "AccessDeniedException") {
    if (context.mfaSerial !== undefined && /MultiFactorAuthentication|MFA|one time pass/i.test(rawMessage)) {
      return make(
        `STS refused the MFA code for ${context.mfaSerial} when assuming ${role} (AccessDenied, ${rid}): a wrong, expired or ` +
          `already used code. Not retried: ask for a new code. STS said: ${rawMessage}`,
        "STS_ACCESS_DENIED",
        false,
      );
    }
    return make(
      `STS denied AssumeRole for ${role} to base identity ${redactKeyId(context.baseAccessKeyId)} (AccessDenied, ${rid}). ` +
        `Check the role's trust policy — it must trust this identity, and its sts:ExternalId condition must match the ExternalId ` +
        `configured here (${context.externalIdSet ? "one is set" : "none is set"}) — and check that the base identity's policy ` +
        `allows sts:AssumeRole on the role${context.mfaSerial === undefined ? "" : ", and that the MFA code was right"}. STS said: ${rawMessage} Not retried.`,
      "STS_ACCESS_DENIED",
      false,
    );
  }
  if (BASE_REJECTED.has(name)) {
    return make(
      `STS rejected the base credentials (${redactKeyId(context.baseAccessKeyId)}) used to assume ${role}: ${name} (${rid}). ` +
        `The base access key is unknown or expired, or its secret or session token does not match.`,
      "STS_INVALID_BASE_CREDENTIALS",
      false,
    );
  }
  if (isStsServerFailure(facts)) {
    return make(`STS failed AssumeRole for ${role} with HTTP ${status ?? "5xx"} ${name} (${rid}); try again later.`, "STS_ERROR", true);
  }
  if (isStsUnreadableAnswer(facts)) {
    return make(`STS sent an unreadable AssumeRole response for ${role} (HTTP ${status ?? "?"}, ${rid}).`, "STS_BAD_RESPONSE", false);
  }
  if (status !== undefined) {
    return make(
      `STS refused AssumeRole for ${role}: HTTP ${status} ${name}: ${rawMessage} (${rid}).`,
      "STS_ERROR",
      TRANSIENT_CLIENT.has(name),
    );
  }
  if (isStsUnreachable(facts)) {
    return make(
      `Could not reach STS at ${context.endpointLabel} to assume ${role}: ${name}${codeSuffix(facts)}; try again later.`,
      "STS_ERROR",
      true,
    );
  }
  return make(`AssumeRole for ${role} failed: ${name}${codeSuffix(facts)}: ${rawMessage}`, "STS_ERROR", false);
}
