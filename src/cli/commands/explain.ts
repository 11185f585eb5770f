import { EXIT, type CliIo } from "../cli-io.js";
import { formatTimeLeft, isoSeconds, keyIdLast4, reason } from "../format.js";
import { prepareCachedTrace, type ReportCommandOptions, type CacheReport, type LinkReport, type LinkStatus } from "../resolve-with-trace.js";
import { describeIgnored, type IgnoredLink } from "../../configured-links.js";
import { systemClock } from "../../clock.js";
import { credentialMarks } from "../../sdk/credential-marks.js";

/** The machine-readable account printed by `env-or-profile explain --json`. Holds no secret. */
export interface ExplainJson {
  ok: boolean;
  /** Every link, in order. */
  links: LinkReport[];
  /** The link whose credential won, when one did; `cache` when `--cache` served credential-process's entry. */
  winner: string | null;
  /** With `--cache`: hit (no link was asked), miss or ignored, and why. */
  cache?: CacheReport;
  accessKeyIdLast4?: string;
  expiration?: string | null;
  /**
   * The AWS SDK's credential feature marks the credential carries (feature id → the code a client
   * sends in its user agent's `m/…`), in order; empty for a credential served from the file cache.
   */
  marks?: Record<string, string>;
  /** Configured links that were not used because an earlier one answered (names and evidence, no values). */
  ignored: IgnoredLink[];
}

const STATUS_LABEL: Readonly<Record<LinkStatus, string>> = {
  ok: "OK",
  skipped: "skipped",
  failed: "FAILED",
  ignored: "IGNORED",
  "not-tried": "not tried",
  "not-configured": "not configured",
};

/**
 * `env-or-profile explain [--json]`: every link tried, in order, how long it took, why it was
 * skipped or failed, and which won — what a person runs when "it can't find credentials".
 * @returns the exit code: 0 when a link gave credentials, 1 when none did.
 */
export async function explainCommand(
  options: ReportCommandOptions,
  io: CliIo,
): Promise<number> {
  const result = await prepareCachedTrace(io, options)();
  const order = options.rolesAnywhere === undefined ? "in the order envOrProfile() tries them" : "with --roles-anywhere (the certificate is the source; the chain is not read)";
  const credential = result.credential;
  const ok = credential !== undefined;
  const winner = result.cache?.state === "hit" ? "cache" : (result.source ?? null);
  if (options.json) {
    const json: ExplainJson = {
      ok,
      links: result.links,
      winner,
      ...(result.cache === undefined ? {} : { cache: result.cache }),
      ignored: result.ignored,
      ...(credential === undefined
        ? {}
        : {
            accessKeyIdLast4: keyIdLast4(credential.accessKeyId),
            expiration: credential.expiration === undefined ? null : isoSeconds(credential.expiration),
            marks: { ...credentialMarks(credential) },
          }),
    };
    io.stdout(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    const lines = [
      ...(result.cache === undefined ? [] : [`Cache: ${result.cache.state} — ${result.cache.message}.`, ""]),
      result.cache?.state === "hit" ? `Credential links, ${order} (not asked: the cache answered):` : `Credential links, ${order}:`,
      "",
    ];
    const labelWidth = Math.max(...result.links.map((link) => STATUS_LABEL[link.status].length));
    const nameWidth = Math.max(12, ...result.links.map((link) => link.link.length));
    result.links.forEach((link, index) => {
      const timing = link.ms === undefined ? "" : `${link.ms} ms`;
      const why = link.code === undefined ? link.message : `${link.code}: ${link.message}`;
      lines.push(
        `  ${index + 1}. ${link.link.padEnd(nameWidth)} ${STATUS_LABEL[link.status].padEnd(labelWidth)}  ${timing.padStart(7)}  ${why}`,
      );
    });
    lines.push("");
    if (credential === undefined) {
      lines.push("Result: no credentials.");
      if (result.links.every((link) => link.status !== "failed")) {
        lines.push(
          "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys), or AWS_PROFILE " +
            "(with ~/.aws/config), or run where a role is attached: EKS (IRSA or Pod Identity), ECS, or an EC2 instance with an instance profile.",
        );
      } else {
        lines.push("A link is configured but broken, so the chain stopped there rather than use another identity; fix it.");
      }
    } else {
      const now = (io.clock ?? systemClock).now();
      const expires =
        credential.expiration === undefined
          ? "no expiration"
          : `expires ${isoSeconds(credential.expiration)}, in ${formatTimeLeft(credential.expiration.getTime() - now)}`;
      lines.push(`Result: credentials from ${winner ?? ""} (access key id …${keyIdLast4(credential.accessKeyId)}, ${expires}).`);
      if (result.base !== undefined && result.base !== "roles-anywhere" && result.ignored.length > 0) {
        lines.push(`Warning: ${describeIgnored(result.base, result.ignored)}.`);
      }
    }
    io.stdout(`${lines.join("\n")}\n`);
  }
  if (!ok) {
    io.stderr(`env-or-profile: no credentials: ${reason(result.error)}\n`);
    return EXIT.failure;
  }
  return EXIT.ok;
}
