/*
 * The profile link inside envOrProfile(): an AWS_PROFILE typo stops the chain before IMDS (the
 * emulator sees no request), env keys win over AWS_PROFILE, and a profile with nothing configured
 * falls through to the next link.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { envOrProfile } from "../../../src/env-or-profile.js";
import { CredentialsError } from "../../../src/errors.js";
import { manualClock } from "../../../src/testing/manual-clock.js";
import { startImdsEmulator, type ImdsEmulator } from "../../../src/testing/imds-emulator.js";
import { collectingLogger } from "../../helpers/leak-check.js";
import { rejection, tempAws, type TempAws } from "./temp-aws.js";

const KEY = "AKIAIOSFODNN7INCHAIN1";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYINCHAIN001";

let aws: TempAws;
let imds: ImdsEmulator;
beforeEach(async () => {
  aws = tempAws({ credentials: `[work]\naws_access_key_id = ${KEY}\naws_secret_access_key = ${SECRET}\n` });
  imds = await startImdsEmulator();
});
afterEach(async () => {
  aws.remove();
  await imds.close();
});

/** A fresh chain (its own clock, so its own shared provider) with IMDS at the emulator. */
function chain(env: Record<string, string | undefined>, logger?: ReturnType<typeof collectingLogger>) {
  const environment = aws.env({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint, ...env });
  return envOrProfile({
    clock: manualClock(Date.now()),
    env: { env: environment },
    profile: { env: environment },
    webIdentity: { env: environment },
    container: { env: environment },
    imds: { env: environment },
    retry: { retries: 0 },
    ...(logger === undefined ? {} : { logger }),
  });
}

describe("the profile link in envOrProfile()", () => {
  it("stops at an AWS_PROFILE typo: IMDS is never asked", async () => {
    const error = (await rejection(chain({ AWS_PROFILE: "wrok" })())) as CredentialsError;
    expect(error).toBeInstanceOf(CredentialsError);
    expect(error).toMatchObject({ source: "profile", code: "PROFILE_NOT_FOUND", tryNextLink: false });
    expect(error.message).toContain('did you mean "work"?');
    expect(imds.requestCount).toBe(0);
  });

  it("answers with the AWS_PROFILE profile when no env keys are set", async () => {
    expect((await chain({ AWS_PROFILE: "work" })()).accessKeyId).toBe(KEY);
    expect(imds.requestCount).toBe(0);
  });

  it("lets env keys win over AWS_PROFILE, and the warning names the ignored profile", async () => {
    const logger = collectingLogger();
    const credential = await chain({ AWS_PROFILE: "work", AWS_ACCESS_KEY_ID: "AKIAENVIRONMENT00001", AWS_SECRET_ACCESS_KEY: "env-secret" }, logger)();
    expect(credential.accessKeyId).toBe("AKIAENVIRONMENT00001");
    expect(logger.lines.some((line) => line.startsWith("warn") && line.includes("AWS_PROFILE") && line.includes("work"))).toBe(true);
  });

  it("falls through to IMDS when no profile is named and there is no [default]", async () => {
    expect((await chain({})()).accessKeyId).toBe(imds.current.accessKeyId);
  });
});
