import { readFileSync, statSync } from "node:fs";
import { hostname } from "node:os";
import type { FileCacheKey } from "../../cache/cache-key-hash.js";
import type { CliIo } from "../cli-io.js";
import type { RoleRequest } from "../parse-cli-args.js";

/**
 * Variables that change how the cache behaves, not which identity answers: left out of the key so
 * that turning the debug output on does not make every entry miss.
 */
const NOT_IDENTITY = new Set([
  "ENV_OR_PROFILE_CACHE",
  "ENV_OR_PROFILE_CACHE_DIR",
  "ENV_OR_PROFILE_DEBUG",
  "ENV_OR_PROFILE_REFRESH_WINDOW_SECONDS",
  "AWS_PAGER",
  "AWS_DEFAULT_OUTPUT",
  "AWS_CLI_AUTO_PROMPT",
  "AWS_CLI_FILE_ENCODING",
]);

/** Files whose contents can change the identity are read whole, up to this size. */
const MAX_FACT_FILE_BYTES = 1024 * 1024;

/**
 * Everything a `credential-process` run's answer depends on, read without any network I/O, so a
 * warm run can find its entry before (and instead of) resolving anything. The rule is "key on all
 * that the chain could read", not "on the link that will win": which link wins is only known after
 * trying IMDS, and a key that missed a fact would hand out another identity's credentials.
 *
 * - the role request (ARN, ExternalId, session name, duration) and `--profile`;
 * - every `AWS_*` and `ENV_OR_PROFILE_*` variable (keys and their secrets, `AWS_PROFILE`, region and
 *   endpoint settings, web identity and container settings, IMDS settings), and the home variables
 *   that decide where the shared files are;
 * - the contents of the shared config and credentials files and of the web identity and container
 *   authorization token files (so an edited profile or a rotated token never hits an older entry);
 * - the host name and, on Linux, the boot id: instance-profile credentials belong to one machine, and
 *   a home directory shared between machines (NFS, a copied image) must not hand one's role to another;
 * - the user id.
 *
 * What no local fact can show, the cache cannot see either: an instance profile swapped on a running
 * instance, or whatever a profile's own `credential_process` would answer now. The entry then lives
 * until its refresh window, as an in-process cache's would; `--no-cache` opts out.
 * Secrets are in the facts, but the facts are only ever HMAC'd (see `withFileCache`).
 */
export function cacheKeyFacts(io: CliIo, role: RoleRequest | undefined, profile: string | undefined): FileCacheKey {
  const env = io.env;
  const facts: Record<string, string | number | boolean | undefined> = {
    purpose: "env-or-profile credential-process v1",
    "role.arn": role?.roleArn,
    "role.externalId": role?.externalId,
    "role.sessionName": role?.roleSessionName,
    "role.durationSeconds": role?.durationSeconds,
    profile,
    "host.name": safeHostname(),
    "host.boot": readFact("/proc/sys/kernel/random/boot_id"),
    "user.uid": typeof process.getuid === "function" ? process.getuid() : undefined,
  };
  for (const [name, value] of Object.entries(env)) {
    if ((name.startsWith("AWS_") || name.startsWith("ENV_OR_PROFILE_")) && !NOT_IDENTITY.has(name)) {
      facts[`env.${name}`] = value;
    }
  }
  for (const name of ["HOME", "USERPROFILE", "HOMEDRIVE", "HOMEPATH"]) {
    facts[`env.${name}`] = env[name];
  }
  const home = env["HOME"] ?? env["USERPROFILE"] ?? "";
  const files: Record<string, string | undefined> = {
    config: nonEmpty(env["AWS_CONFIG_FILE"]) ?? `${home}/.aws/config`,
    credentials: nonEmpty(env["AWS_SHARED_CREDENTIALS_FILE"]) ?? `${home}/.aws/credentials`,
    webIdentityToken: nonEmpty(env["AWS_WEB_IDENTITY_TOKEN_FILE"]),
    containerToken: nonEmpty(env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]),
  };
  for (const [label, path] of Object.entries(files)) {
    if (path !== undefined) {
      facts[`file.${label}`] = `${path}\0${readFact(path) ?? "(absent or unreadable)"}`;
    }
  }
  return facts;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
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
