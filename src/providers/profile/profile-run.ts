import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { systemClock } from "../../clock.js";
import { CredentialsError, describeError, redactKeyId } from "../../errors.js";
import { log } from "../../logger.js";
import { isRetryable } from "../../retry.js";
import { buildProfileProvider } from "./build-profile-provider.js";
import type { FirstRead, ProfileOptions } from "./from-profile.js";
import { loadProfiles } from "./load-profiles.js";
import { planProfile, type ProfilePlan } from "./plan-profile.js";
import { PROFILE_SOURCE } from "./profile-error.js";
import { whereProfile } from "./profile-where.js";
import { readProfileFiles, type ProfileFileTexts } from "./read-profile-files.js";
import { resolveProfileSelection, type ProfileSelection } from "./resolve-profile-selection.js";

// The calls of a `fromProfile` provider, in a chunk of their own: loaded by the provider's first
// call (from-profile.ts), so that importing the package does not load the profile parser, planner,
// process runner and SSO link (issue 13: the import within a third of the SDK's).

/**
 * The provider behind `fromProfile(options)`, whose options were checked when it was created.
 * @internal
 */
export function profileRun(options: ProfileOptions, firstRead?: FirstRead): AwsCredentialIdentityProvider {
  let pending = firstRead;
  const clock = options.clock ?? systemClock;
  let built:
    | {
        texts: ProfileFileTexts;
        selection: ProfileSelection;
        env: Readonly<Record<string, string | undefined>>;
        envFacts: string;
        plan: ProfilePlan;
        provider: AwsCredentialIdentityProvider;
      }
    | undefined;

  return async () => {
    const env = options.env ?? process.env;
    const selection = resolveProfileSelection({ ...options, env });
    const texts =
      pending !== undefined && pending.selection.configFile === selection.configFile && pending.selection.credentialsFile === selection.credentialsFile
        ? pending.texts
        : await readProfileFiles(selection);
    pending = undefined;
    const envFacts = stsEnvironment(env);
    if (
      built === undefined ||
      !sameFiles(built.texts, texts) ||
      !sameSelection(built.selection, selection) ||
      built.env !== env ||
      built.envFacts !== envFacts
    ) {
      // Parsed and planned again only when a file or the selection changed: a stable plan keeps
      // its providers (and their caches) from call to call.
      const profiles = await loadProfiles(texts);
      const plan = planProfile(selection, profiles, env);
      const provider = buildProfileProvider(plan, {
        selection,
        env,
        clock,
        logger: options.logger,
        cache: options.cache,
        processTimeoutMs: options.processTimeoutMs,
      });
      built = { texts, selection, env, envFacts, plan, provider };
    }
    const { plan, provider } = built;
    try {
      const credential = await provider();
      log(options.logger, "debug", `profile: "${selection.profile}" (${describePlan(plan)}) gave ${redactKeyId(credential.accessKeyId)}`);
      return credential;
    } catch (error) {
      throw inProfile(error, selection, plan);
    }
  };
}

/** One line on how a plan resolves, e.g. `assume-role arn:… from [profile base] of /x/credentials`. Holds no secret. */
export function describePlan(plan: ProfilePlan): string {
  const where = whereProfile(plan.profile);
  switch (plan.kind) {
    case "static":
      return `static keys in ${where}`;
    case "assume-role":
      return `assume-role ${plan.role.roleArn} in ${where}, from ${describePlan(plan.source)}`;
    case "credential-source":
      return `credential_source ${plan.name}`;
    case "web-identity":
      return `web identity ${plan.role.roleArn} in ${where}`;
    case "process":
      return `credential_process in ${where}`;
    case "sso":
      return `SSO in ${where}`;
  }
}

/** Any failure below, as a profile error that stops the chain, keeping the code and the cause. */
function inProfile(error: unknown, selection: ProfileSelection, plan: ProfilePlan): CredentialsError {
  if (error instanceof CredentialsError && error.source === PROFILE_SOURCE) {
    return error;
  }
  const code = error instanceof CredentialsError ? error.code : "PROVIDER_FAILED";
  return new CredentialsError(`Profile "${selection.profile}" (${describePlan(plan)}) failed: ${describeError(error)}`, {
    source: PROFILE_SOURCE,
    code,
    tryNextLink: false,
    retryable: isRetryable(error),
    cause: error,
  });
}

/**
 * The variables a plan's role steps were built from (region, endpoints): when they change, the plan
 * is built again. Never a secret.
 */
function stsEnvironment(env: Readonly<Record<string, string | undefined>>): string {
  return JSON.stringify(
    ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO", "AWS_STS_REGIONAL_ENDPOINTS", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"].map(
      (name) => env[name] ?? null,
    ),
  );
}

function sameFiles(a: ProfileFileTexts, b: ProfileFileTexts): boolean {
  return a.config?.path === b.config?.path && a.config?.text === b.config?.text && a.credentials?.path === b.credentials?.path && a.credentials?.text === b.credentials?.text;
}

function sameSelection(a: ProfileSelection, b: ProfileSelection): boolean {
  return a.profile === b.profile && a.explicit === b.explicit && a.configFile === b.configFile && a.credentialsFile === b.credentialsFile;
}
