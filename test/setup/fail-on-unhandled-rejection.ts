// Any unhandled rejection anywhere in the suite fails the run: a credential refresh that rejects
// with nobody listening is a bug (it crashes Node apps started with --unhandled-rejections=strict).
process.on("unhandledRejection", (reason) => {
  throw reason instanceof Error ? reason : new Error(`Unhandled rejection: ${String(reason)}`);
});
