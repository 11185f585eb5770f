import { EXIT, type CliIo } from "../cli-io.js";
import { reason } from "../format.js";
import type { RoleRequest } from "../parse-cli-args.js";
import { prepareTrace } from "../resolve-with-trace.js";

/**
 * The JSON the AWS CLI and SDKs expect from a `credential_process` (version 1): see "Sourcing
 * credentials with an external process" in the AWS CLI User Guide.
 */
export interface CredentialProcessOutput {
  Version: 1;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken?: string;
  /** ISO 8601; absent for keys that do not expire (the caller then never refreshes). */
  Expiration?: string;
}

/**
 * `env-or-profile credential-process [--role-arn ARN --external-id ID --session-name N --duration S]`:
 * prints the credential as `credential_process` JSON on stdout — the one place a secret is ever
 * printed, because carrying it is the command's purpose. Errors go to stderr, which the AWS CLI
 * shows to the user.
 * @returns the exit code: 0 with credentials, 1 without.
 */
export async function credentialProcessCommand(options: { role: RoleRequest | undefined }, io: CliIo): Promise<number> {
  const result = await prepareTrace(io, options.role)();
  const credential = result.credential;
  if (credential === undefined) {
    io.stderr(`env-or-profile credential-process: no credentials: ${reason(result.error)}\n`);
    return EXIT.failure;
  }
  const output: CredentialProcessOutput = {
    Version: 1,
    AccessKeyId: credential.accessKeyId,
    SecretAccessKey: credential.secretAccessKey,
    ...(credential.sessionToken === undefined ? {} : { SessionToken: credential.sessionToken }),
    ...(credential.expiration === undefined ? {} : { Expiration: credential.expiration.toISOString() }),
  };
  io.stdout(`${JSON.stringify(output)}\n`);
  return EXIT.ok;
}
