import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { CredentialsError, describeError, shouldTryNextLink } from "./errors.js";
import { isRetryable } from "./retry.js";
import { linkOf, linkProvider, type Link, type Reading } from "./sharing/link.js";

/**
 * Tries providers in order and returns the first credential found.
 *
 * A link that is simply not configured here (an error with `tryNextLink: true`, ours or the AWS
 * SDK's `CredentialsProviderError`) passes to the next link. A link that is configured but broken
 * (`tryNextLink: false`, or any error without the flag) stops the chain with that error, because
 * silently falling through to another identity hides a misconfiguration. When every link passes,
 * the chain throws one `CHAIN_EXHAUSTED` error that lists every link's reason.
 *
 * A chain of env-or-profile's own links is itself a link: `memoize(chain(fromEnv(), fromImds()))`
 * shares its credential with every memoized chain that reads the same world (see {@link memoize}),
 * and reads no link after the first one that is configured (what a later link would read never
 * decides the answer).
 *
 * @param providers - the links, in order of preference.
 * @returns a provider; wrap it in {@link memoize} to cache.
 * @throws TypeError when no provider is given or a link is not a function.
 * @throws CredentialsError `CHAIN_EXHAUSTED` (with `errors`, one per link) when no link had
 *   credentials; otherwise the first link's error that was not a fall-through.
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { chain, fromEnv, fromImds, memoize } from "env-or-profile";
 *
 * const s3 = new S3Client({ credentials: memoize(chain(fromEnv(), fromImds())) });
 * ```
 */
export function chain(...providers: AwsCredentialIdentityProvider[]): AwsCredentialIdentityProvider {
  if (providers.length === 0) {
    throw new TypeError("Expected at least one provider");
  }
  providers.forEach((provider, index) => {
    if (typeof provider !== "function") {
      throw new TypeError(`Expected \`providers[${index}]\` to be a function, got ${typeof provider}`);
    }
  });
  const links = providers.map(linkOf);
  if (links.every((link): link is Link => link !== undefined)) {
    return linkProvider(chainLink(links));
  }
  const steps = [...providers];
  return async (identityProperties?: Record<string, unknown>): Promise<AwsCredentialIdentity> =>
    runChain(steps.map((step) => () => step(identityProperties)));
}

/**
 * Links tried in order, as one link: its reading reads each link until one answers (its key is
 * theirs, joined), and its fetch tries them in order with the chain's rules. The retry policy is
 * that of the link that answers.
 * @internal
 */
export function chainLink(links: readonly Link[], name = links.map((link) => link.name).join("-or-")): Link {
  return {
    name,
    async read(): Promise<Reading> {
      const readings: Reading[] = [];
      for (const link of links) {
        const reading = await link.read();
        readings.push(reading);
        if (reading.answers) break;
      }
      const answering = readings[readings.length - 1];
      const unread = links.slice(readings.length);
      return {
        key: readings.map((reading) => reading.key).join("|"),
        answers: answering?.answers ?? false,
        retry: answering?.retry,
        lastRead: readings.length - 1,
        fetch: () =>
          runChain([
            ...readings.map((reading) => () => reading.fetch()),
            // A link that answered when read but falls through when asked (rare: a service that
            // vanished in between): the links after it are read now, the world as it is.
            ...unread.map((link) => async () => (await link.read()).fetch()),
          ]),
      };
    },
  };
}

/** Runs the steps in order: the first credential wins, a fall-through moves on, anything else stops. */
async function runChain(steps: readonly (() => Promise<AwsCredentialIdentity>)[]): Promise<AwsCredentialIdentity> {
  const reasons: unknown[] = [];
  for (const step of steps) {
    try {
      return await step();
    } catch (error) {
      if (!shouldTryNextLink(error)) {
        throw notAnError(error, reasons.length + 1);
      }
      reasons.push(error);
    }
  }
  throw new CredentialsError(
    `No credentials found in any link: ${reasons.map((reason, index) => `[${index + 1}] ${linkName(reason, index)}: ${describeError(reason)}`).join("; ")}`,
    {
      source: "chain",
      code: "CHAIN_EXHAUSTED",
      tryNextLink: true,
      retryable: reasons.some(isRetryable),
      cause: reasons[reasons.length - 1],
      errors: reasons,
    },
  );
}

function linkName(reason: unknown, index: number): string {
  return reason instanceof CredentialsError ? reason.source : `link ${index + 1}`;
}

/** A link that rejected with something other than an Error stops the chain with a clear error. */
function notAnError(error: unknown, position: number): unknown {
  if (error instanceof Error || error instanceof CredentialsError) {
    return error;
  }
  const kind = error === null ? "null" : typeof error === "object" ? "an object" : `a ${typeof error}`;
  return new CredentialsError(`Link ${position} of the chain failed with ${kind} instead of an Error (a provider must reject with an Error)`, {
    source: "chain",
    code: "PROVIDER_FAILED",
    tryNextLink: false,
    cause: error,
  });
}
