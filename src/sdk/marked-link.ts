import type { Link, Reading } from "../sharing/link.js";
import { markCredential, type CredentialFeature } from "./credential-marks.js";

/**
 * `link`, whose credentials carry `features` after the marks `link` set: how a step that wraps
 * another marks what it hands on (a profile's `credential_process` is `CREDENTIALS_PROCESS` then
 * `CREDENTIALS_PROFILE_PROCESS`, as the SDK's `fromIni` over `fromProcess`). Its readings are
 * `link`'s (same key, same answer; a reading made synchronously stays synchronous); only the
 * fetched credential is marked.
 *
 * @param link - the step.
 * @param features - the ids to add, in order; none: `link` itself.
 * @returns the marking link.
 * @example
 * ```ts
 * import { markedLink } from "./marked-link.js";
 * import type { Link } from "../sharing/link.js";
 *
 * declare const processLink: Link;
 * const profileProcess = markedLink(processLink, "CREDENTIALS_PROFILE_PROCESS");
 * ```
 * @internal
 */
export function markedLink(link: Link, ...features: readonly CredentialFeature[]): Link {
  if (features.length === 0) return link;
  const marked = (reading: Reading): Reading => ({
    ...reading,
    fetch: async () => markCredential(await reading.fetch(), ...features),
  });
  return {
    name: link.name,
    read(): Reading | Promise<Reading> {
      const reading = link.read();
      return reading instanceof Promise ? reading.then(marked) : marked(reading);
    },
  };
}
