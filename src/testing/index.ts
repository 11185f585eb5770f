export { manualClock, DEFAULT_MANUAL_CLOCK_START_MS, type ManualClock } from "./manual-clock.js";
export {
  startStsEmulator,
  type StsEmulator,
  type StsEmulatorCredential,
  type StsEmulatorOptions,
  type StsEmulatorRole,
  type StsCredentialAction,
  type StsFault,
  type StsIssuedCredential,
  type StsWebIdentityTokenCheck,
  type StsRequestRecord,
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
