import { resetSharedState } from "../sharing/process-state.js";

/**
 * Forgets every process-wide cache: the same as {@link resetSharedState}, under the name earlier
 * versions gave it when only IMDS state was shared.
 * @deprecated Use `resetSharedState()`, which this calls.
 */
export function resetImdsState(): void {
  resetSharedState();
}
