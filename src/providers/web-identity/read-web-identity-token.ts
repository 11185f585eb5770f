import { CredentialsError } from "../../errors.js";
import { registerSecret } from "../../scrub-secrets.js";

/**
 * The largest token file read. STS takes a `WebIdentityToken` of at most 20,000 characters; a file
 * many times that is not a token (a wrong path: a log, a binary), and reading it whole would only
 * cost memory.
 */
export const MAX_WEB_IDENTITY_TOKEN_FILE_BYTES = 64 * 1024;

/** STS's bounds on `WebIdentityToken` (AssumeRoleWithWebIdentity API reference: 4–20000 characters). */
export const MIN_WEB_IDENTITY_TOKEN_LENGTH = 4;
/** @see {@link MIN_WEB_IDENTITY_TOKEN_LENGTH} */
export const MAX_WEB_IDENTITY_TOKEN_LENGTH = 20_000;

const SOURCE = "web-identity";

/** A token as read: the token, and its SHA-256 (the only form that goes into a cache key). */
export interface WebIdentityToken {
  readonly token: string;
  readonly sha256: string;
}

let fsModule: Promise<typeof import("node:fs/promises")> | undefined;
let cryptoModule: Promise<typeof import("node:crypto")> | undefined;

/**
 * Reads the token file afresh (EKS rotates it) and checks it: readable, a regular file of at most
 * {@link MAX_WEB_IDENTITY_TOKEN_FILE_BYTES}, and, once surrounding whitespace is trimmed, 4–20000
 * characters with no control characters inside. The token is registered with the secret scrubber
 * before anything else can see it, and never appears in a message.
 *
 * @param path - the token file.
 * @param from - where the path came from (`AWS_WEB_IDENTITY_TOKEN_FILE` or the option), for messages.
 * @throws CredentialsError `WEB_IDENTITY_TOKEN_UNREADABLE` (missing, unreadable, not a file, too
 *   large) or `WEB_IDENTITY_TOKEN_EMPTY`, both `tryNextLink: false`.
 */
export function readWebIdentityToken(path: string, from: string): Promise<WebIdentityToken> {
  // Concurrent readers of one file share one read: 10,000 providers refreshing at once must not
  // open 10,000 descriptors (EMFILE under a default ulimit of 1024), and a read a moment later
  // starts afresh, so a rotation is still seen on the next refresh.
  const key = `${from}\0${path}`;
  let reading = inFlightReads.get(key);
  if (reading === undefined) {
    reading = readOnce(path, from).finally(() => inFlightReads.delete(key));
    inFlightReads.set(key, reading);
  }
  return reading;
}

const inFlightReads = new Map<string, Promise<WebIdentityToken>>();

async function readOnce(path: string, from: string): Promise<WebIdentityToken> {
  // Loaded on first use: importing env-or-profile stays free of node:fs and node:crypto.
  fsModule ??= import("node:fs/promises");
  cryptoModule ??= import("node:crypto");
  const fs = await fsModule;
  let text: string;
  try {
    const handle = await fs.open(path, "r");
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) {
        throw unreadable(path, from, "it is not a regular file");
      }
      if (stats.size > MAX_WEB_IDENTITY_TOKEN_FILE_BYTES) {
        throw unreadable(path, from, `it is ${stats.size} bytes, more than any token (at most ${MAX_WEB_IDENTITY_TOKEN_FILE_BYTES} are read)`);
      }
      text = await handle.readFile({ encoding: "utf8" });
    } finally {
      await handle.close().catch(() => undefined);
    }
  } catch (error) {
    if (error instanceof CredentialsError) {
      throw error;
    }
    throw unreadable(path, from, describeFsError(error), error);
  }
  const token = text.trim();
  registerSecret(token);
  if (token === "") {
    throw new CredentialsError(
      `The web identity token file ${path} (from ${from}) is empty; whatever writes it (on EKS, the kubelet's projected service account token) has not written a token`,
      { source: SOURCE, code: "WEB_IDENTITY_TOKEN_EMPTY", tryNextLink: false },
    );
  }
  if (token.length < MIN_WEB_IDENTITY_TOKEN_LENGTH || token.length > MAX_WEB_IDENTITY_TOKEN_LENGTH || /\p{Cc}/u.test(token)) {
    throw unreadable(
      path,
      from,
      `its content (${token.length} characters) is not a token: STS takes 4–20000 characters without control characters or line breaks`,
    );
  }
  const { createHash } = await cryptoModule;
  return { token, sha256: createHash("sha256").update(token).digest("base64url") };
}

function unreadable(path: string, from: string, why: string, cause?: unknown): CredentialsError {
  return new CredentialsError(`Could not read the web identity token file ${path} (from ${from}): ${why}`, {
    source: SOURCE,
    code: "WEB_IDENTITY_TOKEN_UNREADABLE",
    tryNextLink: false,
    ...(cause === undefined ? {} : { cause }),
  });
}

function describeFsError(error: unknown): string {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  switch (code) {
    case "ENOENT":
      return "no such file (is the token volume mounted?)";
    case "EACCES":
    case "EPERM":
      return "permission denied for this process's user";
    case "EISDIR":
      return "it is a directory";
    case "ENOTDIR":
      return "a part of the path is not a directory";
    default:
      return typeof code === "string" ? code : String(error);
  }
}
