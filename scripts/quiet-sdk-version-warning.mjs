// Preload for `npm run example`: drops the AWS SDK's NodeVersionSupportWarning (its releases from
// January 2027 need Node 22; on Node 20 that is a dozen lines before every example's output).
// Every other warning still prints. The same as src/cli/quiet-sdk-version-warning.ts.
const printers = process.listeners("warning");
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.message.includes("NodeVersionSupportWarning") || warning.name === "NodeVersionSupportWarning") return;
  for (const print of printers) print(warning);
});
