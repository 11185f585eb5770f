import type { AwsCredentialIdentity } from "@smithy/types";
import type { Clock } from "../../clock.js";
import { CredentialsError, redactKeyId } from "../../errors.js";
import type { Logger } from "../../logger.js";
import { configuredValue } from "../../config-value.js";
import { memoizeLink } from "../../memoize.js";
import type { CredentialFeature } from "../../sdk/credential-marks.js";
import { markedLink } from "../../sdk/marked-link.js";
import { secretRef } from "../../sharing/key-parts.js";
import type { Link, Reading } from "../../sharing/link.js";
import { assumeRoleLink } from "../assume-role/assume-role-link.js";
import { DEFAULT_ASSUME_ROLE_DURATION_SECONDS } from "../assume-role/assume-role-options.js";
import { containerLink } from "../container/from-container.js";
import { envLink } from "../env.js";
import { imdsLink } from "../imds/from-imds.js";
import { DEFAULT_CREDENTIAL_PROCESS_TIMEOUT_MS, programName } from "../process/from-credential-process.js";
import { defaultRoleSessionName } from "../sts/role-checks.js";
import { resolveStsLocation, type StsLocation } from "../sts/sts-location.js";
import { webIdentityLink } from "../web-identity/from-web-identity.js";
import { DEFAULT_STS_TIMEOUT_MS } from "../sts/sts-client-config.js";
import { loginProfileLink } from "./from-login-profile.js";
import { ssoProfileLink } from "./from-sso-profile.js";
import { profileProcessLink } from "./profile-process-link.js";
import type { ProfilePlan } from "./plan-profile.js";
import type { RoleSettings } from "./read-role-settings.js";
import { PROFILE_SOURCE, profileError } from "./profile-error.js";
import { whereKey, whereProfile } from "./profile-where.js";
import type { ProfileSelection } from "./resolve-profile-selection.js";

/** What the links of a plan share. @internal */
export interface BuildContext {
  readonly selection: ProfileSelection;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
  readonly logger: Logger | undefined;
  readonly processTimeoutMs: number | undefined;
  readonly mfaCodeProvider: ((mfaSerial: string) => Promise<string>) | undefined;
}

/**
 * Turns a plan into one link, each step one of env-or-profile's links: static keys; `assumeRoleLink`
 * for every role step, whose source is memoized and shared (so the base of a role costs no request
 * while it is fresh, an intermediate role of a chain is assumed once per lifetime, and a step's
 * failures are retried once, by that source's own `memoize`); the env, IMDS and container links for
 * `credential_source`; the web identity and `credential_process` links (AWS's `aws_signing_helper`
 * done natively: Roles Anywhere); the SDK's SSO and `aws login`.
 * @internal
 */
export function buildProfileLink(plan: ProfilePlan, context: BuildContext): Link {
  return markedLink(profileStepLink(plan, context), ...profileMarks(plan));
}

/**
 * The feature marks a profile step adds to what its link marked, as the SDK's `fromIni` does (e.g.
 * a `credential_process` profile: `CREDENTIALS_PROCESS` from the process link, then
 * `CREDENTIALS_PROFILE_PROCESS`); see src/sdk/credential-marks.ts.
 */
function profileMarks(plan: ProfilePlan): CredentialFeature[] {
  switch (plan.kind) {
    case "static":
      return ["CREDENTIALS_PROFILE"];
    case "assume-role":
      return ["CREDENTIALS_PROFILE_SOURCE_PROFILE"];
    case "credential-source":
      return ["CREDENTIALS_PROFILE_NAMED_PROVIDER"];
    case "web-identity":
      return ["CREDENTIALS_PROFILE_STS_WEB_ID_TOKEN"];
    case "process":
      return ["CREDENTIALS_PROFILE_PROCESS"];
    case "sso":
      return [configuredValue(plan.profile.values["sso_session"]) === undefined ? "CREDENTIALS_PROFILE_SSO_LEGACY" : "CREDENTIALS_PROFILE_SSO"];
    case "login":
      // The SDK's fromLoginCredentials marks CREDENTIALS_LOGIN itself; fromIni adds this.
      return ["CREDENTIALS_PROFILE_LOGIN"];
  }
}

function profileStepLink(plan: ProfilePlan, context: BuildContext): Link {
  switch (plan.kind) {
    case "static":
      return staticLink(plan, context.clock);
    case "assume-role":
      return roleStepLink(plan, context);
    case "credential-source":
      return credentialSourceLink(plan, context);
    case "web-identity":
      return profileWebIdentityLink(plan, context);
    case "process":
      try {
        // aws_signing_helper credential-process is done natively (Roles Anywhere) when it can be.
        return profileProcessLink({
          command: plan.command,
          profile: plan.profile.name,
          env: context.env,
          clock: context.clock,
          ...(plan.accountId === undefined ? {} : { accountId: plan.accountId }),
          ...(context.logger === undefined ? {} : { logger: context.logger }),
          ...(context.processTimeoutMs === undefined ? {} : { timeoutMs: context.processTimeoutMs }),
        }, { selectedBy: selectedBy(plan.profile.name, context.selection) });
      } catch (error) {
        throw profileError(`${whereKey(plan.profile, "credential_process")}: ${error instanceof Error ? error.message : String(error)}`);
      }
    case "sso":
      return ssoProfileLink({ profile: plan.profile.name, selection: context.selection, env: context.env });
    case "login":
      return loginProfileLink({ profile: plan.profile.name, loginSession: plan.loginSession, selection: context.selection, env: context.env });
  }
}

/** How the selected profile was chosen, when `profile` is it, for a loop's message (e.g. `AWS_PROFILE=partner`). */
function selectedBy(profile: string, selection: ProfileSelection): string | undefined {
  if (profile !== selection.profile) return undefined;
  return selection.from === "AWS_PROFILE" ? `AWS_PROFILE=${profile}` : selection.from === "default" ? "it is the default profile" : undefined;
}

