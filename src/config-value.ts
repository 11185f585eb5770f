/*
 * How a configuration value is read, in one place for every link: an environment variable or a
 * profile key that is unset, empty or only blanks is not set (as in the AWS CLI and SDKs), and a set
 * value is taken without its surrounding blanks (a stray space or newline from a copy-paste or an
 * `export X=" eu-west-1"` must not make one link accept what another refuses). Secrets are the
 * exception: keys and tokens are taken exactly as written (the env link refuses blanks in them).
 */

/** The value, trimmed, or `undefined` when unset, empty or blank. */
export function configuredValue(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** Whether a switch reads `true` (any case, surrounding blanks ignored), as botocore and the SDKs read them. */
export function isTrue(value: string | undefined): boolean {
  return configuredValue(value)?.toLowerCase() === "true";
}
