import type { CommandName } from "./parse-cli-args.js";

/** Replaced, when the help is printed, by this installation's absolute credential_process command. */
export const CREDENTIAL_PROCESS_PLACEHOLDER = "@@CREDENTIAL_PROCESS_COMMAND@@";

const ROLE_HELP = `Role options (assume a role on top of the chain; each also read from an environment variable):
  --role-arn ARN        role to assume                    ENV_OR_PROFILE_ROLE_ARN
  --external-id ID      ExternalId the role requires      ENV_OR_PROFILE_EXTERNAL_ID
  --session-name NAME   RoleSessionName                   ENV_OR_PROFILE_ROLE_SESSION_NAME
                        (default env-or-profile@<host>)
  --duration SECONDS    900 to 43200 (default 3600)       ENV_OR_PROFILE_DURATION_SECONDS
  --mfa-serial ARN      the MFA device the role requires  ENV_OR_PROFILE_MFA_SERIAL
                        (its code is asked on the terminal, /dev/tty)
  STS region: AWS_REGION, else AWS_DEFAULT_REGION, else the role ARN's partition's (us-east-1 for aws,
  cn-north-1 for aws-cn, us-gov-west-1 for aws-us-gov, …); endpoint: AWS_ENDPOINT_URL_STS.`;

const PROFILE_HELP = `Profile options:
  --profile P           the AWS profile for the chain's profile link (instead of AWS_PROFILE, else
                        default), from AWS_CONFIG_FILE / ~/.aws/config and AWS_SHARED_CREDENTIALS_FILE /
                        ~/.aws/credentials. An explicit choice: a missing or broken profile is an error,
                        never a fall-through to another identity; environment keys are not used.
  --no-profile          no profile link at all (AWS_PROFILE is not read; the IMDS settings of
                        [default] still apply): environment keys, web identity, container, instance
                        profile. What a credential_process line says when its source is not a profile.
MFA: a role that needs a code (a profile's mfa_serial, --mfa-serial) asks for it on the terminal
(/dev/tty, never stdout or stdin), or runs the profile's mfa_process; without either, MFA_REQUIRED.`;

const ROLES_ANYWHERE_HELP = `IAM Roles Anywhere (a server outside AWS: its X.509 certificate is the source, not the chain;
aws_signing_helper credential-process's flag names, done natively — no helper binary needed):
  --roles-anywhere              use the certificate below instead of the chain
  --certificate FILE            the leaf certificate (PEM or DER); re-read at every fetch
  --private-key FILE            its key: RSA or EC, PKCS#1, SEC1 or PKCS#8 PEM
  --intermediates FILE          intermediate CA certificates (PEM), sent with the leaf
  --trust-anchor-arn ARN        the trust anchor holding the issuing CA
  --profile-arn ARN             the Roles Anywhere profile listing the role
  --role-arn ARN                the role whose credentials are returned
  --region R                    default: the trust anchor ARN's region
  --session-duration SECONDS    900 to 43200 (default 3600)
  --role-session-name NAME      the session's name (the profile must accept custom names)
  --endpoint URL                the CreateSession base URL (a VPC endpoint, an emulator)
  --assume-role-arn ARN         then assume this role with the Roles Anywhere credentials (with
                                --external-id, --session-name, --duration; flags only)
  PKCS#11 tokens, TPM keys, PKCS#12 bundles and OS certificate stores need aws_signing_helper.`;

