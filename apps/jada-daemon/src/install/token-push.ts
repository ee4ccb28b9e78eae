// `jada tokens push` and `jada auth google --push`: an account's record copied into the token
// store of the daemon on its host, so the alert's fix (re-consent on a laptop) fixes the host.
// The record travels on the stdin of `jada tokens import`, run there as the service user: never
// on a command line, in an environment variable, or in a log; the host's store writes it
// atomically with mode 0600, owned by that user. Then the host checks the account itself.
import type { AccountRecord, ResolvedClient, TokenHealth } from "@jada/google-token";
import type { RemoteShell } from "@jada/lightsail-health";
import { asServiceUserScript, lastLines } from "./remote-scripts.js";

/** One account to push: its record with the client inline (the host has no client file). */
export interface PushedAccount {
  account: string;
  record: AccountRecord & { client: ResolvedClient };
}

/** What the host said about an account once it had it. */
export interface PushResult {
  account: string;
  /** Where the host keeps it. */
  storePath: string;
  /** `jada tokens check --account X` on the host (its own refresh, with its own clock). */
  health: TokenHealth & { fix: string | null };
}

/** A step on the host that failed, and what it said (never a secret: the host prints none). */
export class TokenPushError extends Error {
  override readonly name = "TokenPushError";
}

/** Pushes each account, then has the host check it. */
export async function pushTokens(options: {
  shell: RemoteShell;
  user: string;
  accounts: PushedAccount[];
}): Promise<PushResult[]> {
  const results: PushResult[] = [];
  for (const { account, record } of options.accounts) {
    const imported = await options.shell.run(
      asServiceUserScript(options.user, ["tokens", "import", "--account", account, "--json"]),
      { input: JSON.stringify(record), timeoutMs: 60_000 },
    );
    if (imported.exitCode !== 0)
      throw new TokenPushError(`${account}: the host refused the record: ${said(imported)}`);
    const { path } = JSON.parse(imported.stdout) as { path: string };
    const checked = await options.shell.run(
      asServiceUserScript(options.user, ["tokens", "check", "--account", account, "--json"]),
      { timeoutMs: 60_000 },
    );
    // `tokens check` exits 1 or 2 for an account that is not ok, with the report on stdout.
    let health: PushResult["health"] | undefined;
    try {
      [health] = JSON.parse(checked.stdout) as PushResult["health"][];
    } catch {
      health = undefined;
    }
    if (health === undefined)
      throw new TokenPushError(
        `${account}: stored, but the host could not check it: ${said(checked)}`,
      );
    results.push({ account, storePath: path, health });
  }
  return results;
}

function said(result: { exitCode: number; stdout: string; stderr: string }): string {
  const text = lastLines(result, 3);
  return `${text || "no output"} (exit ${result.exitCode})`;
}
