/**
 * A small process-wide registry of the secrets env-or-profile has seen (secret access keys,
 * session tokens, IMDS tokens: base and issued), and {@link scrubSecrets}, which takes any of them
 * out of text that came from elsewhere (a server's error message, a transport's error) before the
 * text reaches a message, a log line or a CLI.
 *
 * Secrets are registered where a credential enters or leaves our code: `memoize` when it stores a
 * credential, AssumeRole for the base it signs with and the credential STS issues, `fromEnv` when
 * it reads one. Every {@link CredentialsError} scrubs its message and cause chain when it is built,
 * and the logger scrubs each line, so a server that echoes a request's token cannot leak it.
 *
 * Memory is bounded ({@link MAX_KNOWN_SECRETS} entries, oldest forgotten first) and the common case
 * (nothing registered, or a short text) returns at once.
 */

/**
 * How many secrets (counting their URL-encoded forms) are remembered. A credential adds two to
 * four; 4,096 covers a process holding hundreds of distinct credentials (one per tenant role) at a
 * few hundred kilobytes at most, and the oldest are forgotten first.
 */
export const MAX_KNOWN_SECRETS = 4096;

/**
 * Shorter strings are not registered: they are not real AWS secrets (40 characters) or tokens
 * (hundreds), and scrubbing them would garble ordinary words in messages.
 */
export const MIN_SECRET_LENGTH = 8;

/**
 * Longer strings are not registered: no AWS secret or token comes near it, and an entry must stay
 * small for the bound to bound memory.
 */
export const MAX_SECRET_LENGTH = 16_384;

/**
 * A run of this many characters of a known secret (its start or its end, e.g. a server that echoes
 * a truncated token) is scrubbed too. 16 characters of a base64 secret are 96 bits: never chance.
 */
export const MIN_FRAGMENT_LENGTH = 16;

/** What a scrubbed secret is replaced with. */
export const SCRUBBED = "[REDACTED]";

