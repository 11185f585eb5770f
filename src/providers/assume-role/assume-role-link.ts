import type { AssumeRoleCommandOutput } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { CredentialsError, describeError, redactKeyId } from "../../errors.js";
import { freezeCredential } from "../../freeze-credential.js";
import { hasKeys, sameCredential } from "../../has-keys.js";
import { log, type Logger } from "../../logger.js";
import { rejectCredential } from "../../memoize.js";
import { retriesSpent } from "../../retry.js";
import { registerCredential, registerSecret } from "../../scrub-secrets.js";
import { addMarks, credentialMarks, markCredential, type CredentialMarks } from "../../sdk/credential-marks.js";
import { optionsKey, secretRef } from "../../sharing/key-parts.js";
import type { Link, Reading } from "../../sharing/link.js";
import { completeStsCredential } from "../sts/sts-client-config.js";
import type { StsLocation } from "../sts/sts-location.js";
import { MFA_CODE_PATTERN } from "../sts/session-option-checks.js";
import { sendSts } from "../sts/sts-transport.js";
import { mapStsError } from "./map-sts-error.js";

const SOURCE = "assume-role";

/** One role step's checked settings: what is sent to STS (but the MFA code and the location). @internal */
export interface RoleStepSettings {
  readonly roleArn: string;
  /** From the role ARN: the assumed credential's `accountId`. */
  readonly accountId: string;
  readonly externalId?: string | undefined;
  readonly roleSessionName: string;
  readonly durationSeconds: number;
  readonly tags?: Readonly<Record<string, string>> | undefined;
  readonly transitiveTagKeys?: readonly string[] | undefined;
  readonly sourceIdentity?: string | undefined;
  readonly policy?: string | undefined;
  readonly policyArns?: readonly string[] | undefined;
  readonly mfaSerial?: string | undefined;
  /** Deadline of one call. */
  readonly timeoutMs: number;
}

/** What a role step needs besides its settings. @internal */
export interface RoleStepContext {
  /**
   * The base credentials. Called once per reading (to key the step by the base identity) and again
   * after STS rejects a base, so it should be memoized (`fromAssumeRole` memoizes a source that is
   * not); its own failures are its own to retry.
   */
  readonly source: AwsCredentialIdentityProvider;
  /** Where STS is, read now (a malformed value throws a TypeError naming it). */
  readonly location: () => StsLocation;
  /** Asks a person (or a program) for the current code of `mfaSerial`. */
  readonly mfaCodeProvider?: ((mfaSerial: string) => Promise<string>) | undefined;
  /** Says which profile asked for an MFA code, for `MFA_REQUIRED`. */
  readonly mfaWhere?: string | undefined;
  readonly logger?: Logger | undefined;
  /** Extra key part: how the source is chosen, when it is not by identity (e.g. the profile link's own key). */
  readonly sourceKey?: string | undefined;
  /**
   * Whether the assumed credential carries the base's feature marks before its own
   * `CREDENTIALS_STS_ASSUME_ROLE` (`fromAssumeRole`, `envOrProfile({ assumeRole })`), or that mark
   * alone (a profile's role step: the SDK's `fromIni` marks a role profile's credential with the
   * role's marks only; the base's go on the AssumeRole request it signs).
   * @defaultValue `true`
   */
  readonly baseMarks?: boolean | undefined;
}

/**
 * One STS AssumeRole, as a link: the reading is the step's settings, where STS is, and the identity
 * of the base credentials (a number standing for each of its key id, secret and token: a rotated
 * base is another answer); the fetch is one AssumeRole signed by exactly that base.
 * @internal
 */
export function assumeRoleLink(settings: RoleStepSettings, context: RoleStepContext): Link {
  // Written at the first reading: a provider made and never called costs no key.
  let written: string | undefined;
  return {
    name: SOURCE,
    async read(): Promise<Reading> {
      const settingsKey = (written ??= optionsKey({ ...settings, timeoutMs: undefined }));
      let location: StsLocation;
      try {
        location = context.location();
      } catch (error) {
        const failure =
          error instanceof CredentialsError
            ? error
            : new CredentialsError(`Cannot assume ${settings.roleArn}: ${error instanceof Error ? error.message : String(error)}`, {
                source: SOURCE,
                code: "CONFIG_INVALID",
                tryNextLink: false,
              });
        return { key: `assume-role:${settingsKey};config-invalid`, answers: true, fetch: () => Promise.reject(failure) };
      }
      const base = await readBase(context.source, settings.roleArn);
      const key =
        `assume-role:${settingsKey};${location.key};${context.sourceKey ?? ""};` +
        `base=${secretRef(base.accessKeyId)}${secretRef(base.secretAccessKey)}${secretRef(base.sessionToken ?? "")}`;
      return { key, answers: true, fetch: () => assumeWithRebase(settings, context, location, base) };
    },
  };
}

