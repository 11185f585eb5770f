// Installed size of a dependency closure: walk `dependencies` (and non-optional peers that are
// installed) from a package directory, resolving each name the way Node does (nearest
// node_modules upward), and sum the files of every distinct package directory (its nested
// node_modules excluded; those are counted when reached).
import { readFileSync, readdirSync, lstatSync, existsSync } from "node:fs";
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
