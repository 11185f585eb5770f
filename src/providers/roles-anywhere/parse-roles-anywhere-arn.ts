import { AWS_PARTITIONS, type AwsPartition } from "../sts/aws-partitions.js";

/** The two Roles Anywhere resources a `CreateSession` names. */
export type RolesAnywhereResource = "trust-anchor" | "profile";

/** The parts of a trust anchor or profile ARN. */
export interface RolesAnywhereArn {
  readonly partition: AwsPartition;
  readonly region: string;
  readonly accountId: string;
  readonly id: string;
}

/**
 * `arn:<partition>:rolesanywhere:<region>:<12 digits>:<trust-anchor|profile>/<id>`. Ids are UUIDs
 * today; any 1–128 letters, digits and `-` are accepted, so a future id shape still works.
 */
const ARN = new RegExp(`^arn:(${AWS_PARTITIONS.join("|")}):rolesanywhere:([a-z0-9-]{1,63}):(\\d{12}):(trust-anchor|profile)\\/([A-Za-z0-9-]{1,128})$`);

const EXAMPLE: Readonly<Record<RolesAnywhereResource, string>> = {
  "trust-anchor": "arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/0b7e1a5c-2f6d-4e8a-9c3b-1d2e3f4a5b6c",
  profile: "arn:aws:rolesanywhere:eu-west-1:123456789012:profile/6f4943fb-13d4-4242-89c4-be367595c380",
};

/**
 * Checks a Roles Anywhere trust anchor or profile ARN and returns its parts.
 *
 * @param value - the ARN as given.
 * @param resource - which resource it must name.
 * @param option - the option it came from, for the message, e.g. `"trustAnchorArn"`.
 * @throws TypeError “Expected `trustAnchorArn` to be …” for anything else (another service, another
 *   resource type, a partition the AWS SDK does not know, an account that is not twelve digits).
 * @example
 * ```ts
 * import { parseRolesAnywhereArn } from "./parse-roles-anywhere-arn.js";
 *
 * parseRolesAnywhereArn("arn:aws:rolesanywhere:eu-west-1:123456789012:profile/6f4943fb-13d4-4242-89c4-be367595c380", "profile", "profileArn");
 * // { partition: "aws", region: "eu-west-1", accountId: "123456789012", id: "6f4943fb-…" }
 * ```
 */
export function parseRolesAnywhereArn(value: unknown, resource: RolesAnywhereResource, option: string): RolesAnywhereArn {
  const match = typeof value === "string" ? ARN.exec(value) : null;
  if (match === null || match[4] !== resource) {
    const got = typeof value === "string" ? JSON.stringify(value.length > 200 ? `${value.slice(0, 197)}...` : value) : typeof value;
    const why =
      match !== null
        ? ` (a ${match[4] ?? ""} ARN, not a ${resource} ARN)`
        : typeof value === "string" && /^arn:[^:]*:rolesanywhere:/.test(value)
          ? ` (partition one of ${AWS_PARTITIONS.join(", ")}; a region; a 12-digit account; ${resource}/<id>)`
          : "";
    throw new TypeError(`Expected \`${option}\` to be a Roles Anywhere ${resource} ARN such as ${EXAMPLE[resource]}, got ${got}${why}`);
  }
  const [, partition = "", region = "", accountId = "", , id = ""] = match;
  return { partition: partition as AwsPartition, region, accountId, id };
}
