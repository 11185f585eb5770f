import { systemClock } from "../../clock.js";
import { CredentialsError, describeError, redactKeyId } from "../../errors.js";
import { log } from "../../logger.js";
import { isRetryable } from "../../retry.js";
import type { FileIdentity } from "../../sharing/file-identity.js";
import { fallsThrough, type Reading } from "../../sharing/link.js";
import { buildProfileLink } from "./build-profile-link.js";
import type { ProfileOptions } from "./from-profile.js";
import { planProfile, type ProfilePlan } from "./plan-profile.js";
import { PROFILE_SOURCE } from "./profile-error.js";
import { whereProfile } from "./profile-where.js";
import { parsedProfileFiles } from "./parsed-profile-files.js";
import type { ProfileSelection } from "./resolve-profile-selection.js";

// A profile link's reading once a file exists or a profile is named, in a chunk of its own: loaded
// by the link's first such reading (from-profile.ts), so that importing the package does not load
// the profile parser, planner, process runner and SSO link.

/**
 * The profile link's reading: the files parsed, the profile planned and built into links, and that
 * tree read (a role step reads its base identity; a `credential_source` its own variables). The key
 * is the files' paths and identities, the selection, and the tree's own key.
 * @internal
 */
export async function readProfile(
  options: ProfileOptions,
  env: Readonly<Record<string, string | undefined>>,
  selection: ProfileSelection,
  filesKey: string,
  stats: { config: FileIdentity; credentials: FileIdentity },
): Promise<Reading> {
  let plan: ProfilePlan;
  try {
    plan = planProfile(selection, await parsedProfileFiles(selection, stats), env);
  } catch (error) {
    if (error instanceof CredentialsError && error.tryNextLink) {
      return fallsThrough(`profile:${filesKey};unset`, error);
    }
    const failure = error instanceof Error ? error : new Error(String(error));
    return { key: `profile:${filesKey};invalid`, answers: true, fetch: () => Promise.reject(failure) };
  }
  const link = buildProfileLink(plan, {
    selection,
    env,
    clock: options.clock ?? systemClock,
    logger: options.logger,
    processTimeoutMs: options.processTimeoutMs,
    mfaCodeProvider: options.mfaCodeProvider,
  });
  let reading: Reading;
  try {
    reading = await link.read();
  } catch (error) {
    throw inProfile(error, selection, plan);
  }
  return {
    key: `profile:${filesKey};${reading.key}`,
    answers: true,
    retry: reading.retry,
    fetch: async () => {
      try {
        const credential = await reading.fetch();
        log(options.logger, "debug", `profile: "${selection.profile}" (${describePlan(plan)}) gave ${redactKeyId(credential.accessKeyId)}`);
        return credential;
      } catch (error) {
        throw inProfile(error, selection, plan);
      }
    },
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
    case "login":
      return `aws login session in ${where}`;
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
