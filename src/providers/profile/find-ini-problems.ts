import type { ProfileFileText } from "./read-profile-files.js";

/**
 * Setting names the AWS CLI and SDKs read from profiles. A broken line is never shown (it may hold
 * a secret), but when it starts with one of these names, the name is, as a hint.
 */
const KNOWN_KEYS = new Set([
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "aws_security_token",
  "aws_credential_expiration",
  "aws_account_id",
  "role_arn",
  "source_profile",
  "credential_source",
  "external_id",
  "role_session_name",
  "duration_seconds",
  "mfa_serial",
  "web_identity_token_file",
  "credential_process",
  "sso_session",
  "sso_start_url",
  "sso_region",
  "sso_account_id",
  "sso_role_name",
  "sso_registration_scopes",
  "region",
  "output",
  "endpoint_url",
  "services",
  "sts_regional_endpoints",
  "ca_bundle",
]);

/** The section-name shape the SDK's loader accepts after `profile `, `sso-session ` or `services ` (its `prefixKeyRegex`). */
const PREFIXED_SECTION = /^([\w-]+)\s(["'])?([\w\-@+.%:/]+)\2$/;
const PREFIXES = ["profile", "sso-session", "services"];
/** How many problems one error lists; the rest are counted. */
const MAX_LISTED = 10;

/**
 * Checks a config or credentials file line by line for what the SDK's loader silently skips and the
 * AWS CLI refuses: a line that is neither `key = value` nor a `[section]`, a setting before any
 * section, a header without its `]`, a section or key given twice, a profile name the loader cannot
 * read. Parsing itself stays with the SDK's loader; this only finds problems, by line number.
 *
 * A broken line's text is never returned — a secret may sit on it — only its number, its section
 * and, when the line starts with a known setting name, that name.
 *
 * @returns one message per problem (at most ten, then a count), each starting with the path.
 * @internal
 */
export function findIniProblems(file: ProfileFileText): string[] {
  const problems: string[] = [];
  const sections = new Map<string, number>();
  let section: string | undefined;
  let keys = new Map<string, number>();
  let lastKey: string | undefined;
  let inSubsection = false;
  const lines = file.text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const n = index + 1;
    // The same comment rule as the SDK's parser: `#` or `;` at the start or after whitespace.
    const line = (raw.split(/(^|\s)[;#]/)[0] ?? "").trim();
    if (line === "") {
      return;
    }
    const where = `line ${n}${section === undefined ? "" : ` in [${section}]`}`;
    if (line.startsWith("[")) {
      lastKey = undefined;
      inSubsection = false;
      keys = new Map();
      if (!line.endsWith("]")) {
        section = undefined;
        problems.push(`line ${n}: a section header without its closing \`]\` (its text is not shown: it may hold a secret)`);
        return;
      }
      const name = line.slice(1, -1).trim();
      section = printable(name);
      const problem = sectionProblem(name, file.kind);
      if (problem !== undefined) {
        problems.push(`line ${n}: ${problem}`);
      }
      const first = sections.get(name);
      if (first !== undefined) {
        problems.push(`line ${n}: [${printable(name)}] appears twice (first at line ${first}); the AWS CLI refuses the file — merge the two`);
      } else {
        sections.set(name, n);
      }
      return;
    }
    const indented = raw !== raw.trimStart();
    const equals = line.indexOf("=");
    if (equals <= 0) {
      if (indented && lastKey !== undefined) {
        return; // a continuation of the previous value, as the AWS CLI reads it
      }
      problems.push(`${where}: not a \`key = value\` line${keyHint(line)} (its text is not shown: it may hold a secret)`);
      return;
    }
    if (section === undefined) {
      problems.push(`${where}: a setting before any [section] header${keyHint(line)}`);
      return;
    }
    const key = line.slice(0, equals).trim().toLowerCase();
    const value = line.slice(equals + 1).trim();
    if (indented && inSubsection) {
      return; // `s3 =` followed by indented settings: a nested block (the SDK reads it as `s3.key`)
    }
    inSubsection = value === "";
    lastKey = key;
    const first = keys.get(key);
    if (first !== undefined) {
      problems.push(`${where}: \`${printable(key)}\` is set twice (first at line ${first}); the AWS CLI refuses the file — keep one`);
    } else {
      keys.set(key, n);
    }
  });
  if (problems.length > MAX_LISTED) {
    const more = problems.length - MAX_LISTED;
    problems.length = MAX_LISTED;
    problems.push(`and ${more} more`);
  }
  return problems.map((problem) => `${file.path} ${problem}`);
}

function sectionProblem(name: string, kind: "config" | "credentials"): string | undefined {
  if (name === "") {
    return "an empty section name `[]`";
  }
  if (name === "__proto__" || name === "profile __proto__") {
    return `[${name}] is not a usable profile name (the SDK's loader rejects the whole file for it)`;
  }
  const prefix = PREFIXES.find((candidate) => name.startsWith(`${candidate} `) || name.startsWith(`${candidate}\t`));
  if (kind === "config" && prefix !== undefined && !PREFIXED_SECTION.test(name)) {
    return `[${printable(name)}]: a ${prefix} name may hold only letters, digits and - _ @ + . % : / (one space after "${prefix}"), or the SDK's loader skips the section`;
  }
  return undefined;
}

/** ` (\`aws_secret_access_key\` without \`=\`?)` when the line starts with a known setting name. */
function keyHint(line: string): string {
  const word = /^[A-Za-z0-9_.-]+/.exec(line)?.[0]?.toLowerCase();
  if (word === undefined || !KNOWN_KEYS.has(word)) {
    return "";
  }
  const rest = line.slice(word.length).trimStart();
  return rest.startsWith(":") ? ` (\`${word}\` with \`:\`; write \`${word} = …\`)` : ` (\`${word}\` without \`=\`?)`;
}

/** A name for a message: printable ASCII, cut short. */
function printable(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, "?");
  return clean.length > 64 ? `${clean.slice(0, 61)}...` : clean;
}
