/**
 * A server outside AWS (a data centre, another cloud) gets AWS credentials with IAM Roles Anywhere:
 * its X.509 certificate, issued by the organisation's CA and renewed in place by an agent, is
 * exchanged for an IAM role's credentials by `CreateSession` — natively, without AWS's
 * `aws_signing_helper` binary, memoized and shared by every client like any other source.
 *
 * Run it (no AWS account needed: it makes a throwaway CA and certificate with
 * `createTestCertificates`, and starts local Roles Anywhere and STS emulators):
 *   npm run example roles-anywhere     (any supported Node: 20.19+, 22, 24; it builds and compiles first)
 *
 * The same for the AWS CLI or any SDK, in ~/.aws/config — the line, with this installation's
 * absolute paths, comes from
 *   env-or-profile setup-aws-profile onprem --roles-anywhere --certificate /etc/pki/tls/certs/host.pem \
 *     --private-key /etc/pki/tls/private/host.key --trust-anchor-arn arn:aws:rolesanywhere:… \
 *     --profile-arn arn:aws:rolesanywhere:… --role-arn arn:aws:iam::123456789012:role/backup-writer
 * (the flags are aws_signing_helper's). A profile that already runs
 *   credential_process = aws_signing_helper credential-process --certificate … --private-key … …
 * is done natively by env-or-profile's providers as it is, with no edit.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { S3Client } from "@aws-sdk/client-s3";
import { fromConfig, fromRolesAnywhere, memoize } from "env-or-profile";
import { createTestCertificates, startRolesAnywhereEmulator, startStsEmulator } from "env-or-profile/testing";

export const TRUST_ANCHOR_ARN = "arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/0b7e1a5c-2f6d-4e8a-9c3b-1d2e3f4a5b6c";
export const PROFILE_ARN = "arn:aws:rolesanywhere:eu-west-1:123456789012:profile/6f4943fb-13d4-4242-89c4-be367595c380";
export const ROLE_ARN = "arn:aws:iam::123456789012:role/backup-writer";
export const PARTNER_ROLE_ARN = "arn:aws:iam::210987654321:role/partner-upload";

/** Where the server's certificate and key are (here in a temporary folder; typically under /etc/pki). */
export interface HostFiles {
  certificate: string;
  privateKey: string;
  intermediates: string;
}

/** The real usage, in code. Matches the `@example` of `fromRolesAnywhere` (the endpoint is the emulator's here). */
export function createBackupS3Client(files: HostFiles, endpoint?: string): S3Client {
  const s3 = new S3Client({
    region: "eu-west-1",
    credentials: memoize(
      fromRolesAnywhere({
        ...files,
        trustAnchorArn: TRUST_ANCHOR_ARN,
        profileArn: PROFILE_ARN,
        roleArn: ROLE_ARN,
        ...(endpoint === undefined ? {} : { endpoint }),
      }),
    ),
  });
  return s3;
}

/**
 * The same from configuration (a parsed YAML file), with a partner's role assumed on top with the
 * ExternalId its trust policy demands. Matches the Roles Anywhere `@example` of `fromConfig`.
 */
export function createPartnerS3ClientFromConfig(files: HostFiles, endpoints: { rolesAnywhere: string; sts: string }): S3Client {
  const credentials = fromConfig({
    roles_anywhere: {
      certificate: files.certificate,
      private_key: files.privateKey,
      intermediates: files.intermediates,
      trust_anchor_arn: TRUST_ANCHOR_ARN,
      profile_arn: PROFILE_ARN,
      role_arn: ROLE_ARN,
      endpoint: endpoints.rolesAnywhere,
    },
    assume_role: { role_arn: PARTNER_ROLE_ARN, external_id: "tenant-42", endpoint: endpoints.sts, region: "eu-west-1" },
  });
  return new S3Client({ region: "eu-west-1", credentials });
}

/** Runs the example against local Roles Anywhere and STS emulators, with a throwaway PKI. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "eop-example-roles-anywhere-"));
  const pki = createTestCertificates({ keyType: "ec-p256", intermediate: true });
  const files: HostFiles = {
    certificate: join(dir, "host.pem"),
    privateKey: join(dir, "host.key"),
    intermediates: join(dir, "chain.pem"),
  };
  writeFileSync(files.certificate, pki.leaf.certificate);
  writeFileSync(files.privateKey, pki.leaf.privateKey, { mode: 0o600 });
  writeFileSync(files.intermediates, pki.leaf.intermediates ?? "");
  const rolesAnywhere = await startRolesAnywhereEmulator({
    trustAnchors: [{ arn: TRUST_ANCHOR_ARN, certificates: pki.caCertificate }],
    profiles: [{ arn: PROFILE_ARN, roleArns: [ROLE_ARN] }],
  });
  const sts = await startStsEmulator({ trustIssuedBy: [rolesAnywhere], roles: { [PARTNER_ROLE_ARN]: { externalId: "tenant-42" } } });
  try {
    const backups = createBackupS3Client(files, rolesAnywhere.endpoint);
    const restores = createBackupS3Client(files, rolesAnywhere.endpoint);
    const first = await backups.config.credentials();
    const second = await restores.config.credentials();
    print(`backup-writer role: access key …${first.accessKeyId.slice(-4)}, account ${first.accountId ?? "?"}, expires ${first.expiration?.toISOString() ?? "never"}`);
    print(`signed with certificate serial ${pki.serialNumber}: ${String(rolesAnywhere.requests[0]?.signatureValid === true && rolesAnywhere.requests[0].serialNumber === pki.serialNumber)}`);
    print(`second client: the same credential: ${String(second.accessKeyId === first.accessKeyId)}; CreateSession calls: ${rolesAnywhere.sessionCount}`);
    backups.destroy();
    restores.destroy();

    // An agent renews the certificate in place: a client made afterwards signs with the new one.
    // (A throwaway PKI cannot issue twice from one CA here, so the trust anchor trusts both CAs.)
    const renewed = createTestCertificates({ keyType: "ec-p256", intermediate: true });
    rolesAnywhere.setTrustAnchor({ arn: TRUST_ANCHOR_ARN, certificates: `${pki.caCertificate}${renewed.caCertificate}` });
    writeFileSync(files.certificate, renewed.leaf.certificate);
    writeFileSync(files.privateKey, renewed.leaf.privateKey);
    writeFileSync(files.intermediates, renewed.leaf.intermediates ?? "");
    const afterRenewal = createBackupS3Client(files, rolesAnywhere.endpoint);
    const third = await afterRenewal.config.credentials();
    print(`after the renewal: a new credential: ${String(third.accessKeyId !== first.accessKeyId)}, signed with the new certificate: ${String(rolesAnywhere.requests.at(-1)?.serialNumber === renewed.serialNumber)}`);
    afterRenewal.destroy();

    const partner = createPartnerS3ClientFromConfig(files, { rolesAnywhere: rolesAnywhere.endpoint, sts: sts.endpoint });
    const assumed = await partner.config.credentials();
    print(`from config, the partner's role: account ${assumed.accountId ?? "?"}, ExternalId sent: ${String(sts.lastRequest?.externalId === "tenant-42")}, signed with the Roles Anywhere key: ${String(sts.lastRequest?.accessKeyId === third.accessKeyId)}`);
    partner.destroy();
    print(`CreateSession calls in all: ${rolesAnywhere.sessionCount}; AssumeRole calls: ${sts.calls}`);
  } finally {
    await sts.close();
    await rolesAnywhere.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await main();
}
