/**
 * The variable that lists the credential processes running above a child: for each, a short hash
 * of its command line (never the line: it may hold a secret) and the id of the process that runs
 * it (`<16 hex>@<pid>`, comma-separated). A process about to run one of those command lines again
 * is in a loop (`PROCESS_LOOP`, stopped at the first nested run); a file cache lock held by one of
 * those processes is held by an ancestor waiting for this very process, and is not waited for.
 * @internal
 */
export const CREDENTIAL_PROCESS_CHAIN_VARIABLE = "ENV_OR_PROFILE_CREDENTIAL_PROCESS_CHAIN";

/** One credential process running above this one. @internal */
export interface ChainEntry {
  /** The hash of its command line. */
  readonly id: string;
  /** The process that runs it (waiting for its child). */
  readonly pid: number;
}

/** The entries of {@link CREDENTIAL_PROCESS_CHAIN_VARIABLE} in `env`; malformed ones are ignored. @internal */
export function processChain(env: Readonly<Record<string, string | undefined>>): ChainEntry[] {
  return (env[CREDENTIAL_PROCESS_CHAIN_VARIABLE] ?? "").split(",").flatMap((entry) => {
    const match = /^([0-9a-f]{16})@(\d{1,10})$/.exec(entry.trim());
    return match === null ? [] : [{ id: match[1] ?? "", pid: Number(match[2]) }];
  });
}

/** The variable's value with `entry` added. @internal */
export function withChainEntry(chain: readonly ChainEntry[], entry: ChainEntry): string {
  return [...chain, entry].map(({ id, pid }) => `${id}@${String(pid)}`).join(",");
}
