/*
 * Lists, at the end of a run, the tests that were not run because a peer they need is missing
 * (test/helpers/peers.ts skips them with a note saying which peer, why, and how to install it):
 * a skip that explains itself, so a green `npm test` on a machine without the AWS CLI v2 or moto
 * does not read as "everything was tested".
 */
import type { Reporter, TestModule } from "vitest/node";
import { PEER_NOTE_PREFIX } from "../helpers/peers.js";

export default class PeersReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[]): void {
    // note → test file → how many of its tests were not run
    const byNote = new Map<string, Map<string, number>>();
    for (const module of testModules) {
      for (const test of module.children.allTests("skipped")) {
        const result = test.result();
        const note = result.state === "skipped" ? result.note : undefined;
        if (note?.startsWith(PEER_NOTE_PREFIX) === true) {
          let files = byNote.get(note);
          if (files === undefined) {
            files = new Map();
            byNote.set(note, files);
          }
          files.set(module.relativeModuleId, (files.get(module.relativeModuleId) ?? 0) + 1);
        }
      }
    }
    if (byNote.size === 0) {
      return;
    }
    const lines = ["", "Not run — a peer they need is missing on this machine (CI installs every peer, and fails without one):"];
    for (const [note, files] of byNote) {
      lines.push(`  ${note.slice(PEER_NOTE_PREFIX.length)}`);
      for (const [file, count] of files) {
        lines.push(`    ${file}: ${String(count)} test(s) not run`);
      }
    }
    process.stdout.write(`${lines.join("\n")}\n\n`);
  }
}