const MAIN_HELP = `Usage: env-or-profile [command] [options]

Finds AWS credentials the way envOrProfile() does: environment variables, else an AWS profile, else
web identity (EKS IRSA), else container credentials (ECS task role, EKS Pod Identity), else the EC2
instance profile (IMDS), then STS AssumeRole when a role is given. Secrets are never printed, except by
credential-process, whose job is to hand them to another program.

Commands:
  (none)                         which source won, the access key id's last 4 characters, expiry
  explain                        every link tried, in order, how long it took, why it failed
  credential-process             credential_process JSON for the AWS CLI and SDKs (cached across runs)
  setup-aws-profile NAME         the [profile NAME] block for ~/.aws/config (--write appends it)
  cache clear                    remove credential-process's cached credentials
  decode-authorization-message   decode an "Encoded authorization failure message" with STS
  help [command]                 this text, or a command's

Options:
  --json          machine-readable output (status, explain)
  --cache         status, explain: look in credential-process's cache first (a hit: the entry, its
                  age and expiry, no link asked), else ask the links and keep their credential;
                  --no-cache or ENV_OR_PROFILE_CACHE=off win (also --refresh-window SECONDS)
  -h, --help      help
  --version       the version

${PROFILE_HELP}

${ROLE_HELP}

${ROLES_ANYWHERE_HELP}

Exit codes: 0 ok, 1 no credentials or the command failed, 2 bad command line.
Environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION,
AWS_PROFILE, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE,
AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_SESSION_NAME,
AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, AWS_CONTAINER_CREDENTIALS_FULL_URI,
AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, AWS_CONTAINER_AUTHORIZATION_TOKEN,
AWS_EC2_METADATA_DISABLED, AWS_EC2_METADATA_SERVICE_ENDPOINT(_MODE), AWS_EC2_METADATA_V1_DISABLED,
AWS_METADATA_SERVICE_TIMEOUT, AWS_METADATA_SERVICE_NUM_ATTEMPTS.
credential-process's cache: ENV_OR_PROFILE_CACHE_DIR, ENV_OR_PROFILE_CACHE=off,
ENV_OR_PROFILE_REFRESH_WINDOW_SECONDS, ENV_OR_PROFILE_DEBUG=1 (its debug lines on stderr).
`;

