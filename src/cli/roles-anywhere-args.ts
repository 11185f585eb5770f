/*
 * `--roles-anywhere` on the command line, with aws_signing_helper's flag names. Read on the warm
 * path of credential-process too (main.js): nothing here may import the library's core (types only,
 * which the build erases) — the flags
 * are only collected and made absolute here; the full path checks them (`rolesAnywhereOptions`).
 */
import { resolve } from "node:path";
import type { RolesAnywhereOptions } from "../providers/roles-anywhere/roles-anywhere-options.js";
import type { RoleRequest } from "./parse-cli-args.js";
import { UsageError } from "./usage-error.js";

/**
 * The flags of `--roles-anywhere`, named as `aws_signing_helper credential-process` names them
 * (`--role-arn`, shared with the role options, is the Roles Anywhere role then), plus
 * `--assume-role-arn` for a role assumed on top with the Roles Anywhere credential.
 */
export const ROLES_ANYWHERE_FLAGS = {
  "roles-anywhere": { type: "boolean" },
  certificate: { type: "string" },
  "private-key": { type: "string" },
  intermediates: { type: "string" },
  "trust-anchor-arn": { type: "string" },
  "profile-arn": { type: "string" },
  region: { type: "string" },
  "session-duration": { type: "string" },
  "role-session-name": { type: "string" },
  endpoint: { type: "string" },
  "assume-role-arn": { type: "string" },
} as const;

/** The Roles Anywhere source asked for on the command line — the `fromRolesAnywhere` options its flags set: files absolute, nothing checked yet but the shape. */
export type RolesAnywhereRequest = Pick<
  RolesAnywhereOptions,
  "certificate" | "privateKey" | "intermediates" | "trustAnchorArn" | "profileArn" | "roleArn" | "region" | "durationSeconds" | "sessionName" | "endpoint"
>;

type Values = Readonly<Record<string, string | boolean | undefined>>;

/** The flags that mean nothing without `--roles-anywhere`. */
const ONLY_WITH_ROLES_ANYWHERE = Object.keys(ROLES_ANYWHERE_FLAGS).filter((flag) => flag !== "roles-anywhere");

const REQUIRED = ["certificate", "private-key", "trust-anchor-arn", "profile-arn", "role-arn"] as const;

/**
 * Reads `--roles-anywhere` and its flags: `undefined` without it (and then none of its flags may be
 * given), else the request and the role to assume on top (`--assume-role-arn` with `--external-id`,
 * `--session-name`, `--duration`, `--mfa-serial`; flags only — the `ENV_OR_PROFILE_ROLE_*` variables are not read,
 * so the printed line says everything it does, as aws_signing_helper's does). File paths are made
 * absolute (the AWS CLI runs a credential_process from whatever folder it is in).
 * @throws UsageError for a flag without `--roles-anywhere`, `--profile` with it, a missing flag, a
 *   `--session-duration` that is not a whole number, a role option without `--assume-role-arn`.
 */
