/**
 * Test tools for code that uses env-or-profile (and for our own tests): real HTTP servers on
 * 127.0.0.1, each on an ephemeral port, that count requests, rotate credentials on a clock and
 * inject faults — the EC2 instance metadata service ({@link startImdsEmulator}), STS
 * ({@link startStsEmulator}: AssumeRole, AssumeRoleWithWebIdentity, DecodeAuthorizationMessage,
 * SigV4-verified), the ECS/EKS container credentials endpoint and IAM Roles Anywhere
 * ({@link startRolesAnywhereEmulator}: CreateSession, X.509-signature and chain verified, with
 * {@link createTestCertificates} for a throwaway CA and leaf) — plus {@link manualClock}, a
 * clock that moves only when the test says so, {@link isolatedEnv} (a test's own environment) and
 * {@link resetSharedState}.
 *
 * ```ts
 * import { envOrProfile } from "env-or-profile";
 * import { manualClock, startImdsEmulator } from "env-or-profile/testing";
 *
 * const clock = manualClock();
 * const imds = await startImdsEmulator({ clock });
 * const credentials = envOrProfile({ env: false, imds: { endpoint: imds.endpoint }, clock });
 * await credentials();
 * await imds.close();
 * ```
 *
 * TypeScript finds this subpath through the package's `exports` map (`moduleResolution`
 * `node16`, `nodenext` or `bundler`), and, for `node10`, through its `typesVersions`.
 *
 * @packageDocumentation
 * @module env-or-profile/testing
 */
export { manualClock, DEFAULT_MANUAL_CLOCK_START_MS, type ManualClock } from "./manual-clock.js";
export {
  startStsEmulator,
  type StsEmulator,
  type StsEmulatorCredential,
  type StsEmulatorIssuer,
  type StsEmulatorOptions,
  type StsEmulatorRole,
  type StsCredentialAction,
  type StsFault,
  type StsIssuedCredential,
  type StsWebIdentityTokenCheck,
  type StsRequestRecord,
  type StsEmulatorMfa,
  type StsSessionOptions,
} from "./sts-emulator.js";
export {
  startImdsEmulator,
  DEFAULT_IMDS_EMULATOR_CREDENTIAL_LIFETIME_MS,
  DEFAULT_IMDS_EMULATOR_ROLE_NAME,
  type ImdsEmulator,
  type ImdsEmulatorCredentials,
  type ImdsEmulatorFault,
  type ImdsEmulatorFaultOptions,
  type ImdsEmulatorMode,
  type ImdsEmulatorOptions,
  type ImdsEmulatorRequest,
} from "./imds-emulator.js";
export { resetSharedState } from "../sharing/process-state.js";
export { isolatedEnv, ISOLATED_HOME } from "./isolated-env.js";
// eslint-disable-next-line @typescript-eslint/no-deprecated -- kept, deprecated, for code written against earlier versions
export { resetImdsState } from "./reset-imds-state.js";
export {
  startContainerEmulator,
  DEFAULT_CONTAINER_EMULATOR_CREDENTIAL_LIFETIME_MS,
  DEFAULT_CONTAINER_EMULATOR_PATH,
  type ContainerEmulator,
  type ContainerEmulatorCredentials,
  type ContainerEmulatorFault,
  type ContainerEmulatorFaultOptions,
  type ContainerEmulatorOptions,
  type ContainerEmulatorRequest,
} from "./container-emulator.js";
export {
  startRolesAnywhereEmulator,
  DEFAULT_ROLES_ANYWHERE_EMULATOR_MAX_SKEW_MS,
  type RolesAnywhereEmulator,
  type RolesAnywhereEmulatorCredential,
  type RolesAnywhereEmulatorFault,
  type RolesAnywhereEmulatorFaultOptions,
  type RolesAnywhereEmulatorOptions,
  type RolesAnywhereEmulatorProfile,
  type RolesAnywhereEmulatorRequest,
  type RolesAnywhereEmulatorTrustAnchor,
} from "./roles-anywhere-emulator.js";
export {
  createTestCertificates,
  type TestCertificateKeyType,
  type TestCertificateOptions,
  type TestCertificates,
  type TestLeafCertificate,
} from "./test-certificates.js";
