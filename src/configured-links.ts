import { isTrue } from "./config-value.js";
import { ENV_VARIABLES } from "./providers/env.js";
import { containerConfigured } from "./providers/container/resolve-container-endpoint.js";
import { explicitProfileName } from "./providers/profile/resolve-profile-selection.js";

/** The base links of `envOrProfile`, in the order it tries them. */
export type BaseLinkName = "env" | "profile" | "web-identity" | "container" | "imds";

/** {@link BaseLinkName}s in `envOrProfile`'s order: the first configured one wins. */
export const BASE_LINK_ORDER: readonly BaseLinkName[] = Object.freeze(["env", "profile", "web-identity", "container", "imds"]);

type Env = Readonly<Record<string, string | undefined>>;

/** What {@link configuredLinks} looks at: per link, its environment and the options that configure it. */
export interface ConfiguredLinksInput {
  env?: { env: Env } | false;
  profile?: { env: Env; profile?: string | undefined } | false;
  webIdentity?: { env: Env; roleArn?: string | undefined; webIdentityTokenFile?: string | undefined } | false;
  container?: { env: Env } | false;
  imds?: { env: Env; endpoint?: string | undefined } | false;
}

/**
 * Which links are configured here, by cheap checks only — environment variables and options, no
 * file read, no request — each with the evidence (variable names, never values; a profile's name):
 * - env: `AWS_ACCESS_KEY_ID` or `AWS_SECRET_ACCESS_KEY`;
 * - profile: a profile named by the `profile` option or `AWS_PROFILE` (an explicit choice);
 * - web identity: `AWS_ROLE_ARN` or `AWS_WEB_IDENTITY_TOKEN_FILE` (or the options);
 * - container: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI`;
 * - IMDS: only when pointed at explicitly (`AWS_EC2_METADATA_SERVICE_ENDPOINT` or the `endpoint`
 *   option) — whether this is an EC2 host cannot be known without asking.
 * A link switched off (`false`, or IMDS by `AWS_EC2_METADATA_DISABLED=true`) is never configured.
 */
export function configuredLinks(input: ConfiguredLinksInput): Partial<Record<BaseLinkName, string>> {
  const found: Partial<Record<BaseLinkName, string>> = {};
  if (input.env !== undefined && input.env !== false) {
    const names = [ENV_VARIABLES.accessKeyId, ENV_VARIABLES.secretAccessKey].filter((name) => set(input.env !== false ? input.env?.env[name] : undefined));
    if (names.length > 0) found.env = names.join(" and ");
  }
  if (input.profile !== undefined && input.profile !== false) {
    const name = explicitProfileName({ env: input.profile.env, ...(input.profile.profile === undefined ? {} : { profile: input.profile.profile }) });
    if (name !== undefined) {
      found.profile = input.profile.profile !== undefined && input.profile.profile !== "" ? `profile "${name}"` : `AWS_PROFILE=${name}`;
    }
  }
  if (input.webIdentity !== undefined && input.webIdentity !== false) {
    const w = input.webIdentity;
    const names = [
      set(w.roleArn) ? "roleArn" : set(w.env["AWS_ROLE_ARN"]) ? "AWS_ROLE_ARN" : undefined,
      set(w.webIdentityTokenFile) ? "webIdentityTokenFile" : set(w.env["AWS_WEB_IDENTITY_TOKEN_FILE"]) ? "AWS_WEB_IDENTITY_TOKEN_FILE" : undefined,
    ].filter((name): name is string => name !== undefined);
    if (names.length > 0) found["web-identity"] = names.join(" and ");
  }
  if (input.container !== undefined && input.container !== false && containerConfigured(input.container.env)) {
    const env = input.container.env;
    found.container = ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"].filter((name) => set(env[name])).join(" and ");
  }
  if (input.imds !== undefined && input.imds !== false && !isTrue(input.imds.env["AWS_EC2_METADATA_DISABLED"])) {
    if (set(input.imds.endpoint)) found.imds = "the IMDS `endpoint` option";
    else if (set(input.imds.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"])) found.imds = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
  }
  return found;
}

/** A configured link that was not used because an earlier one answered. */
export interface IgnoredLink {
  readonly link: BaseLinkName;
  /** The evidence that it is configured (variable names, never values). */
  readonly why: string;
}

/**
 * The links after `winner` that are configured too, and so were ignored. IMDS counts only behind
 * web identity or the container link (a container on an EC2 host: the node's role, not the pod's);
 * behind keys or a profile it is the ordinary fallback, not a competing identity.
 */
export function ignoredLinks(winner: BaseLinkName, configured: Partial<Record<BaseLinkName, string>>): IgnoredLink[] {
  const after = BASE_LINK_ORDER.slice(BASE_LINK_ORDER.indexOf(winner) + 1);
  const ignored: IgnoredLink[] = [];
  for (const link of after) {
    const why = configured[link];
    if (why === undefined) continue;
    if (link === "imds" && winner !== "web-identity" && winner !== "container") continue;
    ignored.push({ link, why });
  }
  return ignored;
}

/** One sentence naming the winner and every ignored link, for a warning, `explain` and `status`. */
export function describeIgnored(winner: BaseLinkName, ignored: readonly IgnoredLink[]): string {
  const list = ignored.map((entry) => `${entry.link} (${entry.why})`).join(", ");
  return (
    `credentials come from ${winner}; also configured but ignored: ${list}. The first configured link in the order ` +
    `${BASE_LINK_ORDER.join(" → ")} wins; unset the others (or switch them off, e.g. \`${optionName(ignored[0]?.link ?? "container")}: false\`) if this is not the identity you meant`
  );
}

function optionName(link: BaseLinkName): string {
  return link === "web-identity" ? "webIdentity" : link;
}

function set(value: string | undefined): boolean {
  return value !== undefined && value !== "";
}