export function readRolesAnywhereArgs(values: Values, command: string): { request: RolesAnywhereRequest; role: RoleRequest | undefined } | undefined {
  const text = (flag: string): string | undefined => {
    const value = values[flag];
    return typeof value === "string" ? value : undefined;
  };
  if (values["roles-anywhere"] !== true) {
    const stray = ONLY_WITH_ROLES_ANYWHERE.find((flag) => values[flag] !== undefined);
    if (stray !== undefined) {
      throw new UsageError(
        stray === "assume-role-arn"
          ? "--assume-role-arn is the role assumed on top of --roles-anywhere; without --roles-anywhere, give the role to assume as --role-arn"
          : `--${stray} is a flag of --roles-anywhere (IAM Roles Anywhere, with aws_signing_helper's flag names); add --roles-anywhere`,
        command,
      );
    }
    return undefined;
  }
  if (values["profile"] !== undefined) {
    throw new UsageError("--roles-anywhere names the source (the certificate); --profile names another: use one", command);
  }
  const missing = REQUIRED.filter((flag) => text(flag) === undefined || text(flag) === "");
  if (missing.length > 0) {
    throw new UsageError(`--roles-anywhere needs ${missing.map((flag) => `--${flag}`).join(", ")} (as aws_signing_helper credential-process does)`, command);
  }
  const duration = text("session-duration");
  if (duration !== undefined && !/^\d{1,6}$/.test(duration)) {
    throw new UsageError(`--session-duration must be a whole number of seconds (900 to 43200), got ${JSON.stringify(duration.slice(0, 20))}`, command);
  }
  const file = (flag: string): string | undefined => {
    const value = text(flag);
    // Paths only (aws_signing_helper reads files); a pkcs11: URI is kept as is for its error.
    return value === undefined || /^[a-z0-9]+:/i.test(value) ? value : resolve(value);
  };
  const optional = <K extends keyof RolesAnywhereRequest>(key: K, value: RolesAnywhereRequest[K] | undefined): Partial<RolesAnywhereRequest> =>
    value === undefined ? {} : { [key]: value };
  const request: RolesAnywhereRequest = {
    certificate: file("certificate") ?? "",
    privateKey: file("private-key") ?? "",
    trustAnchorArn: text("trust-anchor-arn") ?? "",
    profileArn: text("profile-arn") ?? "",
    roleArn: text("role-arn") ?? "",
    ...optional("intermediates", file("intermediates")),
    ...optional("region", text("region")),
    ...optional("durationSeconds", duration === undefined ? undefined : Number(duration)),
    ...optional("sessionName", text("role-session-name")),
    ...optional("endpoint", text("endpoint")),
  };
  return { request, role: readAssumeRole(values, command) };
}

/** `--assume-role-arn` and the role options on top of Roles Anywhere (flags only; `--mfa-serial` too, its code asked as for `--role-arn`). */
function readAssumeRole(values: Values, command: string): RoleRequest | undefined {
  const roleArn = values["assume-role-arn"];
  const externalId = values["external-id"];
  const sessionName = values["session-name"];
  const duration = values["duration"];
  const mfaSerial = values["mfa-serial"];
  if (typeof roleArn !== "string") {
    const orphan = (["external-id", "session-name", "duration", "mfa-serial"] as const).find((flag) => values[flag] !== undefined);
    if (orphan !== undefined) {
      throw new UsageError(`--${orphan} is for a role assumed on top: with --roles-anywhere give it as --assume-role-arn (--role-arn is the Roles Anywhere role)`, command);
    }
    return undefined;
  }
  if (typeof duration === "string" && !/^\d{1,6}$/.test(duration)) {
    throw new UsageError(`--duration must be a whole number of seconds (900 to 43200), got ${JSON.stringify(duration.slice(0, 20))}`, command);
  }
  return {
    roleArn,
    ...(typeof externalId === "string" ? { externalId } : {}),
    ...(typeof sessionName === "string" ? { roleSessionName: sessionName } : {}),
    ...(typeof duration === "string" ? { durationSeconds: Number(duration) } : {}),
    ...(typeof mfaSerial === "string" ? { mfaSerial } : {}),
  };
}

/** The `--roles-anywhere` words of a command line for `request` (files absolute), in aws_signing_helper's order. */
export function rolesAnywhereWords(request: RolesAnywhereRequest): string[] {
  const words = ["--roles-anywhere", "--certificate", request.certificate, "--private-key", request.privateKey];
  if (request.intermediates !== undefined) words.push("--intermediates", request.intermediates);
  words.push("--trust-anchor-arn", request.trustAnchorArn, "--profile-arn", request.profileArn, "--role-arn", request.roleArn);
  if (request.region !== undefined) words.push("--region", request.region);
  if (request.durationSeconds !== undefined) words.push("--session-duration", String(request.durationSeconds));
  if (request.sessionName !== undefined) words.push("--role-session-name", request.sessionName);
  if (request.endpoint !== undefined) words.push("--endpoint", request.endpoint);
  return words;
}
