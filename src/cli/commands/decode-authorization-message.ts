import { resolveStsLocation, type StsLocation } from "../../providers/sts/sts-location.js";
import { sendSts } from "../../providers/sts/sts-transport.js";
import { EXIT, type CliIo } from "../cli-io.js";
import { reason } from "../format.js";
import type { RoleRequest } from "../parse-cli-args.js";
import { prepareTrace } from "../resolve-with-trace.js";
import { UsageError } from "../usage-error.js";

/** Time allowed to reach STS and to get its answer, in ms. */
export const DECODE_TIMEOUT_MS = 10_000;

/**
 * `env-or-profile decode-authorization-message <encoded>`: decodes the "Encoded authorization
 * failure message" of an AccessDenied error (BOSH's docs show one for a missing `iam:PassRole`) with STS
 * `DecodeAuthorizationMessage`, signed with the chain's credentials, and pretty-prints the JSON.
 * `-` reads the message from standard input; a pasted `Encoded authorization failure message:`
 * prefix is dropped. The AWS SDK is loaded only here.
 *
 * Where STS is: as every STS call of env-or-profile reads it (`resolveStsLocation`: `AWS_REGION`,
 * `AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, FIPS, dual-stack; else the
 * role's partition's region, else us-east-1). The caller needs `sts:DecodeAuthorizationMessage`.
 * @returns the exit code: 0 decoded, 1 no credentials or STS refused.
 */
export async function decodeAuthorizationMessageCommand(
  options: { role: RoleRequest | undefined; encoded: string; profile?: string | undefined; noProfile?: boolean | undefined },
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

  const result = await prepareTrace(io, options.role, { profile: options.profile, noProfile: options.noProfile })();
  const credential = result.credential;
  if (credential === undefined) {
    io.stderr(`env-or-profile decode-authorization-message: no credentials to call STS with: ${reason(result.error)}\n`);
    return EXIT.failure;
  }
  let location: StsLocation;
  try {
    location = resolveStsLocation({ env: io.env, ...(options.role === undefined ? {} : { roleArn: options.role.roleArn }) });
  } catch (error) {
    io.stderr(`env-or-profile decode-authorization-message: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failure;
  }
  let decoded: string | undefined;
  try {
    decoded = (
      await sendSts({
        source: "decode-authorization-message",
        location,
        timeoutMs: DECODE_TIMEOUT_MS,
        signing: credential,
        requestKey: `DecodeAuthorizationMessage ${encoded}`,
        send: (client, { DecodeAuthorizationMessageCommand }, abortSignal) =>
          client.send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }), { abortSignal }),
      })
    ).DecodedMessage;
  } catch (error) {
    io.stderr(`env-or-profile decode-authorization-message: STS did not decode it: ${reason(error, credential)}\n`);
    return EXIT.failure;
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
