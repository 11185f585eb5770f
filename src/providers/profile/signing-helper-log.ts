/**
 * The start of the debug line a profile's `credential_process` running AWS's `aws_signing_helper`
 * logs: the rest says whether it was done natively (and for which role) or run as a process (and
 * why). `env-or-profile explain` and `status` show it. Its own module, so the CLI can read it
 * without loading the profile chunk. @internal
 */
export const SIGNING_HELPER_LOG_PREFIX = "profile: credential_process is aws_signing_helper";
