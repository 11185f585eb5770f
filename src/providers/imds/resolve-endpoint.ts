import { configuredValue } from "../../config-value.js";
import { CredentialsError } from "../../errors.js";
import type { ImdsFileSettings, ImdsProfileSetting } from "./imds-file-settings.js";

/** The IPv4 IMDS endpoint (link-local), per https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html */
export const IMDS_IPV4_ENDPOINT = "http://169.254.169.254";

/** The IPv6 IMDS endpoint (Nitro instances), per the same AWS page as {@link IMDS_IPV4_ENDPOINT}. */
export const IMDS_IPV6_ENDPOINT = "http://[fd00:ec2::254]";

/** Where to look for IMDS: an explicit endpoint and the environment to fall back on. */
export interface ResolveImdsEndpointInput {
  /** An explicit base URL; wins over the environment. */
  endpoint?: string;
  /** Environment variables; `AWS_EC2_METADATA_SERVICE_ENDPOINT` and `..._ENDPOINT_MODE` are read. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * The selected profile's `ec2_metadata_service_endpoint` and `ec2_metadata_service_endpoint_mode`,
   * each weighing less than its variable. @internal
   */
  file?: Pick<ImdsFileSettings, "endpoint" | "endpointMode">;
}

/**
 * Picks the IMDS base URL: `endpoint`, else `AWS_EC2_METADATA_SERVICE_ENDPOINT` (else the selected
 * profile's `ec2_metadata_service_endpoint`), else the IPv4 or IPv6 link-local address by
 * `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` (else the profile's `ec2_metadata_service_endpoint_mode`;
 * `IPv4` or `IPv6`, any case; default `IPv4`) — the order the AWS SDKs use. The result has no
 * trailing slash.
 *
 * @param input - the explicit endpoint and the environment. @defaultValue `{ env: process.env }`
 * @returns an `http:` base URL such as `http://169.254.169.254`.
 * @throws TypeError when `input.endpoint` is not an `http:` URL.
 * @throws CredentialsError with code `CONFIG_INVALID` when an environment variable (or a profile
 *   setting) is invalid.
 * @example
 * `resolveImdsEndpoint({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: "ipv6" } })` is
 * `"http://[fd00:ec2::254]"`.
 * @internal
 */
export function resolveImdsEndpoint(input: ResolveImdsEndpointInput = {}): string {
  const env = input.env ?? process.env;
  if (input.endpoint !== undefined) {
    const url = parseHttpUrl(input.endpoint);
    if (url === undefined) {
      throw new TypeError(`Expected \`endpoint\` to be an http:// URL, got ${JSON.stringify(input.endpoint)}`);
    }
    return url;
  }
  const endpoint = imdsSetting(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT", input.file?.endpoint);
  if (endpoint !== undefined) {
    const url = parseHttpUrl(endpoint.value);
    if (url === undefined) {
      throw configError(`${endpoint.label} must be an http:// URL, got ${JSON.stringify(endpoint.value.slice(0, 200))}`);
    }
    return url;
  }
  const mode = imdsSetting(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", input.file?.endpointMode);
  if (mode === undefined) return IMDS_IPV4_ENDPOINT;
  switch (mode.value.toLowerCase()) {
    case "ipv4":
      return IMDS_IPV4_ENDPOINT;
    case "ipv6":
      return IMDS_IPV6_ENDPOINT;
    default:
      throw configError(`${mode.label} must be "IPv4" or "IPv6", got ${JSON.stringify(mode.value.slice(0, 40))}`);
  }
}

/**
 * An IMDS setting's value (trimmed) and how to name it in a message: the variable when set (as the
 * SDKs read these, the environment wins), else the profile's key.
 * @internal
 */
export function imdsSetting(
  env: Readonly<Record<string, string | undefined>>,
  variable: string,
  file: ImdsProfileSetting | undefined,
): { value: string; label: string } | undefined {
  const fromEnv = configuredValue(env[variable]);
  if (fromEnv !== undefined) return { value: fromEnv, label: variable };
  return file === undefined ? undefined : { value: file.value, label: file.where };
}

function parseHttpUrl(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" || url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    return undefined;
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

function configError(message: string): CredentialsError {
  return new CredentialsError(message, { source: "imds", code: "CONFIG_INVALID", tryNextLink: false });
}
