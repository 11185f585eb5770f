/**
 * Makes a helper program's stderr fit to quote in an error: control characters dropped, anything
 * that looks like a credential replaced — access key ids cut to their last four characters, any
 * run of 20 or more token characters (secrets, session tokens, JWTs) replaced by `[redacted]` —
 * and cut to its first lines and `maxChars`.
 * @internal
 */
export function scrubProcessText(text: string, maxChars = 300): string {
  const cleaned = text
    .replace(/\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,124}\b/g, (id) => `…${id.slice(-4)}`)
    .replace(/[A-Za-z0-9/+=_.-]{20,}/g, "[redacted]")
    .replace(/[^\S\n]+/g, " ")
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\x00-\x09\x0b-\x1f\x7f]/g, "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .slice(0, 5)
    .join(" / ");
  return cleaned.length > maxChars ? `${cleaned.slice(0, maxChars - 1)}…` : cleaned;
}
