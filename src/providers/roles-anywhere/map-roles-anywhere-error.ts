import { CredentialsError, describeError } from "../../errors.js";
import type { HttpResponse } from "../http-credentials/http-request.js";
import { HttpTransportError } from "../http-credentials/http-transport-error.js";
import type { RolesAnywhereSettings } from "./resolve-roles-anywhere-settings.js";
import { rolesAnywhereError } from "./roles-anywhere-error.js";

/** A service message short and plain enough to quote (after scrubbing, as every message is). */
const QUOTABLE = /^[\x20-\x7e]{1,300}$/;

/**
 * The error for a `CreateSession` answer that is not a success, by its `X-Amzn-ErrorType` (else the
 * body's `__type`/`code`) and status:
 * - `AccessDeniedException` / 403 → `ROLES_ANYWHERE_ACCESS_DENIED`, naming the trust anchor, the
 *   profile, the role and the certificate, with what to check; not retryable;
 * - `ThrottlingException` / 429 → `ROLES_ANYWHERE_THROTTLED`, retryable;
 * - `ValidationException`, `ResourceNotFoundException`, other 4xx, a redirect (never followed) →
 *   `ROLES_ANYWHERE_ERROR`, not retryable; 5xx → `ROLES_ANYWHERE_ERROR`, retryable.
 * The service's `message` is quoted when it is one short printable line; nothing else of the body.
 *
 * @param response - the answer.
 * @param settings - for the ARNs and the endpoint.
 * @param certificate - what signed, e.g. `certificate serial 21 (CN=host)`, for an access denial.
 * @example
 * ```ts
 * import type { HttpResponse } from "../http-credentials/http-request.js";
 * import { rolesAnywhereHttpError } from "./map-roles-anywhere-error.js";
 * import type { RolesAnywhereSettings } from "./resolve-roles-anywhere-settings.js";
 *
 * declare const response: HttpResponse;
 * declare const settings: RolesAnywhereSettings;
 * throw rolesAnywhereHttpError(response, settings, "certificate serial 21");
 * ```
 */
export function rolesAnywhereHttpError(response: HttpResponse, settings: RolesAnywhereSettings, certificate: string): CredentialsError {
  const { status } = response;
  const { type, message } = errorDetails(response);
  const said = `${type === undefined ? `HTTP ${status}` : `${type} (HTTP ${status})`}${message === undefined ? "" : `: ${JSON.stringify(message)}`}`;
  const asked = `CreateSession at ${settings.endpoint}`;
  if (type === "AccessDeniedException" || (type === undefined && status === 403)) {
    return rolesAnywhereError(
      "ROLES_ANYWHERE_ACCESS_DENIED",
      `Roles Anywhere refused ${certificate} for role ${settings.roleArn}: ${said}. Check that trust anchor ${settings.trustAnchorArn} is enabled and holds the CA ` +
        `that issued the certificate (through \`intermediates\` when it is an intermediate's), and that profile ${settings.profileArn} is enabled, lists the role, ` +
        "and the role trusts rolesanywhere.amazonaws.com",
    );
  }
  if (type === "ThrottlingException" || status === 429) {
    return rolesAnywhereError("ROLES_ANYWHERE_THROTTLED", `${asked} is throttling: ${said}`, { retryable: true });
  }
  if (type === "ResourceNotFoundException") {
    return rolesAnywhereError(
      "ROLES_ANYWHERE_ERROR",
      `${asked} found no such resource: ${said}. Do trust anchor ${settings.trustAnchorArn} and profile ${settings.profileArn} exist in ${settings.region}?`,
    );
  }
  if (status >= 300 && status < 400) {
    return rolesAnywhereError("ROLES_ANYWHERE_ERROR", `${asked} answered with a redirect (HTTP ${status}), which is never followed for credentials`);
  }
  return rolesAnywhereError("ROLES_ANYWHERE_ERROR", `${asked} failed: ${said}`, { retryable: status >= 500 });
}

/**
 * The error for a `CreateSession` that got no answer: `ROLES_ANYWHERE_TIMEOUT` past the deadline,
 * `ROLES_ANYWHERE_UNAVAILABLE` when refused, reset or cut off (both retryable),
 * `ROLES_ANYWHERE_BAD_RESPONSE` for a body over the cap (not retryable).
 *
 * @param error - what the transport threw.
 * @param settings - for the endpoint and the deadline.
 * @example
 * ```ts
 * import { rolesAnywhereTransportError } from "./map-roles-anywhere-error.js";
 * import type { RolesAnywhereSettings } from "./resolve-roles-anywhere-settings.js";
 *
 * declare const settings: RolesAnywhereSettings;
 * declare const error: unknown;
 * throw rolesAnywhereTransportError(error, settings);
 * ```
 */
export function rolesAnywhereTransportError(error: unknown, settings: RolesAnywhereSettings): CredentialsError {
  const asked = `CreateSession at ${settings.endpoint}`;
  if (!(error instanceof HttpTransportError)) {
    return rolesAnywhereError("ROLES_ANYWHERE_ERROR", `${asked} could not be sent: ${describeError(error)}`, { cause: error });
  }
  switch (error.failure) {
    case "timeout":
      return rolesAnywhereError("ROLES_ANYWHERE_TIMEOUT", `${asked} did not answer within \`timeoutMs\` (${settings.timeoutMs} ms): ${error.message}`, {
        retryable: true,
        cause: error,
      });
    case "too-large":
      return rolesAnywhereError("ROLES_ANYWHERE_BAD_RESPONSE", `${asked} answered with too much: ${error.message}`, { cause: error });
    case "unreachable":
    case "network":
      return rolesAnywhereError("ROLES_ANYWHERE_UNAVAILABLE", `${asked} could not be reached: ${error.message}`, { retryable: true, cause: error });
  }
}

/** The error type (sanitised as the AWS SDKs do: `Type:detail` → `Type`, `ns#Type` → `Type`) and a quotable message. */
function errorDetails(response: HttpResponse): { type: string | undefined; message: string | undefined } {
  let body: Record<string, unknown> = {};
  if (response.body.length <= 16 * 1024) {
    try {
      const parsed: unknown = JSON.parse(response.body);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      // Not JSON (a proxy's page): the status alone says what happened.
    }
  }
  const header = response.headers["x-amzn-errortype"];
  const raw = (Array.isArray(header) ? header[0] : header) ?? stringField(body, "__type") ?? stringField(body, "code") ?? stringField(body, "Code");
  const type = raw?.split(":")[0]?.split("#").pop()?.trim();
  const message = stringField(body, "message") ?? stringField(body, "Message");
  return {
    type: type !== undefined && /^[A-Za-z]{1,64}$/.test(type) ? type : undefined,
    message: message !== undefined && QUOTABLE.test(message) ? message : undefined,
  };
}

function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  return typeof value === "string" ? value : undefined;
}
