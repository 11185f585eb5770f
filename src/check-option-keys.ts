import { nearestNames } from "./providers/profile/nearest-names.js";

/**
 * Refuses option keys a factory does not know, the way `fromConfig` refuses unknown config keys: a
 * misspelt option (`durationSecond`, `private_key`) is otherwise silently ignored and its default
 * used, which for credentials means another certificate, region or lifetime than the one meant.
 * Keys whose value is `undefined` are refused too (a typo is a typo whatever its value).
 *
 * @param options - the options object as the caller passed it.
 * @param known - every key the factory reads.
 * @param factory - the factory's name, for the message, e.g. `"fromRolesAnywhere"`.
 * @param aliases - other names a caller may reach for (another API's, a CLI flag's), each with the
 *   key meant, e.g. `{ roleSessionName: "sessionName" }`: suggested even when not spelt alike.
 * @throws TypeError naming the first unknown key, with the nearest known key when one is close
 *   (“did you mean”), else the list of known keys.
 * @example
 * ```ts
 * import { checkOptionKeys } from "./check-option-keys.js";
 *
 * checkOptionKeys({ regoin: "eu-west-1" }, ["region", "endpoint"], "fromExample");
 * // TypeError: Unknown option `regoin` of fromExample; did you mean `region`?
 * ```
 */
export function checkOptionKeys(options: object, known: readonly string[], factory: string, aliases: Readonly<Record<string, string>> = {}): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const shown = JSON.stringify(key.length > 60 ? `${key.slice(0, 57)}...` : key).slice(1, -1);
    // Compare without `_` and `-` too, so snake_case and kebab-case spellings find their camelCase key.
    const squashed = key.replace(/[_-]/g, "");
    const near = (Object.hasOwn(aliases, key) ? aliases[key] : undefined) ?? nearestNames(squashed, known).find((name) => name !== key) ?? nearestNames(key, known)[0];
    throw new TypeError(
      near === undefined
        ? `Unknown option \`${shown}\` of ${factory}; the options are ${known.map((name) => `\`${name}\``).join(", ")}`
        : `Unknown option \`${shown}\` of ${factory}; did you mean \`${near}\`?`,
    );
  }
}
