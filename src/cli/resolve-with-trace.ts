import { performance } from "node:perf_hooks";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { systemClock } from "../clock.js";
import { CredentialsError, describeError, shouldTryNextLink } from "../errors.js";
import { fromAssumeRole } from "../providers/assume-role.js";
import { fromEnv } from "../providers/env.js";
import { BASE_LINK_ORDER, configuredLinks, ignoredLinks, type BaseLinkName, type IgnoredLink } from "../configured-links.js";
import { fromContainer } from "../providers/container/from-container.js";
import { resolveContainerSettings } from "../providers/container/resolve-container-endpoint.js";
import { fromImds } from "../providers/imds/from-imds.js";
import { readInstanceProfile } from "../providers/imds/read-instance-profile.js";
import { fromProfile } from "../providers/profile/from-profile.js";
import { SIGNING_HELPER_LOG_PREFIX } from "../providers/profile/signing-helper-log.js";
import { fromRolesAnywhere } from "../providers/roles-anywhere/from-roles-anywhere.js";
import { resolveRolesAnywhereSettings } from "../providers/roles-anywhere/resolve-roles-anywhere-settings.js";
import type { RolesAnywhereOptions } from "../providers/roles-anywhere/roles-anywhere-options.js";
import { resolveProfileSelection } from "../providers/profile/resolve-profile-selection.js";
import { fromWebIdentity } from "../providers/web-identity/from-web-identity.js";
import { inspectFileCache, type FileCacheLookup } from "../cache/inspect-file-cache.js";
import { withFileCache, type FileCacheOptions } from "../cache/with-file-cache.js";
import type { CliIo } from "./cli-io.js";
import { cacheKeyFacts } from "./commands/cache-key-facts.js";
import { cliLogger, noProfileFlag, readRefreshWindow, usesCache } from "./commands/credential-process-options.js";
import { formatAge, formatTimeLeft, isoSeconds } from "./format.js";
import { ROLE_ENV, type RoleRequest } from "./parse-cli-args.js";
import type { RolesAnywhereRequest } from "./roles-anywhere-args.js";
import { terminalMfaCodeProvider } from "./terminal-mfa-code.js";
import { UsageError } from "./usage-error.js";

/** A link that gives the base credential: one of `envOrProfile`'s, or Roles Anywhere with `--roles-anywhere`. */
export type SourceLinkName = BaseLinkName | "roles-anywhere";

/** The links, in the order `envOrProfile` tries them (or Roles Anywhere alone), then the role step. */
export type LinkName = SourceLinkName | "assume-role";

/**
 * What happened to one link:
 * - `ok`: it gave a credential;
 * - `skipped`: not configured here, so the chain moved on (`tryNextLink: true`);
 * - `failed`: configured but broken, which stops the chain;
 * - `ignored`: configured too, but an earlier link answered (the identity it would give is not used);
 * - `not-tried`: an earlier link won or stopped the chain, and this one is not configured;
 * - `not-configured`: no role was asked for (assume-role only).
 */
export type LinkStatus = "ok" | "skipped" | "failed" | "ignored" | "not-tried" | "not-configured";

/** One line of the account. Holds no secret. */
export interface LinkReport {
  link: LinkName;
  status: LinkStatus;
  /** Wall time of the attempt in milliseconds, when it was tried. */
  ms?: number;
  /** The error code, when it did not give a credential. */
  code?: string;
  /** Why, for a person. */
  message: string;
}

/** The outcome of one traced resolution. */
export interface TraceResult {
  /** Every link, in order. */
  links: LinkReport[];
  /** The credential handed out, when one was found. The caller must not print its secret. */
  credential: AwsCredentialIdentity | undefined;
  /** The link whose credential is handed out. */
  source: LinkName | undefined;
  /** The link that gave the base credential (the one that signed AssumeRole, when a role was asked for). */
  base: SourceLinkName | undefined;
  /**
   * How the base link got it, when that is worth a line: a profile whose `credential_process` is
   * AWS's `aws_signing_helper`, done natively (IAM Roles Anywhere) or run as a process, and why.
   */
  via?: string;
  /** The role asked for, if any. */
  roleArn: string | undefined;
  /** Configured links after the winner, not used: the identities that were *not* chosen. */
  ignored: IgnoredLink[];
  /** Why there is no credential, when there is none. */
  error: unknown;
  /** What credential-process's file cache did, when `--cache` asked for it (see {@link prepareCachedTrace}). */
  cache?: CacheReport;
}

