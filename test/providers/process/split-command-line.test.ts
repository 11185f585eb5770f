import { describe, expect, it } from "vitest";
import { splitCommandLine } from "../../../src/providers/process/split-command-line.js";

describe("splitCommandLine (the AWS CLI's shlex.split, POSIX mode)", () => {
  it("splits on runs of whitespace", () => {
    expect(splitCommandLine("  /usr/bin/creds   --role\tdeploy \n")).toEqual(["/usr/bin/creds", "--role", "deploy"]);
  });

  it("keeps single-quoted text literally, backslashes included", () => {
    expect(splitCommandLine(String.raw`creds 'a b' 'c\d' ''`)).toEqual(["creds", "a b", String.raw`c\d`, ""]);
  });

  it("lets a backslash escape only a double quote or a backslash inside double quotes", () => {
    expect(splitCommandLine(String.raw`creds "say \"hi\"" "c:\dir\\" "$HOME"`)).toEqual(["creds", 'say "hi"', String.raw`c:\dir` + "\\", "$HOME"]);
  });

  it("lets a backslash escape any character outside quotes", () => {
    expect(splitCommandLine(String.raw`creds a\ b \'x\'`)).toEqual(["creds", "a b", "'x'"]);
  });

  it("joins quoted and bare parts of one word", () => {
    expect(splitCommandLine(`creds --flag='a b'"c d"e`)).toEqual(["creds", "--flag=a bc de"]);
  });

  it("passes shell syntax through as text: no shell runs", () => {
    expect(splitCommandLine("creds $(id) ; rm -rf / | tee # not a comment")).toEqual(["creds", "$(id)", ";", "rm", "-rf", "/", "|", "tee", "#", "not", "a", "comment"]);
  });

  it("refuses an unterminated quote without repeating the command line", () => {
    expect(() => splitCommandLine(`creds --secret "s3cr3t-value`)).toThrow(/unterminated double quote$/);
    expect(() => splitCommandLine(`creds 's3cr3t`)).toThrow(/unterminated single quote$/);
  });

  it("refuses a trailing backslash and an empty command", () => {
    expect(() => splitCommandLine("creds \\")).toThrow(/ends with a backslash/);
    expect(() => splitCommandLine("   ")).toThrow(/is empty/);
    expect(() => splitCommandLine("'' --x")).toThrow(/is empty/);
  });
});
