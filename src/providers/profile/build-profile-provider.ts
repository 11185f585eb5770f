import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import type { Clock } from "../../clock.js";
import { CredentialsError, redactKeyId } from "../../errors.js";
import type { Logger } from "../../logger.js";
import { memoize } from "../../memoize.js";
import { sharedBaseProvider } from "../../shared-base-provider.js";
import { fromAssumeRole, type AssumeRoleCache } from "../assume-role.js";
import { fromContainer } from "../container/from-container.js";
import { fromEnv } from "../env.js";
import { fromCredentialProcess } from "../process/from-credential-process.js";
import { fromWebIdentity } from "../web-identity/from-web-identity.js";
import { fromSsoProfile } from "./from-sso-profile.js";
import type { ProfilePlan } from "./plan-profile.js";
import { PROFILE_SOURCE, profileError } from "./profile-error.js";
import { whereKey, whereProfile } from "./profile-where.js";
import type { ProfileSelection } from "./resolve-profile-selection.js";

/** What the providers of a plan share. @internal */
export interface BuildContext {
  readonly selection: ProfileSelection;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
  readonly logger: Logger | undefined;
  readonly cache: AssumeRoleCache | false | undefined;
  readonly processTimeoutMs: number | undefined;
}

/**
 * Turns a plan into providers, each one of our links: static keys; `fromAssumeRole` for every role
 * step (so the process-wide AssumeRole cache serves every client asking for the same role);
 * `fromEnv`, the shared memoized IMDS link and the container link for `credential_source`;
 * `fromWebIdentity`; `fromCredentialProcess`; the SDK's `fromSSO`.
 * @internal
 */
export function buildProfileProvider(plan: ProfilePlan, context: BuildContext): AwsCredentialIdentityProvider {
  switch (plan.kind) {
    case "static":
      return staticProvider(plan, context.clock);
    case "assume-role":
      return assumeRoleProvider(plan, buildProfileProvider(plan.source, context), context);
    case "credential-source":
      return credentialSourceProvider(plan, context);
    case "web-identity":
      return webIdentityProvider(plan, context);
    case "process":
      try {
        return fromCredentialProcess({
          command: plan.command,
          profile: plan.profile.name,
          env: context.env,
          clock: context.clock,
          ...(context.logger === undefined ? {} : { logger: context.logger }),
          ...(context.processTimeoutMs === undefined ? {} : { timeoutMs: context.processTimeoutMs }),
        });
      } catch (error) {
        throw profileError(`${whereKey(plan.profile, "credential_process")}: ${error instanceof Error ? error.message : String(error)}`);
      }
    case "sso": {
      const endpoint = nonEmpty(context.env["AWS_ENDPOINT_URL_SSO"]) ?? nonEmpty(context.env["AWS_ENDPOINT_URL"]);
      return fromSsoProfile({
        profile: plan.profile.name,
        configFile: context.selection.configFile,
        credentialsFile: context.selection.credentialsFile,
        ...(endpoint === undefined ? {} : { endpoint }),
      });
    }
  }
}

function staticProvider(plan: Extract<ProfilePlan, { kind: "static" }>, clock: Clock): AwsCredentialIdentityProvider {
  const { identity, expiresAt } = plan.credentials;
  return async (): Promise<AwsCredentialIdentity> => {
    if (expiresAt !== undefined && expiresAt <= clock.now()) {
      throw new CredentialsError(
        `The keys (${redactKeyId(identity.accessKeyId)}) in ${whereProfile(plan.profile)} expired at ${new Date(expiresAt).toISOString()} per \`aws_credential_expiration\`; refresh them`,
        { source: PROFILE_SOURCE, code: "CREDENTIALS_EXPIRED", tryNextLink: false },
      );
    }
    return { ...identity, ...(expiresAt === undefined ? {} : { expiration: new Date(expiresAt) }) };
  };
}

function assumeRoleProvider(
  plan: Extract<ProfilePlan, { kind: "assume-role" }>,
  source: AwsCredentialIdentityProvider,
  context: BuildContext,
): AwsCredentialIdentityProvider {
  const { role } = plan;
  try {
    return fromAssumeRole({
      roleArn: role.roleArn,
      ...(role.externalId === undefined ? {} : { externalId: role.externalId }),
      ...(role.roleSessionName === undefined ? {} : { roleSessionName: role.roleSessionName }),
      ...(role.durationSeconds === undefined ? {} : { durationSeconds: role.durationSeconds }),
      region: role.region,
      ...(role.endpoint === undefined ? {} : { endpoint: role.endpoint }),
      // Region and endpoint are decided above, from the profile and the environment together.
      env: {},
      source,
      clock: context.clock,
      ...(context.logger === undefined ? {} : { logger: context.logger }),
      ...(context.cache === undefined ? {} : { cache: context.cache }),
    });
  } catch (error) {
    // Every setting was checked already; this is the last line of defence, and names the profile.
    throw profileError(`${whereProfile(plan.profile)}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function credentialSourceProvider(plan: Extract<ProfilePlan, { kind: "credential-source" }>, context: BuildContext): AwsCredentialIdentityProvider {
  const logger = context.logger === undefined ? {} : { logger: context.logger };
  switch (plan.name) {
    case "Environment":
      return fromEnv({ env: context.env, clock: context.clock });
    case "Ec2InstanceMetadata":
      // The process-wide memoized IMDS link: the role's base costs no request while it is fresh.
      return sharedBaseProvider({ env: false, imds: { env: context.env }, clock: context.clock, ...logger });
    case "EcsContainer":
      // Memoized here (the plan keeps it from call to call), so the role's base costs no request while fresh.
      return memoize(fromContainer({ env: context.env, clock: context.clock, ...logger }), { clock: context.clock, name: "container", ...logger });
  }
}

function webIdentityProvider(plan: Extract<ProfilePlan, { kind: "web-identity" }>, context: BuildContext): AwsCredentialIdentityProvider {
  const { role } = plan;
  try {
    return fromWebIdentity({
      roleArn: role.roleArn,
      webIdentityTokenFile: plan.webIdentityTokenFile,
      ...(role.roleSessionName === undefined ? {} : { roleSessionName: role.roleSessionName }),
      ...(role.durationSeconds === undefined ? {} : { durationSeconds: role.durationSeconds }),
      region: role.region,
      ...(role.endpoint === undefined ? {} : { endpoint: role.endpoint }),
      // The profile's settings, not AWS_ROLE_ARN & co. (those are the web identity link's own).
      env: {},
      clock: context.clock,
      ...(context.logger === undefined ? {} : { logger: context.logger }),
    });
  } catch (error) {
    throw profileError(`${whereProfile(plan.profile)}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
