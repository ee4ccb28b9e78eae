import { spawn } from "node:child_process";
import { resolve } from "node:path";
import type { ClientConfig, TokenHealth } from "@jada/google-token";
import type { Command } from "commander";
import { instanceAccess } from "../../compose/instance-access.js";
import { JadaCliError } from "../../errors.js";
import { type CliIo, readAllStdin } from "../../io.js";
import { toCliError } from "../../render/errors.js";
import { renderTokenFix } from "../../render/fixes.js";
import { formatTime, renderJson, renderTable } from "../../render/table.js";
import type { CommandContext } from "../context.js";

/** Exit codes of `jada tokens check`. */
export const TOKENS_EXIT = { ok: 0, warning: 1, broken: 2 } as const;

/** Adds `jada auth google`, `jada tokens check` and `jada tokens list`. */
export function registerGoogleCommands(program: Command, context: CommandContext): void {
  const auth = program.command("auth").summary("authorize jada to use an account");
  auth
    .command("google")
    .summary("consent (again) for a Google account, through a loopback redirect with PKCE")
    .requiredOption("--account <email>", "the Google account that must consent (required)")
    .option("--scopes <list>", "scopes, comma-separated (default: google.scopes of the config)")
    .option(
      "--client-file <path>",
      "Google client_secret_*.json (default: the account's, else google.clientFile)",
    )
    .option("--no-browser", "only print the URL (for a machine without a browser)")
    .option("--timeout <seconds>", "how long to wait for the consent", "300")
    .option(
      "--push <instance>",
      "then copy the account's tokens to the daemon on that instance (as jada tokens push does)",
    )
    .addHelpText(
      "after",
      `
Prints a URL to open in a browser signed in as the account; Google then redirects to a
one-time server of jada on 127.0.0.1. The account that consented is verified, and the tokens
are written to the store (google.store, mode 0600).

With --push, the fix of an alert on the host is this one command: the tokens go on to the
instance's store over temporary SSH, and the host checks them.

Examples:
  jada auth google --account ops@sailjada.com --client-file ~/client_secret.json
  jada auth google --account ops@sailjada.com --push jada-orchestrator`,
    )
    .action(
      async (options: {
        account: string;
        scopes?: string;
        clientFile?: string;
        browser: boolean;
        timeout: string;
        push?: string;
      }) => {
        const code = await runAuth(options, context);
        context.exit(
          options.push === undefined
            ? code
            : await runPush(options.push, { account: options.account }, context),
        );
      },
    );

  const tokens = program.command("tokens").summary("the health of the stored Google tokens");
  tokens
    .command("check")
    .summary(
      "refresh every account (or one) and say which are ok, expiring, revoked or misconfigured",
    )
    .option("--account <email>", "only this account")
    .option("--no-refresh", "judge from the store alone, without asking Google")
    .option("--json", "print the results as JSON")
    .addHelpText(
      "after",
      `
Exit codes: 0 every account ok, 1 a warning (expiring, or Google could not be asked),
2 an account revoked or misconfigured (or a usage error). Each problem comes with the exact
command that fixes it.`,
    )
    .action(async (options: { account?: string; refresh: boolean; json?: boolean }) => {
      context.exit(await runCheck(options, context));
    });
  tokens
    .command("push")
    .summary("copy accounts' tokens to the daemon on an instance, then check them there")
    .description(
      "Writes each account's record (or only --account's) into the token store of the daemon " +
        "on the instance, over the same temporary SSH access as jada health (host key pinned): " +
        "sent on the stdin of `jada tokens import`, run there as the service user, so the " +
        "secret never touches a command line, an environment variable or a log; the host's " +
        "store writes it atomically, mode 0600. Then the host runs `jada tokens check` on it.",
    )
    .argument("<instance>", "a Lightsail instance of the config (instances.NAME)")
    .option("--account <email>", "only this account (default: every account of the store)")
    .option("--json", "print what the host said as JSON")
    .addHelpText(
      "after",
      `
Exit codes: as jada tokens check, for the host's check: 0 ok, 1 a warning, or the push failed,
2 revoked or misconfigured (or a usage, configuration, credentials or SSH error).

Example:
  jada tokens push jada-orchestrator --account ops@sailjada.com`,
    )
    .action(async (instance: string, options: { account?: string; json?: boolean }) => {
      context.exit(await runPush(instance, options, context));
    });
  tokens
    .command("import")
    .summary("store an account's record read from stdin (what jada tokens push runs on the host)")
    .requiredOption("--account <email>", "the account the record is for (required)")
    .option("--json", "print where it was stored as JSON")
    .action(async (options: { account: string; json?: boolean }) => {
      context.exit(await runImport(options, context));
    });
  tokens
    .command("list")
    .summary("the stored accounts, secrets masked")
    .description(
      "List the accounts in the token store (google.store): client, scopes, the refresh token " +
        "masked and its age, the last good refresh and the last error. Nothing is refreshed.",
    )
    .option("--json", "print as JSON")
    .addHelpText(
      "after",
      `
Exit codes: 0 listed (also when the store is empty), 2 the store is unreadable or insecure.`,
    )
    .action(async (options: { json?: boolean }) => {
      context.exit(await runList(options, context));
    });
}

