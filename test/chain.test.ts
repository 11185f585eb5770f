import { describe, expect, it } from "vitest";
import { chain } from "../src/chain.js";
import { CredentialsError } from "../src/errors.js";

const found = { accessKeyId: "AKIAFOUND", secretAccessKey: "found-secret" };

function notHere(source: string): () => Promise<never> {
  return async () => {
    throw new CredentialsError(`${source} is not configured`, { source, code: "ENV_NOT_SET", tryNextLink: true });
  };
}

describe("chain", () => {
  it("returns the first link's credential", async () => {
    await expect(chain(async () => found, notHere("later"))()).resolves.toBe(found);
  });

  it("falls through links that are not configured here", async () => {
    await expect(chain(notHere("env"), notHere("imds"), async () => found)()).resolves.toBe(found);
  });

  it("stops at a link that is configured but broken, instead of trying another identity", async () => {
    let reachedNext = false;
    const broken = async () => {
      throw new CredentialsError("half set", { source: "env", code: "ENV_INVALID", tryNextLink: false });
    };
    const next = async () => {
      reachedNext = true;
      return found;
    };
    await expect(chain(broken, next)()).rejects.toMatchObject({ code: "ENV_INVALID" });
    expect(reachedNext).toBe(false);
  });

  it("stops at a foreign error without the tryNextLink flag", async () => {
    const boom = async () => {
      throw new Error("boom");
    };
    await expect(chain(boom, async () => found)()).rejects.toThrow("boom");
  });

  it("falls through an AWS SDK CredentialsProviderError that says tryNextLink", async () => {
    const sdkStyle = async () => {
      throw Object.assign(new Error("Could not load credentials from any providers"), {
        name: "CredentialsProviderError",
        tryNextLink: true,
      });
    };
    await expect(chain(sdkStyle, async () => found)()).resolves.toBe(found);
  });

  it("stops with a clear PROVIDER_FAILED error when a link rejects with something that is not an Error", async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the defect under test: a link rejecting with a non-Error
    const odd = () => Promise.reject("nope");
    const error = await chain(notHere("env"), odd, async () => found)().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsError);
    expect(error).toMatchObject({ code: "PROVIDER_FAILED", tryNextLink: false, cause: "nope" });
    expect((error as Error).message).toMatch(/Link 2 of the chain failed with a string/);
  });

  it("lists every link's reason in one error when all fall through", async () => {
    const error = (await chain(notHere("env"), notHere("imds"))().catch((e: unknown) => e)) as CredentialsError;
    expect(error).toBeInstanceOf(CredentialsError);
    expect(error.code).toBe("CHAIN_EXHAUSTED");
    expect(error.tryNextLink).toBe(true);
    expect(error.errors).toHaveLength(2);
    expect(error.message).toContain("[1] env: ENV_NOT_SET: env is not configured");
    expect(error.message).toContain("[2] imds: ENV_NOT_SET: imds is not configured");
    expect(error.cause).toBe(error.errors[1]);
  });

  it("marks the exhausted chain retryable when a link failed in a way that can heal", async () => {
    const flaky = async () => {
      throw new CredentialsError("timeout", { source: "imds", code: "IMDS_TIMEOUT", tryNextLink: true, retryable: true });
    };
    await expect(chain(notHere("env"), flaky)()).rejects.toMatchObject({ retryable: true });
  });

  it("can be nested: an exhausted inner chain falls through in the outer one", async () => {
    await expect(chain(chain(notHere("a"), notHere("b")), async () => found)()).resolves.toBe(found);
  });

  it("rejects a missing or non-function link at construction", () => {
    expect(() => chain()).toThrow(TypeError);
    // @ts-expect-error: a JavaScript caller passing a non-function
    expect(() => chain(async () => found, "nope")).toThrow("Expected `providers[1]` to be a function");
  });
});
