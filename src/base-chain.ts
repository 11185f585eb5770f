import type { AwsCredentialIdentity } from "@smithy/types";
import { chainLink } from "./chain.js";
import type { Clock } from "./clock.js";
import { configuredLinks, describeIgnored, ignoredLinks, type BaseLinkName, type ConfiguredLinksInput } from "./configured-links.js";
import { log, type Logger } from "./logger.js";
import { containerLink } from "./providers/container/from-container.js";
import type { ContainerOptions } from "./providers/container/container-options.js";
import { envLink, type EnvOptions } from "./providers/env.js";
import { imdsLink } from "./providers/imds/from-imds.js";
import type { ImdsOptions } from "./providers/imds/imds-options.js";
import { profileLink, type ProfileOptions } from "./providers/profile/from-profile.js";
import { webIdentityLink, type WebIdentityOptions } from "./providers/web-identity/from-web-identity.js";
import type { Link, Reading } from "./sharing/link.js";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The links of `envOrProfile`'s base chain and their options. `env` and `imds` are on unless
 * `false`; `profile`, `webIdentity` and `container` only when given (`{}` for defaults), so a
 * caller that needs "the environment, else IMDS" gets no profile link inside a profile.
 * @internal
 */
export interface BaseChainOptions {
  env?: false | EnvOptions | undefined;
  profile?: false | ProfileOptions | undefined;
  webIdentity?: false | WebIdentityOptions | undefined;
  container?: false | ContainerOptions | undefined;
  imds?: false | ImdsOptions | undefined;
  clock?: Clock | undefined;
  logger?: Logger | undefined;
  mfaCodeProvider?: ((mfaSerial: string) => Promise<string>) | undefined;
}

/**
 * The environment of every part of a chain: the env link's `env`, else `process.env` — read when
 * asked, so a chain given no `env` reads `process.env` as it is at each reading.
 * @internal
 */
export function chainEnvironment(options: Pick<BaseChainOptions, "env">): Env {
  return (options.env === false || options.env === undefined ? undefined : options.env.env) ?? process.env;
}

/** A link's own options with the chain's environment filled in when it gives none. */
function withEnv<T extends { env?: Env | undefined }>(option: T, env: Env): T {
  return option.env === undefined ? { ...option, env } : option;
}

/**
 * The base chain — environment, profile, web identity, container, IMDS — as one link. Each link's
 * environment is its own `env` option, else the chain's (the env link's `env`, else `process.env`),
 * read at each reading. An explicit profile in code (`profile: { profile: "x" }`, the CLI's
 * `--profile`) negates the environment keys, as botocore's `Session(profile_name=…)` and the AWS
 * CLI's `--profile` do; `AWS_PROFILE` alone does not (env keys win over it).
 *
 * When the credential comes from one link while later ones are configured too (env keys and
 * `AWS_PROFILE`; IRSA and Pod Identity; a container URI and an explicit IMDS endpoint), the logger
 * is told once per situation, at `warn`, which link won and which were ignored.
 * @throws TypeError when a link's options are invalid, or every link is off.
 * @internal
 */
