const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Epoch ms of a strict ISO 8601 date-time with a zone (`2026-01-01T12:00:00Z`), or `undefined`.
 * `Date.parse` alone accepts far too much ("1", "March 7", local times), and an expiry read in the
 * wrong zone is off by hours.
 */
export function parseIsoDate(text: string): number | undefined {
  if (!ISO_DATE_TIME.test(text)) {
    return undefined;
  }
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
