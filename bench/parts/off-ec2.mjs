// Part 3c: time to give up off EC2, first and second call on the same provider.
//   node off-ec2.mjs <impl> <closed|silent>
// closed: IMDS endpoint is a loopback port nobody listens on (connection refused).
// silent: a loopback server that accepts TCP and never answers.
// impl: ours (envOrProfile()) | sdk-chain (fromNodeProviderChain()) | sdk-imds (fromInstanceMetadata()),
// each with its defaults (the SDK: 1000 ms timeout, token then IMDSv1).
import { createRequire } from "node:module";
import { closedPort, finish, msSince, nowNs, OURS, startSilentServer } from "../lib.mjs";

const [impl, mode] = process.argv.slice(2);
let server;
if (mode === "closed") {
  process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = `http://127.0.0.1:${await closedPort()}`;
} else {
  server = await startSilentServer();
  process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = server.endpoint;
}
delete process.env.AWS_ACCESS_KEY_ID;
delete process.env.AWS_SECRET_ACCESS_KEY;

let provider;
if (impl === "ours") {
  const m = await OURS.envOrProfile();
  if (!m) finish({ na: true });
  provider = m.fn();
} else {
  const sdk = await import("@aws-sdk/credential-providers");
  provider = impl === "sdk-chain" ? sdk.fromNodeProviderChain() : sdk.fromInstanceMetadata();
  // The SDK loads its chain's modules on the first call; load them now so the first call's time
  // is waiting on the network, as it is for ours (conservative: it flatters the SDK).
  const require = createRequire(import.meta.url);
  for (const name of ["@aws-sdk/credential-provider-node", "@aws-sdk/credential-provider-sso", "@aws-sdk/credential-provider-ini",
    "@aws-sdk/credential-provider-process", "@aws-sdk/credential-provider-web-identity", "@smithy/credential-provider-imds", "@aws-sdk/core/client"]) {
    try { require(name); } catch { /* not every one is reachable from here; the SDK loads it itself */ }
  }
}

const call = async () => {
  const t0 = nowNs();
  try {
    await provider();
    return { ms: msSince(t0), outcome: "resolved?!" };
  } catch (error) {
    return { ms: msSince(t0), outcome: `${error?.code ?? error?.name ?? "Error"}: ${String(error?.message ?? error).slice(0, 140)}` };
  }
};
const first = await call();
const second = await call();
if (server) await server.close();
finish({ first: first.ms, second: second.ms, firstOutcome: first.outcome, secondOutcome: second.outcome });
