import { CredentialsError, type CredentialsErrorCode } from "../../errors.js";
import { isRetryable } from "../../retry.js";
import { SCRUBBED } from "../../scrub-secrets.js";
import { codeSuffix, isStsServerFailure, isStsUnreachable, isStsUnreadableAnswer, readStsError } from "../sts/read-sts-error.js";

/** What {@link mapWebIdentityStsError} needs to write a useful message. */
export interface WebIdentityErrorContext {
  roleArn: string;
  /** The token file, named in token errors (the path is not secret; the token is). */
  tokenFile: string;
  /** Where the request went. */
  endpointLabel: string;
  /** The token sent: taken out of any text STS or the transport sends back. */
  token: string;
}

const SOURCE = "web-identity";

/**
 * Turns whatever the STS client threw for AssumeRoleWithWebIdentity into a {@link CredentialsError}:
 *
 * | STS says | code | retryable |
 * | --- | --- | --- |
 * | `AccessDenied` (the role's trust policy does not trust this token) | `STS_ACCESS_DENIED` | no |
 * | `InvalidIdentityToken` | `WEB_IDENTITY_TOKEN_INVALID` | no |
 * | `ExpiredToken` (the token file is stale) | `WEB_IDENTITY_TOKEN_EXPIRED` | no |
 * | `IDPCommunicationError` | `WEB_IDENTITY_IDP_ERROR` | yes |
 * | `IDPRejectedClaim` | `WEB_IDENTITY_IDP_REJECTED` | no |
 * | `Throttling`, HTTP 429 | `STS_THROTTLED` | yes |
 * | HTTP 5xx, network errors, timeouts | `STS_ERROR` | yes |
 * | unreadable 2xx body | `STS_BAD_RESPONSE` | no |
 * | any other 4xx (`ValidationError`, `RegionDisabled`, …) | `STS_ERROR` | no |
 *
 * None falls through a chain (`tryNextLink: false`). The cause is a summary (name, code, first line
 * of the message with the token taken out, HTTP status, request id): no response body, no request.
 */
export function mapWebIdentityStsError(error: unknown, context: WebIdentityErrorContext): CredentialsError {
  const facts = readStsError(error, (line) => scrubToken(line, context.token));
  const { name, status, rid, message: rawMessage, cause } = facts;
  const role = context.roleArn;
  const make = (message: string, errorCode: CredentialsErrorCode, retryable: boolean): CredentialsError =>
    new CredentialsError(message, { source: SOURCE, code: errorCode, tryNextLink: false, retryable, cause });

  // The SDK names modelled errors after their class (`InvalidIdentityTokenException`), unmodelled
  // ones after the wire code (`AccessDenied`); `kind` is the name without the suffix.
  switch (facts.kind) {
    case "AccessDenied":
      return make(
        `STS denied AssumeRoleWithWebIdentity for ${role} (AccessDenied, ${rid}). Check the role's trust policy: it must allow ` +
          `sts:AssumeRoleWithWebIdentity to the OIDC provider that issued the token in ${context.tokenFile} (a Federated principal ` +
          `arn:aws:iam::<account>:oidc-provider/<issuer>), and its conditions on <issuer>:aud and <issuer>:sub must match the ` +
          `token (on EKS: sts.amazonaws.com and system:serviceaccount:<namespace>:<service account>). STS said: ${rawMessage} ` +
          `Not retried.`,
        "STS_ACCESS_DENIED",
        false,
      );
    case "InvalidIdentityToken":
      return make(
        `STS rejected the web identity token in ${context.tokenFile} for ${role} (InvalidIdentityToken, ${rid}): ${rawMessage} ` +
          `Check that the role's account has an IAM OIDC provider for the token's issuer, with a matching thumbprint and audience. Not retried.`,
        "WEB_IDENTITY_TOKEN_INVALID",
        false,
      );
    case "ExpiredToken":
      return make(
        `The web identity token in ${context.tokenFile} has expired (STS: ExpiredToken, ${rid}): the file is stale. Whatever ` +
          `rotates it (on EKS, the kubelet's projected service account token) is not refreshing it; the file is read again on the next try.`,
        "WEB_IDENTITY_TOKEN_EXPIRED",
        false,
      );
    case "IDPCommunicationError":
      return make(
        `STS could not reach the identity provider that issued the token in ${context.tokenFile} to verify it, assuming ${role} ` +
          `(IDPCommunicationError, ${rid}); try again later.`,
        "WEB_IDENTITY_IDP_ERROR",
        true,
      );
    case "IDPRejectedClaim":
      return make(
        `The identity provider rejected the claim of the token in ${context.tokenFile} for ${role} (IDPRejectedClaim, ${rid}): ${rawMessage} Not retried.`,
        "WEB_IDENTITY_IDP_REJECTED",
        false,
      );
    default:
      break;
  }
  if (status === 429 || (isRetryable(error) && /Throttl|TooManyRequests|RequestLimitExceeded|SlowDown/.test(name))) {
    return make(`STS throttled AssumeRoleWithWebIdentity for ${role} (${name}, ${rid}); try again later.`, "STS_THROTTLED", true);
  }
  if (isStsServerFailure(facts)) {
    return make(`STS failed AssumeRoleWithWebIdentity for ${role} with HTTP ${status ?? "5xx"} ${name} (${rid}); try again later.`, "STS_ERROR", true);
  }
  if (isStsUnreadableAnswer(facts)) {
    return make(`STS sent an unreadable AssumeRoleWithWebIdentity response for ${role} (HTTP ${status ?? "?"}, ${rid}).`, "STS_BAD_RESPONSE", false);
  }
  if (status !== undefined) {
    return make(`STS refused AssumeRoleWithWebIdentity for ${role}: HTTP ${status} ${name}: ${rawMessage} (${rid}).`, "STS_ERROR", false);
  }
  if (isStsUnreachable(facts)) {
    return make(
      `Could not reach STS at ${context.endpointLabel} to assume ${role} with web identity: ${name}${codeSuffix(facts)}; try again later.`,
      "STS_ERROR",
      true,
    );
  }
  return make(
    `AssumeRoleWithWebIdentity for ${role} failed: ${name}${codeSuffix(facts)}: ${rawMessage}`,
    "STS_ERROR",
    isRetryable(error),
  );
}

/** `line` with the token (and any 16-character run of its start or end) taken out. */
function scrubToken(line: string, token: string): string {
  if (token.length < 8) {
    return line;
  }
  let scrubbed = line.split(token).join(SCRUBBED);
  // A truncated echo of the token's start or end.
  for (const part of [token.slice(0, 16), token.slice(-16)]) {
    scrubbed = scrubbed.split(part).join(SCRUBBED);
  }
  return scrubbed;
}
