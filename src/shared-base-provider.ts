import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { chain } from "./chain.js";
import { systemClock, type Clock } from "./clock.js";
import { configuredLinks, describeIgnored, ignoredLinks, type BaseLinkName, type ConfiguredLinksInput } from "./configured-links.js";
import { log } from "./logger.js";
import { deferMemoized, memoize, type MemoizedProvider, type MemoizeOptions } from "./memoize.js";
import { CONTAINER_ENV_VARIABLES } from "./providers/container/resolve-container-endpoint.js";
import { fromContainer, type ContainerOptions } from "./providers/container/from-container.js";
import { fromEnv, type EnvOptions } from "./providers/env.js";
import { fromImds, type ImdsOptions } from "./providers/imds/from-imds.js";
import { IMDS_ENV_VARIABLES } from "./providers/imds/imds-options.js";
import { fromProfile, type ProfileOptions } from "./providers/profile/from-profile.js";
import { fromWebIdentity, type WebIdentityOptions } from "./providers/web-identity/from-web-identity.js";
import { WEB_IDENTITY_ENV_VARIABLES } from "./providers/web-identity/web-identity-settings.js";
import { identityOf, optionsKey, secretId, sharedProvider } from "./shared-providers.js";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Options of {@link sharedBaseProvider}: each link's options and the cache's. `env` and `imds` are
 * on unless `false`; `profile`, `webIdentity` and `container` only when given (`{}` for defaults),
 * so a caller that needs "the environment, else IMDS" (a profile's `credential_source`) never gets
 * a profile link inside a profile.
 */
export interface BaseProviderOptions extends Omit<MemoizeOptions, "name"> {
  env?: false | EnvOptions | undefined;
  profile?: false | ProfileOptions | undefined;
  webIdentity?: false | WebIdentityOptions | undefined;
  container?: false | ContainerOptions | undefined;
  imds?: false | ImdsOptions | undefined;
}

interface Link {
  readonly name: BaseLinkName;
  readonly create: () => AwsCredentialIdentityProvider;
}

/**
 * The memoized base chain — environment, profile, web identity, container, IMDS — shared
 * process-wide: the same options and clock give the same provider, so many `envOrProfile()`s (and
 * AssumeRole's default source) make one fetch per source and hold one cached credential.
 *
 * What decides sharing:
 * - a source read on every call (the env link's environment, the profile link's) by the **identity**
 *   of its object, never by a snapshot of its contents: two tenants' look-alike `env` objects must
 *   never share a provider, or B would later be served A's keys;
 * - a link that reads its variables once, when created (web identity, container, IMDS), by the
 *   identity of its environment object *and* the values it read (an authorization token by a number
 *   standing for it: the key never holds a secret), so a changed `process.env` makes a new provider
 *   (the IMDS link is handed a copy of exactly the values in the key);
 * - every other option by value (plain data) or identity (clocks, loggers, functions).
 *
 * Each link's environment is its own `env` option, else the env link's `env`, else `process.env`.
 * All of this is read, and the key built, when this is called: `envOrProfile()` calls it on its
 * first call ({@link deferredSharedBaseProvider}), so creating one costs neither.
 *
 * When the credential comes from one link while later ones are configured too (env keys and
 * `AWS_PROFILE`; IRSA and Pod Identity; a container URI and an explicit IMDS endpoint), the logger
 * is told once, at `warn`, which link won and which were ignored.
 */
export function sharedBaseProvider(options: BaseProviderOptions = {}): MemoizedProvider {
  const { env: envOption, profile: profileOption, webIdentity: webIdentityOption, container: containerOption, imds: imdsOption, ...memoOptions } = options;
  const clock: Clock = memoOptions.clock ?? systemClock;
  const common = {
    clock,
    ...(memoOptions.random === undefined ? {} : { random: memoOptions.random }),
    ...(memoOptions.logger === undefined ? {} : { logger: memoOptions.logger }),
  };
  /** The chain's environment: the env link's, else the process's. */
  const environment: Env = (envOption === false ? undefined : envOption?.env) ?? process.env;
  const envOf = (option: { env?: Env | undefined } | undefined): Env => option?.env ?? environment;

  // The key is built from small parts (the options as given, objects by identity, the variables a
  // link reads when created): it is computed once per envOrProfile() (on its first call), the links once per key.
  const key: string[] = [optionsKey(objectsByIdentity(memoOptions)), identityOf(clock).toString()];
  const links: Link[] = [];
  const detect: ConfiguredLinksInput = {};

  // An explicit profile in code (`profile: { profile: "x" }`, the CLI's --profile) negates the
  // environment keys, as botocore's Session(profile_name=…) and the AWS CLI's --profile do;
  // AWS_PROFILE alone does not (env keys win over it).
  const explicitProfile = profileOption !== false && profileOption !== undefined && profileOption.profile !== undefined && profileOption.profile !== "";
  if (envOption !== false && explicitProfile) {
    key.push("env:negated-by-explicit-profile");
    detect.env = { env: envOf(envOption) };
  } else if (envOption !== false) {
    const env = envOf(envOption);
    links.push({ name: "env", create: () => fromEnv({ ...envOption, env, clock }) });
    key.push(`env:${linkKey(envOption, env)}`);
    detect.env = { env };
  }
  if (profileOption !== false && profileOption !== undefined) {
    const env = envOf(profileOption);
    links.push({
      name: "profile",
      create: () => fromProfile({ clock, ...(memoOptions.logger === undefined ? {} : { logger: memoOptions.logger }), ...profileOption, env }),
    });
    key.push(`profile:${linkKey(profileOption, env)}`);
    detect.profile = { env, profile: profileOption.profile };
  }
  if (webIdentityOption !== false && webIdentityOption !== undefined) {
    const env = envOf(webIdentityOption);
    // One attempt per refresh inside the chain: the chain's cache retries, so attempts never multiply.
    links.push({ name: "web-identity", create: () => fromWebIdentity({ ...common, maxAttempts: 1, ...webIdentityOption, env }) });
    key.push(`web-identity:${linkKey(webIdentityOption, env)}:${snapshot(env, WEB_IDENTITY_VARIABLES)}`);
    detect.webIdentity = { env, roleArn: webIdentityOption.roleArn, webIdentityTokenFile: webIdentityOption.webIdentityTokenFile };
  }
  if (containerOption !== false && containerOption !== undefined) {
    const env = envOf(containerOption);
    links.push({ name: "container", create: () => fromContainer({ ...common, maxAttempts: 1, ...containerOption, env }) });
    const token = env[CONTAINER_ENV_VARIABLES.authorizationToken];
    key.push(`container:${linkKey(containerOption, env)}:${snapshot(env, CONTAINER_VARIABLES)}:${token === undefined ? "-" : secretId(token)}`);
    detect.container = { env };
  }
  if (imdsOption !== false) {
    const env = envOf(imdsOption);
    // The IMDS link's variables are part of its identity — and only they, never a whole
    // environment. The link is handed exactly the values in the key (a copy), so what it uses is
    // what decided sharing, whenever it is first called.
    const variables = pick(env, IMDS_ENV_VARIABLES);
    links.push({ name: "imds", create: () => fromImds({ ...common, ...imdsOption, env: variables }) });
    key.push(`imds:${optionsKey(imdsOption === undefined ? undefined : objectsByIdentity({ ...imdsOption, env: undefined }))}:${snapshot(variables, IMDS_ENV_VARIABLES)}`);
    detect.imds = { env: variables, endpoint: imdsOption?.endpoint };
  }
  if (links.length === 0) {
    throw new TypeError("Expected at least one of `env`, `profile`, `webIdentity`, `container` and `imds` to be enabled");
  }

  return sharedProvider(clock, key.join("|"), () => {
    const warned = new Set<string>();
    const named = links.map(({ name, create }) => {
      const provider = create();
      return async (identityProperties?: Record<string, unknown>): Promise<AwsCredentialIdentity> => {
        const identity = await provider(identityProperties);
        warnAboutIgnored(name, detect, warned, memoOptions.logger, explicitProfile);
        return identity;
      };
    });
    const name = links.length === 1 ? (links[0]?.name ?? "credentials") : links.map((link) => link.name).join("-or-");
    return memoize(chain(...named), { ...memoOptions, clock, name });
  });
}

/**
 * {@link sharedBaseProvider}, picked on the first call rather than now: creating one reads no
 * environment and builds no sharing key (so it costs about what the AWS SDK's
 * `fromNodeProviderChain()` does), and the first call — or `invalidate()`, or a rejected credential
 * — resolves the shared provider once; every later call goes straight to it. The environment
 * (`process.env` or the given objects) is therefore read as it is at that first call, as the SDK
 * reads its own. The options must already be checked: a `TypeError` a link's factory throws would
 * only reject that first call.
 * @internal
 */
export function deferredSharedBaseProvider(options: BaseProviderOptions = {}): MemoizedProvider {
  return deferMemoized(sharedBaseProvider, options);
}

/** Warns once per distinct situation when `winner` answered while later links are configured too. */
function warnAboutIgnored(
  winner: BaseLinkName,
  detect: ConfiguredLinksInput,
  warned: Set<string>,
  logger: MemoizeOptions["logger"],
  explicitProfile: boolean,
): void {
  if (logger === undefined) return;
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

/** The variables the web identity link reads when created (no secrets among them). */
const WEB_IDENTITY_VARIABLES: readonly string[] = Object.values(WEB_IDENTITY_ENV_VARIABLES);
/** The container variables that are not secrets (the token is keyed by {@link secretId}). */
const CONTAINER_VARIABLES: readonly string[] = [
  CONTAINER_ENV_VARIABLES.relativeUri,
  CONTAINER_ENV_VARIABLES.fullUri,
  CONTAINER_ENV_VARIABLES.authorizationTokenFile,
];

/** A link's options as given (plain data by value, objects by identity) and its environment by identity. */
function linkKey(option: { env?: Env | undefined } | undefined, env: Env): string {
  const given =
    option === undefined || Object.keys(option).length === 0 || (Object.keys(option).length === 1 && "env" in option)
      ? ""
      : optionsKey(objectsByIdentity({ ...option, env: undefined }));
  return `${given}#${identityOf(env)}`;
}

/**
 * The option fields that hold *objects with a life of their own* — a logger (it may keep state
 * behind `this`), a clock, an AssumeRole cache — replaced by numbers standing for their identity:
 * two look-alike loggers must not share a provider, or one's lines would go to the other.
 */
const IDENTITY_FIELDS = ["logger", "clock", "cache"] as const;

function objectsByIdentity(options: object): object {
  const record = options as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const field of IDENTITY_FIELDS) {
    const value = record[field];
    if (typeof value === "object" && value !== null) {
      copy ??= { ...record };
      copy[field] = `#${identityOf(value)}`;
    }
  }
  return copy ?? options;
}

/** A frozen copy of the variables `names` that `env` sets (each read once). */
function pick(env: Env, names: readonly string[]): Env {
  const copy: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (typeof value === "string") copy[name] = value;
  }
  return Object.freeze(copy);
}

/** The values of `names` in `env` as one string, and nothing else of it. */
function snapshot(env: Env, names: readonly string[]): string {
  let text = "";
  for (const name of names) {
    const value = env[name];
    text += value === undefined ? "\u0001\u0000" : `${JSON.stringify(value)}\u0000`;
  }
  return text;
}
