import type { AwsCredentialIdentity } from "@smithy/types";
import type { Clock } from "../../clock.js";
import { CredentialsError, redactKeyId } from "../../errors.js";
import { parseIsoDate } from "../../parse-iso-date.js";
import { registerCredential } from "../../scrub-secrets.js";

/**
 * Reads what a `credential_process` printed: one JSON object, `Version: 1`, `AccessKeyId`,
 * `SecretAccessKey`, optional `SessionToken`, `Expiration` (ISO 8601) and `AccountId` ("Sourcing
 * credentials with an external process", AWS CLI User Guide). An `Expiration` at or before now is
 * refused: such a credential would be rejected by AWS on first use.
 *
 * @param stdout - the program's standard output. May hold secrets; never quoted in a message.
 * @param label - what ran, for messages.
 * @param clock - for the expiry check.
 * @throws CredentialsError `PROCESS_BAD_OUTPUT` naming the field at fault; `CREDENTIALS_EXPIRED`.
 * @internal
 */
export function parseCredentialProcessOutput(stdout: string, label: string, clock: Clock, source: string): AwsCredentialIdentity {
  const bad = (why: string): CredentialsError =>
    new CredentialsError(`${label} printed ${why}`, { source, code: "PROCESS_BAD_OUTPUT", tryNextLink: false });
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    // The parser's message quotes the text around the error: it is not kept as the cause.
    throw bad(stdout.trim() === "" ? "nothing on stdout (expected credential JSON)" : `stdout that is not JSON (${stdout.length} characters, not shown)`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw bad("JSON that is not an object");
  }
  const output = parsed as Record<string, unknown>;
  // Registered before any check can fail, so no later message or log line can carry them.
  registerCredential({ secretAccessKey: output["SecretAccessKey"], sessionToken: output["SessionToken"] });
  if (output["Version"] !== 1) {
    throw bad(
      output["Version"] === undefined
        ? 'JSON without "Version" (it must be 1)'
        : `"Version" ${typeof output["Version"] === "number" ? String(output["Version"]) : `as a ${typeof output["Version"]}`}; only Version 1 is defined`,
    );
  }
  const text = (field: string, required: boolean): string | undefined => {
    const value = output[field];
    if (value === undefined || value === null) {
      if (required) {
        throw bad(`JSON without "${field}"`);
      }
      return undefined;
    }
    if (typeof value !== "string" || value === "") {
      throw bad(`"${field}" that is not a non-empty string`);
    }
    if (/\s/.test(value)) {
      throw bad(`"${field}" with whitespace in it`);
    }
    return value;
  };
  const accessKeyId = text("AccessKeyId", true) ?? "";
  const secretAccessKey = text("SecretAccessKey", true) ?? "";
  const sessionToken = text("SessionToken", false);
  const expirationText = output["Expiration"];
  let expiration: Date | undefined;
  if (expirationText !== undefined && expirationText !== null) {
    const ms = typeof expirationText === "string" ? parseIsoDate(expirationText) : undefined;
    if (ms === undefined) {
      throw bad('"Expiration" that is not an ISO 8601 date-time (e.g. 2026-01-01T12:00:00Z)');
    }
    if (ms <= clock.now()) {
      throw new CredentialsError(
        `${label} gave credentials (${redactKeyId(accessKeyId)}) that expired at ${new Date(ms).toISOString()}; the program must print fresh ones`,
        { source, code: "CREDENTIALS_EXPIRED", tryNextLink: false },
      );
    }
    expiration = new Date(ms);
  }
  const accountId = output["AccountId"];
  if (accountId !== undefined && accountId !== null && (typeof accountId !== "string" || !/^\d{12}$/.test(accountId))) {
    throw bad('"AccountId" that is not 12 digits');
  }
  return {
    accessKeyId,
    secretAccessKey,
    ...(sessionToken === undefined ? {} : { sessionToken }),
    ...(expiration === undefined ? {} : { expiration }),
    ...(typeof accountId === "string" ? { accountId } : {}),
  };
}