async function runAuth(
  options: {
    account: string;
    scopes?: string;
    clientFile?: string;
    browser: boolean;
    timeout: string;
  },
  context: CommandContext,
): Promise<number> {
  const { io } = context;
  const services = await context.services();
  const { config: google, store, lib } = await services.google();
  const base = services.base;
  const endpoints = google.oauth;
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(options.account))
    throw new JadaCliError("USAGE", `--account must be an email address, not "${options.account}"`);
  const timeoutSeconds = Number(options.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
    throw new JadaCliError("USAGE", "--timeout must be a number of seconds");
  const existing = (await store.read()).accounts[options.account];
  let client: ClientConfig;
  if (options.clientFile)
    client = {
      clientFile: resolve(io.cwd, options.clientFile),
      publishingStatus: google.publishingStatus,
    };
  else if (existing) client = existing.client;
  else if (google.clientFile)
    client = {
      clientFile: resolve(base, google.clientFile),
      publishingStatus: google.publishingStatus,
    };
  else {
    throw new JadaCliError(
      "USAGE",
      `no OAuth client for ${options.account}: pass --client-file <client_secret.json> (from the Google Cloud console), or set google.clientFile`,
    );
  }
  const scopes = options.scopes
    ? options.scopes
        .split(",")
        .map((scope) => scope.trim())
        .filter(Boolean)
    : google.scopes;
  const result = await lib.authorize({
    account: options.account,
    scopes,
    client,
    target: store,
    endpoints,
    timeoutMs: timeoutSeconds * 1000,
    show: (url) =>
      io.stderr.write(
        `Open this URL in a browser signed in as ${options.account}:\n\n  ${url}\n\nWaiting for the consent (${timeoutSeconds} s)...\n`,
      ),
    openBrowser: options.browser ? (url) => openBrowser(url, io.env) : undefined,
  });
  io.stdout.write(
    `authorized ${result.account} (${result.scopes.length} scopes); tokens saved to ${store.path}\n`,
  );
  return 0;
}

async function runPush(
  instance: string,
  options: { account?: string; json?: boolean },
  context: CommandContext,
): Promise<number> {
  const { io } = context;
  const services = await context.services();
  const { store, lib } = await services.google();
  const data = await store.read();
  const names = options.account ? [options.account] : Object.keys(data.accounts).sort();
  if (names.length === 0)
    throw new JadaCliError(
      "USAGE",
      `no Google accounts in ${store.path} to push; add one with: jada auth google --account EMAIL`,
    );
  let results: import("../../install/token-push.js").PushResult[];
  try {
    const accounts = [];
    for (const account of names) {
      const record = await store.get(account);
      // The host has no client file: the client goes inline.
      accounts.push({
        account,
        record: { ...record, client: await lib.resolveClient(record.client, account) },
      });
    }
    const { configured, getAccess } = await instanceAccess(services, instance, 2);
    const [{ createOpenSshShell }, { pushTokens }] = await Promise.all([
      import("@jada/lightsail-health"),
      import("../../install/token-push.js"),
    ]);
    results = await pushTokens({
      shell: createOpenSshShell({ getAccess, port: configured.port }),
      user: configured.serviceUser,
      accounts,
    });
  } catch (error) {
    if ((error as Error).name === "TokenPushError")
      throw new JadaCliError("SERVICE", `${instance}: ${(error as Error).message}`, {
        exitCode: 1,
      });
    throw toCliError(error, 2) ?? error;
  }
  if (options.json) io.stdout.write(renderJson(results));
  else
    for (const { account, storePath, health } of results) {
      io.stdout.write(
        `${account}: pushed to ${instance}:${storePath}; the host says: ${health.status}\n`,
      );
      for (const reason of health.status === "ok" ? [] : health.reasons)
        io.stdout.write(`  ${reason}\n`);
      for (const warning of health.warnings) io.stdout.write(`  warning: ${warning}\n`);
      if (health.fix) io.stdout.write(`  fix: ${health.fix}\n`);
    }
  const statuses = results.map((result) => result.health.status);
  if (statuses.some((status) => status === "revoked" || status === "misconfigured"))
    return TOKENS_EXIT.broken;
  if (statuses.some((status) => status !== "ok")) return TOKENS_EXIT.warning;
  return TOKENS_EXIT.ok;
}

