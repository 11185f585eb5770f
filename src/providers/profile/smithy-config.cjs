"use strict";
// What the profile link needs of @smithy/core/config (the AWS SDK's shared-config parser), loaded by
// load-profiles.ts through an `import()` of this file (a literal specifier: bundlers follow it, and
// the `require` below).
//
// CommonJS on purpose, for two measured reasons. Node's `import()` of the package itself routes its
// own `require`s through the ES module loader, which scans each for named exports (~30 ms more CPU
// than a `require` on the bench machine); and a `require` shares the one CommonJS copy that the AWS
// SDK modules loaded later (AssumeRole's STS client, `fromSSO`) `require` — loading both the ESM
// and the CommonJS copies once cost a cold role-profile resolution ~100 ms. The names are picked
// one by one (not `module.exports = require(…)`, which Node would follow and scan again).
const config = require("@smithy/core/config");

module.exports = { loadSharedConfigFiles: config.loadSharedConfigFiles, externalDataInterceptor: config.externalDataInterceptor };
