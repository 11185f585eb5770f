import { hostname } from "node:os";
import type { Clock } from "../clock.js";
import { log, type Logger } from "../logger.js";
import { createPrivateFileExclusively, cryptoModule, inDir, readPrivateFile, removeEntry } from "./private-files.js";

const LOCK_FORMAT = "env-or-profile-file-cache-lock/1";
const RELEASED = "released meanwhile";

interface LockJson {
  format: typeof LOCK_FORMAT;
  pid: number;
  host: string;
  nonce: string;
}

/** The lock file's name for a key hash. */
export function lockFileName(hash: string): string {
  return `${hash}.lock`;
}

/**
 * The per-key lock that lets one process fetch while the others wait for its entry: a file created
 * with `link` (exclusive and never half written) naming its holder. A lock is taken over when it
 * is stale — its holder is a process on this host that no longer runs (killed mid-fetch), or it
 * is older than `staleLockMs` — or when it is not ours alone or not a lock at all. Takeover can
 * race (two processes may both judge a lock stale), which costs at worst a second fetch, never a
 * corrupt entry: entries are only ever replaced by rename.
 */
export class CacheLock {
  readonly #dir: string;
  readonly #path: string;
  readonly #name: string;
  readonly #staleLockMs: number;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  #nonce: string | undefined;

  readonly #ancestors: ReadonlySet<number>;

  /**
   * @param options.ancestors - processes above this one that are running a credential_process and
   *   waiting for it (see `processChain`): a lock one of them holds is taken over at once, as
   *   waiting for it would wait for ourselves.
   */
  constructor(dir: string, hash: string, options: { staleLockMs: number; clock: Clock; logger: Logger | undefined; ancestors?: ReadonlySet<number> }) {
    this.#ancestors = options.ancestors ?? new Set();
    this.#dir = dir;
    this.#name = lockFileName(hash);
    this.#path = inDir(dir, this.#name);
    this.#staleLockMs = options.staleLockMs;
    this.#clock = options.clock;
    this.#logger = options.logger;
  }

  /**
   * Takes the lock if it is free or stale.
   * @returns `true` when this process now holds it, `false` when a live holder has it.
   * @throws the file system's error when the lock cannot be created at all (read-only directory).
   */
  tryAcquire(): boolean {
    for (let attempt = 0; attempt < 3; attempt++) {
      const nonce = cryptoModule().randomBytes(8).toString("hex");
      const json: LockJson = { format: LOCK_FORMAT, pid: process.pid, host: hostname(), nonce };
      if (createPrivateFileExclusively(this.#dir, this.#name, `${JSON.stringify(json)}\n`)) {
        this.#nonce = nonce;
        return true;
      }
      const why = this.#whyTakeOver();
      if (why === undefined) {
        return false;
      }
      if (why === RELEASED) {
        continue; // gone between our attempt and our look: try again
      }
      log(this.#logger, "debug", `file cache: taking over the lock ${this.#path}: ${why}`);
      removeEntry(this.#path);
    }
    return false;
  }

  /** Gives the lock back, if this process still holds it (a taken-over lock is left to its new holder). */
  release(): void {
    const nonce = this.#nonce;
    this.#nonce = undefined;
    if (nonce === undefined) {
      return;
    }
    const read = readPrivateFile(this.#path, 1024);
    if (read.kind === "ok" && parseLock(read.text)?.nonce === nonce) {
      removeEntry(this.#path);
    }
  }

  /** Why the lock at the path may be taken over, or `undefined` when its holder is alive and recent. */
  #whyTakeOver(): string | undefined {
    const read = readPrivateFile(this.#path, 1024);
    if (read.kind === "missing") {
      return RELEASED;
    }
    if (read.kind === "untrusted") {
      return read.why;
    }
    const lock = parseLock(read.text);
    if (lock === undefined) {
      return "not a lock file";
    }
    if (lock.host === hostname() && !isRunning(lock.pid)) {
      return `its holder, process ${String(lock.pid)}, is gone`;
    }
    if (lock.host === hostname() && this.#ancestors.has(lock.pid)) {
      return `its holder, process ${String(lock.pid)}, is running this process as its credential_process and waits for it`;
    }
    const ageMs = this.#clock.now() - read.mtimeMs;
    if (ageMs > this.#staleLockMs) {
      return `held for ${String(Math.round(ageMs / 1000))} s, more than ${String(Math.round(this.#staleLockMs / 1000))} s`;
    }
    return undefined;
  }
}

function parseLock(text: string): LockJson | undefined {
  try {
    const json = JSON.parse(text) as Partial<LockJson> | null;
    return json !== null && json.format === LOCK_FORMAT && Number.isSafeInteger(json.pid) && typeof json.host === "string" && typeof json.nonce === "string"
      ? (json as LockJson)
      : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === "EPERM"; // exists, owned by someone else
  }
}
