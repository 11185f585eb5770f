// The AWS partitions the installed AWS SDK for JavaScript knows, read from its own endpoints
// partition data (@aws-sdk/core's util-endpoints `partitions.js`, the file the SDK's endpoint
// resolution uses). Used by scripts/generate-partitions.mjs (which writes the list our role-ARN
// check uses, so nothing of the SDK loads at run time) and by the test that keeps the two equal.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const PARTITIONS_FILE = ["dist-es", "submodules", "client", "util-endpoints", "lib", "aws", "partitions.js"];

/**
 * `{ version, file, partitions, info }`: @aws-sdk/core's version, the data file, the partition ids in
 * its order, and per partition its `outputs` (`dnsSuffix`, `dualStackDnsSuffix`,
 * `implicitGlobalRegion`, …).
 */
export function sdkPartitions() {
  const require = createRequire(import.meta.url);
  // @aws-sdk/core as the SDK we depend on resolves it.
  const viaProviders = createRequire(require.resolve("@aws-sdk/credential-providers/package.json"));
  const coreDir = dirname(viaProviders.resolve("@aws-sdk/core/package.json"));
  const file = join(coreDir, ...PARTITIONS_FILE);
  const text = readFileSync(file, "utf8");
  const body = /export const partitionsInfo\s*=\s*([\s\S]*?);?\s*$/.exec(text)?.[1];
  if (body === undefined) throw new Error(`${file}: no \`export const partitionsInfo = {…}\``);
  const info = JSON.parse(body);
  const partitions = info.partitions.map((p) => p.id);
  const details = Object.fromEntries(info.partitions.map((p) => [p.id, { outputs: p.outputs }]));
  if (!partitions.includes("aws")) throw new Error(`${file}: no "aws" partition`);
  const { version } = JSON.parse(readFileSync(join(coreDir, "package.json"), "utf8"));
  return { version, file, partitions, info: details };
}
