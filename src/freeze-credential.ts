import type { AwsCredentialIdentity } from "@smithy/types";
import { credentialMarks } from "./sdk/credential-marks.js";

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
 * A frozen copy of `identity` whose `expiration` is a read-only `Date`: one object, made once per
 * credential, that a cache hands to every caller without one caller's change reaching another
 * (writing to it throws in strict code), so a cached call allocates nothing.
 *
 * It carries a hidden (non-enumerable) `$source` record: a copy of the marks `identity` carries
 * (the SDK's `CREDENTIALS_*` feature ids our links set, see credential-marks.ts, or the SDK's own),
 * which every client sends in its user agent; and a record the AWS SDK can still write to
 * (`setCredentialFeature`) when the object is given to a client as static `credentials`, which a
 * frozen object could not otherwise take.
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
  let copy: AwsCredentialIdentity;
  if (identity.expiration === undefined) {
    copy = { ...identity };
  } else {
    const expiration = new Date(identity.expiration.getTime());
    Object.setPrototypeOf(expiration, READ_ONLY_DATE);
    copy = { ...identity, expiration: Object.freeze(expiration) };
  }
  // The marks the links set (credential-marks.ts) go with it, in a record of the copy's own: one
  // whose `$source` is enumerable (the SDK's) is hidden here like ours.
  Object.defineProperty(copy, "$source", { value: { ...credentialMarks(identity) }, enumerable: false, configurable: true });
  return Object.freeze(copy);
}