/** What the file cache did for a `status --cache` or `explain --cache` run. Holds no secret. */
export interface CacheReport {
  /**
   * - `hit`: a fresh entry was served and no link was asked;
   * - `miss`: no fresh entry (none, one inside the refresh window, or one not trusted), so the links
   *   were asked and their credential kept for the next run, as credential-process does;
   * - `ignored`: the cache was not used at all (`message` says why).
   */
  state: "hit" | "miss" | "ignored";
  /** Why, for a person. */
  message: string;
  /** The entry's file, when there is one. */
  path?: string;
  /** When the served entry was obtained (ISO 8601), and its age in seconds. */
  obtainedAt?: string;
  ageSeconds?: number;
  /** When the served entry expires (ISO 8601). */
  expiration?: string;
  /** On a miss: whether the credential the links gave is now in the cache. */
  written?: boolean;
}

/** Options of {@link prepareTrace}. */
export interface TraceOptions {
  /** The profile asked for on the command line (`--profile`): an explicit choice. */
  profile?: string | undefined;
  /**
   * `--no-profile`: the chain without its profile link, whatever `AWS_PROFILE` says (the IMDS link
   * then reads `[default]`'s IMDS settings): what a `credential_process` line whose source is not a
   * profile says, so that it never runs the profile that runs it.
   */
  noProfile?: boolean | undefined;
  /**
   * When web identity or the container link answered, ask IMDS for the instance profile
   * (`iam/info`, no credentials) to say whether this host is an EC2 instance whose role was
   * ignored — the question "a container on an EC2 host?" that only I/O can answer. For `explain`
   * and `status`, never for `credential-process` (it costs up to one IMDS timeout).
   * @defaultValue `false`
   */
  probeImds?: boolean | undefined;
  /** `--roles-anywhere`: the certificate is the source, instead of the chain. */
  rolesAnywhere?: RolesAnywhereRequest | undefined;
}

/**
 * Prepares a traced run of the `envOrProfile` chain — environment, profile, web identity, container,
 * IMDS, then AssumeRole when a role is given — that times each link and keeps each one's reason,
 * instead of stopping at the first success inside an opaque provider. It follows the chain's rules
 * exactly: a fall-through error (`tryNextLink: true`) moves on, any other error stops. Each link is
 * tried once; there is no cache and no retry around it (IMDS still makes its own
 * `AWS_METADATA_SERVICE_NUM_ATTEMPTS`). After the winner, every later link that is configured too
 * (by the chain's cheap checks: variables, never I/O) is reported as `ignored`.
 *
 * @throws UsageError now, when a role option is invalid (the message names the flag or variable).
 */
