import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";
import { checkExamples, exampleBlocks } from "../../scripts/check-tsdoc-examples.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
// Not under .tsdoc-examples/, which `npm run check:examples` empties.
const work = join(root, "node_modules", ".cache", `tsdoc-examples-test-${process.pid}`);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const SOURCE = `/**
 * Not an example:
 * \`\`\`ts
 * notChecked();
 * \`\`\`
 * @param x - a number.
 * @example
 * Prose before the code.
 * \`\`\`ts
 * import { manualClock } from "env-or-profile/testing";
 * const clock = manualClock();
 * \`\`\`
 * \`\`\`sh
 * npm test
 * \`\`\`
 * @example
 * \`\`\`typescript
 * import { helper } from "./helper.js";
 * helper(1);
 * \`\`\`
 */
export function documented(x: number): number {
  return x;
}
`;

describe("the TSDoc example check", () => {
  it("takes the ts blocks of @example sections only, with the source line of their first code line", () => {
    expect(exampleBlocks(SOURCE)).toEqual([
      { line: 10, code: 'import { manualClock } from "env-or-profile/testing";\nconst clock = manualClock();' },
      { line: 18, code: 'import { helper } from "./helper.js";\nhelper(1);' },
    ]);
  });

  it("takes the ts blocks of a @packageDocumentation overview too", () => {
    expect(exampleBlocks("/**\n * Overview.\n * ```ts\n * const a = 1;\n * ```\n * @packageDocumentation\n */\n")).toEqual([{ line: 4, code: "const a = 1;" }]);
  });

  it("passes compiling examples (package imports by name, relative imports from the source's folder) and reports a broken one at its source line", () => {
    const src = join(work, "src");
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, "helper.ts"), "export function helper(n: number): number {\n  return n;\n}\n");
    writeFileSync(join(src, "documented.ts"), SOURCE);
    const errors: string[] = [];
    const logs: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: string) => void errors.push(line));
    vi.spyOn(console, "log").mockImplementation((line: string) => void logs.push(line));
    try {
      expect(checkExamples({ srcDir: src, outDir: join(work, "out-good") })).toBe(0);
      expect(logs.join("\n")).toContain("2 blocks from 1 files type-check");

      writeFileSync(join(src, "documented.ts"), SOURCE.replace("helper(1);", 'helper("one");'));
      expect(checkExamples({ srcDir: src, outDir: join(work, "out-bad") })).toBe(1);
      const relativeFile = join("node_modules", ".cache", `tsdoc-examples-test-${process.pid}`, "src", "documented.ts");
      expect(errors.join("\n")).toContain(`${relativeFile}:19:8 (@example) error TS2345`);
    } finally {
      vi.restoreAllMocks();
    }
  }, 60_000);
});
