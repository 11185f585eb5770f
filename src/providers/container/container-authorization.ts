import type fs from "node:fs";
import { CredentialsError } from "../../errors.js";
import { CONTAINER_ENV_VARIABLES } from "./resolve-container-endpoint.js";

/**
 * The largest authorization token file read, in bytes: 16 KiB. An EKS Pod Identity token is a
 * JWT of about 1 KiB; a larger file is not a token, and is not sent as a header.
 */
export const MAX_CONTAINER_TOKEN_BYTES = 16 * 1024;

/** Where the `Authorization` header comes from; internal. */
export type ContainerAuthorization =
  | { readonly kind: "none" }
  | { readonly kind: "token"; readonly token: string }
  | { readonly kind: "file"; readonly path: string };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `node:fs`, loaded on the first token-file read rather than imported (the import stays cheap),
 * through `process.getBuiltinModule` (Node ≥ 20.16): no `createRequire`, which bundlers cannot follow.
 */
let nodeFs: typeof fs | undefined;
function loadFs(): typeof fs {
  nodeFs ??= process.getBuiltinModule("node:fs");
  return nodeFs;
}

/**
 * Which authorization applies: `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` wins over
 * `AWS_CONTAINER_AUTHORIZATION_TOKEN` (as in the AWS SDK for JavaScript v3, `fromHttp`), and
 * `note` says so when both are set. No I/O: the file is read on each request.
 */
export function containerAuthorization(env: Env): { authorization: ContainerAuthorization; note: string | undefined } {
  const file = env[CONTAINER_ENV_VARIABLES.authorizationTokenFile];
  const token = env[CONTAINER_ENV_VARIABLES.authorizationToken];
  if (file !== undefined && file !== "") {
    const note =
      token === undefined || token === ""
        ? undefined
        : `${CONTAINER_ENV_VARIABLES.authorizationTokenFile} and ${CONTAINER_ENV_VARIABLES.authorizationToken} are both set; the file wins (as in the AWS SDKs)`;
    return { authorization: { kind: "file", path: file }, note };
  }
  if (token !== undefined && token !== "") {
    return { authorization: { kind: "token", token }, note: undefined };
  }
  return { authorization: { kind: "none" }, note: undefined };
}

/**
 * The `Authorization` header value for one request, or `undefined` when none is configured. A token
 * file is read again on every call (EKS rotates it); one trailing newline (as `echo` writes) is
 * dropped. A value with any other CR, LF or control character is refused: it would let the value
 * inject headers into the request.
 *
 * @throws CredentialsError `CONTAINER_TOKEN_INVALID` (`tryNextLink: false`) for an unreadable,
 *   empty, oversized or malformed token; the message names the variable and the file, never the token.
 */
export async function readContainerAuthorization(authorization: ContainerAuthorization): Promise<string | undefined> {
  switch (authorization.kind) {
    case "none":
      return undefined;
    case "token":
      return checkToken(authorization.token, CONTAINER_ENV_VARIABLES.authorizationToken);
    case "file": {
      const variable = CONTAINER_ENV_VARIABLES.authorizationTokenFile;
      let bytes: Buffer;
      try {
        bytes = await loadFs().promises.readFile(authorization.path);
      } catch (error) {
        const code = typeof (error as { code?: unknown }).code === "string" ? (error as { code: string }).code : "unknown error";
        // The fs error's message is "ENOENT: no such file or directory, open '<path>'": no secret,
        // but kept out of the cause chain all the same (only its code is shown).
        throw tokenError(`${variable} names ${JSON.stringify(authorization.path)}, which cannot be read (${code})`);
      }
      if (bytes.length > MAX_CONTAINER_TOKEN_BYTES) {
        throw tokenError(`${variable} names ${JSON.stringify(authorization.path)}, which is ${bytes.length} bytes: larger than a token (${MAX_CONTAINER_TOKEN_BYTES} bytes at most)`);
      }
      const text = bytes.toString("utf8").replace(/\r?\n$/, "");
      if (text === "") {
        throw tokenError(`${variable} names ${JSON.stringify(authorization.path)}, which is empty`);
      }
      return checkToken(text, `the token in ${variable} (${JSON.stringify(authorization.path)})`);
    }
  }
}

/** Refuses CR, LF and other control characters (header injection), and non-Latin-1 text Node cannot send. */
function checkToken(token: string, what: string): string {
  if (/[\r\n]/.test(token)) {
    throw tokenError(`${what} contains a CR or LF character, which is not allowed in an HTTP header`);
  }
  if (hasCharCode(token, (code) => (code < 0x20 && code !== 0x09) || code === 0x7f || code > 0xff)) {
    throw tokenError(`${what} contains characters that are not allowed in an HTTP header`);
  }
  if (token.trim() === "") {
    throw tokenError(`${what} is blank`);
  }
  return token;
}

/** Whether any UTF-16 code unit of `text` matches `test`. */
function hasCharCode(text: string, test: (code: number) => boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    if (test(text.charCodeAt(i))) return true;
  }
  return false;
}

function tokenError(message: string): CredentialsError {
  return new CredentialsError(message, { source: "container", code: "CONTAINER_TOKEN_INVALID", tryNextLink: false });
}
