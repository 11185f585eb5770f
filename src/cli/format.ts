import type { AwsCredentialIdentity } from "@smithy/types";
import { describeError } from "../errors.js";

/** The last four characters of an access key id, the only part ever shown. */
export function keyIdLast4(accessKeyId: string): string {
  return accessKeyId.slice(-4);
}

/** `1h 02m`, `4m 05s`, `12s`; `expired` at or below zero. */
export function formatTimeLeft(ms: number): string {
  if (ms <= 0) {
    return "expired";
  }
  const seconds = Math.floor(ms / 1000);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) {
    return `${hours}h ${String(minutes).padStart(2, "0")}m`;
  }
  if (minutes > 0) {
    return `${minutes}m ${String(rest).padStart(2, "0")}s`;
  }
  return `${rest}s`;
}

/** An age (how long ago), as {@link formatTimeLeft} but `0s` for none. */
export function formatAge(ms: number): string {
  return ms < 1000 ? "0s" : formatTimeLeft(ms);
}

/** A date as ISO 8601 without milliseconds, e.g. `2026-01-01T06:00:00Z`. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * A one-line reason for stderr. Our own errors are secret-free by construction; for anything else
 * the message is passed through {@link scrub} against the credential just used.
 */
export function reason(error: unknown, credential?: AwsCredentialIdentity): string {
  return scrub(describeError(error), credential);
}

/**
 * Removes a credential's secret parts from text, as a last line of defence for messages written by
 * code we do not own (an SDK error echoing a header, say). The key id is cut to its last four.
 */
export function scrub(text: string, credential?: AwsCredentialIdentity): string {
  if (credential === undefined) {
    return text;
  }
  let out = text;
  for (const secret of [credential.secretAccessKey, credential.sessionToken]) {
    if (secret !== undefined && secret.length >= 4) {
      out = out.split(secret).join("[redacted]");
    }
  }
  if (credential.accessKeyId.length > 4) {
    out = out.split(credential.accessKeyId).join(`…${keyIdLast4(credential.accessKeyId)}`);
  }
  return out;
}
