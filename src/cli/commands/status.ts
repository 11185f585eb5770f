import { systemClock } from "../../clock.js";
import { CredentialsError } from "../../errors.js";
import { readInstanceProfile } from "../../providers/imds/read-instance-profile.js";
import { credentialMarks } from "../../sdk/credential-marks.js";
import { EXIT, type CliIo } from "../cli-io.js";
import { formatAge, formatTimeLeft, isoSeconds, keyIdLast4, reason } from "../format.js";
import { prepareCachedTrace, type ReportCommandOptions, type CacheReport, type LinkName, type SourceLinkName, type TraceResult } from "../resolve-with-trace.js";
import type { IgnoredLink } from "../../configured-links.js";

/** The machine-readable status printed by `env-or-profile --json`. Holds no secret. */
export interface StatusJson {
  ok: boolean;
  /** The link whose credential won; `cache` when `--cache` served credential-process's entry (no link was asked). */
  source?: LinkName | "cache";
  /** The link that gave the base credential (differs from `source` when a role was assumed). */
  base?: SourceLinkName;
  /** How the base link got it, when worth saying: a profile's `aws_signing_helper` done natively (IAM Roles Anywhere), or run and why. */
  via?: string;
  roleArn?: string;
  /** The last four characters of the access key id. */
  accessKeyIdLast4?: string;
  /** Whether the credential is temporary (has a session token). */
  temporary?: boolean;
  accountId?: string;
  /** ISO 8601, or `null` for keys that do not expire. */
  expiration?: string | null;
  secondsLeft?: number | null;
  /**
   * The AWS SDK's credential feature marks the credential carries (feature id → the code a client
   * sends in its user agent's `m/…`), in order, e.g. `{ "CREDENTIALS_ENV_VARS": "g" }`; empty for a
   * credential served from credential-process's file cache (the client that reads it marks it).
   */
  marks?: Record<string, string>;
  /** When the base credential came from IMDS and `iam/info` answered. */
  instanceProfileArn?: string;
  /** Configured links that were not used because an earlier one answered (names and evidence, no values). */
  ignored?: IgnoredLink[];
  /** With `--cache`: what credential-process's file cache did (hit: the entry, its age and expiry; never a secret). */
  cache?: CacheReport;
  /** When there are no credentials. */
  error?: { code: string; message: string };
}

const SOURCE_LABEL: Readonly<Record<LinkName, string>> = {
  env: "env (environment variables)",
  profile: "profile (AWS shared config/credentials files)",
  "web-identity": "web-identity (STS AssumeRoleWithWebIdentity: EKS IRSA, OIDC)",
  container: "container (ECS task role / EKS Pod Identity endpoint)",
  imds: "imds (EC2 instance profile)",
  "roles-anywhere": "roles-anywhere (IAM Roles Anywhere: this host's X.509 certificate)",
  "assume-role": "assume-role (STS AssumeRole)",
};

/**
 * `env-or-profile [--json]`: which source won, the identity (key id cut to its last four), expiry
 * and time left, the instance profile ARN when it came from IMDS. Never a secret.
 * @returns the exit code: 0 with credentials, 1 without.
 */
export async function statusCommand(
  options: ReportCommandOptions,
  io: CliIo,
): Promise<number> {
  const run = prepareCachedTrace(io, options);
  const result = await run();
  const status = await toStatus(result, io);
  if (options.json) {
    io.stdout(`${JSON.stringify(status, null, 2)}\n`);
  }
  if (!status.ok) {
    io.stderr(`env-or-profile: no credentials: ${reason(result.error)}\nRun \`env-or-profile explain\` to see every link and why it did not give credentials.\n`);
    return EXIT.failure;
  }
  if (!options.json) {
    io.stdout(formatStatus(status));
  }
  return EXIT.ok;
}

async function toStatus(result: TraceResult, io: CliIo): Promise<StatusJson> {
  const credential = result.credential;
  const cache = result.cache === undefined ? {} : { cache: result.cache };
  const source = result.cache?.state === "hit" ? "cache" : result.source;
  if (credential === undefined || source === undefined) {
    const error = result.error;
    return {
      ok: false,
      ...cache,
      error:
        error instanceof CredentialsError ? { code: error.code, message: error.message } : { code: "PROVIDER_FAILED", message: reason(error) },
    };
  }
  const now = (io.clock ?? systemClock).now();
  const expiration = credential.expiration;
  let instanceProfileArn: string | undefined;
  if (result.base === "imds") {
    try {
      instanceProfileArn = (await readInstanceProfile({ ...io.imds, env: io.env, ...(io.clock === undefined ? {} : { clock: io.clock }) }))
        .instanceProfileArn;
    } catch {
      instanceProfileArn = undefined; // diagnostics only: the credential is what matters
    }
  }
  return {
    ok: true,
    source,
    ...(result.base === undefined ? {} : { base: result.base }),
    ...(result.via === undefined ? {} : { via: result.via }),
    ...(result.roleArn === undefined ? {} : { roleArn: result.roleArn }),
    accessKeyIdLast4: keyIdLast4(credential.accessKeyId),
    temporary: credential.sessionToken !== undefined,
    ...(credential.accountId === undefined ? {} : { accountId: credential.accountId }),
    expiration: expiration === undefined ? null : isoSeconds(expiration),
    secondsLeft: expiration === undefined ? null : Math.floor((expiration.getTime() - now) / 1000),
    marks: { ...credentialMarks(credential) },
    ...(instanceProfileArn === undefined ? {} : { instanceProfileArn }),
    ...(result.ignored.length === 0 ? {} : { ignored: result.ignored }),
    ...cache,
  };
}

function formatStatus(status: StatusJson): string {
  const rows: [string, string][] = [];
  const source = status.source ?? "env";
  rows.push([
    "Source",
    source === "cache"
      ? `cache (credential-process's entry ${status.cache?.path ?? ""}${status.roleArn === undefined ? "" : `, for ${status.roleArn}`})`
      : source === "assume-role"
        ? `assume-role (${status.roleArn ?? ""}, signed with the ${status.base ?? ""} credentials)`
        : SOURCE_LABEL[source],
  ]);
  if (status.via !== undefined) {
    rows.push(["Via", status.via]);
  }
  if (status.cache !== undefined) {
    rows.push([
      "Cache",
      status.cache.state === "hit"
        ? `hit: obtained ${status.cache.obtainedAt ?? ""} (${formatAge((status.cache.ageSeconds ?? 0) * 1000)} ago); no link was asked`
        : `${status.cache.state}: ${status.cache.message}`,
    ]);
  }
  rows.push(["Access key id", `…${status.accessKeyIdLast4 ?? ""}${status.temporary === true ? " (temporary, with a session token)" : " (long-term key)"}`]);
  if (status.accountId !== undefined) {
    rows.push(["Account", status.accountId]);
  }
  rows.push([
    "Expires",
    status.expiration === null || status.expiration === undefined
      ? "never (no expiration given)"
      : `${status.expiration} (${(status.secondsLeft ?? 0) > 0 ? `in ${formatTimeLeft((status.secondsLeft ?? 0) * 1000)}` : "expired"})`,
  ]);
  if (status.base === "imds") {
    rows.push(["Instance profile", status.instanceProfileArn ?? "unknown (IMDS did not answer iam/info)"]);
  }
  if (status.ignored !== undefined && status.ignored.length > 0) {
    rows.push(["Ignored", `${status.ignored.map((entry) => `${entry.link} (${entry.why})`).join(", ")} — configured too, not used; run \`env-or-profile explain\``]);
  }
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}\n`).join("");
}
