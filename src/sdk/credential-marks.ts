import type { AwsCredentialIdentity } from "@smithy/types";

/**
 * The AWS SDK's credential feature ids that env-or-profile's links set, with the code each is sent
 * as in a client's user agent (`m/…`): `AwsSdkCredentialsFeatures` in `@aws-sdk/types`. Which link
 * sets which, as the SDK's equivalent provider does:
 *
 * | link | marks (in order) | the SDK's equivalent |
 * | --- | --- | --- |
 * | env | `CREDENTIALS_ENV_VARS` | `fromEnv` |
 * | profile, static keys | `CREDENTIALS_PROFILE` | `fromIni` |
 * | profile role (`source_profile` or `credential_source`) | `CREDENTIALS_STS_ASSUME_ROLE`, `CREDENTIALS_PROFILE_SOURCE_PROFILE` | `fromIni` (its role assumer) |
 * | profile `credential_source` (the base) | the link's, then `CREDENTIALS_PROFILE_NAMED_PROVIDER` | `fromIni` |
 * | profile `web_identity_token_file` | as web identity, then `CREDENTIALS_PROFILE_STS_WEB_ID_TOKEN` | `fromIni` → `fromTokenFile` |
 * | profile `credential_process` | `CREDENTIALS_PROCESS`, `CREDENTIALS_PROFILE_PROCESS` | `fromIni` → `fromProcess` |
 * | profile SSO | the SDK's `CREDENTIALS_SSO` (`_LEGACY`), then `CREDENTIALS_PROFILE_SSO` (`_LEGACY`) | `fromIni` → `fromSSO` |
 * | web identity | `RESOLVED_ACCOUNT_ID`, `CREDENTIALS_STS_ASSUME_ROLE_WEB_ID`, and `CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN` when the token file is the one `AWS_WEB_IDENTITY_TOKEN_FILE` names | `fromTokenFile` |
 * | container | `CREDENTIALS_HTTP` | `fromHttp` |
 * | IMDS | `CREDENTIALS_IMDS` | `fromInstanceMetadata` of `@aws-sdk/credential-providers` |
 * | AssumeRole (`fromAssumeRole`, `envOrProfile({ assumeRole })`) | the base's marks, then `CREDENTIALS_STS_ASSUME_ROLE` | the SDK's role assumer (`getDefaultRoleAssumer`) over its base |
 * | `fromConfig` static keys | `CREDENTIALS_CODE` | keys given to a client in code |
 * | IAM Roles Anywhere | none | none: the SDK has no such provider and no id for it |
 *
 * IAM Roles Anywhere carries no mark: no id names it, and each that comes near would say something
 * false to whoever reads the metrics — `CREDENTIALS_PROCESS` (no program ran), `CREDENTIALS_CODE`
 * (no keys were written in code), `CREDENTIALS_HTTP` (not the container endpoint). A role assumed
 * over it carries `CREDENTIALS_STS_ASSUME_ROLE`, which is true.
 *
 * Two places where the SDK's own equivalents differ from this table, on purpose: its default chain
 * (`fromNodeProviderChain`) reaches IMDS through `@smithy/credential-provider-imds`, which sets no
 * mark (only `@aws-sdk/credential-providers`' `fromInstanceMetadata` sets `CREDENTIALS_IMDS`); and
 * its `fromTemporaryCredentials` returns a credential with no marks at all, where ours carries the
 * base's and the role step's.
 * @internal
 */
export const CREDENTIAL_FEATURES = Object.freeze({
  RESOLVED_ACCOUNT_ID: "T",
  CREDENTIALS_CODE: "e",
  CREDENTIALS_ENV_VARS: "g",
  CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN: "h",
  CREDENTIALS_STS_ASSUME_ROLE: "i",
  CREDENTIALS_STS_ASSUME_ROLE_WEB_ID: "k",
  CREDENTIALS_PROFILE: "n",
  CREDENTIALS_PROFILE_SOURCE_PROFILE: "o",
  CREDENTIALS_PROFILE_NAMED_PROVIDER: "p",
  CREDENTIALS_PROFILE_STS_WEB_ID_TOKEN: "q",
  CREDENTIALS_PROFILE_SSO: "r",
  CREDENTIALS_SSO: "s",
  CREDENTIALS_PROFILE_SSO_LEGACY: "t",
  CREDENTIALS_SSO_LEGACY: "u",
  CREDENTIALS_PROFILE_PROCESS: "v",
  CREDENTIALS_PROCESS: "w",
  CREDENTIALS_HTTP: "z",
  CREDENTIALS_IMDS: "0",
  CREDENTIALS_PROFILE_LOGIN: "AC",
  CREDENTIALS_LOGIN: "AD",
} as const);

