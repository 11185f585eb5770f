import { CredentialsError } from "../../errors.js";

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
}

/**
 * Picks the IMDS base URL: `endpoint`, else `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else the IPv4 or
 * IPv6 link-local address by `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` (`IPv4` or `IPv6`, any case;
 * default `IPv4`) — the order the AWS SDKs use. The result has no trailing slash.
 *
 * @param input - the explicit endpoint and the environment. @defaultValue `{ env: process.env }`
 * @returns an `http:` base URL such as `http://169.254.169.254`.
 * @throws TypeError when `input.endpoint` is not an `http:` URL.
 * @throws CredentialsError with code `CONFIG_INVALID` when an environment variable is invalid.
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
  const fromEnv = env["AWS_EC2_METADATA_SERVICE_ENDPOINT"];
  if (fromEnv !== undefined && fromEnv.trim() !== "") {
    const url = parseHttpUrl(fromEnv.trim());
    if (url === undefined) {
      throw configError(`AWS_EC2_METADATA_SERVICE_ENDPOINT must be an http:// URL, got ${JSON.stringify(fromEnv)}`);
    }
    return url;
  }
  const mode = env["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"];
  if (mode === undefined || mode.trim() === "") return IMDS_IPV4_ENDPOINT;
  switch (mode.trim().toLowerCase()) {
    case "ipv4":
      return IMDS_IPV4_ENDPOINT;
    case "ipv6":
      return IMDS_IPV6_ENDPOINT;
    default:
      throw configError(
        `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE must be "IPv4" or "IPv6", got ${JSON.stringify(mode.slice(0, 40))}`,
      );
  }
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
