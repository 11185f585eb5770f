import type { AwsCredentialIdentity } from "@smithy/types";

/**
 * The prototype of a shared, read-only expiration: a `Date` whose setters throw. It is still a
 * `Date` (`instanceof Date`, `constructor === Date`, `getTime()`, `toISOString()`), so the SDK and
 * callers read it as one; only writing through it fails.
 */
const READ_ONLY_DATE: Date = Object.create(Date.prototype) as Date;
for (const name of Object.getOwnPropertyNames(Date.prototype)) {
  if (name.startsWith("set")) {
    Object.defineProperty(READ_ONLY_DATE, name, {
      value: function readOnly(): never {
        throw new TypeError(
          "This credential's `expiration` is shared by every caller and read-only; copy it first (new Date(credential.expiration))",
        );
      },
    });
  }
}
Object.freeze(READ_ONLY_DATE);

/**
 * A frozen copy of `identity` whose `expiration` is a read-only `Date`: one object that every
 * caller of a cache can be handed without one caller's change reaching another (writing to it
 * throws in strict code), made once per credential, so a cached call allocates nothing.
 *
 * @param identity - a credential from a source (not changed).
 * @returns the frozen copy (`identity` itself when it is already one).
 * @example
 * ```ts
 * import type { AwsCredentialIdentityProvider } from "@smithy/types";
 * import { freezeCredential } from "./freeze-credential.js";
 *
 * declare const source: AwsCredentialIdentityProvider;
 * const shared = freezeCredential(await source());
 * ```
 */
export function freezeCredential(identity: AwsCredentialIdentity): AwsCredentialIdentity {
  if (Object.isFrozen(identity) && (identity.expiration === undefined || Object.getPrototypeOf(identity.expiration) === READ_ONLY_DATE)) {
    return identity;
  }
  if (identity.expiration === undefined) {
    return Object.freeze({ ...identity });
  }
  const expiration = new Date(identity.expiration.getTime());
  Object.setPrototypeOf(expiration, READ_ONLY_DATE);
  return Object.freeze({ ...identity, expiration: Object.freeze(expiration) });
}
