import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { Clock } from "../clock.js";
import { log, type Logger } from "../logger.js";
import { noteClockOffset } from "../memoize.js";

/**
 * From how far behind a service's clock ours must be before credentials are treated as expiring
 * earlier: one minute. Less is absorbed by the refresh window (five minutes by default) and is
 * within what a `Date` header (whole seconds, stamped before the answer travels) can measure.
 * @internal
 */
export const CLOCK_SKEW_THRESHOLD_MS = 60_000;

/** Measures our clock against the services' and tells the provider; see {@link watchClockSkew}. */
export interface ClockSkewWatch {
  /** Reads the `Date` header of one response (a success's or an error's `$response`), if any. */
  observe(response: unknown, service: string): void;
}

/**
 * Watches the `Date` header of every response a client receives and, while our clock is more than
 * {@link CLOCK_SKEW_THRESHOLD_MS} behind the service's, tells `credentials` to treat its credentials
 * as expiring that much earlier (`noteClockOffset`); logs it once, when first seen. When a later
 * response shows the clock back within the threshold, the note is withdrawn.
 *
 * Why the header and not the SDK's own figure: the SDK keeps the offset it learns from the same
 * header as `config.systemClockOffset` (reachable from a middleware as the signing properties'
 * `config`), but measures it against `Date.now()` rather than an injected clock, skips it when
 * clock-skew correction is off, and only its SigV4 signer keeps it; the header is on every answer
 * of every AWS service, whatever signs the request.
 * @internal
 */
export function watchClockSkew(credentials: AwsCredentialIdentityProvider, clock: Clock, logger: Logger | undefined): ClockSkewWatch {
  let noted = 0;
  let logged = false;
  return {
    observe(response, service) {
      const date = dateHeader(response);
      const serverTime = date === undefined ? Number.NaN : Date.parse(date);
      if (Number.isNaN(serverTime)) {
        return;
      }
      const offset = serverTime - clock.now();
      if (offset > CLOCK_SKEW_THRESHOLD_MS) {
        // The header has whole seconds: a change under one is measurement noise, not news.
        if (Math.abs(offset - noted) >= 1000) {
          noted = offset;
          noteClockOffset(credentials, offset);
        }
        if (!logged) {
          logged = true;
          log(
            logger,
            "warn",
            `the local clock is ${Math.round(offset / 1000)} s behind ${service}'s (its Date header); credentials are refreshed that much earlier, so none is used after the service considers it expired`,
          );
        }
      } else if (noted !== 0) {
        noted = 0;
        noteClockOffset(credentials, 0);
      }
    },
  };
}

/** The `Date` header of an SDK `HttpResponse` (headers are lower-cased by the SDK's handlers). */
function dateHeader(response: unknown): string | undefined {
  if (typeof response !== "object" || response === null) {
    return undefined;
  }
  const headers = (response as { headers?: unknown }).headers;
  if (typeof headers !== "object" || headers === null) {
    return undefined;
  }
  const value = (headers as Record<string, unknown>)["date"] ?? (headers as Record<string, unknown>)["Date"];
  return typeof value === "string" ? value : undefined;
}
