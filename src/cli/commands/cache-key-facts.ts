import { readFileSync, statSync } from "node:fs";
import { hostname } from "node:os";
import type { FileCacheKey } from "../../cache/cache-key-hash.js";
import { configuredValue } from "../../config-value.js";
import { resolveProfileSelection } from "../../providers/profile/resolve-profile-selection.js";
import { ALL_LINK_VARIABLES, LINK_VARIABLES } from "../../sharing/link-variables.js";
import type { CliIo } from "../cli-io.js";
import { ROLE_ENV, type RoleRequest } from "../parse-cli-args.js";
import type { RolesAnywhereRequest } from "../roles-anywhere-args.js";

/** Files whose contents can change the identity are read whole, up to this size. */
const MAX_FACT_FILE_BYTES = 1024 * 1024;

/**
 * Everything a `credential-process` run's answer depends on, read without any network I/O, so a
 * warm run can find its entry before (and instead of) resolving anything. The rule is "key on all
 * that the chain could read", not "on the link that will win" (which link wins is only known after
 * trying IMDS), and nothing else — so the AWS CLI v2, v1, boto3 and an app running the same line
 * share one entry whatever else their environments hold (the AWS CLI sets `AWS_DATA_PATH`, for one):
 *
 * - the role request (ARN, ExternalId, session name, duration, MFA device) and `--profile` or
 *   `--no-profile`;
 * - the variables the links read (`LINK_VARIABLES`: keys and their secrets, `AWS_PROFILE` and the
 *   file variables, web identity, container, IMDS and STS location settings) and the role variables
 *   — but not `AWS_PROFILE` when the command line names its source (`--profile` or `--no-profile`):
 *   then it decides nothing, and a line run by `aws --profile x`, by `AWS_PROFILE=x` and as
 *   `[default]` shares one entry;
 * - the contents of the shared config and credentials files — at the paths the profile link reads,
 *   `~` expanded — and of the web identity and container authorization token files (so an edited
 *   profile or a rotated token never hits an older entry);
 * - the host name and, on Linux, the boot id: instance-profile credentials belong to one machine, and
 *   a home directory shared between machines (NFS, a copied image) must not hand one's role to another;
 * - the user id.
 *
 * What no local fact can show, the cache cannot see either: an instance profile swapped on a running
 * instance, or whatever a profile's own `credential_process` would answer now. The entry then lives
 * until its refresh window, as an in-process provider keeps its credential; `--no-cache` opts out.
 * Secrets are in the facts, but the facts are only ever HMAC'd (see `withFileCache`).
 *
 * With `--roles-anywhere` the certificate is the source and no link of the chain is read, so the
 * facts are {@link rolesAnywhereFacts} instead.
 */
export function cacheKeyFacts(
  io: CliIo,
  role: RoleRequest | undefined,
  profile: string | undefined,
  noProfile = false,
  rolesAnywhere?: RolesAnywhereRequest,
): FileCacheKey {
  if (rolesAnywhere !== undefined) {
    return rolesAnywhereFacts(io, role, rolesAnywhere);
  }
  const env = io.env;
  const named = (profile !== undefined && profile !== "") || noProfile;
  const facts: Record<string, string | number | boolean | undefined> = {
    purpose: "env-or-profile credential-process v2",
    "role.arn": role?.roleArn,
    "role.externalId": role?.externalId,
    "role.sessionName": role?.roleSessionName,
    "role.durationSeconds": role?.durationSeconds,
    "role.mfaSerial": role?.mfaSerial,
    profile,
    noProfile: noProfile ? true : undefined,
    "host.name": safeHostname(),
    "host.boot": readFact("/proc/sys/kernel/random/boot_id"),
    "user.uid": typeof process.getuid === "function" ? process.getuid() : undefined,
  };
  for (const name of [...ALL_LINK_VARIABLES, ...Object.values(ROLE_ENV)]) {
    if (named && name === "AWS_PROFILE") continue;
    facts[`env.${name}`] = env[name];
  }
  const selection = resolveProfileSelection({ env, ...(profile === undefined || profile === "" ? {} : { profile }) });
  const files: Record<string, string | undefined> = {
    config: selection.configFile,
    credentials: selection.credentialsFile,
    webIdentityToken: configuredValue(env[LINK_VARIABLES.webIdentity[1]]),
    containerToken: configuredValue(env[LINK_VARIABLES.container[2]]),
  };
  for (const [label, path] of Object.entries(files)) {
    if (path !== undefined) {
      facts[`file.${label}`] = `${path}\0${readFact(path) ?? "(absent or unreadable)"}`;
    }
  }
  return facts;
}

/**
 * What a `credential-process --roles-anywhere` run's answer depends on: every flag as given (the
 * defaults — region, endpoint — follow from the trust anchor ARN, which is in), the contents of the
 * certificate, key and intermediates files (a renewed certificate is a new entry; a rewrite with the
 * same bytes is not), the role on top and, for it, where STS is (`LINK_VARIABLES.sts`), and the user
 * id. Not the host: a Roles Anywhere credential belongs to the certificate, not to a machine.
 */
function rolesAnywhereFacts(io: CliIo, role: RoleRequest | undefined, request: RolesAnywhereRequest): FileCacheKey {
  const facts: Record<string, string | number | boolean | undefined> = {
    purpose: "env-or-profile credential-process --roles-anywhere v1",
    "ra.trustAnchorArn": request.trustAnchorArn,
    "ra.profileArn": request.profileArn,
    "ra.roleArn": request.roleArn,
    "ra.region": request.region,
    "ra.endpoint": request.endpoint,
    "ra.durationSeconds": request.durationSeconds,
    "ra.sessionName": request.sessionName,
    "role.arn": role?.roleArn,
    "role.externalId": role?.externalId,
    "role.sessionName": role?.roleSessionName,
    "role.durationSeconds": role?.durationSeconds,
    "role.mfaSerial": role?.mfaSerial,
    "user.uid": typeof process.getuid === "function" ? process.getuid() : undefined,
  };
  for (const [label, path] of [
    ["certificate", request.certificate],
    ["privateKey", request.privateKey],
    ["intermediates", request.intermediates],
  ] as const) {
    if (path !== undefined) {
      facts[`file.${label}`] = `${path}\0${readFact(path) ?? "(absent or unreadable)"}`;
    }
  }
  if (role !== undefined) {
    for (const name of LINK_VARIABLES.sts) {
      facts[`env.${name}`] = io.env[name];
    }
  }
  return facts;
}

function safeHostname(): string {
  try {
    return hostname();
  } catch {
    return "";
  }
}

/** A small file's contents, or `undefined` when it is absent, unreadable or too big to be a setting. */
function readFact(path: string): string | undefined {
  try {
    if (statSync(path, { throwIfNoEntry: false }) === undefined) {
      return undefined; // the common case, answered without building an exception
    }
    const buffer = readFileSync(path);
    return buffer.length > MAX_FACT_FILE_BYTES ? `(${String(buffer.length)} bytes)` : buffer.toString("utf8");
  } catch {
    return undefined;
  }
}
