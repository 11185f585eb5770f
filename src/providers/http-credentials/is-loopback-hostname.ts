/** A canonical dotted-quad IPv4 address in 127.0.0.0/8. */
const LOOPBACK_IPV4 = /^127\.(?:\d{1,3})\.(?:\d{1,3})\.(?:\d{1,3})$/;

/**
 * Whether `hostname`, as the WHATWG URL parser writes it (`new URL(…).hostname`), names this
 * machine: an IPv4 address in 127.0.0.0/8, `[::1]`, or `localhost`. Decided from the text alone;
 * no name is resolved, so `127.0.0.1.nip.io`, `localhost.` and `[::ffff:127.0.0.1]` are not
 * loopback here. The parser has already turned every IPv4 spelling (`127.1`, `0x7f.0.0.1`) into a
 * dotted quad and every IPv6 spelling of `::1` into `[::1]`.
 *
 * This is the rule for when plain `http:` may carry credentials: only to a server on this machine.
 *
 * @param hostname - `URL.hostname`.
 * @example
 * ```ts
 * import { isLoopbackHostname } from "./is-loopback-hostname.js";
 *
 * isLoopbackHostname(new URL("http://127.1:8080/").hostname); // true
 * isLoopbackHostname(new URL("http://127.0.0.1.nip.io/").hostname); // false
 * ```
 */
export function isLoopbackHostname(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || LOOPBACK_IPV4.test(hostname);
}