/** Keys written in a profile: a number standing for each of them (the file's identity is in the profile's key too). */
function staticLink(plan: Extract<ProfilePlan, { kind: "static" }>, clock: Clock): Link {
  const { identity, expiresAt } = plan.credentials;
  return {
    name: PROFILE_SOURCE,
    read: (): Reading => ({
      key: `static:${secretRef(identity.accessKeyId)}${secretRef(identity.secretAccessKey)}${secretRef(identity.sessionToken ?? "")};${expiresAt ?? "-"}`,
      answers: true,
      fetch: async (): Promise<AwsCredentialIdentity> => {
        if (expiresAt !== undefined && expiresAt <= clock.now()) {
          throw new CredentialsError(
            `The keys (${redactKeyId(identity.accessKeyId)}) in ${whereProfile(plan.profile)} expired at ${new Date(expiresAt).toISOString()} per \`aws_credential_expiration\`; refresh them`,
            { source: PROFILE_SOURCE, code: "CREDENTIALS_EXPIRED", tryNextLink: false },
          );
        }
        return { ...identity, ...(expiresAt === undefined ? {} : { expiration: new Date(expiresAt) }) };
      },
    }),
  };
}

function roleStepLink(plan: Extract<ProfilePlan, { kind: "assume-role" }>, context: BuildContext): Link {
  const { role } = plan;
  const sourceLink = buildProfileLink(plan.source, context);
  return assumeRoleLink(
    {
      roleArn: role.roleArn,
      accountId: role.accountId,
      externalId: role.externalId,
      roleSessionName: role.roleSessionName ?? defaultRoleSessionName(),
      durationSeconds: role.durationSeconds ?? DEFAULT_ASSUME_ROLE_DURATION_SECONDS,
      tags: role.tags,
      transitiveTagKeys: role.transitiveTagKeys,
      sourceIdentity: role.sourceIdentity,
      mfaSerial: role.mfaSerial,
      timeoutMs: DEFAULT_STS_TIMEOUT_MS,
    },
    {
      source: memoizeLink(() => sourceLink, { clock: context.clock, ...(context.logger === undefined ? {} : { logger: context.logger }) }, `profile ${plan.source.profile.name}`),
      location: () => profileStsLocation(role, context.env),
      // The profile's own mfa_process wins: it is how this profile's codes are had.
      mfaCodeProvider: role.mfaProcess === undefined ? context.mfaCodeProvider : mfaProcessCodes(role.mfaProcess, plan, context),
      mfaWhere: `mfa_serial of ${whereProfile(plan.profile, "mfa_serial")}`,
      logger: context.logger,
      baseMarks: false, // the SDK's fromIni: the role's marks only
    },
  );
}

/** The codes a profile's `mfa_process` prints: one run per AssumeRole (under `memoize`, once per credential lifetime). */
function mfaProcessCodes(argv: readonly string[], plan: Extract<ProfilePlan, { kind: "assume-role" }>, context: BuildContext): (mfaSerial: string) => Promise<string> {
  const label = `mfa_process ${JSON.stringify(programName(argv[0] ?? ""))} of profile "${plan.profile.name}"`;
  return async () => {
    const { runMfaProcess } = await import("../process/run-mfa-process.js");
    return runMfaProcess(argv, { env: context.env, timeoutMs: context.processTimeoutMs ?? DEFAULT_CREDENTIAL_PROCESS_TIMEOUT_MS, label });
  };
}

/**
 * Where a profile's role step calls STS: the environment first, then the profile's settings (see
 * `resolveStsLocation`); a malformed value is a `PROFILE_INVALID` error naming the variable or the
 * key and the file.
 * @internal
 */
export function profileStsLocation(role: RoleSettings, env: Readonly<Record<string, string | undefined>>): StsLocation {
  try {
    return resolveStsLocation({ env, roleArn: role.roleArn, profile: role.sts });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw profileError(message.replace(/^Expected (.+?) to (be|use) /, "$1 must $2 "));
  }
}

function credentialSourceLink(plan: Extract<ProfilePlan, { kind: "credential-source" }>, context: BuildContext): Link {
  const logger = context.logger === undefined ? {} : { logger: context.logger };
  switch (plan.name) {
    case "Environment":
      return envLink({ env: context.env, clock: context.clock });
    case "Ec2InstanceMetadata":
      // The selected profile's IMDS settings (ec2_metadata_v1_disabled, …) apply, from the files this link reads.
      return imdsLink(
        { env: context.env, clock: context.clock, ...logger },
        { profile: context.selection.profile, configFile: context.selection.configFile, credentialsFile: context.selection.credentialsFile },
      );
    case "EcsContainer":
      return containerLink({ env: context.env, clock: context.clock, ...logger });
  }
}

function profileWebIdentityLink(plan: Extract<ProfilePlan, { kind: "web-identity" }>, context: BuildContext): Link {
  const { role } = plan;
  try {
    return webIdentityLink(
      {
        roleArn: role.roleArn,
        webIdentityTokenFile: plan.webIdentityTokenFile,
        ...(role.roleSessionName === undefined ? {} : { roleSessionName: role.roleSessionName }),
        ...(role.durationSeconds === undefined ? {} : { durationSeconds: role.durationSeconds }),
        // The profile's settings, not AWS_ROLE_ARN & co. (those are the web identity link's own);
        // the STS location is the environment's, then the profile's.
        env: context.env,
        clock: context.clock,
        ...(context.logger === undefined ? {} : { logger: context.logger }),
      },
      role.sts,
    );
  } catch (error) {
    throw profileError(`${whereProfile(plan.profile)}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
