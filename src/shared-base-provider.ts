import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { chain } from "./chain.js";
import { systemClock, type Clock } from "./clock.js";
import { memoize, type MemoizedProvider, type MemoizeOptions } from "./memoize.js";
import { ENV_VARIABLES, fromEnv, type EnvOptions } from "./providers/env.js";
import { fromImds, type ImdsOptions } from "./providers/imds/from-imds.js";
import { IMDS_ENV_VARIABLES } from "./providers/imds/imds-options.js";
import { optionsKey, sharedProvider } from "./shared-providers.js";

/** Options of {@link sharedBaseProvider}. */
export interface BaseProviderOptions extends Omit<MemoizeOptions, "name"> {
  env?: false | EnvOptions | undefined;
  imds?: false | ImdsOptions | undefined;
}

/**
 * The memoized "environment, else IMDS" base, shared process-wide: the same options and clock give
 * the same provider, so many `envOrProfile()`s — and AssumeRole's default source — make one fetch
 * and hold one cached credential per source.
 */
export function sharedBaseProvider(options: BaseProviderOptions = {}): MemoizedProvider {
  const { env: envOption, imds: imdsOption, ...memoOptions } = options;
  const clock: Clock = memoOptions.clock ?? systemClock;
  const env = envOption === false ? false : { ...envOption, clock };
  const imds =
    imdsOption === false
      ? false
      : {
          clock,
          ...(memoOptions.random === undefined ? {} : { random: memoOptions.random }),
          ...(memoOptions.logger === undefined ? {} : { logger: memoOptions.logger }),
          ...imdsOption,
        };
  if (env === false && imds === false) {
    throw new TypeError("Expected at least one of `env` and `imds` to be enabled");
  }
  const key = optionsKey({
    // The environment is part of the identity (two providers made under different environments
    // must not share a credential), but only by fingerprint: the key never holds a secret.
    env: env === false ? false : { clock: env.clock, environment: fingerprintEnvironment(env.env ?? process.env) },
    // The IMDS link reads its own variables (from `imds.env`, else process.env) when created: they
    // are part of its identity too — and only they, never a whole environment.
    imds: imds === false ? false : { ...imds, env: imdsVariables(imds.env ?? process.env) },
    memoOptions: { ...memoOptions, clock },
  });
  return sharedProvider(clock, key, () => {
    const links: AwsCredentialIdentityProvider[] = [];
    if (env !== false) {
      links.push(fromEnv(env));
    }
    if (imds !== false) {
      links.push(fromImds(imds));
    }
    return memoize(chain(...links), { ...memoOptions, clock, name: env === false ? "imds" : imds === false ? "env" : "env-or-imds" });
  });
}

/**
 * What tells one environment's credential from another's, without the secrets: the access key id
 * (one key id has one secret and, for temporary keys, one token), whether the secret and token are
 * set, the expiration and the account.
 */
function fingerprintEnvironment(environment: Readonly<Record<string, string | undefined>>): Record<string, string | boolean | undefined> {
  const fingerprint: Record<string, string | boolean | undefined> = {
    [ENV_VARIABLES.accessKeyId]: environment[ENV_VARIABLES.accessKeyId],
    [ENV_VARIABLES.secretAccessKey]: environment[ENV_VARIABLES.secretAccessKey] !== undefined,
    [ENV_VARIABLES.sessionToken]: environment[ENV_VARIABLES.sessionToken] !== undefined,
    [ENV_VARIABLES.expiration]: environment[ENV_VARIABLES.expiration],
    [ENV_VARIABLES.accountId]: environment[ENV_VARIABLES.accountId],
  };
  return fingerprint;
}

/** The variables the IMDS link reads, and nothing else of `environment`. */
function imdsVariables(environment: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const picked: Record<string, string | undefined> = {};
  for (const name of IMDS_ENV_VARIABLES) {
    picked[name] = environment[name];
  }
  return picked;
}
