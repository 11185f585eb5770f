import { resetImdsEndpointStates } from "../providers/imds/endpoint-state.js";
import { sharedTokenCache } from "../providers/imds/token-cache.js";

/**
 * Forgets the process-wide IMDS state: cached IMDSv2 tokens and the "no IMDS here" cool-downs.
 * That state is shared per endpoint on purpose (one token for every provider); call this between
 * tests that reuse an endpoint URL, e.g. when an emulator is restarted on the same port.
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