export function prepareTrace(io: CliIo, role: RoleRequest | undefined, options: TraceOptions = {}): () => Promise<TraceResult> {
  if (options.rolesAnywhere !== undefined) {
    return prepareRolesAnywhereTrace(io, role, options.rolesAnywhere);
  }
  const clock = io.clock ?? systemClock;
  // A profile's aws_signing_helper credential_process says, in a debug line, whether it was done
  // natively (Roles Anywhere) or run: that line is what explain and status show of it.
  const signingHelperNotes: string[] = [];
  const profileLogger = {
    debug: (line: string): void => {
      const at = line.indexOf(SIGNING_HELPER_LOG_PREFIX);
      if (at >= 0) signingHelperNotes.push(`its credential_process is aws_signing_helper${line.slice(at + SIGNING_HELPER_LOG_PREFIX.length).replace(/^ in profile "[^"]*"/, "")}`);
    },
  };
  const profileOption = options.profile === undefined || options.profile === "" ? {} : { profile: options.profile };
  const explicitProfile = "profile" in profileOption;
  const noProfile = options.noProfile === true && !explicitProfile;
  // An MFA code is asked on the terminal (never stdout or stdin), one prompt per credential.
  const mfaCodeProvider = terminalMfaCodeProvider(io);
  const providers: readonly (readonly [BaseLinkName, AwsCredentialIdentityProvider])[] = [
    ["env", fromEnv({ env: io.env, clock })],
    ["profile", fromProfile({ ...profileOption, env: io.env, clock, logger: profileLogger, mfaCodeProvider })],
    ["web-identity", fromWebIdentity({ env: io.env, clock })],
    ["container", fromContainer({ env: io.env, clock })],
    // The IMDS settings of the profile this run uses: --profile's, [default]'s under --no-profile, else AWS_PROFILE's.
    ["imds", fromImds({ ...io.imds, env: io.env, clock, ...(explicitProfile ? profileOption : noProfile ? { profile: "default" } : {}) })],
  ];
  const configured = configuredLinks({
    env: { env: io.env },
    ...(noProfile ? {} : { profile: { env: io.env, profile: options.profile } }),
    webIdentity: { env: io.env },
    container: { env: io.env },
    // `io.imds.endpoint` is a test hook, not something a user sets: only the variable counts.
    imds: { env: io.env },
  });
  const containerNote = containerSettingsNote(io.env);
  let base: AwsCredentialIdentity | undefined;
  // The base this trace just resolved, handed to the role step as is (marked as caching by itself,
  // so the step does not wrap it in a cache of its own).
  const traceBase = Object.assign(
    async (): Promise<AwsCredentialIdentity> => {
      if (base === undefined) {
        throw new CredentialsError("no base credential", { source: "assume-role", code: "STS_SOURCE_FAILED", tryNextLink: false });
      }
      return base;
    },
    { memoized: true as const },
  );
  const assume = role === undefined ? undefined : makeAssumeRole(io, role, traceBase, mfaCodeProvider);

  return async () => {
    base = undefined;
    signingHelperNotes.length = 0;
    const links: LinkReport[] = [];
    let stopped: LinkReport | undefined;
    let error: unknown;
    let baseLink: BaseLinkName | undefined;
    let ignored: IgnoredLink[] = [];

    const negatedEnv: IgnoredLink[] = [];
    for (const [name, provider] of providers) {
      if (name === "profile" && noProfile && base === undefined && stopped === undefined) {
        links.push({ link: "profile", status: "skipped", message: "not used: --no-profile (AWS_PROFILE is not read)" });
        continue;
      }
      if (name === "env" && explicitProfile) {
        // --profile is an explicit choice: environment keys are not used, as with the AWS CLI's --profile.
        const why = configured.env;
        if (why !== undefined) negatedEnv.push({ link: "env", why: `${why}; --profile negates the environment keys, as the AWS CLI's does` });
        links.push(
          why === undefined
            ? { link: "env", status: "skipped", message: `not used: --profile ${options.profile ?? ""} names the profile explicitly` }
            : { link: "env", status: "ignored", message: `configured (${why}) but not used: --profile ${options.profile ?? ""} names the profile explicitly, which negates environment keys (as the AWS CLI's --profile does)` },
        );
        continue;
      }
      if (base !== undefined || stopped !== undefined) {
        const why = baseLink === undefined ? undefined : ignored.find((entry) => entry.link === name)?.why;
        links.push(
          why !== undefined
            ? {
                link: name,
                status: "ignored",
                message: `configured too (${why}) but not used: ${baseLink ?? ""} answered first${name === "container" && containerNote !== undefined ? `; ${containerNote}` : ""}`,
              }
            : {
                link: name,
                status: "not-tried",
                message: stopped === undefined ? `not needed: ${baseLink ?? "an earlier link"} gave credentials` : `not tried: the chain stopped at ${stopped.link}`,
              },
        );
        continue;
      }
      const attempt = await timed(provider);
      if (attempt.ok) {
        base = attempt.value;
        baseLink = name;
        ignored = [...negatedEnv, ...ignoredLinks(name, configured)];
        const via = name === "profile" ? signingHelperNotes.at(-1) : undefined;
        links.push({ link: name, status: "ok", ms: attempt.ms, message: `${describeSourceWin(name, io, options)}${via === undefined ? "" : `; ${via}`}` });
        continue;
      }
      const report = failureReport(name, attempt.error, attempt.ms);
      if (name === "container" && containerNote !== undefined) report.message += `; ${containerNote}`;
      links.push(report);
      error = attempt.error;
      if (report.status === "failed") {
        stopped = report;
      }
    }
    if (options.probeImds === true && (baseLink === "web-identity" || baseLink === "container") && !ignored.some((entry) => entry.link === "imds")) {
      const probe = await probeInstanceProfile(io);
      if (probe !== undefined) {
        ignored = [...ignored, { link: "imds", why: probe.why }];
        const index = links.findIndex((link) => link.link === "imds");
        links[index] = { link: "imds", status: "ignored", ms: probe.ms, message: `configured too (${probe.why}) but not used: ${baseLink} answered first` };
      }
    }
    const via = baseLink === "profile" ? signingHelperNotes.at(-1) : undefined;
    const done = { ignored, ...(via === undefined ? {} : { via }) };

    if (assume === undefined) {
      links.push({ link: "assume-role", status: "not-configured", message: `no role asked for (--role-arn or ${ROLE_ENV.roleArn})` });
      return base === undefined
        ? { links, credential: undefined, source: undefined, base: undefined, roleArn: undefined, ...done, error: exhausted(links, error) }
        : { links, credential: base, source: baseLink, base: baseLink, roleArn: undefined, ...done, error: undefined };
    }
    const roleArn = role?.roleArn;
    if (base === undefined) {
      links.push({ link: "assume-role", status: "not-tried", message: `not tried: no base credential to sign AssumeRole for ${roleArn ?? ""}` });
      return { links, credential: undefined, source: undefined, base: undefined, roleArn, ...done, error: exhausted(links, error) };
    }
    const attempt = await timed(assume);
    if (attempt.ok) {
      links.push({ link: "assume-role", status: "ok", ms: attempt.ms, message: `assumed ${roleArn ?? ""} with the ${baseLink ?? ""} credentials` });
      return { links, credential: attempt.value, source: "assume-role", base: baseLink, roleArn, ...done, error: undefined };
    }
    links.push({ ...failureReport("assume-role", attempt.error, attempt.ms), status: "failed" });
    return { links, credential: undefined, source: undefined, base: baseLink, roleArn, ...done, error: attempt.error };
  };
}

