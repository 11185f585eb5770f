/*
 * Issue 12 item 16: providers with the same option values share one resolved setup — and stay
 * exactly as strict and as environment-sensitive as before.
 */
import { describe, expect, it } from "vitest";
import { internImdsOptions } from "../../../src/providers/imds/intern-imds-options.js";
import { fromImds } from "../../../src/providers/imds/from-imds.js";
import { rejection } from "./helpers.js";

describe("shared resolved IMDS options", () => {
  it("resolves the same option values and environment to one shared setup", () => {
    expect(internImdsOptions({ timeoutMs: 250, env: {} })).toBe(internImdsOptions({ timeoutMs: 250, env: {} }));
  });

  it("keeps setups apart when an IMDS variable differs", () => {
    const on = internImdsOptions({ env: {} });
    const off = internImdsOptions({ env: { AWS_EC2_METADATA_DISABLED: "true" } });
    expect(on).not.toBe(off);
    expect(off.disabled).toBe(true);
  });

  it("keeps setups apart for the number 5 and the string '5'", () => {
    expect(() => internImdsOptions({ maxAttempts: 5, env: {} })).not.toThrow();
    expect(() => internImdsOptions({ maxAttempts: "5" as unknown as number, env: {} })).toThrow(TypeError);
  });

  it("throws for an invalid option every time, not only the first", () => {
    expect(() => fromImds({ timeoutMs: -1, env: {} })).toThrow(TypeError);
    expect(() => fromImds({ timeoutMs: -1, env: {} })).toThrow(TypeError);
  });

  it("gives a provider with its own clock its own setup", () => {
    const clock = { now: () => 0 };
    expect(internImdsOptions({ env: {}, clock }).clock).toBe(clock);
  });

  it("still reads the environment when each provider is created", async () => {
    const env: Record<string, string | undefined> = { AWS_EC2_METADATA_DISABLED: "true" };
    const disabled = fromImds({ env, endpoint: "http://127.0.0.1:9" });
    env["AWS_EC2_METADATA_DISABLED"] = undefined;
    expect((await rejection(disabled())).code).toBe("IMDS_DISABLED");
  });
});
