import { CredentialsError } from "../../errors.js";
import type { ResolvedImdsOptions } from "./imds-options.js";

const SOURCE = "imds";

/** An HTTP status that is not a usable answer to `what`. 403 falls through: IMDS turned off or blocked. */
export function statusError(endpoint: string, status: number, what: string): CredentialsError {
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

/** IMDSv1 would be needed, but this provider refuses it. */
export function v1Disabled(config: ResolvedImdsOptions, reason: string): CredentialsError {
  const by =
    config.v1DisabledBy === "env"
      ? "AWS_EC2_METADATA_V1_DISABLED=true"
      : typeof config.v1DisabledBy === "object"
        ? `${config.v1DisabledBy.where} (true)`
        : "the `allowImdsV1: false` option";
  return new CredentialsError(
    `IMDS at ${config.endpoint} ${reason}, and falling back to IMDSv1 (no token) is turned off by ${by}`,
    { source: SOURCE, code: "IMDS_V1_DISABLED", tryNextLink: false, retryable: false },
  );
}

/** A `CredentialsError` of the IMDS link with the given code and flags. */
export function imdsError(
  message: string,
  code: "IMDS_UNAVAILABLE" | "IMDS_TIMEOUT" | "IMDS_HTTP_ERROR" | "IMDS_BAD_RESPONSE" | "IMDS_TOO_LARGE",
  flags: { tryNextLink: boolean; retryable: boolean; cause?: unknown },
): CredentialsError {
  return new CredentialsError(message, { source: SOURCE, code, ...flags });
}