function makeAssumeRole(
  io: CliIo,
  role: RoleRequest,
  source: AwsCredentialIdentityProvider,
  mfaCodeProvider: (serial: string) => Promise<string>,
  roleArnFlag = "--role-arn",
): AwsCredentialIdentityProvider {
  try {
    return fromAssumeRole({
      ...role,
      ...(role.mfaSerial === undefined ? {} : { mfaCodeProvider }),
      env: io.env, // region and endpoint come from the command's environment, as the SDK's would
      source,
      clock: io.clock ?? systemClock,
    });
  } catch (error) {
    if (error instanceof TypeError) {
      throw new UsageError(
        error.message
          .replace("`roleArn`", roleArnFlag)
          .replace("`externalId`", "--external-id")
          .replace("`roleSessionName`", "--session-name")
          .replace("`durationSeconds`", "--duration")
          .replace("`mfaSerial`", "--mfa-serial"),
      );
    }
    throw error;
  }
}

type Timed = { ok: true; value: AwsCredentialIdentity; ms: number } | { ok: false; error: unknown; ms: number };

async function timed(provider: AwsCredentialIdentityProvider): Promise<Timed> {
  const start = performance.now();
  try {
    const value = await provider();
    return { ok: true, value, ms: Math.round(performance.now() - start) };
  } catch (error) {
    return { ok: false, error, ms: Math.round(performance.now() - start) };
  }
}

function failureReport(link: LinkName, error: unknown, ms: number): LinkReport {
  const status: LinkStatus = shouldTryNextLink(error) ? "skipped" : "failed";
  if (error instanceof CredentialsError) {
    return { link, status, ms, code: error.code, message: error.message };
  }
  const code = typeof (error as { code?: unknown } | null)?.code === "string" ? (error as { code: string }).code : "PROVIDER_FAILED";
  return { link, status, ms, code, message: describeError(error) };
}

/** The instance profile this host has, when IMDS answers `iam/info` (a diagnostic: no credentials are fetched). */
async function probeInstanceProfile(io: CliIo): Promise<{ why: string; ms: number } | undefined> {
  const start = performance.now();
  try {
    const info = await readInstanceProfile({ ...io.imds, env: io.env, ...(io.clock === undefined ? {} : { clock: io.clock }) });
    return { why: `this host is an EC2 instance with instance profile ${info.instanceProfileArn}`, ms: Math.round(performance.now() - start) };
  } catch {
    return undefined; // no IMDS, or it is blocked for containers (as it should be): nothing was ignored
  }
}

