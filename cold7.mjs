import { startImdsEmulator } from "env-or-profile/testing";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
const run = promisify(execFile);
const imds = await startImdsEmulator();
const env = { PATH: process.env.PATH, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint };
const ours = `const t0=performance.now(); const { envOrProfile } = await import('env-or-profile'); await envOrProfile()(); console.log((performance.now()-t0).toFixed(2))`;
const sdk = `const t0=performance.now(); const { fromInstanceMetadata } = await import('@aws-sdk/credential-providers'); await fromInstanceMetadata()(); console.log((performance.now()-t0).toFixed(2))`;
const o = [], s = [];
for (let i = 0; i < 21; i++) {
  o.push(Number((await run(process.execPath, ["--input-type=module", "-e", ours], { env })).stdout));
  s.push(Number((await run(process.execPath, ["--no-warnings", "--input-type=module", "-e", sdk], { env })).stdout));
}
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
console.log("ours", med(o), "sdk", med(s), "ratio", (med(o) / med(s)).toFixed(3));
await imds.close();
