/*
 * A real STS (and S3, IAM, …) for tests: moto's server (`python3 -m moto.server`), started on
 * 127.0.0.1 on an ephemeral port. moto ships in this machine kind's image Python; CI checks for it
 * in `.ci/run`, so a missing moto is a failure, never a silently skipped test.
 *
 * moto accepts any credentials and any ExternalId by default; `verifySignatures: n` sets
 * `INITIAL_NO_AUTH_ACTION_COUNT=n`, after which moto checks every request's SigV4 signature
 * against the IAM users and roles it knows (the first `n` requests are the set-up's own).
 */
import { spawn, type ChildProcess } from "node:child_process";

/** A running moto server. */
export interface MotoServer {
  /** Its base URL, e.g. `http://127.0.0.1:41234`: an STS endpoint, an S3 endpoint, … */
  readonly endpoint: string;
  /** Drops every resource moto holds (its `/moto-api/reset`). */
  reset(): Promise<void>;
  /** Stops the server. */
  close(): Promise<void>;
}

/** Options of {@link startMoto}. */
export interface StartMotoOptions {
  /** Verify signatures after this many requests (moto's `INITIAL_NO_AUTH_ACTION_COUNT`). @defaultValue off */
  verifySignatures?: number;
  /** How long to wait for the server to listen. @defaultValue 30_000 */
  startTimeoutMs?: number;
}

const LISTENING = /Running on (http:\/\/127\.0\.0\.1:\d+)/;

/** Starts `python3 -m moto.server` on 127.0.0.1, port 0, and resolves once it answers. */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: "1" };
  // moto must never see real AWS settings from the test's environment.
  for (const name of Object.keys(env)) {
    if (name.startsWith("AWS_")) {
      Reflect.deleteProperty(env, name);
    }
  }
  if (options.verifySignatures !== undefined) {
    env["INITIAL_NO_AUTH_ACTION_COUNT"] = String(options.verifySignatures);
  }
  const child = spawn("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", "0"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const endpoint = await waitForListening(child, options.startTimeoutMs ?? 30_000);
  return {
    endpoint,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
      if (!response.ok) {
        throw new Error(`moto reset answered HTTP ${response.status}`);
      }
    },
    close: () => stop(child),
  };
}

function waitForListening(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`moto did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString("utf8");
      const match = LISTENING.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stderr?.off("data", onData);
        // Keep draining its output so a chatty server never blocks on a full pipe.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start python3 -m moto.server: ${error.message}`, { cause: error }));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`moto exited before listening (code ${String(code)}, signal ${String(signal)}):\n${output}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
