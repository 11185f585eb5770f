export { manualClock, DEFAULT_MANUAL_CLOCK_START_MS, type ManualClock } from "./manual-clock.js";
