"use strict";
// What the STS calls need of @aws-sdk/client-sts, loaded by sts-transport.ts through an `import()`
// of this file (a literal specifier: bundlers follow it, and the `require` below).
//
// CommonJS on purpose. The package is one CommonJS bundle; Node's `import()` of it routes each of
// its own `require`s (the @smithy/core and @aws-sdk/core submodules) through the ES module loader,
// which scans every one of them for named exports: ~70 ms more CPU than a `require` on the bench
// machine. `import()` of this small file costs one scan of it, and its `require` is a plain one.
// The names are picked one by one (not `module.exports = require(…)`, which Node would follow and
// scan again).
const sts = require("@aws-sdk/client-sts");

module.exports = {
  STSClient: sts.STSClient,
  AssumeRoleCommand: sts.AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand: sts.AssumeRoleWithWebIdentityCommand,
  DecodeAuthorizationMessageCommand: sts.DecodeAuthorizationMessageCommand,
};
