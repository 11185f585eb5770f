/**
 * Drops the AWS SDK's `NodeVersionSupportWarning` and passes every other warning to Node's own
 * printer. The SDK (loaded by the CLI for AssumeRole and decode-authorization-message) emits it
 * on every run under Node 20 to say that its future releases need Node 22: useful once to an
 * app's developer, noise on every `credential_process` call, whose stderr the AWS CLI shows.
 * Only the binary does this; the library never touches process-wide handlers.
 */
export function quietSdkVersionWarning(): void {
  const installed = Symbol.for("env-or-profile.quietSdkVersionWarning");
  const marks = process as unknown as Record<symbol, boolean | undefined>;
  if (marks[installed] === true) {
    return; // once per process, however often it is called
  }
  marks[installed] = true;
  const printers = process.listeners("warning");
  process.removeAllListeners("warning");
  process.on("warning", (warning) => {
    if (warning.message.includes("NodeVersionSupportWarning")) {
      return;
    }
    for (const print of printers) {
      print(warning);
    }
  });
}