async function runImport(
  options: { account: string; json?: boolean },
  context: CommandContext,
): Promise<number> {
  const { io } = context;
  const { store, lib } = await (await context.services()).google();
  const text = await readAllStdin(io);
  if (text === undefined) throw new JadaCliError("USAGE", "jada tokens import reads stdin");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new JadaCliError(
      "USAGE",
      "stdin is not JSON: an account record, as jada tokens push sends it",
    );
  }
  const parsed = lib.accountSchema.safeParse(json);
  // Where the record is wrong, never what it holds.
  if (!parsed.success)
    throw new JadaCliError(
      "USAGE",
      `not an account record: ${parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join(".") || "(top level)"}: ${issue.message}`)
        .join("; ")}`,
    );
  await store.update((data) => {
    data.accounts[options.account] = parsed.data;
  });
  io.stdout.write(
    options.json
      ? `${JSON.stringify({ account: options.account, path: store.path })}\n`
      : `stored ${options.account} in ${store.path}\n`,
  );
  return 0;
}

async function runCheck(
  options: { account?: string; refresh: boolean; json?: boolean },
  context: CommandContext,
): Promise<number> {
  const { io } = context;
  const { manager, store } = await (await context.services()).google();
  const checked = options.account
    ? [await manager.check(options.account, { refresh: options.refresh })]
    : await manager.checkAll({ refresh: options.refresh });
  // The fix in jada's words: the command that fixes it.
  const results = checked.map((health) => ({
    ...health,
    fix: health.remedy ? renderTokenFix(health.remedy) : null,
  }));
  if (options.json) io.stdout.write(renderJson(results));
  else if (results.length === 0)
    io.stdout.write(
      `no Google accounts in ${store.path}; add one with: jada auth google --account EMAIL\n`,
    );
  else io.stdout.write(healthTable(results));
  if (results.some((health) => health.status === "revoked" || health.status === "misconfigured"))
    return TOKENS_EXIT.broken;
  if (results.some((health) => health.status !== "ok")) return TOKENS_EXIT.warning;
  return TOKENS_EXIT.ok;
}

function healthTable(results: TokenHealth[]): string {
  const lines = [
    renderTable(
      ["ACCOUNT", "STATUS", "TOKEN AGE", "LAST REFRESH"],
      results.map((health) => [
        health.account,
        health.status,
        `${health.refreshTokenAgeDays} d`,
        health.lastRefreshOk ? formatTime(health.lastRefreshOk) : "never",
      ]),
    ).trimEnd(),
  ];
  for (const health of results) {
    if (health.status === "ok" && health.warnings.length === 0) continue;
    lines.push("", `${health.account}: ${health.status}`);
    for (const reason of health.status === "ok" ? [] : health.reasons) lines.push(`  ${reason}`);
    for (const warning of health.warnings) lines.push(`  warning: ${warning}`);
    if (health.fix) lines.push(`  fix: ${health.fix}`);
  }
  return `${lines.join("\n")}\n`;
}

async function runList(options: { json?: boolean }, context: CommandContext): Promise<number> {
  const { io } = context;
  const { store } = await (await context.services()).google();
  const accounts = await store.describe();
  if (options.json) {
    io.stdout.write(renderJson(accounts));
    return 0;
  }
  if (accounts.length === 0) {
    io.stdout.write(`no Google accounts in ${store.path}\n`);
    return 0;
  }
  for (const account of accounts) {
    io.stdout.write(
      `${account.account}\n  client: ${account.client.clientId ?? account.client.clientFile} (${account.client.publishingStatus})\n  refresh token: ${account.refreshToken} since ${account.refreshTokenObtainedAt}\n  scopes: ${account.scopes.join(" ") || "-"}\n  last refresh: ${account.lastRefreshOk ?? "never"}${account.lastError ? `\n  last error: ${account.lastError.code} at ${account.lastError.at}` : ""}\n`,
    );
  }
  return 0;
}

// Opens a browser where there is a desktop; never fails the flow (the URL is printed anyway).
async function openBrowser(url: string, env: CliIo["env"]): Promise<boolean> {
  const command =
    process.platform === "darwin"
      ? "open"
      : process.platform === "win32"
        ? "explorer"
        : env["DISPLAY"] || env["WAYLAND_DISPLAY"]
          ? "xdg-open"
          : undefined;
  if (command === undefined) return false;
  return new Promise((resolve) => {
    const child = spawn(command, [url], { stdio: "ignore", detached: true });
    child.on("error", () => resolve(false));
    child.on("spawn", () => {
      child.unref();
      resolve(true);
    });
  });
}