/** "Both URIs set; the relative one wins", when that is so (no I/O). */
function containerSettingsNote(env: CliIo["env"]): string | undefined {
  try {
    return resolveContainerSettings(env)?.note;
  } catch {
    return undefined; // a refused URI: the link's own error says why
  }
}

function describeSourceWin(link: BaseLinkName, io: CliIo, options: TraceOptions): string {
  switch (link) {
    case "env":
      return "found AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
    case "profile": {
      const selection = resolveProfileSelection({ env: io.env, ...(options.profile === undefined || options.profile === "" ? {} : { profile: options.profile }) });
      const from = selection.from === "option" ? "--profile" : selection.from === "AWS_PROFILE" ? "AWS_PROFILE" : "the default";
      return `profile "${selection.profile}" (${from}) from ${selection.configFile} and ${selection.credentialsFile}`;
    }
    case "web-identity":
      return `assumed ${io.env["AWS_ROLE_ARN"] ?? "the role"} with the web identity token in ${io.env["AWS_WEB_IDENTITY_TOKEN_FILE"] ?? "the token file"}`;
    case "container": {
      const settings = resolveContainerSettings(io.env);
      return `got the task's or pod's role credentials from ${settings?.url ?? "the container endpoint"} (${settings?.variable ?? ""})${settings?.note === undefined ? "" : `; ${settings.note}`}`;
    }
    case "imds":
      return "got instance-profile credentials from IMDS";
  }
}

/** The error to report when no link gave credentials: the stopping error, or one listing every reason. */
function exhausted(links: readonly LinkReport[], last: unknown): unknown {
  const failed = links.find((link) => link.status === "failed");
  if (failed !== undefined) {
    return last;
  }
  const tried = links.filter((link) => link.status === "skipped");
  return new CredentialsError(
    `No credentials found in any link: ${tried.map((link, index) => `[${index + 1}] ${link.link}: ${link.code ?? ""}: ${link.message}`).join("; ")}`,
    { source: "chain", code: "CHAIN_EXHAUSTED", tryNextLink: true, cause: last },
  );
}


/** What `status` and `explain` are given: their command line's role, profile, flags and `--roles-anywhere`. */
export interface ReportCommandOptions {
  /** `--json`: the report as JSON on stdout. */
  json: boolean;
  role: RoleRequest | undefined;
  profile?: string | undefined;
  /** The command's flags: `no-profile`, and the file cache's `cache`, `no-cache`, `refresh-window`. */
  flags?: Readonly<Record<string, string | boolean | undefined>>;
  rolesAnywhere?: RolesAnywhereRequest | undefined;
}

/**
 * {@link prepareTrace} through credential-process's file cache, for `status --cache` and `explain
 * --cache`: the same key (see `cacheKeyFacts`), refresh window and rules as credential-process, so
 * what is reported is what credential-process would print. A fresh entry is served and no link is
 * asked (each is reported `not-tried`, saying so); otherwise the links are traced as usual and their
 * credential written, as credential-process would. `--no-cache`, `ENV_OR_PROFILE_CACHE=off` and
 * keys in the environment (with no role and no profile: nothing is cached for them) leave the cache
 * out, and the report says why. Without `--cache` this is just `prepareTrace`.
 * @throws UsageError now, for a bad role option or refresh window.
 */