export function baseChainLink(options: BaseChainOptions): Link {
  const { clock, logger } = options;
  const common = { ...(clock === undefined ? {} : { clock }), ...(logger === undefined ? {} : { logger }) };
  const explicitProfile = options.profile !== false && options.profile !== undefined && options.profile.profile !== undefined && options.profile.profile !== "";
  // The links are made once, here: each reads its environment (its own `env`, else the chain's,
  // which is `process.env` itself unless given) at each reading, never when made. Making them
  // checks their options (their factories throw TypeErrors).
  const env = chainEnvironment(options);
  const named: { name: BaseLinkName; link: Link }[] = [];
  if (options.env !== false && !explicitProfile) {
    const envOptions = options.env ?? {};
    named.push({ name: "env", link: envLink({ ...(clock === undefined ? {} : { clock }), ...envOptions, env }) });
  }
  if (options.profile !== false && options.profile !== undefined) {
    const mfa = options.mfaCodeProvider === undefined ? {} : { mfaCodeProvider: options.mfaCodeProvider };
    named.push({ name: "profile", link: profileLink(withEnv({ ...common, ...mfa, ...options.profile }, env)) });
  }
  if (options.webIdentity !== false && options.webIdentity !== undefined) {
    named.push({ name: "web-identity", link: webIdentityLink(withEnv({ ...common, ...options.webIdentity }, env)) });
  }
  if (options.container !== false && options.container !== undefined) {
    named.push({ name: "container", link: containerLink(withEnv({ ...common, ...options.container }, env)) });
  }
  if (options.imds !== false) {
    // The IMDS settings of the chain's profile when it names one (or its files), as botocore's
    // Session(profile_name=…) reads them; else AWS_PROFILE's, else default's.
    const profileOptions = options.profile === false || options.profile === undefined ? {} : options.profile;
    const settingsFrom = {
      ...(profileOptions.profile === undefined ? {} : { profile: profileOptions.profile }),
      ...(profileOptions.configFile === undefined ? {} : { configFile: profileOptions.configFile }),
      ...(profileOptions.credentialsFile === undefined ? {} : { credentialsFile: profileOptions.credentialsFile }),
    };
    named.push({ name: "imds", link: imdsLink(withEnv({ ...common, ...(options.imds ?? {}) }, env), settingsFrom) });
  }
  if (named.length === 0) {
    throw new TypeError("Expected at least one of `env`, `profile`, `webIdentity`, `container` and `imds` to be enabled");
  }
  const name = named.map((link) => link.name).join("-or-");
  const chain = chainLink(
    named.map(({ link }) => link),
    name,
  );
  if (logger === undefined) return chain;
  const detect = detectInput(options, env);
  const warned = new Set<string>();
  return {
    name,
    async read(): Promise<Reading> {
      const reading = await chain.read();
      return {
        ...reading,
        fetch: async (): Promise<AwsCredentialIdentity> => {
          const identity = await reading.fetch();
          const winner = named[reading.lastRead ?? named.length - 1]?.name ?? "imds";
          warnAboutIgnored(winner, detect, warned, logger, explicitProfile);
          return identity;
        },
      };
    },
  };
}

/** What `configuredLinks` looks at, from the chain's options and environment. */
function detectInput(options: BaseChainOptions, env: Env): ConfiguredLinksInput {
  const envOf = (option: { env?: Env | undefined } | false | undefined): Env => (option === false || option === undefined ? env : (option.env ?? env));
  const input: ConfiguredLinksInput = {};
  if (options.env !== false) input.env = { env: envOf(options.env) };
  if (options.profile !== false && options.profile !== undefined) input.profile = { env: envOf(options.profile), profile: options.profile.profile };
  if (options.webIdentity !== false && options.webIdentity !== undefined) {
    input.webIdentity = { env: envOf(options.webIdentity), roleArn: options.webIdentity.roleArn, webIdentityTokenFile: options.webIdentity.webIdentityTokenFile };
  }
  if (options.container !== false && options.container !== undefined) input.container = { env: envOf(options.container) };
  if (options.imds !== false) input.imds = { env: envOf(options.imds), endpoint: options.imds?.endpoint };
  return input;
}

/** Warns once per distinct situation when `winner` answered while later links are configured too. */
function warnAboutIgnored(winner: BaseLinkName, detect: ConfiguredLinksInput, warned: Set<string>, logger: Logger, explicitProfile: boolean): void {
  const configured = configuredLinks(detect);
  const ignored = ignoredLinks(winner, configured);
  if (explicitProfile && configured.env !== undefined) {
    ignored.unshift({ link: "env", why: `${configured.env}; an explicitly chosen profile negates the environment keys, as in botocore` });
  }
  if (ignored.length === 0) return;
  const message = describeIgnored(winner, ignored);
  if (warned.has(message)) return;
  warned.add(message);
  log(logger, "warn", message);
}
