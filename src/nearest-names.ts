/**
 * The names within a small edit distance of `name` (case-insensitive), nearest first: "did you
 * mean" for a misspelt profile. At most three.
 * @internal
 */
export function nearestNames(name: string, candidates: readonly string[]): string[] {
  const target = name.toLowerCase();
  const allowed = target.length <= 4 ? 1 : target.length <= 8 ? 2 : 3;
  return candidates
    .filter((candidate) => candidate !== name)
    .map((candidate) => ({ candidate, distance: editDistance(target, candidate.toLowerCase()) }))
    .filter(({ distance }) => distance <= allowed)
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .slice(0, 3)
    .map(({ candidate }) => candidate);
}

/** Edit distance with swaps (optimal string alignment), giving up (Infinity) when the lengths differ by more than 3. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) {
    return Number.POSITIVE_INFINITY;
  }
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (before[j - 2] ?? 0) + 1); // two letters swapped count as one edit
      }
      current[j] = best;
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? Number.POSITIVE_INFINITY;
}

/**
 * The known key nearest to a misspelt `key` — ignoring case, `_` and `-`, within a small edit
 * distance — or `undefined`: "did you mean" for an option or config key. Among equally near
 * spellings, the one in the key's own style (snake_case or camelCase) wins.
 * @internal
 */
export function nearestKey(key: string, candidates: readonly string[]): string | undefined {
  const squash = (text: string): string => text.toLowerCase().replace(/[_-]/g, "");
  const target = squash(key);
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const snake = key.includes("_");
  for (const candidate of candidates) {
    const distance = editDistance(target, squash(candidate)) + (candidate.includes("_") === snake ? 0 : 0.5);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = target.length <= 5 ? 1 : 2;
  return bestDistance <= allowed ? best : undefined;
}