/**
 * One AssumeRole with `base`; when STS rejects that base (rotated, revoked or expired keys), the
 * source is told to forget it and, if it now has other keys, the call is made once more with them.
 * That second call is not a retry of the same request (a different base signs it), so it is not
 * left to `memoize`: the caller's refresh would otherwise fail until its next window.
 */
async function assumeWithRebase(settings: RoleStepSettings, context: RoleStepContext, location: StsLocation, base: AwsCredentialIdentity): Promise<AwsCredentialIdentity> {
  try {
    return await assumeOnce(settings, context, location, base);
  } catch (error) {
    if (!(error instanceof CredentialsError && error.code === "STS_INVALID_BASE_CREDENTIALS")) throw error;
    rejectCredential(context.source, base);
    let fresh: AwsCredentialIdentity;
    try {
      fresh = await readBase(context.source, settings.roleArn);
    } catch {
      throw error; // the source cannot be read now: report the rejection; the next refresh reads it again
    }
    if (sameCredential(fresh, base)) throw error;
    log(context.logger, "debug", `assume-role: base ${redactKeyId(base.accessKeyId)} was rejected; the source now has ${redactKeyId(fresh.accessKeyId)}, trying once more`);
    return assumeOnce(settings, context, location, fresh);
  }
}

/** The MFA code for this call, asked for now: `MFA_REQUIRED` (no request) when nothing can give one. */
async function mfaCode(settings: RoleStepSettings, context: RoleStepContext): Promise<string | undefined> {
  const serial = settings.mfaSerial;
  if (serial === undefined) return undefined;
  if (context.mfaCodeProvider === undefined) {
    throw new CredentialsError(
      `Assuming ${settings.roleArn}${context.mfaWhere === undefined ? "" : ` (${context.mfaWhere})`} needs an MFA code from ${serial}, ` +
        "and no `mfaCodeProvider` was given; no STS request was sent. Pass `mfaCodeProvider: (serial) => …` (it returns the device's " +
        `current six-digit code), ${context.mfaWhere === undefined ? "" : "give the profile an `mfa_process` (a command that prints the code), "}` +
        "or use `env-or-profile credential-process`, which asks on the terminal",
      { source: SOURCE, code: "MFA_REQUIRED", tryNextLink: false },
    );
  }
  let code: unknown;
  try {
    code = await context.mfaCodeProvider(serial);
  } catch (error) {
    // Our own (a profile's mfa_process, the CLI's terminal prompt) already say what happened.
    if (error instanceof CredentialsError && (error.code === "MFA_REQUIRED" || error.code.startsWith("PROCESS_"))) throw error;
    throw new CredentialsError(`The MFA code for ${serial} could not be had: ${describeError(error)}`, {
      source: SOURCE,
      code: "MFA_REQUIRED",
      tryNextLink: false,
      cause: error,
    });
  }
  const text = typeof code === "string" ? code.trim() : "";
  if (!MFA_CODE_PATTERN.test(text)) {
    throw new CredentialsError(`The MFA code given for ${serial} is not six digits; no STS request was sent`, {
      source: SOURCE,
      code: "MFA_REQUIRED",
      tryNextLink: false,
    });
  }
  return text;
}

