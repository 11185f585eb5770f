import { fileIdentity } from "../../sharing/file-identity.js";
import { secretRef } from "../../sharing/key-parts.js";
import type { MaterialSource, RolesAnywhereSettings } from "./resolve-roles-anywhere-settings.js";
import { resolveRolesAnywhereSettings } from "./resolve-roles-anywhere-settings.js";
import type { RolesAnywhereOptions } from "./roles-anywhere-options.js";

/**
 * What decides the answer of a `fromRolesAnywhere` provider, as one string for a sharing key — with
 * no file content and no secret in it:
 * - every option value that decides it, defaults filled in (the ARNs, region, endpoint, duration,
 *   session name);
 * - for the certificate, key and intermediates: a file's path and its identity from one `stat`
 *   (`fileIdentity`: device, inode, size, modification and change times — a renewal in place, by
 *   rename or by rewrite, changes it), or for PEM text given inline its SHA-256;
 * - the passphrase as a number standing for it (`secretRef`), never in clear nor as a digest (a
 *   passphrase is short enough to guess from one).
 * The clock, the logger and `timeoutMs` change how it gets the answer, not which, and are left out.
 * A file that cannot be `stat`ed is represented by its error code (the call itself will fail).
 *
 * node:crypto is loaded only for inline PEM, so the sharing key of file-based options costs no
 * import beyond the `stat`s.
 *
 * @param options - the provider's options (checked as `fromRolesAnywhere` checks them), or its settings.
 * @returns a JSON text, stable for the same inputs.
 * @throws TypeError for invalid options, as `fromRolesAnywhere`.
 * @example
 * ```ts
 * import { rolesAnywhereInputs } from "./roles-anywhere-inputs.js";
 * import type { RolesAnywhereOptions } from "./roles-anywhere-options.js";
 *
 * declare const options: RolesAnywhereOptions;
 * const key = await rolesAnywhereInputs(options); // changes when a certificate file is renewed
 * ```
 */
export async function rolesAnywhereInputs(options: RolesAnywhereOptions | RolesAnywhereSettings): Promise<string> {
  const settings = isSettings(options) ? options : resolveRolesAnywhereSettings(options);
  const [certificate, privateKey, intermediates] = await Promise.all([
    materialIdentity(settings.certificate),
    materialIdentity(settings.privateKey),
    settings.intermediates === undefined ? null : materialIdentity(settings.intermediates),
  ]);
  return JSON.stringify({
    source: "roles-anywhere",
    certificate,
    privateKey,
    intermediates,
    privateKeyPassphrase: settings.privateKeyPassphrase === undefined ? null : secretRef(settings.privateKeyPassphrase),
    trustAnchorArn: settings.trustAnchorArn,
    profileArn: settings.profileArn,
    roleArn: settings.roleArn,
    region: settings.region,
    endpoint: settings.endpoint,
    durationSeconds: settings.durationSeconds,
    sessionName: settings.sessionName ?? null,
  });
}

/** A file's path and identity (`-` absent, `!CODE` unreadable), or inline PEM's digest. */
async function materialIdentity(source: MaterialSource): Promise<Record<string, string>> {
  if (source.kind === "pem") {
    const { createHash } = await import("node:crypto");
    return { pemSha256: createHash("sha256").update(source.text, "utf8").digest("hex") };
  }
  const identity = await fileIdentity(source.path);
  return { path: source.path, file: identity.key };
}

function isSettings(value: RolesAnywhereOptions | RolesAnywhereSettings): value is RolesAnywhereSettings {
  return typeof value === "object" && value !== null && typeof (value as { certificate?: unknown }).certificate === "object";
}
