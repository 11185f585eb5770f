// `npm run example <name>`: runs examples/<name>.ts on whichever Node runs npm (20.19, 22, 24 —
// no type stripping needed). The npm script builds the package and compiles examples/ with tsc
// into .examples-build/ first; the compiled example imports "env-or-profile" by name, which
// resolves, through the package's own exports map, to dist/ — as it would in a user's project.
// An example that is a test file (examples/<name>.test.ts) runs under vitest instead.
//
//   npm run example                  lists the examples
//   npm run example s3-drop-in       runs one
//   npm run example -- --all         runs every one (CI does)
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const examples = readdirSync(new URL("../examples/", import.meta.url))
  .filter((file) => file.endsWith(".ts"))
  .map((file) => file.replace(/\.ts$/, ""))
  .filter((name) => name !== "examples.test") // the test that runs the others
  .sort();

/** The first sentence of an example's header comment. */
function summary(name) {
  const text = readFileSync(new URL(`../examples/${name}.ts`, import.meta.url), "utf8");
  const header = /^\/\*\*([\s\S]*?)\*\//.exec(text)?.[1] ?? "";
  const prose = header.replace(/^\s*\* ?/gm, "").replace(/\s+/g, " ").trim();
  const sentence = /^(.*?\.)(\s|$)/.exec(prose)?.[1] ?? prose;
  return sentence.length <= 100 ? sentence : `${sentence.slice(0, 99)}…`;
}

function run(name) {
  const short = name.replace(/\.test$/, "");
  console.log(`== example ${short}`);
  let result;
  if (name.endsWith(".test")) {
    const vitest = join(dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs");
    result = spawnSync(process.execPath, [vitest, "run", `examples/${name}.ts`], { cwd: root, stdio: "inherit" });
  } else {
    const compiled = new URL(`../.examples-build/${name}.js`, import.meta.url);
    if (!existsSync(compiled)) {
      console.error(`.examples-build/${name}.js is missing: run it as \`npm run example ${short}\` (which compiles examples/ first)`);
      return 1;
    }
    // The preload drops only the AWS SDK's notice that its 2027 releases need Node 22 (a dozen lines
    // on Node 20 that say nothing about the example), as the CLI and the tests do.
    result = spawnSync(process.execPath, ["--import", fileURLToPath(new URL("quiet-sdk-version-warning.mjs", import.meta.url)), fileURLToPath(compiled)], { cwd: root, stdio: "inherit" });
  }
  return result.status ?? 1;
}

const args = process.argv.slice(2);
if (args.includes("--all")) {
  let failed = 0;
  for (const name of examples) if (run(name) !== 0) failed += 1;
  process.exit(failed === 0 ? 0 : 1);
}
const [wanted] = args;
if (wanted === undefined) {
  console.log("Examples (npm run example <name>):");
  for (const name of examples) console.log(`  ${name.replace(/\.test$/, "").padEnd(28)} ${summary(name)}`);
  process.exit(0);
}
const name = examples.find((candidate) => candidate === wanted || candidate === `${wanted}.test` || `${candidate}.ts` === wanted);
if (name === undefined) {
  console.error(`no example "${wanted}"; there are: ${examples.map((n) => n.replace(/\.test$/, "")).join(", ")}`);
  process.exit(2);
}
process.exit(run(name));
