import { generateKeyPairSync } from "node:crypto";
import { mkdirSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { CredentialsErrorCode } from "../../../src/errors.js";
import { fromRolesAnywhere } from "../../../src/providers/roles-anywhere/from-roles-anywhere.js";
import type { RolesAnywhereOptions } from "../../../src/providers/roles-anywhere/roles-anywhere-options.js";
import { failure } from "../../helpers/credentials-failure.js";
import { renderEverything } from "../../helpers/leak-check.js";
import { createCa, createLeaf, keyPem, type TestCa, type TestLeaf } from "./pki.js";
import { emulatorTrusting, optionsFor, tempFolder } from "./world.js";

const files = tempFolder("roles-anywhere-checks-");
const PASSPHRASE = "correct horse battery staple";

let root: TestCa;
let leaf: TestLeaf;
let other: TestLeaf;
beforeAll(async () => {
  root = await createCa("rsa", "Checks Root");
  leaf = await createLeaf("rsa", root);
  other = await createLeaf("rsa", root);
});

/** The base64 lines of a PEM key: none of them (nor 16 characters of one) may show in an error. */
function keyFragments(pem: string): string[] {
  return pem
    .split("\n")
    .filter((line) => !line.startsWith("-----") && line.length >= 16)
    .flatMap((line) => [line, line.slice(0, 16), line.slice(-16)]);
}

interface Case {
  name: string;
  /** The options besides the ARNs, endpoint and clock; `files` helps write them. */
  options: () => Partial<RolesAnywhereOptions>;
  code: CredentialsErrorCode;
  retryable: boolean;
  /** What the message must say: the file it names, and why. */
  message: RegExp;
  /** Moves the clock before the call. */
  clockMs?: number;
}

const pemFile = (name: string, content: string | Buffer): string => files.write(name, content);

const cases: Case[] = [
  {
    name: "a certificate that has expired on our clock says when it expired",
    options: () => ({ certificate: pemFile("expired.pem", leaf.certificatePem), privateKey: pemFile("expired.key", keyPem(leaf.key, "pkcs8")) }),
    clockMs: Date.UTC(2027, 2, 1),
    code: "ROLES_ANYWHERE_CERTIFICATE_INVALID",
    retryable: false,
    message: /The certificate \(serial \d+, CN=host\.example\.com\) in the certificate file ".*expired\.pem" \(`certificate`\) expired at 2027-01-01T00:00:00\.000Z, 59 days ago by our clock/,
  },
  {
    name: "a certificate not valid yet says when it will be (retryable: it heals by itself)",
    options: () => ({ certificate: pemFile("early.pem", leaf.certificatePem), privateKey: pemFile("early.key", keyPem(leaf.key, "pkcs8")) }),
    clockMs: Date.UTC(2024, 11, 31, 23, 50),
    code: "ROLES_ANYWHERE_CERTIFICATE_INVALID",
    retryable: true,
    message: /".*early\.pem" \(`certificate`\) is not valid until 2025-01-01T00:00:00\.000Z, 10 minutes from now by our clock/,
  },
  {
    name: "inline PEM that has expired is named as the PEM given as `certificate`",
    options: () => ({ certificate: leaf.certificatePem, privateKey: keyPem(leaf.key, "pkcs8") }),
    clockMs: Date.UTC(2027, 0, 2),
    code: "ROLES_ANYWHERE_CERTIFICATE_INVALID",
    retryable: false,
    message: /in the PEM given as `certificate` expired at/,
  },
  {
    name: "a key that is not the certificate's (retryable: a renewal may be half-written)",
    options: () => ({ certificate: pemFile("mismatch.pem", leaf.certificatePem), privateKey: pemFile("mismatch.key", keyPem(other.key, "pkcs1")) }),
    code: "ROLES_ANYWHERE_CERTIFICATE_INVALID",
    retryable: true,
    message: /The RSA private key in the private key file ".*mismatch\.key" \(`privateKey`\) is not the key of the certificate \(serial \d+, CN=host\.example\.com\) in the certificate file ".*mismatch\.pem" \(`certificate`\)/,
  },
  {
    name: "a certificate file that does not exist",
    options: () => ({ certificate: files.path("missing.pem"), privateKey: pemFile("for-missing.key", keyPem(leaf.key, "pkcs8")) }),
    code: "ROLES_ANYWHERE_FILE_UNREADABLE",
    retryable: false,
    message: /Cannot read the certificate file ".*missing\.pem" \(`certificate`\): no such file \(ENOENT\)/,
  },
  {
    name: "a folder given as the private key",
    options: () => {
      mkdirSync(files.path("a-folder"), { recursive: true });
      return { certificate: pemFile("for-folder.pem", leaf.certificatePem), privateKey: files.path("a-folder") };
    },
    code: "ROLES_ANYWHERE_FILE_UNREADABLE",
    retryable: false,
    message: /Cannot read the private key file ".*a-folder" \(`privateKey`\): it is a folder/,
  },
  {
    name: "an empty certificate file (retryable: caught mid-rewrite)",
    options: () => ({ certificate: pemFile("empty.pem", ""), privateKey: pemFile("for-empty.key", keyPem(leaf.key, "pkcs8")) }),
    code: "ROLES_ANYWHERE_CERTIFICATE_INVALID",
    retryable: true,
    message: /The certificate file ".*empty\.pem" \(`certificate`\) is empty/,
  },
  {
    name: "an empty private key file",
    options: () => ({ certificate: pemFile("for-empty-key.pem", leaf.certificatePem), privateKey: pemFile("empty.key", "\n") }),
    code: "ROLES_ANYWHERE_CERTIFICATE_INVALID",
    retryable: true,
    message: /The private key file ".*empty\.key" \(`privateKey`\) is empty/,
  },
  {
    name: "a key file cut short (a BEGIN line without its END)",
    options: () => ({
      certificate: pemFile("for-cut.pem", leaf.certificatePem),
      privateKey: pemFile("cut.key", keyPem(leaf.key, "pkcs8").slice(0, 400)),
    }),
    code: "ROLES_ANYWHERE_CERTIFICATE_INVALID",
    retryable: true,
    message: /".*cut\.key" \(`privateKey`\) is cut short: a -----BEGIN line has no -----END line/,
  },
  {
    name: "a certificate file that is not a certificate at all",
    options: () => ({ certificate: pemFile("garbage.pem", "hello, I am not a certificate\n"), privateKey: pemFile("for-garbage.key", keyPem(leaf.key, "pkcs8")) }),
    code: "ROLES_ANYWHERE_CERTIFICATE_INVALID",
    retryable: false,
    message: /".*garbage\.pem" \(`certificate`\) is neither PEM \(no -----BEGIN CERTIFICATE----- line\) nor a DER certificate/,
  },
  {
    name: "a CERTIFICATE block that does not parse",
    options: () => ({
      certificate: pemFile("broken.pem", "-----BEGIN CERTIFICATE-----\nTUlJQnJva2Vu\n-----END CERTIFICATE-----\n"),
      privateKey: pemFile("for-broken.key", keyPem(leaf.key, "pkcs8")),
    }),
    code: "ROLES_ANYWHERE_CERTIFICATE_INVALID",
    retryable: false,
    message: /".*broken\.pem" \(`certificate`\) holds a CERTIFICATE block \(number 1\) that is not a valid X\.509 certificate/,
  },
  {
    name: "certificate and key swapped",
    options: () => ({ certificate: pemFile("swapped.key", keyPem(leaf.key, "pkcs8")), privateKey: pemFile("swapped.pem", leaf.certificatePem) }),
    code: "ROLES_ANYWHERE_CERTIFICATE_INVALID",
    retryable: false,
    message: /".*swapped\.key" \(`certificate`\) holds a PRIVATE KEY block, not a certificate: are `certificate` and `privateKey` swapped\?/,
  },
  {
    name: "an encrypted key without a passphrase",
    options: () => ({ certificate: pemFile("enc.pem", leaf.certificatePem), privateKey: pemFile("enc.key", keyPem(leaf.key, "encrypted-pkcs8", PASSPHRASE)) }),
    code: "ROLES_ANYWHERE_CERTIFICATE_INVALID",
    retryable: false,
    message: /".*enc\.key" \(`privateKey`\) is encrypted, and no `privateKeyPassphrase` was given/,
  },
  {
    name: "an encrypted key with the wrong passphrase",
    options: () => ({
      certificate: pemFile("wrong.pem", leaf.certificatePem),
      privateKey: pemFile("wrong.key", keyPem(leaf.key, "encrypted-pkcs8", PASSPHRASE)),
      privateKeyPassphrase: "not the passphrase at all",
    }),
    code: "ROLES_ANYWHERE_CERTIFICATE_INVALID",
    retryable: false,
    message: /".*wrong\.key" \(`privateKey`\) cannot be decrypted with the `privateKeyPassphrase` given/,
  },
  {
    name: "a key Roles Anywhere does not sign with (Ed25519)",
    options: () => ({
      certificate: pemFile("ed.pem", leaf.certificatePem),
      privateKey: pemFile("ed.key", generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" })),
    }),
    code: "ROLES_ANYWHERE_CERTIFICATE_INVALID",
    retryable: false,
    message: /".*ed\.key" \(`privateKey`\) is a key of type ed25519; Roles Anywhere signs with RSA/,
  },
  {
    name: "a TPM key, which is aws_signing_helper's",
    options: () => ({
      certificate: pemFile("tpm.pem", leaf.certificatePem),
      privateKey: pemFile("tpm.key", "-----BEGIN TSS2 PRIVATE KEY-----\nMIIBfQYGZ4EFCgEDoAMBAQECBEAAAAEEggEYARYAAQALAAYEcgAgg3GXZ0SEs/gakMyNRqXXJP1S\n-----END TSS2 PRIVATE KEY-----\n"),
    }),
    code: "ROLES_ANYWHERE_UNSUPPORTED",
    retryable: false,
    message: /".*tpm\.key" \(`privateKey`\) is a TPM 2\.0 key \(TSS2 PRIVATE KEY\): supported by AWS's aws_signing_helper, not by env-or-profile/,
  },
  {
    name: "a PKCS#12 bundle given as the certificate, which is aws_signing_helper's",
    // The start of a PFX: SEQUENCE { INTEGER 3, ContentInfo { OID pkcs7-data, … } … }
    options: () => ({
      certificate: pemFile("bundle.p12", Buffer.from("3082010a020103308201003006092a864886f70d010701a0", "hex")),
      privateKey: pemFile("for-p12.key", keyPem(leaf.key, "pkcs8")),
    }),
    code: "ROLES_ANYWHERE_UNSUPPORTED",
    retryable: false,
    message: /".*bundle\.p12" \(`certificate`\) is a PKCS#12 bundle \(\.p12\/\.pfx\): those are supported by AWS's aws_signing_helper/,
  },
  {
    name: "an intermediates file that does not exist",
    options: () => ({
      certificate: pemFile("for-chain.pem", leaf.certificatePem),
      privateKey: pemFile("for-chain.key", keyPem(leaf.key, "pkcs8")),
      intermediates: files.path("no-chain.pem"),
    }),
    code: "ROLES_ANYWHERE_FILE_UNREADABLE",
    retryable: false,
    message: /Cannot read the intermediates file ".*no-chain\.pem" \(`intermediates`\): no such file/,
  },
];

describe("fromRolesAnywhere checks the certificate and key before any request", () => {
  it.each(cases)("$name", async ({ options, code, retryable, message, clockMs }) => {
    const { emulator, clock } = await emulatorTrusting([root]);
    if (clockMs !== undefined) clock.set(clockMs);
    const given = { ...optionsFor(leaf, "", emulator, clock), ...options() };
    const error = await failure(fromRolesAnywhere(given)());

    expect(error).toMatchObject({ source: "roles-anywhere", code, tryNextLink: false, retryable });
    expect(error.message).toMatch(message);
    expect(emulator.requestCount).toBe(0);
    const shown = renderEverything(error).join("\n");
    for (const fragment of [...keyFragments(keyPem(leaf.key, "pkcs8")), ...keyFragments(keyPem(leaf.key, "pkcs1")), ...keyFragments(keyPem(other.key, "pkcs1"))]) {
      expect(shown).not.toContain(fragment);
    }
    expect(shown).not.toContain(PASSPHRASE);
    expect(shown).not.toContain("not the passphrase at all");
  });

  it("checks the intermediates' validity too, naming the file and the certificate", async () => {
    const expiring = await createCa("rsa", "Short Intermediate", root, { notAfter: new Date(Date.UTC(2025, 6, 1)) });
    const chained = await createLeaf("rsa", expiring);
    const { emulator, clock } = await emulatorTrusting([root]);
    const error = await failure(
      fromRolesAnywhere({
        ...optionsFor(chained, keyPem(chained.key, "pkcs8"), emulator, clock),
        intermediates: files.write("expired-chain.pem", expiring.pem),
      })(),
    );
    expect(error).toMatchObject({ code: "ROLES_ANYWHERE_CERTIFICATE_INVALID", retryable: false });
    expect(error.message).toMatch(/Intermediate certificate 1 \(CN=Short Intermediate\) in the intermediates file ".*expired-chain\.pem" \(`intermediates`\) expired at 2025-07-01/);
    expect(emulator.requestCount).toBe(0);
  });
});
