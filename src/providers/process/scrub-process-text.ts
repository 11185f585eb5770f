/**
 * Makes a helper program's stderr fit to quote in an error: control characters dropped, anything
 * that looks like a credential replaced — access key ids cut to their last four characters, any
 * run of 20 or more token characters (secrets, session tokens, JWTs) replaced by `[redacted]` —
 * and cut to its first lines and `maxChars`.
 *
 * A path is not a secret, and the one a helper names (`/home/me/.aws/config`, the binary it could
 * not find) is often the whole point of its message: a run that starts like a path (`/`, `~/`,
 * `./`, `../`) is kept, segment by segment — only a segment that looks like a secret in it (see
 * `secretLooking`) is redacted.
 * @internal
 */
export function scrubProcessText(text: string, maxChars = 1000): string {
  const cleaned = text
    .replace(/\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,124}\b/g, (id) => `…${id.slice(-4)}`)
    .replace(/(?:~|\.{1,2})?\/[A-Za-z0-9/+=_.@-]*|[A-Za-z0-9/+=_.-]{20,}/g, scrubRun)
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

/** One run of token characters: a path kept but for its secret-looking segments; anything else of 20+ characters redacted. */
function scrubRun(run: string): string {
  if (/^(?:~|\.{1,2})?\//.test(run)) {
    return run
      .split("/")
      .map((segment) => (secretLooking(segment) ? "[redacted]" : segment))
      .join("/");
  }
  return run.length >= 20 ? "[redacted]" : run;
}

/** 20+ characters; or 16+ mixing upper and lower case; or 12+ mixing them with digits; or base64's `+` / `=`. */
function secretLooking(segment: string): boolean {
  const mixedCase = /[A-Z]/.test(segment) && /[a-z]/.test(segment);
  return segment.length >= 20 || (mixedCase && (segment.length >= 16 || (segment.length >= 12 && /\d/.test(segment)))) || /[+=]/.test(segment);
}
