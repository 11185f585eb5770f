import { resetImdsEndpointStates } from "../providers/imds/endpoint-state.js";
import { sharedTokenCache } from "../providers/imds/token-cache.js";

/**
 * Forgets the process-wide IMDS state: cached IMDSv2 tokens and IMDSv1 verdicts, the "no IMDS
 * here" cool-downs, discovered roles, in-flight requests and the last credentials handed to new
 * providers. That state is shared per endpoint on purpose (one token, one role discovery and one
 * credentials fetch for every provider); call this between tests that reuse an endpoint URL, e.g.
 * when an emulator is restarted on the same port.
 *
 * @example
 * ```ts
 * import { afterEach } from "vitest";
 * import { resetImdsState } from "env-or-profile/testing";
 *
 * afterEach(() => resetImdsState());
 * ```
 */
export function resetImdsState(): void {
  sharedTokenCache.clear();
  resetImdsEndpointStates();
}
