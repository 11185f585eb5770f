/*
 * The programs some tests talk to that npm does not install: the AWS CLI v2, moto (a real STS/S3
 * in python3) and boto3 (a real SDK in python3). Every test that needs one asks here first.
 *
 * Outside CI a missing peer means the file's tests are not run: each is skipped with a note that
 * says which peer is missing, why, and the command that installs it, and the run's summary lists
 * them (test/setup/peers-reporter.ts). Under `CI=true` a missing peer fails those tests: CI
 * (.ci/run) installs every peer, so a missing one there is a broken CI, never a quiet skip.
 *
 * The AWS CLI is found through `AWS_CLI` (default /usr/bin/aws, Debian's v2): the `aws` first on
 * PATH may be a pip/pyenv v1, which lacks `configure export-credentials`. The AWS CLI v1 (a peer of
 * its own: it is what many CI images and old laptops still run) is `AWS_CLI_V1`, else the first
 * `aws` on PATH that says it is 1.x.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { beforeAll, beforeEach } from "vitest";

/** A program some tests need that `npm ci` does not install. */
export type Peer = "aws-cli-v2" | "aws-cli-v1" | "moto" | "boto3" | "python3";

/** The AWS CLI v2 the tests run: `AWS_CLI`, else /usr/bin/aws. */
export const AWS_CLI = process.env["AWS_CLI"] ?? "/usr/bin/aws";

/**
 * The AWS CLI v1 the tests run: `AWS_CLI_V1`, else the first `aws` on PATH whose `--version` is
 * `aws-cli/1.…` (a pip or pyenv install), else `undefined`.
 */
export function awsCliV1(): string | undefined {
  awsCliV1Path ??= { path: findAwsCliV1() };
  return awsCliV1Path.path;
}
let awsCliV1Path: { path: string | undefined } | undefined;

function findAwsCliV1(): string | undefined {
  const given = process.env["AWS_CLI_V1"];
  const candidates = given !== undefined && given !== "" ? [given] : (process.env["PATH"] ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, "aws"));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      continue;
    }
    const run = spawnSync(candidate, ["--version"], { encoding: "utf8", timeout: 30_000 });
    if (/^aws-cli\/1\./.test(`${run.stdout}${run.stderr}`.trim())) return candidate;
  }
  return undefined;
}

/** The note a skipped test carries starts with this; the peers reporter looks for it. */
export const PEER_NOTE_PREFIX = "missing peer: ";

/** How to install each peer, as the note and the summary say it. */
export const PEER_INSTALL: Readonly<Record<Peer, string>> = {
  "aws-cli-v2": "sudo apt-get install awscli (Debian 12 ships v2), or AWS's installer; or set AWS_CLI=/path/to/aws (v2)",
  "aws-cli-v1": "python3 -m pip install awscli (v1); or set AWS_CLI_V1=/path/to/aws (v1)",
  python3: "sudo apt-get install python3 (its pty module runs a command on a pseudo-terminal)",
  moto: "python3 -m pip install 'moto[server]'",
  boto3: "python3 -m pip install boto3",
};

const found = new Map<Peer, string | undefined>();

/** Why `peer` cannot be used here, or `undefined` when it can. Asked once per process. */
export function peerMissing(peer: Peer): string | undefined {
  if (!found.has(peer)) {
    found.set(peer, look(peer));
  }
  return found.get(peer);
}

function look(peer: Peer): string | undefined {
  if (peer === "aws-cli-v1") {
    return awsCliV1() === undefined ? "no `aws` on PATH (nor AWS_CLI_V1) is the AWS CLI v1" : undefined;
  }
  if (peer === "aws-cli-v2") {
    const run = spawnSync(AWS_CLI, ["--version"], { encoding: "utf8", timeout: 30_000 });
    if (run.error !== undefined) {
      return `${AWS_CLI} cannot be run (${(run.error as NodeJS.ErrnoException).code ?? run.error.message})`;
    }
    const version = `${run.stdout}${run.stderr}`.trim();
    return /^aws-cli\/2\./.test(version) ? undefined : `${AWS_CLI} is not the AWS CLI v2 (${version.split(/\s/)[0] ?? "no version"})`;
  }
  const module = peer === "moto" ? "moto.server" : peer === "python3" ? "pty" : "boto3";
  const run = spawnSync("python3", ["-c", `import ${module}`], { encoding: "utf8", timeout: 30_000 });
  if (run.error !== undefined) {
    return `python3 cannot be run (${(run.error as NodeJS.ErrnoException).code ?? run.error.message})`;
  }
  if (run.status !== 0) {
    const last = run.stderr.trim().split("\n").at(-1) ?? `exit ${String(run.status)}`;
    return `python3 cannot import ${module} (${last})`;
  }
  return undefined;
}

/** Whether this run is CI's, where a missing peer fails rather than skips. */
export function inCi(): boolean {
  const ci = process.env["CI"];
  return ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false";
}

/** The note for the peers that are missing, or `undefined` when none is. */
export function missingPeersNote(peers: readonly Peer[]): string | undefined {
  const missing = peers.flatMap((peer) => {
    const why = peerMissing(peer);
    return why === undefined ? [] : [`${peer}: ${why}; install: ${PEER_INSTALL[peer]}`];
  });
  return missing.length === 0 ? undefined : `${PEER_NOTE_PREFIX}${missing.join(" | ")}`;
}

/** What {@link usePeers} tells the file. */
export interface Peers {
  /** Whether every peer is there: a file's own `beforeAll` starts nothing when it is not. */
  readonly ready: boolean;
}

/**
 * Registers, in the current `describe` (or the file), what a missing peer means: outside CI every
 * test is skipped with the note (reason and install command); under `CI=true` a `beforeAll` fails
 * with it. Call it before the file's own hooks, and start nothing that needs a peer unless `ready`.
 *
 * @example
 * ```ts
 * const peers = usePeers("moto");
 * beforeAll(async () => { if (peers.ready) moto = await startMoto(); });
 * ```
 */
export function usePeers(...peers: Peer[]): Peers {
  const note = missingPeersNote(peers);
  if (note !== undefined) {
    if (inCi()) {
      beforeAll(() => {
        throw new Error(`CI=true and a peer these tests need is missing — ${note}`);
      });
    } else {
      beforeEach((context) => {
        context.skip(note);
      });
    }
  }
  return { ready: note === undefined };
}
