import { describeError, redactKeyId } from "../../errors.js";
import { log } from "../../logger.js";
import { httpRequest, type HttpResponse } from "../http-credentials/http-request.js";
import { loadSigningMaterial } from "./load-signing-material.js";
import { rolesAnywhereHttpError, rolesAnywhereTransportError } from "./map-roles-anywhere-error.js";
import { parseCreateSessionResponse, type RolesAnywhereCredential } from "./parse-create-session-response.js";
import type { RolesAnywhereSettings } from "./resolve-roles-anywhere-settings.js";
import { signX509Request } from "./sign-x509-request.js";

/**
 * The largest `CreateSession` answer read: 64 KiB. A credential set is about 2 KiB; anything far
 * larger is not the service, and is never buffered past this.
 */
export const MAX_CREATE_SESSION_RESPONSE_BYTES = 64 * 1024;

/**
 * One `CreateSession`, no cache and no retry (the caller's `memoize` owns both): read and check the
 * certificate, key and intermediates, sign, `POST <endpoint>/sessions?profileArn=…&roleArn=…&trustAnchorArn=…`
 * with `{"durationSeconds":N,"roleSessionName":…}` under the deadline, and read the credential.
 *
 * @param settings - the checked options.
 * @returns the role's credential, with `expiration` and `accountId`.
 * @throws CredentialsError (`source: "roles-anywhere"`, never `tryNextLink`): see {@link fromRolesAnywhere}.
 * @example
 * ```ts
 * import { createSession } from "./create-session.js";
 * import type { RolesAnywhereSettings } from "./resolve-roles-anywhere-settings.js";
 *
 * declare const settings: RolesAnywhereSettings;
 * const { accessKeyId, expiration } = await createSession(settings);
 * ```
 */
export async function createSession(settings: RolesAnywhereSettings): Promise<RolesAnywhereCredential> {
  let material;
  try {
    material = await loadSigningMaterial(settings);
  } catch (error) {
    // Checked before any request: nothing was sent.
    log(settings.logger, "debug", `roles-anywhere: no CreateSession sent: ${describeError(error)}`);
    throw error;
  }
  const url = new URL(`${settings.endpoint}/sessions`);
  url.searchParams.set("profileArn", settings.profileArn);
  url.searchParams.set("roleArn", settings.roleArn);
  url.searchParams.set("trustAnchorArn", settings.trustAnchorArn);
  // The key order of aws_signing_helper's serializer; roleSessionName only when given.
  const body = JSON.stringify({ durationSeconds: settings.durationSeconds, ...(settings.sessionName === undefined ? {} : { roleSessionName: settings.sessionName }) });
  const signed = signX509Request({
    method: "POST",
    url,
    headers: { "content-type": "application/json" },
    body,
    service: "rolesanywhere",
    region: settings.region,
    date: new Date(settings.clock.now()),
    certificate: material.certificate,
    chain: material.chain,
    privateKey: material.privateKey,
  });
  url.search = signed.query;
  log(settings.logger, "debug", `roles-anywhere: CreateSession at ${settings.endpoint} for role ${settings.roleArn}, signed with ${material.summary}`);

  let response: HttpResponse;
  try {
    response = await httpRequest({
      method: "POST",
      url: url.href,
      headers: signed.headers,
      body,
      timeoutMs: settings.timeoutMs,
      maxBytes: MAX_CREATE_SESSION_RESPONSE_BYTES,
    });
  } catch (error) {
    const failure = rolesAnywhereTransportError(error, settings);
    log(settings.logger, "debug", `roles-anywhere: ${failure.code}: ${failure.message}`);
    throw failure;
  }
  if (response.status !== 201 && response.status !== 200) {
    const failure = rolesAnywhereHttpError(response, settings, material.summary);
    log(settings.logger, "debug", `roles-anywhere: ${failure.code}${failure.retryable ? " (retryable)" : ""}: ${failure.message}`);
    throw failure;
  }
  const credential = parseCreateSessionResponse(response.body, settings.clock.now(), settings.accountId);
  log(settings.logger, "debug", `roles-anywhere: credentials ${redactKeyId(credential.accessKeyId)} for role ${settings.roleArn} expire at ${credential.expiration.toISOString()}`);
  return credential;
}
