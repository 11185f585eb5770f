import { AWS_PARTITION_INFO, type AwsPartition } from "../sts/aws-partitions.js";
import { isLoopbackHostname } from "../http-credentials/is-loopback-hostname.js";

/**
 * The regional `CreateSession` endpoint of a partition: `https://rolesanywhere.<region>.<suffix>`,
 * with the partition's own DNS suffix (`amazonaws.com`, `amazonaws.com.cn` in China, `c2s.ic.gov`
 * in `aws-iso`, …), as the AWS SDKs' endpoint rules build it.
 *
 * @param partition - the trust anchor ARN's partition.
 * @param region - the region, e.g. `eu-west-1`.
 * @example
 * ```ts
 * import { defaultRolesAnywhereEndpoint } from "./roles-anywhere-endpoint.js";
 *
 * defaultRolesAnywhereEndpoint("aws-cn", "cn-north-1"); // "https://rolesanywhere.cn-north-1.amazonaws.com.cn"
 * ```
 */
export function defaultRolesAnywhereEndpoint(partition: AwsPartition, region: string): string {
  return `https://rolesanywhere.${region}.${AWS_PARTITION_INFO[partition].dnsSuffix}`;
}

/**
 * Checks an `endpoint` option and returns it without a trailing `/`: an absolute `https:` URL, or
 * `http:` to this machine only (a signed `CreateSession` answer carries the role's secret key, which
 * plain http would carry in clear over any network), with no user info, query or fragment (the
 * request's own path and query are added to it). Host names are never resolved to decide.
 *
 * @param value - the option's value.
 * @throws TypeError “Expected `endpoint` to be …”.
 * @example
 * ```ts
 * import { checkRolesAnywhereEndpoint } from "./roles-anywhere-endpoint.js";
 *
 * checkRolesAnywhereEndpoint("http://127.0.0.1:4566/"); // "http://127.0.0.1:4566"
 * ```
 */
export function checkRolesAnywhereEndpoint(value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === "string" && !hasControlOrSpace(value) ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") {
    throw new TypeError("Expected `endpoint` to be an http(s) base URL such as https://rolesanywhere.eu-west-1.amazonaws.com");
  }
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    throw new TypeError("Expected `endpoint` to be a base URL without user info, query or fragment, such as https://rolesanywhere.eu-west-1.amazonaws.com");
  }
  if (url.protocol === "http:" && !isLoopbackHostname(url.hostname)) {
    throw new TypeError(
      `Expected \`endpoint\` to use https: plain http is allowed only to this machine (127.0.0.0/8, [::1], localhost), got http://${url.host}; ` +
        "the answer carries the role's secret key",
    );
  }
  return url.href.replace(/\/+$/, "");
}

/** Whether `text` has whitespace or an ASCII control character (the URL parser would drop some silently). */
function hasControlOrSpace(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f || /\s/.test(text.charAt(i))) return true;
  }
  return false;
}
