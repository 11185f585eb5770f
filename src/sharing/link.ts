import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import type { RetryOptions } from "../retry.js";

/**
 * What a link read from the world at one moment: the part of a sharing key that decides its answer,
 * and one attempt bound to exactly what was read.
 * @internal
 */
export interface Reading {
  /**
   * Everything that decides this link's answer, as read now: option values, environment values
   * (secrets as numbers standing for them), file identities, endpoints. Two readings with the same
   * key give the same identity; this is what lets providers share one cached credential.
   */
  readonly key: string;
  /**
   * Whether this link answers (or stops a chain with its error) rather than falling through. Known
   * from cheap facts (its variables are set, its files exist); a chain reads no link after one that
   * answers, so what a later link would read never enters the key.
   */
  readonly answers: boolean;
  /** One attempt, with what was read: no cache, no retry (a `memoize` around it does both). */
  fetch(): Promise<AwsCredentialIdentity>;
  /**
   * How a refresh with this reading retries, when the `memoize` around it was given no `retry` of
   * its own: the attempts its configuration asks for (`fromImds({ maxAttempts })`,
   * `AWS_METADATA_SERVICE_NUM_ATTEMPTS`, …). Unset: `memoize`'s default.
   */
  readonly retry?: RetryOptions | undefined;
  /**
   * A chain's reading only: the position, among the chain's links, of the one read last — the one
   * that answered, or the last that fell through. For the chain's diagnostics (which link won).
   */
  readonly lastRead?: number | undefined;
}

/**
 * A credential source as the sharing layer sees it: a name, and a way to read the inputs that
 * decide its answer.
 * @internal
 */
export interface Link {
  /** For logs and errors: `env`, `imds`, `assume-role`, … */
  readonly name: string;
  /** Reads the world now (environment, file identities; a link may do cheap I/O such as a `stat`). */
  read(): Reading | Promise<Reading>;
}

/** Where a provider made by {@link linkProvider} keeps its link (registered, so two copies of the package agree). */
const LINK: unique symbol = Symbol.for("env-or-profile.link") as never;

/**
 * The provider users call for a link: each call reads the world and makes one attempt. It carries
 * its link (non-enumerable), so `memoize` and `chain` can share by what it reads.
 * @internal
 */
export function linkProvider(link: Link): AwsCredentialIdentityProvider {
  const provider = async (): Promise<AwsCredentialIdentity> => (await link.read()).fetch();
  // One property, non-enumerable (inspect and spreading never show the link's options). No `name`
  // is set: redefining a function's name costs more than making the whole provider.
  Object.defineProperty(provider, LINK, { value: link });
  return provider;
}

/** The link behind a provider made by {@link linkProvider}, or `undefined` for any other function. @internal */
export function linkOf(provider: unknown): Link | undefined {
  if (typeof provider !== "function") return undefined;
  const link = (provider as unknown as Record<symbol, unknown>)[LINK];
  return typeof link === "object" && link !== null && typeof (link as Link).read === "function" ? (link as Link) : undefined;
}

/** A reading that falls through with `error` (no I/O), under `key`. @internal */
export function fallsThrough(key: string, error: Error): Reading {
  return { key, answers: false, fetch: () => Promise.reject(error) };
}
