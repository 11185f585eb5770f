import { nearestKey } from "./nearest-names.js";

/**
 * Refuses option keys a factory does not know, at run time — the check TypeScript makes at compile
 * time, for JavaScript callers and for objects built at run time: `fromImds({ endpont })` must not
 * silently use the default endpoint. A `TypeError` naming the key, with the nearest known key as a
 * suggestion, or with the reason when the key is one a former version took (`retired`), or with the
 * option another API's name stands for (`aliases`).
 * @throws TypeError for the first unknown key.
 * @internal
 */
export function checkKnownOptions(
  options: object,
  known: readonly string[],
  where: string,
  retired: Readonly<Record<string, string>> = {},
  aliases: Readonly<Record<string, string>> = {},
): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const shown = printableKey(key);
    const why = Object.hasOwn(retired, key) ? retired[key] : undefined;
    if (why !== undefined) {
      throw new TypeError(`Unknown option \`${shown}\` of ${where}: ${why}`);
    }
    // Another API's or a CLI flag's name for an option (`roleSessionName` for `sessionName`) is
    // suggested even when it is not spelt alike.
    const suggestion = (Object.hasOwn(aliases, key) ? aliases[key] : undefined) ?? nearestKey(key, known);
    throw new TypeError(
      `Unknown option \`${shown}\` of ${where}` +
        (suggestion === undefined ? `; the known options are ${known.map((name) => `\`${name}\``).join(", ")}` : `; did you mean \`${suggestion}\`?`),
    );
  }
}

/** A key shown in a message: printable ASCII, cut short (a key is not a secret, but may be junk). @internal */
export function printableKey(key: string): string {
  const clean = key.replace(/[^\x20-\x7e]/g, "?");
  return clean.length > 60 ? `${clean.slice(0, 57)}...` : clean;
}
