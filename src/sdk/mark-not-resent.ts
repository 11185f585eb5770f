/**
 * Why a rejected request was not re-sent, on the service's error as `notResentReason`:
 * `"STREAMING_BODY"` — its input had a stream, which the first attempt read.
 * @internal
 */
export const NOT_RESENT_STREAMING_BODY = "STREAMING_BODY";

/**
 * Says on the service's error that the request was not re-sent because `member` is a stream: a
 * note appended to `message` (for people reading logs) and `notResentReason` (for code). The error
 * is otherwise left as it is — same object, class, `name`, `Code`, `$metadata` — so the caller's
 * `instanceof` and `name` checks still hold; an error that cannot be changed (frozen) is returned
 * unchanged.
 * @internal
 */
export function markNotResent(error: unknown, member: string): unknown {
  if (typeof error !== "object" || error === null) {
    return error;
  }
  try {
    Object.defineProperty(error, "notResentReason", { value: NOT_RESENT_STREAMING_BODY, enumerable: true, writable: true, configurable: true });
    const message = (error as { message?: unknown }).message;
    if (typeof message === "string") {
      (error as { message: string }).message =
        `${message} (not re-sent with a fresh credential: its ${member} is a stream, already read by this attempt; send the request again with a new stream)`;
    }
  } catch {
    // A frozen or otherwise locked error keeps its own words.
  }
  return error;
}
