// Installed size. `packedInstallSizes()` (what the bench reports): `npm pack` + `npm install` into an
// empty project, offline from the npm cache, and the bytes of node_modules. `closure()` (kept for
// quick checks): the installed size of a dependency closure: walk `dependencies` (and non-optional peers that are
// installed) from a package directory, resolving each name the way Node does (nearest
// node_modules upward), and sum the files of every distinct package directory (its nested
// node_modules excluded; those are counted when reached).
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

function readJson(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}

function resolvePackageDir(name, fromDir) {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Bytes of the files under `dir`, not following symlinks, skipping `node_modules` (and `skip`). */
export function dirBytes(dir, skip = new Set(["node_modules"])) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += dirBytes(path, new Set(["node_modules"]));
    else if (entry.isFile()) total += lstatSync(path).size;
  }
  return total;
}

/**
 * The runtime closure of `names` resolved from `fromDir`: `{ packages, bytes }`.
 * @param {string[]} names
 * @param {string} fromDir
 */
export function closure(names, fromDir) {
  const seen = new Set();
  const missing = [];
  const queue = names.map((name) => ({ name, fromDir }));
  while (queue.length > 0) {
    const { name, fromDir: from } = queue.shift();
    const dir = resolvePackageDir(name, from);
    if (dir === undefined) {
      missing.push(name);
      continue;
    }
    if (seen.has(dir)) continue;
    seen.add(dir);
    const pkg = readJson(join(dir, "package.json"));
    for (const dep of Object.keys(pkg.dependencies ?? {})) queue.push({ name: dep, fromDir: dir });
    const optionalPeers = pkg.peerDependenciesMeta ?? {};
    for (const dep of Object.keys(pkg.peerDependencies ?? {})) {
      if (!optionalPeers[dep]?.optional && resolvePackageDir(dep, dir)) queue.push({ name: dep, fromDir: dir });
    }
  }
  let bytes = 0;
  for (const dir of seen) bytes += dirBytes(dir);
  return { packages: seen.size, bytes, missing };
}

/** Sizes for the bench: ours (as declared), ours without the AWS SDK packages, and the SDK's. */
export function installedSizes(root) {
  const pkg = readJson(join(root, "package.json"));
  const deps = Object.keys(pkg.dependencies ?? {});
  const distBytes = existsSync(join(root, "dist")) ? dirBytes(join(root, "dist"), new Set(["node_modules"])) : 0;
  const ours = closure(deps, root);
  const withoutSdk = closure(
    deps.filter((d) => !d.startsWith("@aws-sdk/")),
    root,
  );
  const sdk = closure(["@aws-sdk/credential-providers"], root);
  return {
    dependencies: deps,
    distBytes,
    ours: { ...ours, bytes: ours.bytes + distBytes },
    oursWithoutSdk: { ...withoutSdk, bytes: withoutSdk.bytes + distBytes },
    sdk,
  };
}

/** Bytes of every file under `dir` (nested node_modules included), not following symlinks. */
function treeBytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += treeBytes(path);
    else if (entry.isFile()) total += lstatSync(path).size;
  }
  return total;
}

/** Package directories under a node_modules folder, nested ones included. */
function countPackages(nodeModules) {
  let count = 0;
  if (!existsSync(nodeModules)) return 0;
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const dirs = entry.name.startsWith("@")
      ? readdirSync(join(nodeModules, entry.name), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(nodeModules, entry.name, e.name))
      : [join(nodeModules, entry.name)];
    for (const dir of dirs) {
      if (existsSync(join(dir, "package.json"))) count += 1;
      count += countPackages(join(dir, "node_modules"));
    }
  }
  return count;
}

function npm(args, cwd) {
  return execFileSync("npm", args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, npm_config_fund: "false", npm_config_audit: "false", npm_config_update_notifier: "false" },
  });
}

/**
 * A new project under `parent` whose package.json depends on `dependencies`, installed with
 * `npm install --offline --omit=dev` against a copy of `root`'s lockfile: the registry is never
 * asked (the lockfile pins every version and the tarballs are in the npm cache since `npm ci`).
 */
function installInto(parent, name, root, dependencies) {
  const dir = join(parent, name);
  mkdirSync(dir);
  const lock = readJson(join(root, "package-lock.json"));
  const rootPkg = readJson(join(root, "package.json"));
  const pkg = { name: rootPkg.name, version: rootPkg.version, private: true, dependencies };
  lock.packages[""] = { ...lock.packages[""], dependencies, devDependencies: undefined };
  writeFileSync(join(dir, "package.json"), JSON.stringify(pkg));
  writeFileSync(join(dir, "package-lock.json"), JSON.stringify(lock));
  npm(["install", "--offline", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], dir);
  return join(dir, "node_modules");
}

const measure = (nodeModules) => ({ packages: countPackages(nodeModules), bytes: treeBytes(nodeModules) });

/**
 * What users really get: `npm pack` of `root` (its dist/ as built) with its runtime dependencies
 * installed into an empty project, next to `@aws-sdk/credential-providers` (the version installed
 * in `root`) installed the same way; both offline, from the local npm cache, versions as root's
 * lockfile pins them. Sizes are apparent bytes of every file under node_modules.
 */
export function packedInstallSizes(root) {
  const tmp = mkdtempSync(join(tmpdir(), "env-or-profile-size-"));
  try {
    const [packed] = JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", tmp], root));
    const sdkVersion = readJson(join(root, "node_modules", "@aws-sdk", "credential-providers", "package.json")).version;
    const rootPkg = readJson(join(root, "package.json"));
    // Ours: our runtime dependencies as the lockfile pins them, and the packed tarball itself
    // unpacked as node_modules/env-or-profile (what `npm install env-or-profile` lays out).
    const oursModules = installInto(tmp, "ours", root, rootPkg.dependencies ?? {});
    const self = join(oursModules, "env-or-profile");
    mkdirSync(self, { recursive: true });
    execFileSync("tar", ["-xzf", join(tmp, packed.filename), "-C", self, "--strip-components=1"]);
    const ours = measure(oursModules);
    const sdkModules = installInto(tmp, "sdk", root, { "@aws-sdk/credential-providers": sdkVersion });
    const sdk = measure(sdkModules);
    return {
      sdkVersion,
      tarballBytes: packed.size,
      ours: { packages: ours.packages, bytes: ours.bytes, selfBytes: treeBytes(self) },
      sdk: { packages: sdk.packages, bytes: sdk.bytes, selfBytes: treeBytes(join(sdkModules, "@aws-sdk", "credential-providers")) },
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
