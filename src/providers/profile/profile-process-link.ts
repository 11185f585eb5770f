import { CredentialsError } from "../../errors.js";
import { log } from "../../logger.js";
import type { Link, Reading } from "../../sharing/link.js";
import { credentialProcessLink, withAccountId, type CredentialProcessContext, type CredentialProcessOptions } from "../process/from-credential-process.js";
import { parseSigningHelperCommand } from "../roles-anywhere/parse-signing-helper-command.js";
import { rolesAnywhereLink } from "../roles-anywhere/roles-anywhere-link.js";
import { SIGNING_HELPER_LOG_PREFIX } from "./signing-helper-log.js";

/**
 * A profile's `credential_process`. When it runs `aws_signing_helper credential-process` with only
 * the flags we support (see `parseSigningHelperCommand`), it is done natively — the same
 * `CreateSession` with the same certificate, key and ARNs, through the Roles Anywhere link, so the
 * profile gains the cache, sharing and retries of every other source without an edit. Otherwise
 * (another program, a flag only the helper has) the command is run as before. A key or certificate
 * only the helper can use that shows only once the file is read (a TPM key, a PKCS#12 bundle:
 * `ROLES_ANYWHERE_UNSUPPORTED`) is handed to the helper too, at that call. Each decision is one
 * debug line starting with {@link SIGNING_HELPER_LOG_PREFIX}.
 *
 * The profile's `aws_account_id` is the credential's account when it has none (as for any process).
 * @param options - as for `credentialProcessLink`.
 * @param context - as for `credentialProcessLink`: how the profile was selected, for a loop's message.
 * @throws TypeError when the command line cannot be split or an option is invalid.
 * @internal
 */
export function profileProcessLink(options: CredentialProcessOptions, context: CredentialProcessContext = {}): Link {
  const parsed = parseSigningHelperCommand(options.command);
  const where = options.profile === undefined ? "" : ` in profile "${options.profile}"`;
  if (parsed.options === undefined) {
    if (parsed.reason !== "the command is not aws_signing_helper" && /aws_signing_helper/i.test(options.command)) {
      log(options.logger, "debug", `${SIGNING_HELPER_LOG_PREFIX}${where}, run as a process: ${parsed.reason}`);
    }
    return credentialProcessLink(options, context);
  }
  const native = rolesAnywhereLink({
    ...parsed.options,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const roleArn = parsed.options.roleArn;
  let spawned: Link | undefined;
  return {
    name: native.name,
    async read(): Promise<Reading> {
      const reading = await native.read();
      return {
        key: `signing-helper:${reading.key}`,
        answers: true,
        fetch: async () => {
          try {
            const identity = await reading.fetch();
            log(options.logger, "debug", `${SIGNING_HELPER_LOG_PREFIX}${where}, run natively: IAM Roles Anywhere CreateSession for role ${roleArn}`);
            return withAccountId(identity, options.accountId);
          } catch (error) {
            if (!(error instanceof CredentialsError && error.code === "ROLES_ANYWHERE_UNSUPPORTED")) throw error;
            log(options.logger, "debug", `${SIGNING_HELPER_LOG_PREFIX}${where}, run as a process: ${error.message}`);
            spawned ??= credentialProcessLink(options, context);
            return (await spawned.read()).fetch();
          }
        },
      };
    },
  };
}
