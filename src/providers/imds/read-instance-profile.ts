import { CredentialsError } from "../../errors.js";
import { checkKnownOptions } from "../../known-options.js";
import { createImdsClient } from "./imds-client.js";
import { imdsDisabledByEnv, readImdsFileSettings } from "./imds-file-settings.js";
import { assertImdsUsable, checkImdsOptions, IMDS_OPTION_KEYS, resolveImdsOptions, type ImdsOptions } from "./imds-options.js";
import { badResponse } from "../http-credentials/credential-link.js";
import { describeValue, parseJsonObject } from "../http-credentials/parse-json-object.js";
import { IMDS_LINK } from "./imds-link.js";

/** Where IMDS describes the instance profile. */
export const IMDS_INSTANCE_PROFILE_PATH = "/latest/meta-data/iam/info";

/** The instance profile attached to this instance, for diagnostics. Nothing here is secret. */
export interface InstanceProfileInfo {
  /** e.g. `arn:aws:iam::123456789012:instance-profile/web`. */
  instanceProfileArn: string;
  /** e.g. `AIPAEXAMPLEID1234567`. */
  instanceProfileId: string;
  /** When IMDS last updated the profile information, when it says. */
  lastUpdated?: Date;
}

const PROFILE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:instance-profile\/[\w+=,.@/-]{1,512}$/;
const PROFILE_ID = /^[A-Z0-9]{8,128}$/;

/**
 * Reads `GET /latest/meta-data/iam/info`: which instance profile this instance has. Uses the same
 * IMDS client as `fromImds` (the shared IMDSv2 token, the IMDSv1 rules, the cool-down), so
 * calling it next to a provider costs no extra token request.
 *
 * @param options - the same options as `fromImds` (the selected profile's IMDS settings apply as
 *   there); `roleName` and `staticStability` are ignored.
 * @returns the profile ARN and id (and `lastUpdated` when given).
 * @throws CredentialsError with code `IMDS_NO_ROLE` when the instance has no profile (404), and
 *   the `fromImds` codes otherwise (`IMDS_DISABLED`, `IMDS_UNAVAILABLE`, `IMDS_BAD_RESPONSE`, …).
 * @example
 * ```ts
 * import { readInstanceProfile } from "env-or-profile";
 *
 * const profile = await readInstanceProfile({ timeoutMs: 500 });
 * console.log(profile.instanceProfileArn); // arn:aws:iam::123456789012:instance-profile/web
 * ```
 */
export async function readInstanceProfile(options: ImdsOptions = {}): Promise<InstanceProfileInfo> {
  checkKnownOptions(options, IMDS_OPTION_KEYS, "readInstanceProfile");
  checkImdsOptions(options, false);
  const env = options.env ?? process.env;
  const file = imdsDisabledByEnv(env) ? undefined : await readImdsFileSettings(env, options.profile === false ? false : { profile: options.profile });
  const config = resolveImdsOptions(options, file?.settings);
  assertImdsUsable(config);
  const response = await createImdsClient(config).get(IMDS_INSTANCE_PROFILE_PATH);
  if (response.status === 404) {
    throw new CredentialsError(`IMDS at ${config.endpoint} has no iam/info: this instance has no instance profile`, {
      source: "imds",
      code: "IMDS_NO_ROLE",
      tryNextLink: true,
    });
  }
  return parseInstanceProfile(response.body);
}

/**
 * Validates the body of `GET /latest/meta-data/iam/info`.
 * @throws CredentialsError with code `IMDS_BAD_RESPONSE`.
 */
export function parseInstanceProfile(body: string): InstanceProfileInfo {
  const json = parseJsonObject(body, "instance profile information", IMDS_LINK);
  const problems: string[] = [];
  const code = json["Code"];
  if (code !== "Success") problems.push(`Code is ${typeof code === "string" && /^[A-Za-z]{1,20}$/.test(code) ? `"${code}"` : describeValue(code)}, not "Success"`);
  const arn = json["InstanceProfileArn"];
  if (typeof arn !== "string" || !PROFILE_ARN.test(arn)) {
    problems.push(`InstanceProfileArn is ${typeof arn === "string" ? "not an instance-profile ARN" : describeValue(arn)}`);
  }
  const id = json["InstanceProfileId"];
  if (typeof id !== "string" || !PROFILE_ID.test(id)) {
    problems.push(`InstanceProfileId is ${typeof id === "string" ? "not an IAM unique id" : describeValue(id)}`);
  }
  if (problems.length > 0) throw badResponse(IMDS_LINK, `IMDS returned unusable instance profile information: ${problems.join("; ")}`);
  const lastUpdated = typeof json["LastUpdated"] === "string" ? new Date(json["LastUpdated"]) : undefined;
  return {
    instanceProfileArn: arn as string,
    instanceProfileId: id as string,
    ...(lastUpdated !== undefined && Number.isFinite(lastUpdated.getTime()) ? { lastUpdated } : {}),
  };
}
