import { DEFAULT_STS_REGION } from "../../providers/assume-role.js";
import { EXIT, type CliIo } from "../cli-io.js";
import { reason } from "../format.js";
import type { RoleRequest } from "../parse-cli-args.js";
import { prepareTrace } from "../resolve-with-trace.js";
import { UsageError } from "../usage-error.js";

/** Time allowed to reach STS and to get its answer, in ms. */
export const DECODE_TIMEOUT_MS = 10_000;

/**
 * `env-or-profile decode-authorization-message <encoded>`: decodes the "Encoded authorization
 * failure message" of an AccessDenied error (seed 000: BOSH's missing `iam:PassRole`) with STS
 * `DecodeAuthorizationMessage`, signed with the chain's credentials, and pretty-prints the JSON.
 * `-` reads the message from standard input; a pasted `Encoded authorization failure message:`
 * prefix is dropped. The AWS SDK is loaded only here.
 *
 * The region is `AWS_REGION`, else `AWS_DEFAULT_REGION`, else us-east-1; the endpoint
 * `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`, else STS's regional one. The caller needs
 * `sts:DecodeAuthorizationMessage`.
 * @returns the exit code: 0 decoded, 1 no credentials or STS refused.
 */
export async function decodeAuthorizationMessageCommand(
  options: { role: RoleRequest | undefined; encoded: string; profile?: string | undefined },
  io: CliIo,
): Promise<number> {
  let encoded = options.encoded;
  if (encoded === "-") {
    if (io.readStdin === undefined) {
      throw new UsageError("cannot read standard input here", "decode-authorization-message");
    }
    encoded = await io.readStdin();
  }
  encoded = encoded.replace(/^[\s\S]*Encoded authorization failure message:\s*/i, "").trim();
  if (encoded === "") {
    throw new UsageError("the encoded message is empty", "decode-authorization-message");
  }
  if (!/^[\w.~+/=-]+$/.test(encoded)) {
    throw new UsageError("the encoded message has characters an encoded authorization message does not (copy it whole, without quotes)", "decode-authorization-message");
  }

  const result = await prepareTrace(io, options.role, { profile: options.profile })();
  const credential = result.credential;
  if (credential === undefined) {
    io.stderr(`env-or-profile decode-authorization-message: no credentials to call STS with: ${reason(result.error)}\n`);
    return EXIT.failure;
  }
  const region = nonEmpty(io.env["AWS_REGION"]) ?? nonEmpty(io.env["AWS_DEFAULT_REGION"]) ?? DEFAULT_STS_REGION;
  const endpoint = nonEmpty(io.env["AWS_ENDPOINT_URL_STS"]) ?? nonEmpty(io.env["AWS_ENDPOINT_URL"]);

  const { STSClient, DecodeAuthorizationMessageCommand } = await import("@aws-sdk/client-sts");
  const client = new STSClient({
    region,
    credentials: { ...credential },
    ...(endpoint === undefined ? {} : { endpoint }),
    maxAttempts: 2,
    requestHandler: { connectionTimeout: DECODE_TIMEOUT_MS, requestTimeout: DECODE_TIMEOUT_MS, throwOnRequestTimeout: true },
  });
  let decoded: string | undefined;
  try {
    decoded = (await client.send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }))).DecodedMessage;
  } catch (error) {
    io.stderr(`env-or-profile decode-authorization-message: STS did not decode it: ${reason(error, credential)}\n`);
    return EXIT.failure;
  } finally {
    client.destroy();
  }
  if (decoded === undefined) {
    io.stderr("env-or-profile decode-authorization-message: STS answered without a DecodedMessage\n");
    return EXIT.failure;
  }
  let pretty = decoded;
  try {
    pretty = JSON.stringify(JSON.parse(decoded) as unknown, null, 2);
  } catch {
    // Not JSON: print it as STS gave it.
  }
  io.stdout(`${pretty}\n`);
  return EXIT.ok;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
