import { beforeAll, describe, expect, it } from "vitest";
import { memoize } from "../../../src/memoize.js";
import { fromRolesAnywhere } from "../../../src/providers/roles-anywhere/from-roles-anywhere.js";
import { failure } from "../../helpers/credentials-failure.js";
import { collectingLogger, expectClean, rawServer } from "../../helpers/leak-check.js";
import { createCa, createLeaf, keyPem, type TestCa, type TestLeaf } from "./pki.js";
import { emulatorTrusting, optionsFor, PROFILE_ARN, ROLE_ARN, TRUST_ANCHOR_ARN } from "./world.js";

let root: TestCa;
let leaf: TestLeaf;
beforeAll(async () => {
  root = await createCa("p256", "Service Root");
  leaf = await createLeaf("p256", root);
});

/** A provider for the tests' leaf against a fresh emulator trusting `cas`. */
async function world(cas: () => readonly TestCa[] = () => [root]) {
  const { emulator, clock } = await emulatorTrusting(cas());
  const logger = collectingLogger();
  const options = optionsFor(leaf, keyPem(leaf.key, "sec1"), emulator, clock, { logger });
  return { emulator, clock, logger, options, provider: fromRolesAnywhere(options) };
}

describe("fromRolesAnywhere: access denied fails fast and says where to look", () => {
  it("names the trust anchor, the profile, the role and the certificate when the CA is not trusted", async () => {
    const stranger = await createCa("p256", "Stranger CA");
    const { provider, emulator } = await world(() => [stranger]);
    const error = await failure(provider());
    expect(error).toMatchObject({ code: "ROLES_ANYWHERE_ACCESS_DENIED", source: "roles-anywhere", tryNextLink: false, retryable: false });
    expect(error.message).toContain(TRUST_ANCHOR_ARN);
    expect(error.message).toContain(PROFILE_ARN);
    expect(error.message).toContain(ROLE_ARN);
    expect(error.message).toContain(`certificate serial ${leaf.serialDecimal}`);
    expect(error.message).toMatch(/AccessDeniedException \(HTTP 403\): "Untrusted signing certificate: /);
    expect(emulator.requestCount).toBe(1);
  });

  it("says so when the role is not in the profile", async () => {
    const { provider, emulator } = await world();
    emulator.setProfile({ arn: PROFILE_ARN, roleArns: ["arn:aws:iam::123456789012:role/another"] });
    const error = await failure(provider());
    expect(error).toMatchObject({ code: "ROLES_ANYWHERE_ACCESS_DENIED", retryable: false });
    expect(error.message).toMatch(/"Unable to assume role arn:aws:iam::123456789012:role\/backup-writer: it is not one of the roles of profile/);
  });

  it("is not retried by memoize: one request", async () => {
    const stranger = await createCa("p256", "Another Stranger CA");
    const { options, emulator, clock } = await world(() => [stranger]);
    const credentials = memoize(fromRolesAnywhere(options), { clock, jitter: false, retry: { retries: 3, minTimeout: 1, maxTimeout: 1 } });
    await expect(credentials()).rejects.toMatchObject({ code: "ROLES_ANYWHERE_ACCESS_DENIED" });
    expect(emulator.requestCount).toBe(1);
  });
});

describe("fromRolesAnywhere: what can heal is retryable, what cannot is not", () => {
  it.each([
    { fault: 429, code: "ROLES_ANYWHERE_THROTTLED", retryable: true, says: /is throttling: ThrottlingException \(HTTP 429\)/ },
    { fault: 500, code: "ROLES_ANYWHERE_ERROR", retryable: true, says: /failed: InternalServerException \(HTTP 500\)/ },
    { fault: 503, code: "ROLES_ANYWHERE_ERROR", retryable: true, says: /HTTP 503/ },
    { fault: 400, code: "ROLES_ANYWHERE_ERROR", retryable: false, says: /failed: ValidationException \(HTTP 400\): "Injected fault"/ },
    { fault: 404, code: "ROLES_ANYWHERE_ERROR", retryable: false, says: /found no such resource: ResourceNotFoundException .* Do trust anchor arn:aws:rolesanywhere:eu-west-1:.* exist in eu-west-1\?/ },
    { fault: "reset", code: "ROLES_ANYWHERE_UNAVAILABLE", retryable: true, says: /could not be reached/ },
    { fault: { status: 302, headers: { location: "http://127.0.0.1:1/" }, body: "" }, code: "ROLES_ANYWHERE_ERROR", retryable: false, says: /redirect \(HTTP 302\), which is never followed/ },
    { fault: { status: 418, errorType: "TeapotException:http://internal.example/", body: "not json" }, code: "ROLES_ANYWHERE_ERROR", retryable: false, says: /TeapotException \(HTTP 418\)$/ },
    { fault: "huge", code: "ROLES_ANYWHERE_BAD_RESPONSE", retryable: false, says: /answered with too much/ },
    { fault: "bad-json", code: "ROLES_ANYWHERE_BAD_RESPONSE", retryable: false, says: /not valid JSON/ },
    { fault: "expired", code: "ROLES_ANYWHERE_BAD_RESPONSE", retryable: false, says: /credentials\.expiration 2025-12-31T23:00:00\.000Z is not in the future/ },
    { fault: "missing-fields", code: "ROLES_ANYWHERE_BAD_RESPONSE", retryable: false, says: /credentials\.sessionToken is missing; credentials\.expiration is missing/ },
    { fault: { body: '{"credentialSet":[]}' }, code: "ROLES_ANYWHERE_BAD_RESPONSE", retryable: false, says: /credentialSet is empty/ },
  ] as const)("answer $fault → $code, retryable: $retryable", async ({ fault, code, retryable, says }) => {
    const { provider, emulator } = await world();
    emulator.failOnce(fault);
    const error = await failure(provider());
    expect(error).toMatchObject({ code, retryable, tryNextLink: false, source: "roles-anywhere" });
    expect(error.message).toMatch(says);
  });

  it("is unavailable (retryable) when nothing listens at the endpoint", async () => {
    const server = await rawServer((_req, res) => res.end());
    const endpoint = server.endpoint;
    await server.close();
    const { options } = await world();
    const error = await failure(fromRolesAnywhere({ ...options, endpoint })());
    expect(error).toMatchObject({ code: "ROLES_ANYWHERE_UNAVAILABLE", retryable: true });
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it("aborts a request that hangs at the deadline, as a retryable timeout", async () => {
    const { options, emulator } = await world();
    emulator.fail("hang");
    const started = performance.now();
    const error = await failure(fromRolesAnywhere({ ...options, timeoutMs: 150 })());
    expect(error).toMatchObject({ code: "ROLES_ANYWHERE_TIMEOUT", retryable: true });
    expect(error.message).toMatch(/did not answer within `timeoutMs` \(150 ms\)/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("lets memoize retry a throttled, then failing, CreateSession into a credential", async () => {
    const { options, emulator, clock } = await world();
    emulator.failOnce(429);
    emulator.failOnce(500);
    const credentials = memoize(fromRolesAnywhere(options), { clock, jitter: false, random: () => 0, retry: { retries: 3, minTimeout: 1, maxTimeout: 1 } });
    await expect(credentials()).resolves.toMatchObject({ accessKeyId: expect.stringMatching(/^ASIA/) as unknown });
    expect(emulator.requests.map((request) => request.status)).toEqual([429, 500, 201]);
  });
});

describe("fromRolesAnywhere keeps the credentials' secrets out of everything it shows", () => {
  it("when a hostile server echoes the issued secret key and session token in an error", async () => {
    const { provider, emulator, logger } = await world();
    const issued = await provider();
    emulator.failOnce("echo-secrets");
    const error = await failure(provider());
    expect(error.code).toBe("ROLES_ANYWHERE_ERROR");
    expectClean(error, [issued.secretAccessKey, issued.sessionToken ?? ""]);
    expect(logger.lines.join("\n")).not.toContain(issued.secretAccessKey);
    expect(logger.lines.join("\n")).not.toContain(issued.sessionToken);
  });

  it("when a success answer carries secrets but is unusable", async () => {
    const { provider, emulator } = await world();
    const secretAccessKey = "hostileSecret/0123456789abcdefghijklmnopqrstuv";
    const sessionToken = "hostileToken/IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ";
    emulator.failOnce({ body: JSON.stringify({ credentialSet: [{ credentials: { accessKeyId: "", secretAccessKey, sessionToken, expiration: "soon" } }] }) });
    emulator.failOnce({ status: 500, body: JSON.stringify({ message: `could not vend ${secretAccessKey} ${sessionToken}` }) });
    const unusable = await failure(provider());
    expect(unusable.message).toMatch(/credentials\.accessKeyId is an empty string; credentials\.expiration is not an ISO 8601 date-time/);
    const echoed = await failure(provider());
    for (const error of [unusable, echoed]) expectClean(error, [secretAccessKey, sessionToken]);
  });
});
