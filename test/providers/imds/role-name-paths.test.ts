/*
 * Issue 12 item 10 (IMDS part): role names are path segments. `.` and `..` pass the IAM pattern
 * but a URL resolves them as "here" and "the parent", so they would ask another path.
 */
import { describe, expect, it } from "vitest";
import { isValidRoleName, parseRoleName } from "../../../src/providers/imds/parse-role-name.js";
import { imdsProvider, rejection, ROLE_LIST, useEmulators } from "./helpers.js";

const start = useEmulators();

describe("role names that would change the request path", () => {
  it.each([".", ".."])("refuses %j as a roleName option", (roleName) => {
    expect(() => imdsProvider({ endpoint: "http://127.0.0.1:1" }, { roleName })).toThrow(TypeError);
  });

  it.each([".", ".."])("refuses %j in the role list as a bad response", (role) => {
    expect(() => parseRoleName(`${role}\n`)).toThrow(expect.objectContaining({ code: "IMDS_BAD_RESPONSE" }));
  });

  it("keeps accepting names with dots that are not dot segments", () => {
    expect(["...", ".role", "role.", "a..b"].every((name) => isValidRoleName(name))).toBe(true);
  });

  it("never asks another path when IMDS lists the role ..", async () => {
    const imds = await start({ roleName: ".." });
    const error = await rejection(imdsProvider(imds)());
    expect(error).toMatchObject({ code: "IMDS_BAD_RESPONSE", tryNextLink: false });
    expect(imds.log.filter((request) => request.method === "GET").map((request) => request.path)).toEqual([ROLE_LIST]);
  });
});