const COMMAND_HELP: Readonly<Record<CommandName, string>> = {
  status: MAIN_HELP,
  explain: `Usage: env-or-profile explain [--json] [--cache] [role options]

Tries every link in order — env, profile, web-identity, container, imds, then assume-role when a
role is given — and prints, for each, whether it gave credentials, was skipped (not configured
here), failed (configured but broken, which stops the chain) or was IGNORED (configured too, but an
earlier link answered), how long it took in milliseconds, and the error code and reason.
A profile whose credential_process is aws_signing_helper says whether it was done natively (IAM
Roles Anywhere) or run, and why. With --roles-anywhere, the certificate is the only source tried.
Exits 1 when no link gave credentials.

Options:
  --json          the same account as JSON on stdout
  --cache         first a "Cache:" line: credential-process's entry for these options served (hit:
                  its file, age and expiry; the links are then not asked), or why not (miss: no
                  entry, inside the refresh window, or ignored and why — the links are asked and
                  their credential kept); --no-cache or ENV_OR_PROFILE_CACHE=off win
  --refresh-window SECONDS   with --cache, as credential-process's
  -h, --help      this text

${PROFILE_HELP}

${ROLE_HELP}

${ROLES_ANYWHERE_HELP}
`,
  "credential-process": `Usage: env-or-profile credential-process [role options] [--no-cache] [--refresh-window SECONDS]
       env-or-profile credential-process --roles-anywhere --certificate F --private-key F --trust-anchor-arn A
                                         --profile-arn A --role-arn A [--assume-role-arn A] [cache options]
       env-or-profile credential-process [role options] --print-config

Prints the credential as credential_process JSON on stdout:
  {"Version":1,"AccessKeyId":…,"SecretAccessKey":…,"SessionToken":…,"Expiration":…}
so the AWS CLI and every AWS SDK can use this chain through ~/.aws/config. This installation's
line (absolute paths, so it works from any folder; add your role options):

  [profile app]
  credential_process = ${CREDENTIAL_PROCESS_PLACEHOLDER} --profile SOURCE

The line names its source — --profile SOURCE (the profile holding the credentials it starts from)
or --no-profile (environment keys, web identity, container, instance profile) — because the AWS CLI
and SDKs pass AWS_PROFILE on to it: a line without one, in a profile selected by AWS_PROFILE or
in [default], would run itself (that is stopped at once: PROCESS_LOOP).

--print-config prints that line with the options given (naming a source as setup-aws-profile does
when none is given); \`env-or-profile setup-aws-profile NAME\`
prints (and with --write appends) the whole block, its source named (--profile P or --no-profile)
so it works however NAME is selected.

A role that needs MFA (--mfa-serial, or a profile's mfa_serial) asks for the code on the terminal
(/dev/tty) or runs the profile's mfa_process; the credential is then kept in the cache, so one code
serves the AWS CLI, boto3 and every SDK running the same line until it expires.

The AWS CLI runs this before every command, so the credential is kept between runs in
ENV_OR_PROFILE_CACHE_DIR (default $XDG_CACHE_HOME/env-or-profile, else ~/.cache/env-or-profile;
directory 0700, files 0600: the secrets are on disk there, as in the AWS CLI's own
~/.aws/cli/cache). An entry is reused while it has more than the refresh window left, so what is
printed is never inside botocore's 15-minute refresh window when a fresher one can be had.
With --duration 900 or less, every credential is inside that window and the AWS CLI and SDKs run
this before every API call (a warning says so).

Errors go to stderr; exits 1 when there are no credentials.

Options:
  --no-cache                 neither read nor write the cache (also ENV_OR_PROFILE_CACHE=off)
  --refresh-window SECONDS   fetch a fresh credential once the cached one has less left than this
                             (default 1200: botocore's 900 + 300; ENV_OR_PROFILE_REFRESH_WINDOW_SECONDS;
                             at most half the credential's lifetime)
  --print-config             print the credential_process line instead of credentials
  -h, --help                 this text
Debug lines of the cache (hit, miss, why an entry was ignored) go to stderr with ENV_OR_PROFILE_DEBUG=1.
With --roles-anywhere the entry is keyed by the flags and the certificate, key and intermediates
files' contents: a renewed certificate is fetched anew.

${PROFILE_HELP}

${ROLE_HELP}

${ROLES_ANYWHERE_HELP}
`,
  "decode-authorization-message": `Usage: env-or-profile decode-authorization-message <encoded | -> [role options]

Decodes the "Encoded authorization failure message" of an AccessDenied error with STS
DecodeAuthorizationMessage (signed with the chain's credentials, which need
sts:DecodeAuthorizationMessage) and prints the decoded JSON. "-" reads the message from stdin.

Options:
  -h, --help      this text

${PROFILE_HELP}

${ROLE_HELP}
`,
  cache: `Usage: env-or-profile cache clear

Removes credential-process's cached credentials: the cache's own files (entries, locks, its salt)
in ENV_OR_PROFILE_CACHE_DIR (default $XDG_CACHE_HOME/env-or-profile, else ~/.cache/env-or-profile),
and nothing else in that directory.

Options:
  -h, --help      this text
`,
  "setup-aws-profile": `Usage: env-or-profile setup-aws-profile NAME [role options] [--profile P | --no-profile]
                                           [--write] [--config-file PATH]
       env-or-profile setup-aws-profile NAME --roles-anywhere [Roles Anywhere options] [--write]

Prints the ~/.aws/config block that makes the AWS CLI and SDKs use this chain as profile NAME,
with this installation's absolute paths (it works from any folder):

  [profile NAME]
  credential_process = ${CREDENTIAL_PROCESS_PLACEHOLDER} --profile SOURCE [role options]

The line names where its credentials come from — --profile SOURCE, or --no-profile — so it works
however NAME is selected (aws --profile NAME, AWS_PROFILE=NAME, or NAME = default): the AWS CLI and
SDKs pass AWS_PROFILE on to the process, which would otherwise run NAME again. Without --profile or
--no-profile it names AWS_PROFILE's profile (when it is not NAME), else [default] when that has
credentials, else --no-profile, and says so on stderr. With --roles-anywhere the certificate is the
source and the line names no profile.

Options:
  --write               append the block to the config file (never over an existing [profile NAME];
                        written atomically, the file's mode kept, a new file 0600)
  --config-file PATH    the file to write (default AWS_CONFIG_FILE, else ~/.aws/config)
  -h, --help            this text

${PROFILE_HELP}

${ROLE_HELP}

${ROLES_ANYWHERE_HELP}
`,
};

/** The help text of a command, or of the whole CLI. */
export function helpText(command: CommandName | undefined): string {
  return command === undefined ? MAIN_HELP : COMMAND_HELP[command];
}
