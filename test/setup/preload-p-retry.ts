// p-retry is loaded by the first retry of a process, with an `await import()` (src/retry.ts):
// module loading that fake timers do not drive. Loaded here, before any test, every retry loop
// starts in the same tick as the failure it retries, so tests that drive the backoff with
// `vi.useFakeTimers()` stay deterministic.
import { preloadPRetry } from "../../src/retry.js";

await preloadPRetry();
