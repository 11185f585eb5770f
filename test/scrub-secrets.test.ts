import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import {
  forgetSecrets,
  knownSecretCount,
  MAX_KNOWN_SECRETS,
  registerCredential,
  registerSecret,
  SCRUBBED,
  scrubSecrets,
} from "../src/scrub-secrets.js";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE+token/with=padding==";

afterEach(() => {
  forgetSecrets();
});

describe("scrubSecrets", () => {
  it("returns text unchanged when no secret is known", () => {
    expect(scrubSecrets(`secret ${SECRET}`)).toBe(`secret ${SECRET}`);
  });

  it("replaces a registered secret wherever it appears", () => {
    registerSecret(SECRET);
    expect(scrubSecrets(`STS said: bad key ${SECRET}, again ${SECRET}.`)).toBe(`STS said: bad key ${SECRET_OUT}, again ${SECRET_OUT}.`);
  });

  it("replaces the secret and session token of a registered credential", () => {
    registerCredential({ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: SECRET, sessionToken: TOKEN });
    const text = scrubSecrets(`<Message>token ${TOKEN} secret ${SECRET}</Message>`);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(SECRET);
    expect(text).toBe(`<Message>token ${SCRUBBED} secret ${SCRUBBED}</Message>`);
  });

  it("replaces the URL-encoded form of a secret (an echoed form body or query)", () => {
    registerSecret(TOKEN);
    const text = scrubSecrets(`X-Amz-Security-Token=${encodeURIComponent(TOKEN)}&Action=AssumeRole`);
    expect(text).toBe(`X-Amz-Security-Token=${SCRUBBED}&Action=AssumeRole`);
  });

  it("replaces a truncated echo: the first or last sixteen characters or more", () => {
    registerSecret(TOKEN);
    expect(scrubSecrets(`token ${TOKEN.slice(0, 20)}… (truncated)`)).toBe(`token ${SCRUBBED}… (truncated)`);
    expect(scrubSecrets(`…${TOKEN.slice(-18)} was rejected`)).toBe(`…${SCRUBBED} was rejected`);
  });

  it("leaves a short fragment alone (it is not evidence of the secret)", () => {
    registerSecret(TOKEN);
    expect(scrubSecrets(`prefix ${TOKEN.slice(0, 10)} only`)).toBe(`prefix ${TOKEN.slice(0, 10)} only`);
  });

  it("cuts any access key id to its last four characters", () => {
    expect(scrubSecrets("Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/sts/aws4_request")).toBe(
      "Credential=…MPLE/20260101/us-east-1/sts/aws4_request",
    );
  });

  it("does not register strings too short to be a secret", () => {
    registerSecret("secret");
    expect(scrubSecrets("the secret word")).toBe("the secret word");
    expect(knownSecretCount()).toBe(0);
  });

  it("stays bounded: past the bound the oldest secrets are forgotten", () => {
    const secrets = Array.from({ length: MAX_KNOWN_SECRETS + 100 }, () => randomBytes(15).toString("hex"));
    for (const secret of secrets) registerSecret(secret);
    expect(knownSecretCount()).toBe(MAX_KNOWN_SECRETS);
    expect(scrubSecrets(`x ${secrets.at(-1)!} y`)).toBe(`x ${SCRUBBED} y`);
    expect(scrubSecrets(`x ${secrets[0]!} y`)).toBe(`x ${secrets[0]!} y`);
  });

  it("keeps a long-lived secret that keeps being registered while newer ones come and go", () => {
    registerSecret(SECRET);
    for (let i = 0; i < MAX_KNOWN_SECRETS * 3; i += 1) {
      registerSecret(randomBytes(15).toString("hex"));
      registerSecret(SECRET);
    }
    expect(scrubSecrets(SECRET)).toBe(SCRUBBED);
  });
});

const SECRET_OUT = SCRUBBED;
