import { describe, expect, it } from "vitest";
import { parseSigningHelperCommand } from "../../../src/providers/roles-anywhere/parse-signing-helper-command.js";
import { PROFILE_ARN, ROLE_ARN, TRUST_ANCHOR_ARN } from "./world.js";

const ARNS = `--trust-anchor-arn ${TRUST_ANCHOR_ARN} --profile-arn ${PROFILE_ARN} --role-arn ${ROLE_ARN}`;
const FILES = "--certificate /etc/pki/host.pem --private-key /etc/pki/host.key";
const line = (program: string, rest = ""): string => `${program} credential-process ${FILES} ${ARNS}${rest === "" ? "" : ` ${rest}`}`;
const required = { certificate: "/etc/pki/host.pem", privateKey: "/etc/pki/host.key", trustAnchorArn: TRUST_ANCHOR_ARN, profileArn: PROFILE_ARN, roleArn: ROLE_ARN };

describe("parseSigningHelperCommand runs natively what it can", () => {
  it.each(["aws_signing_helper", "/usr/local/bin/aws_signing_helper", "./aws_signing_helper", '"C:\\Program Files\\AWS\\aws_signing_helper.exe"', "AWS_SIGNING_HELPER.EXE"])(
    "recognises %s credential-process with the required flags",
    (program) => {
      expect(parseSigningHelperCommand(line(program))).toEqual({ options: required });
    },
  );

  it("maps every supported flag, in both --flag value and --flag=value forms", () => {
    const parsed = parseSigningHelperCommand(
      `aws_signing_helper credential-process --certificate=/etc/pki/host.pem --private-key /etc/pki/host.key --intermediates=/etc/pki/chain.pem ` +
        `--trust-anchor-arn=${TRUST_ANCHOR_ARN} --profile-arn ${PROFILE_ARN} --role-arn=${ROLE_ARN} --region eu-west-1 --session-duration=900 ` +
        `--role-session-name nightly --endpoint=https://rolesanywhere.eu-west-1.amazonaws.com --pkcs8-password 'pass phrase'`,
    );
    expect(parsed).toEqual({
      options: {
        ...required,
        intermediates: "/etc/pki/chain.pem",
        region: "eu-west-1",
        durationSeconds: 900,
        sessionName: "nightly",
        endpoint: "https://rolesanywhere.eu-west-1.amazonaws.com",
        privateKeyPassphrase: "pass phrase",
      },
    });
  });

  it("keeps quoted paths with spaces whole, as the AWS CLI splits them", () => {
    const parsed = parseSigningHelperCommand(`aws_signing_helper credential-process --certificate "/etc/my pki/host.pem" --private-key '/etc/my pki/host.key' ${ARNS}`);
    expect(parsed.options).toMatchObject({ certificate: "/etc/my pki/host.pem", privateKey: "/etc/my pki/host.key" });
  });
});

describe("parseSigningHelperCommand leaves to aws_signing_helper what it cannot do the same", () => {
  it.each([
    ["another program", "/usr/bin/my-creds credential-process --certificate x", /the command is not aws_signing_helper/],
    ["a program whose name only contains the helper's", `my_aws_signing_helper credential-process ${FILES} ${ARNS}`, /not aws_signing_helper/],
    ["the serve subcommand", `aws_signing_helper serve ${FILES} ${ARNS}`, /the serve subcommand, not credential-process/],
    ["the update subcommand", `aws_signing_helper update ${FILES} ${ARNS}`, /the update subcommand/],
    ["no subcommand", "aws_signing_helper", /without a subcommand/],
    ["--cert-selector", line("aws_signing_helper", "--cert-selector Key=x509Subject,Value=CN=host"), /--cert-selector, which selects a certificate from an OS certificate store/],
    ["--system-store-name", line("aws_signing_helper", "--system-store-name MY"), /--system-store-name/],
    ["--use-latest-expiring-certificate", line("aws_signing_helper", "--use-latest-expiring-certificate"), /--use-latest-expiring-certificate/],
    ["--pkcs11-pin (unknown to us, never echoed)", line("aws_signing_helper", "--pkcs11-pin=123456"), /--pkcs11-pin, which env-or-profile does not know/],
    ["--pkcs11-lib", line("aws_signing_helper", "--pkcs11-lib /usr/lib/opensc-pkcs11.so"), /--pkcs11-lib, which uses a PKCS#11 token/],
    ["--reuse-pin", line("aws_signing_helper", "--reuse-pin"), /--reuse-pin/],
    ["--tpm-key-password", line("aws_signing_helper", "--tpm-key-password secret"), /--tpm-key-password, which uses a TPM key/],
    ["--no-verify-ssl", line("aws_signing_helper", "--no-verify-ssl"), /--no-verify-ssl, which turns off TLS verification/],
    ["--with-proxy", line("aws_signing_helper", "--with-proxy"), /--with-proxy, which sends CreateSession through a proxy/],
    ["--debug", line("aws_signing_helper", "--debug"), /--debug/],
    ["a PKCS#11 private key", `aws_signing_helper credential-process --certificate /c.pem --private-key pkcs11:token=hsm ${ARNS}`, /--private-key is a PKCS#11 URI/],
    ["a PKCS#11 certificate", `aws_signing_helper credential-process --certificate pkcs11:object=c --private-key /k ${ARNS}`, /--certificate is a PKCS#11 URI/],
    ["a TPM key handle", `aws_signing_helper credential-process --certificate /c.pem --private-key handle:0x81000001 ${ARNS}`, /TPM key handle/],
    ["no --private-key (PKCS#12 or a store)", `aws_signing_helper credential-process --certificate /bundle.p12 ${ARNS}`, /no --private-key/],
    ["no --certificate", `aws_signing_helper credential-process --private-key /k ${ARNS}`, /no --certificate/],
    ["no --role-arn", `aws_signing_helper credential-process ${FILES} --trust-anchor-arn ${TRUST_ANCHOR_ARN} --profile-arn ${PROFILE_ARN}`, /no --role-arn/],
    ["a flag given twice", line("aws_signing_helper", "--region eu-west-1 --region eu-west-1"), /--region is given twice/],
    ["a flag without a value", line("aws_signing_helper", "--region"), /--region has no value/],
    ["a value that looks like a flag", line("aws_signing_helper", "--role-session-name --debug"), /the value of --role-session-name starts with "-"/],
    ["a stray argument", line("aws_signing_helper", "extra"), /a stray argument/],
    ["a single-dash flag", line("aws_signing_helper", "-h"), /not a --flag/],
    ["a duration that is not a number", line("aws_signing_helper", "--session-duration 1h"), /--session-duration is not a whole number/],
    ["a duration out of range", line("aws_signing_helper", "--session-duration 60"), /do not make a valid Roles Anywhere configuration: Expected `durationSeconds`/],
    ["a malformed ARN", `aws_signing_helper credential-process ${FILES} --trust-anchor-arn x --profile-arn ${PROFILE_ARN} --role-arn ${ROLE_ARN}`, /Expected `trustAnchorArn`/],
    ["an unterminated quote", `aws_signing_helper credential-process --certificate "/etc/pki`, /unterminated double quote/],
  ])("%s", (_name, commandLine, reason) => {
    const parsed = parseSigningHelperCommand(commandLine);
    expect(parsed.options).toBeUndefined();
    expect(parsed.reason).toMatch(reason);
  });

  it("never repeats a flag's value in its reason", () => {
    const parsed = parseSigningHelperCommand(line("aws_signing_helper", "--tpm-key-password=hunter2-very-secret"));
    expect(parsed.reason).not.toContain("hunter2");
  });
});