/** One AssumeRole request signed by `base`. */
async function assumeOnce(settings: RoleStepSettings, context: RoleStepContext, location: StsLocation, base: AwsCredentialIdentity): Promise<AwsCredentialIdentity> {
  const tokenCode = await mfaCode(settings, context);
  // The base's secret and token go out in this request; STS (or a proxy) may echo them back.
  registerCredential(base);
  if (tokenCode !== undefined) registerSecret(tokenCode);
  const params = {
    RoleArn: settings.roleArn,
    RoleSessionName: settings.roleSessionName,
    DurationSeconds: settings.durationSeconds,
    ...(settings.externalId === undefined ? {} : { ExternalId: settings.externalId }),
    ...(settings.tags === undefined ? {} : { Tags: Object.entries(settings.tags).map(([Key, Value]) => ({ Key, Value })) }),
    ...(settings.transitiveTagKeys === undefined ? {} : { TransitiveTagKeys: [...settings.transitiveTagKeys] }),
    ...(settings.sourceIdentity === undefined ? {} : { SourceIdentity: settings.sourceIdentity }),
    ...(settings.policy === undefined ? {} : { Policy: settings.policy }),
    ...(settings.policyArns === undefined ? {} : { PolicyArns: settings.policyArns.map((arn) => ({ arn })) }),
    ...(settings.mfaSerial === undefined || tokenCode === undefined ? {} : { SerialNumber: settings.mfaSerial, TokenCode: tokenCode }),
  };
  let output: AssumeRoleCommandOutput;
  try {
    output = await sendSts({
      source: SOURCE,
      location,
      timeoutMs: settings.timeoutMs,
      signing: base,
      requestKey: `AssumeRole ${optionsKey({ ...params, TokenCode: tokenCode === undefined ? undefined : secretRef(tokenCode) })}`,
      send: (client, { AssumeRoleCommand }, abortSignal) => client.send(new AssumeRoleCommand(params), { abortSignal }),
    });
  } catch (error) {
    const mapped = mapStsError(error, {
      roleArn: settings.roleArn,
      externalIdSet: settings.externalId !== undefined,
      baseAccessKeyId: base.accessKeyId,
      endpointLabel: location.label,
      mfaSerial: tokenCode === undefined ? undefined : settings.mfaSerial,
    });
    log(context.logger, "debug", `assume-role: ${settings.roleArn} failed: ${describeError(mapped)}`);
    // A code may have been spent by this request: asking a person again in a retry loop is wrong.
    throw tokenCode === undefined || !mapped.retryable ? mapped : notRetryable(mapped);
  }
  const credential = toCredential(output, settings, context.baseMarks === false ? {} : credentialMarks(base));
  log(
    context.logger,
    "debug",
    `assume-role: assumed ${settings.roleArn} with base ${redactKeyId(base.accessKeyId)}${tokenCode === undefined ? "" : ` and an MFA code from ${settings.mfaSerial ?? ""}`}, ` +
      `expires ${credential.expiration?.toISOString() ?? "never"}`,
  );
  return credential;
}

/** The base credentials, checked; a failure says it was the base that failed (its `retryable` kept). */
async function readBase(source: AwsCredentialIdentityProvider, roleArn: string): Promise<AwsCredentialIdentity> {
  let base: AwsCredentialIdentity;
  try {
    base = await source();
  } catch (error) {
    throw new CredentialsError(`Could not get the base credentials to assume ${roleArn}: ${describeError(error)}`, {
      source: SOURCE,
      code: "STS_SOURCE_FAILED",
      tryNextLink: false,
      // Retryable as the base's failure — unless the base's own memoize has spent its retries on it
      // already: a role step above must not retry it again (attempts would multiply).
      retryable: error instanceof CredentialsError ? error.retryable && !retriesSpent(error) : false,
      cause: error,
    });
  }
  if (!hasKeys(base)) {
    throw new CredentialsError(`The base credentials to assume ${roleArn} have no access key id or secret`, {
      source: SOURCE,
      code: "STS_SOURCE_FAILED",
      tryNextLink: false,
    });
  }
  return base;
}

/**
 * Checks STS's answer and shapes it: all four fields present, `accountId` from the role ARN, marked
 * `baseMarks` then `CREDENTIALS_STS_ASSUME_ROLE` (the mark the SDK's role assumer sets).
 */
function toCredential(output: AssumeRoleCommandOutput, settings: RoleStepSettings, baseMarks: CredentialMarks): AwsCredentialIdentity {
  const fields = completeStsCredential(output.Credentials, "AssumeRole", settings.roleArn, SOURCE);
  const credential = markCredential(addMarks({ ...fields, accountId: settings.accountId }, baseMarks), "CREDENTIALS_STS_ASSUME_ROLE");
  registerCredential(credential);
  return freezeCredential(credential);
}

function notRetryable(error: CredentialsError): CredentialsError {
  return new CredentialsError(`${error.message} (not retried: the MFA code may have been used)`, {
    source: error.source,
    code: error.code,
    tryNextLink: false,
    retryable: false,
    cause: error.cause,
  });
}

