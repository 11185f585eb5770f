/** An ISO 8601 date-time with a zone, as AWS writes expirations (`2026-01-01T06:00:00Z`). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Whether `text` has the shape of an ISO 8601 date-time with a zone (the calendar is not checked). */
export function isIsoDateTime(text: string): boolean {
  return ISO_DATE_TIME.test(text);
}

/**
 * Epoch ms of a strict ISO 8601 date-time with a zone (`2026-01-01T12:00:00Z`) naming a real day,
 * or `undefined`. `Date.parse` alone accepts far too much ("1", "March 7", local times, and
 * 2026-02-30, which it rolls over to March), and an expiry read in the wrong zone is off by hours.
 */
export function parseIsoDate(text: string): number | undefined {
  if (!isIsoDateTime(text) || !isRealCalendarDay(text)) {
    return undefined;
  }
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A real date names a day its month has. */
function isRealCalendarDay(iso: string): boolean {
  const year = Number(iso.slice(0, 4));
  const month = Number(iso.slice(5, 7));
  const day = Number(iso.slice(8, 10));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth;
}
