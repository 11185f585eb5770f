import { expect } from "vitest";
import { CredentialsError } from "../../src/errors.js";

/**
 * The {@link CredentialsError} `promise` rejects with; the test fails if it resolves or rejects
 * with anything else.
 */
export async function failure(promise: Promise<unknown>): Promise<CredentialsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CredentialsError);
  return error as CredentialsError;
}
