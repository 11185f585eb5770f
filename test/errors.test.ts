import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { CredentialsError, redactKeyId } from "../src/errors.js";

describe("CredentialsError", () => {
  it("defaults to falling through and not retrying", () => {
    const error = new CredentialsError("nope", { source: "env" });
    expect(error).toMatchObject({ name: "CredentialsError", source: "env", code: "PROVIDER_FAILED", tryNextLink: true, retryable: false });
  });

  it("keeps the root cause", () => {
    const cause = new Error("socket hang up");
    expect(new CredentialsError("failed", { source: "imds", cause }).cause).toBe(cause);
  });

  it("is recognised by instanceof across two copies of the package (a Symbol.for brand)", () => {
    const error = new CredentialsError("x", { source: "env" });
    const fromAnotherCopy = Object.create(Error.prototype) as Record<symbol, unknown>;
    fromAnotherCopy[Symbol.for("env-or-profile.CredentialsError")] = true;
    expect(error instanceof CredentialsError).toBe(true);
    expect(fromAnotherCopy instanceof CredentialsError).toBe(true);
    expect(new Error("plain") instanceof CredentialsError).toBe(false);
    expect((null as unknown as object) instanceof CredentialsError).toBe(false);
  });

  it("keeps ordinary instanceof for subclasses: a plain CredentialsError is not an instance of one", () => {
    class NarrowError extends CredentialsError {}
    expect(new CredentialsError("x", { source: "s" }) instanceof NarrowError).toBe(false);
    expect(new NarrowError("x", { source: "s" }) instanceof NarrowError).toBe(true);
    expect(new NarrowError("x", { source: "s" }) instanceof CredentialsError).toBe(true);
  });

  it("serialises to its safe fields and summarises a foreign cause", () => {
    const cause = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED", secretAccessKey: "leak-me-not" });
    const json = JSON.stringify(new CredentialsError("down", { source: "imds", code: "IMDS_UNAVAILABLE", cause }));
    expect(JSON.parse(json)).toEqual({
      name: "CredentialsError",
      code: "IMDS_UNAVAILABLE",
      source: "imds",
      tryNextLink: true,
      retryable: false,
      message: "down",
      cause: { name: "Error", code: "ECONNREFUSED", message: "connect ECONNREFUSED" },
    });
    expect(json).not.toContain("leak-me-not");
  });

  it("shows only safe fields in util.inspect", () => {
    const cause = Object.assign(new Error("x"), { sessionToken: "token-leak-me-not" });
    const text = inspect(new CredentialsError("down", { source: "imds", cause }), { depth: 10, showHidden: true });
    expect(text).toContain("down");
    expect(text).not.toContain("token-leak-me-not");
  });

  it("cuts an access key id to its last four characters", () => {
    expect(redactKeyId("AKIAIOSFODNN7EXAMPLE")).toBe("…MPLE");
  });
});