export function prepareCachedTrace(io: CliIo, options: ReportCommandOptions): () => Promise<TraceResult> {
  const { role, rolesAnywhere, flags = {} } = options;
  const noProfile = noProfileFlag(flags);
  // IMDS probed: both reports say whether this host is an EC2 instance whose role was ignored.
  const trace = prepareTrace(io, role, { profile: options.profile, noProfile, probeImds: true, rolesAnywhere });
  if (flags["cache"] !== true) {
    return trace;
  }
  const profile = options.profile === undefined || options.profile === "" ? undefined : options.profile;
  const cacheOptions: FileCacheOptions = {
    key: cacheKeyFacts(io, role, profile, noProfile, rolesAnywhere),
    env: io.env,
    clock: io.clock ?? systemClock,
    logger: cliLogger(io),
    refreshWindowMs: readRefreshWindow(flags, io.env) * 1000,
  };
  const ignoredBecause =
    flags["no-cache"] === true
      ? "--no-cache"
      : !usesCache({ ...flags, profile }, role !== undefined || rolesAnywhere !== undefined, io.env)
        ? "the keys are in the environment (no role, no --profile): there is nothing to keep, and credential-process does not put them on disk"
        : undefined;
  return async () => {
    if (ignoredBecause !== undefined) {
      return { ...(await trace()), cache: { state: "ignored", message: `not used: ${ignoredBecause}` } };
    }
    const before = inspectFileCache(cacheOptions);
    if (before.state === "hit") {
      return hitResult(io, role, before, rolesAnywhere !== undefined);
    }
    if (before.state === "off" || before.state === "unusable") {
      return { ...(await trace()), cache: { state: "ignored", message: `not used: ${before.why}` } };
    }
    let traced: TraceResult | undefined;
    const provider = withFileCache(async () => {
      traced = await trace();
      if (traced.credential === undefined) {
        throw traced.error instanceof Error ? traced.error : new Error("no credentials");
      }
      return traced.credential;
    }, cacheOptions);
    try {
      await provider();
    } catch {
      // traced holds the links' account of why; the cache adds nothing of its own
    }
    if (traced === undefined) {
      // Another process wrote a fresh entry while this one waited for its lock: that is what is served.
      const meanwhile = inspectFileCache(cacheOptions);
      if (meanwhile.state === "hit") {
        return hitResult(io, role, meanwhile, rolesAnywhere !== undefined);
      }
      traced = await trace();
    }
    const written = traced.credential !== undefined && inspectFileCache(cacheOptions).state === "hit";
    return { ...traced, cache: missReport(before, traced, written) };
  };
}

function hitResult(io: CliIo, role: RoleRequest | undefined, hit: Extract<FileCacheLookup, { state: "hit" }>, rolesAnywhere = false): TraceResult {
  const now = (io.clock ?? systemClock).now();
  const ageSeconds = Math.max(0, Math.floor((now - hit.obtainedAtMs) / 1000));
  const sources: readonly SourceLinkName[] = rolesAnywhere ? ["roles-anywhere"] : BASE_LINK_ORDER;
  const links: LinkReport[] = sources.map((link) => ({
    link,
    status: "not-tried",
    message: "not asked: the credential came from the cache",
  }));
  links.push(
    role === undefined
      ? { link: "assume-role", status: "not-configured", message: rolesAnywhere ? "no role asked for on top (--assume-role-arn)" : `no role asked for (--role-arn or ${ROLE_ENV.roleArn})` }
      : { link: "assume-role", status: "not-tried", message: `not asked: the cache holds the credential for ${role.roleArn}` },
  );
  return {
    links,
    credential: hit.credential,
    source: undefined,
    base: undefined,
    roleArn: role?.roleArn,
    ignored: [],
    error: undefined,
    cache: {
      state: "hit",
      message:
        `served ${hit.path}, obtained ${isoSeconds(new Date(hit.obtainedAtMs))} (${formatAge(ageSeconds * 1000)} ago), ` +
        `expires ${isoSeconds(hit.expiration)} (refreshed ${formatTimeLeft(hit.windowMs)} before); no link was asked`,
      path: hit.path,
      obtainedAt: isoSeconds(new Date(hit.obtainedAtMs)),
      ageSeconds,
      expiration: isoSeconds(hit.expiration),
    },
  };
}

function missReport(before: FileCacheLookup, traced: TraceResult, written: boolean): CacheReport {
  const why =
    before.state === "ignored"
      ? `the entry ${before.path} was ignored: ${before.why}`
      : before.state === "stale" || before.state === "hit"
        ? `the entry expires ${isoSeconds(before.expiration)}, inside the ${formatTimeLeft(before.windowMs)} refresh window`
        : "no entry for this command line and environment";
  const kept =
    traced.credential === undefined
      ? "nothing to keep"
      : written
        ? "the links' credential is now kept for credential-process"
        : "the links' credential was not kept (no Expiration, or it expires inside the refresh window)";
  return { state: "miss", message: `${why}; ${kept}`, ...(before.state === "ignored" || before.state === "stale" ? { path: before.path } : {}), written };
}