/** One of {@link CREDENTIAL_FEATURES}' ids. @internal */
export type CredentialFeature = keyof typeof CREDENTIAL_FEATURES;

/** A credential's marks: feature id → user-agent code, in the order they were set. @internal */
export type CredentialMarks = Readonly<Record<string, string>>;

const NO_MARKS: CredentialMarks = Object.freeze({});

/**
 * The marks `credential` carries (its `$source` record, read by the SDK's user-agent middleware), in
 * the order they were set; an empty record when it has none.
 *
 * @param credential - any credential (ours, the SDK's, a user's).
 * @returns the record itself: read it, never write to it.
 * @example
 * ```ts
 * import { credentialMarks } from "./credential-marks.js";
 *
 * credentialMarks({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" }); // {}
 * ```
 * @internal
 */
export function credentialMarks(credential: AwsCredentialIdentity): CredentialMarks {
  const marks = (credential as { $source?: unknown }).$source;
  return typeof marks === "object" && marks !== null ? (marks as CredentialMarks) : NO_MARKS;
}

/**
 * `credential` with `features` added to its marks, after those it has (a feature it has already
 * keeps its place, as in the SDK's record).
 *
 * The SDK's own helper, `setCredentialFeature` of `@aws-sdk/core/client`, is not used: loading that
 * module costs ~65 ms of CPU on the bench machine (the whole client submodule), which `import
 * "env-or-profile"` must not pay and the first credential of a process that has no SDK client loaded
 * yet (the cold IMDS row of the bench) would. What it does is small and is what every client reads:
 * a `$source` record of feature id → code, iterated in insertion order by the user-agent middleware.
 * Ours differs in two ways, both deliberate, and test/sdk/credential-marks.test.ts holds it to the
 * SDK's helper: the record is a new one each time (a frozen credential shared by every caller keeps
 * its own untouched: the new marks go on a frozen copy), and `$source` is not enumerable, as
 * `freezeCredential` makes it, so spreading, `JSON.stringify` and `toEqual` see the credential's
 * fields alone.
 *
 * @param credential - the credential a link made (changed in place) or one it was handed, which may
 *   be frozen and shared (then a frozen copy is returned, the original untouched).
 * @param features - the ids to add, in order.
 * @returns `credential` itself, marked, or its marked frozen copy.
 * @example
 * ```ts
 * import { markCredential } from "./credential-marks.js";
 *
 * const credential = markCredential({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" }, "CREDENTIALS_ENV_VARS");
 * ```
 * @internal
 */
export function markCredential<Credential extends AwsCredentialIdentity>(credential: Credential, ...features: readonly CredentialFeature[]): Credential {
  const added: Record<string, string> = {};
  for (const feature of features) added[feature] = CREDENTIAL_FEATURES[feature];
  return addMarks(credential, added);
}

/**
 * `credential` with `marks` (any feature ids: the SDK's, a base's) added after those it has.
 * See {@link markCredential}.
 *
 * @param credential - the credential to mark (in place), or a frozen one (a frozen copy is returned).
 * @param marks - feature id → code, in order.
 * @returns `credential` itself, marked, or its marked frozen copy.
 * @example
 * ```ts
 * import { addMarks, credentialMarks } from "./credential-marks.js";
 *
 * declare const base: { accessKeyId: string; secretAccessKey: string };
 * declare const assumed: { accessKeyId: string; secretAccessKey: string };
 * const marked = addMarks(assumed, { ...credentialMarks(base), CREDENTIALS_STS_ASSUME_ROLE: "i" });
 * ```
 * @internal
 */
export function addMarks<Credential extends AwsCredentialIdentity>(credential: Credential, marks: CredentialMarks): Credential {
  const record: Record<string, string> = { ...credentialMarks(credential) };
  for (const [feature, code] of Object.entries(marks)) record[feature] = code;
  const own = Object.getOwnPropertyDescriptor(credential, "$source");
  const inPlace = !Object.isFrozen(credential) && Object.isExtensible(credential) && (own === undefined || own.configurable === true);
  const target = inPlace ? credential : { ...credential };
  Object.defineProperty(target, "$source", { value: record, enumerable: false, writable: true, configurable: true });
  return Object.isFrozen(credential) ? Object.freeze(target) : target;
}
