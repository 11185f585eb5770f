import { identityRef, optionsKey } from "../../sharing/key-parts.js";
import type { Link, Reading } from "../../sharing/link.js";
import { resolveRolesAnywhereSettings } from "./resolve-roles-anywhere-settings.js";
import { rolesAnywhereInputs } from "./roles-anywhere-inputs.js";
import type { RolesAnywhereOptions } from "./roles-anywhere-options.js";

/** `Link.name` of Roles Anywhere, for logs and errors (as `CredentialsError.source`). @internal */
export const ROLES_ANYWHERE_LINK_NAME = "roles-anywhere";

/**
 * The Roles Anywhere link: what decides its answer is {@link rolesAnywhereInputs} — the ARNs, region,
 * endpoint, duration and session name, the certificate, key and intermediates files by their
 * identity (a renewed file is a new answer) or inline PEM by its digest, the passphrase by a number
 * standing for it — plus the clock, the logger and the deadline (as every link keys them). It always
 * answers: a configured certificate never falls through to another identity. Each fetch is one
 * `CreateSession` (the signing path loads at the first fetch).
 *
 * @param options - checked now, without I/O, as `fromRolesAnywhere` checks them.
 * @throws TypeError for an invalid option.
 * @internal
 */
export function rolesAnywhereLink(options: RolesAnywhereOptions): Link {
  const settings = resolveRolesAnywhereSettings(options);
  const optionKey = optionsKey({
    timeoutMs: settings.timeoutMs,
    clock: identityRef(options.clock),
    logger: identityRef(options.logger),
  });
  return {
    name: ROLES_ANYWHERE_LINK_NAME,
    async read(): Promise<Reading> {
      const inputs = await rolesAnywhereInputs(settings);
      return {
        key: `${ROLES_ANYWHERE_LINK_NAME}:${inputs};${optionKey}`,
        answers: true,
        fetch: async () => {
          // The signing and request path (node:crypto, the files, the parsers, the transport) loads
          // at the first fetch, not at `import "env-or-profile"`: only Roles Anywhere users need it.
          const { createSession } = await import("./create-session.js");
          return createSession(settings);
        },
      };
    },
  };
}
