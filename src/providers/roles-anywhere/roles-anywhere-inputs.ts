import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import type { MaterialSource, RolesAnywhereSettings } from "./resolve-roles-anywhere-settings.js";
import { resolveRolesAnywhereSettings } from "./resolve-roles-anywhere-settings.js";
import type { RolesAnywhereOptions } from "./roles-anywhere-options.js";

/**
 * What decides the answer of a `fromRolesAnywhere` provider, as one string for a cache key — with
 * no file content and no secret in it:
 * - every option value that decides it, defaults filled in (the ARNs, region, endpoint, duration,
 *   session name);
 * - for the certificate, key and intermediates: a file's path and its identity from `fs.stat`
 *   (`dev`, `ino`, `size`, `mtimeNs`, `ctimeNs` — a renewal in place, by rename or by rewrite,
 *   changes it), or for PEM text given inline its SHA-256;
 * - the passphrase as its SHA-256, never in clear.
 * The clock, the logger and `timeoutMs` change how it gets the answer, not which, and are left out.
 * A file that cannot be `stat`ed is represented by its error code (the call itself will fail).
 *
 * @param options - the provider's options (checked as `fromRolesAnywhere` checks them).
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
    privateKeyPassphraseSha256: settings.privateKeyPassphrase === undefined ? null : sha256(settings.privateKeyPassphrase),
    trustAnchorArn: settings.trustAnchorArn,
    profileArn: settings.profileArn,
    roleArn: settings.roleArn,
    region: settings.region,
    endpoint: settings.endpoint,
    durationSeconds: settings.durationSeconds,
    sessionName: settings.sessionName ?? null,
  });
}

/** A file's path and identity, or inline PEM's digest. */
async function materialIdentity(source: MaterialSource): Promise<Record<string, string>> {
  if (source.kind === "pem") return { pemSha256: sha256(source.text) };
  try {
    const stats = await stat(source.path, { bigint: true });
    return {
      path: source.path,
      dev: stats.dev.toString(),
      ino: stats.ino.toString(),
      size: stats.size.toString(),
      mtimeNs: stats.mtimeNs.toString(),
      ctimeNs: stats.ctimeNs.toString(),
    };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { path: source.path, error: typeof code === "string" ? code : "stat failed" };
  }
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function isSettings(value: RolesAnywhereOptions | RolesAnywhereSettings): value is RolesAnywhereSettings {
  return typeof value === "object" && value !== null && typeof (value as { certificate?: unknown }).certificate === "object";
}