/** Each option of `fromRolesAnywhere` as `--roles-anywhere` spells it (aws_signing_helper's names). */
const ROLES_ANYWHERE_OPTION_FLAGS: Readonly<Record<string, string>> = {
  certificate: "--certificate",
  privateKey: "--private-key",
  intermediates: "--intermediates",
  trustAnchorArn: "--trust-anchor-arn",
  profileArn: "--profile-arn",
  roleArn: "--role-arn",
  region: "--region",
  durationSeconds: "--session-duration",
  sessionName: "--role-session-name",
  endpoint: "--endpoint",
};

/**
 * The `fromRolesAnywhere` options of a `--roles-anywhere` command line, checked as the provider
 * checks them (no file read).
 * @throws UsageError naming the flag, for what `fromRolesAnywhere` would refuse.
 */
export function rolesAnywhereOptions(request: RolesAnywhereRequest, io: CliIo): RolesAnywhereOptions {
  const options: RolesAnywhereOptions = { ...request, clock: io.clock ?? systemClock };
  try {
    resolveRolesAnywhereSettings(options);
  } catch (error) {
    if (error instanceof TypeError) {
      throw new UsageError(error.message.replace(/`(\w+)`/g, (whole, option: string) => ROLES_ANYWHERE_OPTION_FLAGS[option] ?? whole));
    }
    throw error;
  }
  return options;
}

/**
 * The trace of `--roles-anywhere`: one source, the certificate (`fromRolesAnywhere`: one
 * `CreateSession`, no retry, as every link here), then the role on top (`--assume-role-arn`) when
 * asked for, signed with its credential. No link of the chain is read.
 * @throws UsageError now, for a bad flag.
 */
function prepareRolesAnywhereTrace(io: CliIo, role: RoleRequest | undefined, request: RolesAnywhereRequest): () => Promise<TraceResult> {
  const provider = fromRolesAnywhere(rolesAnywhereOptions(request, io));
  let base: AwsCredentialIdentity | undefined;
  const traceBase = Object.assign(
    async (): Promise<AwsCredentialIdentity> => {
      if (base === undefined) throw new CredentialsError("no base credential", { source: "assume-role", code: "STS_SOURCE_FAILED", tryNextLink: false });
      return base;
    },
    { memoized: true as const },
  );
  const assume = role === undefined ? undefined : makeAssumeRole(io, role, traceBase, terminalMfaCodeProvider(io), "--assume-role-arn");
  return async () => {
    base = undefined;
    const links: LinkReport[] = [];
    const attempt = await timed(provider);
    if (!attempt.ok) {
      links.push({ ...failureReport("roles-anywhere", attempt.error, attempt.ms), status: "failed" });
      links.push({ link: "assume-role", status: assume === undefined ? "not-configured" : "not-tried", message: assume === undefined ? "no role asked for on top (--assume-role-arn)" : "not tried: no base credential" });
      return { links, credential: undefined, source: undefined, base: undefined, roleArn: role?.roleArn, ignored: [], error: attempt.error };
    }
    base = attempt.value;
    links.push({
      link: "roles-anywhere",
      status: "ok",
      ms: attempt.ms,
      message: `IAM Roles Anywhere CreateSession for ${request.roleArn} with the certificate in ${request.certificate} (trust anchor ${request.trustAnchorArn}, profile ${request.profileArn})`,
    });
    if (assume === undefined) {
      links.push({ link: "assume-role", status: "not-configured", message: "no role asked for on top (--assume-role-arn)" });
      return { links, credential: base, source: "roles-anywhere", base: "roles-anywhere", roleArn: undefined, ignored: [], error: undefined };
    }
    const assumed = await timed(assume);
    if (assumed.ok) {
      links.push({ link: "assume-role", status: "ok", ms: assumed.ms, message: `assumed ${role?.roleArn ?? ""} with the Roles Anywhere credentials` });
      return { links, credential: assumed.value, source: "assume-role", base: "roles-anywhere", roleArn: role?.roleArn, ignored: [], error: undefined };
    }
    links.push({ ...failureReport("assume-role", assumed.error, assumed.ms), status: "failed" });
    return { links, credential: undefined, source: undefined, base: "roles-anywhere", roleArn: role?.roleArn, ignored: [], error: assumed.error };
  };
}
