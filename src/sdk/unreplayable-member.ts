/**
 * The name of the first top-level member of a command's input that is a stream — a body the SDK
 * reads once while sending, so the same input cannot be serialized and sent a second time — or
 * `undefined` when every member can be serialized again (strings, byte arrays, numbers, plain
 * objects). Streaming members (S3 `Body`, event streams) are always top-level in Smithy models.
 *
 * A stream is recognised by shape, not class, so any implementation counts: a Node `Readable`
 * (`pipe`), a web `ReadableStream` (`getReader`), a `Blob` or `File` (`stream`: the SDK reads it
 * through a stream, and a file-backed one may have changed since), and any async iterable.
 * @internal
 */
export function unreplayableMember(input: unknown): string | undefined {
  if (typeof input !== "object" || input === null) {
    return undefined;
  }
  for (const [key, value] of Object.entries(input)) {
    if (isStreamLike(value)) {
      return key;
    }
  }
  return undefined;
}

function isStreamLike(value: unknown): boolean {
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value)) {
    return false;
  }
  const member = value as Readonly<Record<PropertyKey, unknown>>;
  return (
    typeof member["pipe"] === "function" ||
    typeof member["getReader"] === "function" ||
    typeof member["stream"] === "function" ||
    typeof member[Symbol.asyncIterator] === "function"
  );
}
