// The profile link's public constants, apart from the code that uses them: `import "env-or-profile"`
// re-exports them, and the parser and planner they belong to load only at a profile's first call
// (see profile-run.ts).

/** The values `credential_source` accepts, and the link each one means (the AWS CLI's names). */
export const PROFILE_CREDENTIAL_SOURCES = Object.freeze(["Environment", "Ec2InstanceMetadata", "EcsContainer"] as const);

/** One of {@link PROFILE_CREDENTIAL_SOURCES}. */
export type CredentialSourceName = (typeof PROFILE_CREDENTIAL_SOURCES)[number];

/**
 * The largest config or credentials file read. Real ones are a few kilobytes (a profile is a
 * handful of lines); 1 MiB leaves room for thousands of profiles and stops a wrong path (a log, a
 * device) from being read into memory whole.
 */
export const DEFAULT_MAX_PROFILE_FILE_BYTES = 1024 * 1024;
