/**
 * Splits a `credential_process` command line into the program and its arguments the way the AWS
 * CLI does on Linux and macOS (botocore's `compat_shell_split`, which is Python's `shlex.split` in
 * POSIX mode): whitespace separates words; `'…'` is literal; inside `"…"` a backslash escapes only
 * `"` and `\`; outside quotes a backslash escapes any character; `#` is an ordinary character. No
 * shell runs, so `$VAR`, `~`, globs, pipes and `;` are passed through as text.
 *
 * @param commandLine - the setting's value.
 * @returns the words, at least one.
 * @throws TypeError for an unterminated quote, a trailing backslash or an empty command; the
 *   message does not repeat the command line (it may hold a secret).
 * @example
 * The line `/opt/bin/creds --profile "my team" --flag='a b'` splits into
 * `["/opt/bin/creds", "--profile", "my team", "--flag=a b"]`.
 * @internal
 */
export function splitCommandLine(commandLine: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let index = 0; index < commandLine.length; index++) {
    const char = commandLine[index] ?? "";
    if (quote === "'") {
      if (char === "'") {
        quote = undefined;
      } else {
        word += char;
      }
      continue;
    }
    if (quote === '"') {
      if (char === '"') {
        quote = undefined;
      } else if (char === "\\" && (commandLine[index + 1] === '"' || commandLine[index + 1] === "\\")) {
        word += commandLine[index + 1] ?? "";
        index += 1;
      } else {
        word += char;
      }
      continue;
    }
    if (/\s/.test(char)) {
      if (inWord) {
        words.push(word);
        word = "";
        inWord = false;
      }
      continue;
    }
    inWord = true;
    if (char === "'" || char === '"') {
      quote = char;
    } else if (char === "\\") {
      if (index + 1 >= commandLine.length) {
        throw new TypeError("The credential_process command line ends with a backslash (nothing to escape)");
      }
      word += commandLine[index + 1] ?? "";
      index += 1;
    } else {
      word += char;
    }
  }
  if (quote !== undefined) {
    throw new TypeError(`The credential_process command line has an unterminated ${quote === "'" ? "single" : "double"} quote`);
  }
  if (inWord) {
    words.push(word);
  }
  if (words.length === 0 || words[0] === "") {
    throw new TypeError("The credential_process command line is empty");
  }
  return words;
}