/** An AWS access key id (AKIA…, ASIA…, and the other IAM unique-id prefixes) anywhere in text. */
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{12,124}\b/g;
const ACCESS_KEY_ID_PREFIX = /(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{12}/;

/** Width of the index keys: the first and last {@link MIN_SECRET_LENGTH} characters of a secret. */
const PROBE = MIN_SECRET_LENGTH;

interface Known {
  readonly secret: string;
  /** Insertion order; an entry touched after half the bound's worth of newer ones is re-queued. */
  seq: number;
}

const known = new Map<string, Known>();
/** Secrets by their first {@link PROBE} characters. */
const byHead = new Map<string, Known[]>();
/** Secrets by their last {@link PROBE} characters. */
const byTail = new Map<string, Known[]>();
let sequence = 0;

/**
 * Remembers `secret` so {@link scrubSecrets} takes it (and its URL-encoded form) out of text.
 * `undefined`, non-strings, and strings shorter than {@link MIN_SECRET_LENGTH} or longer than
 * {@link MAX_SECRET_LENGTH} are ignored. Cheap when the secret is already known.
 *
 * @param secret - a secret access key, session token, IMDS token or web identity token.
 * @example
 * ```ts
 * import type { AwsCredentialIdentity } from "@smithy/types";
 * import { registerSecret } from "./scrub-secrets.js";
 *
 * declare const credential: AwsCredentialIdentity;
 * registerSecret(credential.sessionToken);
 * ```
 */
export function registerSecret(secret: unknown): void {
  if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH || secret.length > MAX_SECRET_LENGTH) {
    return;
  }
  remember(secret);
  // A server that echoes a form body or a URL shows `+`, `/` and `=` percent-encoded.
  if (/[^A-Za-z0-9\-_.!~*'()]/.test(secret)) {
    let encoded: string | undefined;
    try {
      encoded = encodeURIComponent(secret);
    } catch {
      encoded = undefined; // a lone surrogate: no encoded form to look for
    }
    if (encoded !== undefined && encoded !== secret && encoded.length <= MAX_SECRET_LENGTH) {
      remember(encoded);
    }
  }
}

/**
 * Registers the secret parts of a credential: its secret access key and session token (the access
 * key id is not secret; {@link scrubSecrets} cuts any key id to its last four characters anyway).
 *
 * @param identity - a credential, or anything else (ignored).
 * @example
 * ```ts
 * import type { AwsCredentialIdentityProvider } from "@smithy/types";
 * import { registerCredential } from "./scrub-secrets.js";
 *
 * declare const provider: AwsCredentialIdentityProvider;
 * registerCredential(await provider());
 * ```
 */
export function registerCredential(identity: unknown): void {
  if (typeof identity !== "object" || identity === null) {
    return;
  }
  const { secretAccessKey, sessionToken } = identity as { secretAccessKey?: unknown; sessionToken?: unknown };
  registerSecret(secretAccessKey);
  registerSecret(sessionToken);
}

/**
 * `text` with every known secret replaced by {@link SCRUBBED}: whole, URL-encoded, or as a run of at
 * least {@link MIN_FRAGMENT_LENGTH} characters of its start or end (a truncated echo); and any
 * access key id cut to its last four characters (`…WXYZ`). Use it on any text taken from a server
 * or a foreign error before it goes into a message or a log line.
 *
 * Cost: nothing when no secret is known or the text is short; otherwise one pass over the text
 * with an index lookup per position, whatever the number of known secrets.
 *
 * @param text - text from outside (or a message built from it).
 * @returns the text, unchanged when it holds no known secret.
 * @example
 * ```ts
 * import { scrubSecrets } from "./scrub-secrets.js";
 *
 * declare const serverError: Error;
 * const message = scrubSecrets(String(serverError.message));
 * ```
 */
export function scrubSecrets(text: string): string {
  if (typeof text !== "string" || text.length < MIN_SECRET_LENGTH) {
    return text;
  }
  let out = text;
  if (known.size > 0) {
    out = scrubKnown(out);
  }
  if (ACCESS_KEY_ID_PREFIX.test(out)) {
    out = out.replace(ACCESS_KEY_ID, (keyId) => `…${keyId.slice(-4)}`);
  }
  return out;
}

/**
 * Forgets every registered secret. For tests that count entries; production code never needs it.
 * @internal
 */
export function forgetSecrets(): void {
  known.clear();
  byHead.clear();
  byTail.clear();
}

/** How many secrets (and encoded forms) are remembered now. @internal */
export function knownSecretCount(): number {
  return known.size;
}

function remember(secret: string): void {
  const existing = known.get(secret);
  if (existing !== undefined) {
    // Keep long-lived secrets (static keys) from ageing out behind a stream of new ones, without
    // paying a re-insertion on every call.
    if (sequence - existing.seq > MAX_KNOWN_SECRETS / 2) {
      known.delete(secret);
      existing.seq = ++sequence;
      known.set(secret, existing);
    }
    return;
  }
  const entry: Known = { secret, seq: ++sequence };
  known.set(secret, entry);
  addTo(byHead, secret.slice(0, PROBE), entry);
  addTo(byTail, secret.slice(-PROBE), entry);
  if (known.size > MAX_KNOWN_SECRETS) {
    const oldest = known.values().next();
    if (oldest.done !== true) {
      forget(oldest.value);
    }
  }
}

function forget(entry: Known): void {
  known.delete(entry.secret);
  removeFrom(byHead, entry.secret.slice(0, PROBE), entry);
  removeFrom(byTail, entry.secret.slice(-PROBE), entry);
}

function addTo(index: Map<string, Known[]>, key: string, entry: Known): void {
  const list = index.get(key);
  if (list === undefined) {
    index.set(key, [entry]);
  } else {
    list.push(entry);
  }
}

function removeFrom(index: Map<string, Known[]>, key: string, entry: Known): void {
  const list = index.get(key);
  if (list === undefined) {
    return;
  }
  const at = list.indexOf(entry);
  if (at >= 0) {
    list.splice(at, 1);
  }
  if (list.length === 0) {
    index.delete(key);
  }
}

/**
 * One pass: at each position, the next {@link PROBE} characters are looked up as the start of a
 * secret (then the match is extended forwards) and as the end of one (extended backwards). The
 * spans found are merged and replaced.
 */
function scrubKnown(text: string): string {
  let spans: [number, number][] | undefined;
  for (let i = 0; i + PROBE <= text.length; i += 1) {
    const probe = text.slice(i, i + PROBE);
    const heads = byHead.get(probe);
    if (heads !== undefined) {
      for (const { secret } of heads) {
        const length = commonPrefix(text, i, secret);
        if (length === secret.length || length >= MIN_FRAGMENT_LENGTH) {
          (spans ??= []).push([i, i + length]);
        }
      }
    }
    const tails = byTail.get(probe);
    if (tails !== undefined) {
      for (const { secret } of tails) {
        const length = commonSuffix(text, i + PROBE, secret);
        if (length === secret.length || length >= MIN_FRAGMENT_LENGTH) {
          (spans ??= []).push([i + PROBE - length, i + PROBE]);
        }
      }
    }
  }
  if (spans === undefined) {
    return text;
  }
  spans.sort((a, b) => a[0] - b[0]);
  let out = "";
  let at = 0;
  let open: [number, number] | undefined;
  for (const span of spans) {
    if (open !== undefined && span[0] <= open[1]) {
      open[1] = Math.max(open[1], span[1]);
      continue;
    }
    if (open !== undefined) {
      out += text.slice(at, open[0]) + SCRUBBED;
      at = open[1];
    }
    open = [span[0], span[1]];
  }
  if (open !== undefined) {
    out += text.slice(at, open[0]) + SCRUBBED;
    at = open[1];
  }
  return out + text.slice(at);
}

/** How many characters of `secret`, from its start, appear in `text` from `start`. */
function commonPrefix(text: string, start: number, secret: string): number {
  let n = 0;
  while (n < secret.length && start + n < text.length && text.charCodeAt(start + n) === secret.charCodeAt(n)) {
    n += 1;
  }
  return n;
}

/** How many characters of `secret`, from its end, appear in `text` just before `end`. */
function commonSuffix(text: string, end: number, secret: string): number {
  let n = 0;
  while (n < secret.length && end - n - 1 >= 0 && text.charCodeAt(end - n - 1) === secret.charCodeAt(secret.length - n - 1)) {
    n += 1;
  }
  return n;
}
