/*
 * Runs a command with a pseudo-terminal as its controlling terminal (python3's `pty`: the command's
 * `/dev/tty` is the pty) while its stdout goes to a pipe of its own — as when the AWS CLI, run from
 * a terminal, runs a credential_process whose stdout it reads. The harness "types" an answer once a
 * prompt appears on the terminal, and reports what the command printed on stdout, what appeared on
 * the terminal, how many prompts there were, and the exit code.
 */
import { execFile } from "node:child_process";

const HARNESS = `
import json, os, pty, select, sys, time
spec = json.loads(sys.argv[1])
r, w = os.pipe()
pid, master = pty.fork()
if pid == 0:
    os.dup2(w, 1)
    os.close(r); os.close(w)
    os.execvpe(spec["argv"][0], spec["argv"], os.environ)
os.close(w)
terminal = b""; out = b""; answered = False
deadline = time.time() + spec["timeoutSeconds"]
open_fds = [master, r]
while open_fds and time.time() < deadline:
    ready, _, _ = select.select(open_fds, [], [], 0.2)
    for fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        if not data:
            open_fds.remove(fd)
            continue
        if fd == master:
            terminal += data
            if not answered and spec["answer"] is not None and spec["prompt"].encode() in terminal:
                os.write(master, spec["answer"].encode())
                answered = True
        else:
            out += data
if open_fds:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
text = terminal.decode(errors="replace")
print(json.dumps({"stdout": out.decode(errors="replace"), "terminal": text, "prompts": text.count(spec["prompt"]), "exitCode": os.waitstatus_to_exitcode(status)}))
`;

/** What a command run on a pseudo-terminal did. */
export interface PtyRun {
  /** Its standard output (a pipe, not the terminal). */
  stdout: string;
  /** Everything written to the terminal: prompts, the echoed answer, stderr. */
  terminal: string;
  /** How many times `prompt` appeared on the terminal. */
  prompts: number;
  exitCode: number;
}

/**
 * Runs `argv` on a pseudo-terminal in `env`; types `answer` (with its newline) once `prompt` shows.
 * @param answer - what to type; `null` types nothing.
 */
export function runOnPty(argv: readonly string[], options: { env: Record<string, string>; prompt: string; answer: string | null; timeoutSeconds?: number }): Promise<PtyRun> {
  const spec = JSON.stringify({ argv, prompt: options.prompt, answer: options.answer, timeoutSeconds: options.timeoutSeconds ?? 60 });
  return new Promise((resolve, reject) => {
    execFile("python3", ["-c", HARNESS, spec], { env: options.env, timeout: ((options.timeoutSeconds ?? 60) + 15) * 1000, maxBuffer: 8 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) {
        reject(new Error(`the pty harness failed: ${error.message}\n${stderr}`));
        return;
      }
      resolve(JSON.parse(stdout) as PtyRun);
    });
  });
}
