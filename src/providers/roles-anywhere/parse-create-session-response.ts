import type { AwsCredentialIdentity } from "@smithy/types";
import { parseIsoDate } from "../../parse-iso-date.js";
import { registerCredential } from "../../scrub-secrets.js";
import type { CredentialLink } from "../http-credentials/credential-link.js";
import { describeValue, parseJsonObject } from "../http-credentials/parse-json-object.js";
import { rolesAnywhereError, ROLES_ANYWHERE_SOURCE } from "./roles-anywhere-error.js";

/** How the shared JSON checks name this link's answers. */
const LINK: CredentialLink = { source: ROLES_ANYWHERE_SOURCE, name: "Roles Anywhere CreateSession", badResponseCode: "ROLES_ANYWHERE_BAD_RESPONSE" };

/** A credential from `CreateSession`. @internal */
export type RolesAnywhereCredential = AwsCredentialIdentity & { sessionToken: string; expiration: Date; accountId: string };

/**
 * Reads a `CreateSession` success body: `credentialSet[0].credentials` with non-empty
 * `accessKeyId`, `secretAccessKey` and `sessionToken` and an ISO 8601 `expiration` after `nowMs`.
 * The secret key and token are registered as secrets before anything is checked, so no message
 * built later (ours or a server's) can show them; every problem is listed, no value is quoted.
 *
 * @param body - the response text.
 * @param nowMs - the provider's clock.
 * @param accountId - the role's account (from its ARN).
 * @returns the credential, with `accountId`.
 * @throws CredentialsError `ROLES_ANYWHERE_BAD_RESPONSE` (not retryable).
 * @example
 * ```ts
 * import { parseCreateSessionResponse } from "./parse-create-session-response.js";
 *
 * declare const body: string;
 * const credential = parseCreateSessionResponse(body, Date.now(), "123456789012");
 * ```
 */
export function parseCreateSessionResponse(body: string, nowMs: number, accountId: string): RolesAnywhereCredential {
  const json = parseJsonObject(body, "an answer", LINK);
  const set = json["credentialSet"];
  const first: unknown = Array.isArray(set) ? set[0] : undefined;
  const credentials = typeof first === "object" && first !== null ? (first as Record<string, unknown>)["credentials"] : undefined;
  if (typeof credentials !== "object" || credentials === null || Array.isArray(credentials)) {
    const why = !Array.isArray(set) ? `credentialSet is ${describeValue(set)}` : set.length === 0 ? "credentialSet is empty" : "credentialSet[0].credentials is not an object";
    throw bad(why);
  }
  const fields = credentials as Record<string, unknown>;
  const { accessKeyId, secretAccessKey, sessionToken, expiration } = fields;
  registerCredential({ secretAccessKey, sessionToken });
  const problems: string[] = [];
  for (const [name, value] of [
    ["accessKeyId", accessKeyId],
    ["secretAccessKey", secretAccessKey],
    ["sessionToken", sessionToken],
  ] as const) {
    if (typeof value !== "string" || value.trim() === "") problems.push(`credentials.${name} is ${describeValue(value)}`);
  }
  let expiresMs: number | undefined;
  if (typeof expiration !== "string") {
    problems.push(`credentials.expiration is ${describeValue(expiration)}`);
  } else {
    expiresMs = parseIsoDate(expiration.trim());
    if (expiresMs === undefined) problems.push("credentials.expiration is not an ISO 8601 date-time");
    else if (expiresMs <= nowMs) problems.push(`credentials.expiration ${new Date(expiresMs).toISOString()} is not in the future (now ${new Date(nowMs).toISOString()})`);
  }
  if (problems.length > 0 || expiresMs === undefined) throw bad(problems.join("; "));
  return {
    accessKeyId: (accessKeyId as string).trim(),
    secretAccessKey: (secretAccessKey as string).trim(),
    sessionToken: (sessionToken as string).trim(),
    expiration: new Date(expiresMs),
    accountId,
  };
}

function bad(why: string): Error {
  return rolesAnywhereError("ROLES_ANYWHERE_BAD_RESPONSE", `Roles Anywhere CreateSession answered success with an unusable credential: ${why}`);
}
