import { spawn } from "node:child_process";
import { realpathSync } from "node:fs";
import type { Command } from "commander";
import { JadaCliError } from "../../errors.js";
import { localPayload, parsePayload } from "../../install/payload.js";
import { readAllStdin } from "../../io.js";
import type { CommandContext } from "../context.js";

/** Adds `jada service unit`: the daemon's hardened systemd unit. */
export function registerServiceCommands(program: Command, context: CommandContext): void {
  const service = program
    .command("service")
    .summary("the daemon as a systemd service on its host: unit, install, status, logs");
  service
    .command("unit")
    .summary("print the daemon's systemd unit (hardened: systemd-analyze security scores it 1.4)")
    .description(
      "Print the unit that runs `jada daemon` as the `jada` user: state in /var/lib/jada, config in " +
        "/etc/jada/jada.config.json, secrets in the root-only /etc/jada/jada.env, memory limits " +
        "for a 1 GB host, restarts on failure with a start limit, and the sandbox " +
        "(`systemd-analyze security` scores it 1.4, a plain unit 9.6).",
    )
    .option("--node <path>", "the node binary (default: this one)")
    .option("--cli <path>", "jada's dist/cli.js (default: this one)")
    .option("--user <name>", "the service user (default: jada)")
    .option("--config <path>", "the config file (default: /etc/jada/jada.config.json)")
    .option("--memory-max <size>", "MemoryMax= (default: 700M, for a 1 GB host)")
    .addHelpText(
      "after",
      `
Example:
  jada service unit > /etc/systemd/system/jada.service && systemctl daemon-reload`,
    )
    .action(
      async (options: {
        node?: string;
        cli?: string;
        user?: string;
        config?: string;
        memoryMax?: string;
      }) => {
        const { renderUnit } = await import("../../install/unit.js");
        if (options.memoryMax !== undefined && !/^\d+[KMG]$/.test(options.memoryMax))
          throw new JadaCliError(
            "USAGE",
            `--memory-max is a size such as 700M or 1G, not "${options.memoryMax}"`,
          );
        let text: string;
        try {
          text = renderUnit({
            node: options.node ?? process.execPath,
            cli: options.cli ?? realpathSync(process.argv[1] ?? ""),
            user: options.user,
            config: options.config,
            memoryMax: options.memoryMax,
          });
        } catch (error) {
          throw new JadaCliError("USAGE", (error as Error).message);
        }
        context.io.stdout.write(text);
        context.exit(0);
      },
    );
  registerServiceLifecycle(service, context);
}

/** Adds `jada service install|status|logs|uninstall` (run on the host, as root). */
function registerServiceLifecycle(service: Command, context: CommandContext): void {
  const { io } = context;
  const rootOption = "install under this directory instead of / (image builds; no root needed)";
  service
    .command("install")
    .summary("install the daemon as a service: unit, user, /etc/jada, secrets; then start it")
    .description(
      "As root on the host: writes the unit, the config (the one jada is using now) to " +
        "/etc/jada/jada.config.json, the secrets found in this environment (" +
        "ANTHROPIC_API_KEY, JADA_ALERT_WEBHOOK_URL, JADA_HTTP_TOKEN, JADA_DATABASE_URL) to the " +
        "root-only /etc/jada/jada.env, creates the `jada` system user, then enables and " +
        "(re)starts jada.service. Files change only when their content does: a second install " +
        "changes nothing and says so.",
    )
    .option("--node <path>", "the node binary (default: this one)")
    .option("--cli <path>", "jada's dist/cli.js (default: this one)")
    .option("--user <name>", "the service user (default: jada)")
    .option("--root <dir>", rootOption)
    .option(
      "--payload-stdin",
      "read the config and the secrets as JSON from stdin ({config, secrets}), as jada install sends them",
    )
    .option("--json", "print what changed as JSON")
    .addHelpText(
      "after",
      `
Secrets not given keep the value the env file holds. The token store (google.store) of the
installed config is moved to /var/lib/jada, the one place the sandboxed service writes.`,
    )
    .action(async (options: ServiceInstallOptions) => {
      const { commandRunner, installService } = await import("../../install/service-install.js");
      if (options.root === undefined && process.getuid?.() !== 0)
        throw new JadaCliError("USAGE", "jada service install writes /etc: run it as root (sudo)");
      const { configText, secrets } = options.payloadStdin
        ? parsePayload(
            (await readAllStdin(io)) ??
              raise("--payload-stdin: there is no stdin to read the payload from"),
          )
        : await localPayload(await context.services(), io.env);
      const result = await withInstallErrors(() =>
        installService({
          node: options.node ?? process.execPath,
          cli: options.cli ?? realpathSync(process.argv[1] ?? ""),
          user: options.user,
          root: options.root,
          configText,
          secrets,
          run: commandRunner(io.env),
        }),
      );
      io.stdout.write(
        options.json
          ? `${JSON.stringify(result)}\n`
          : result.changed.length === 0 && !result.userCreated
            ? `${result.unit} is installed and unchanged; made sure it runs\n`
            : `installed ${result.unit}: ${[...result.changed.map((path) => `wrote ${path}`), ...(result.userCreated ? ["created the jada user"] : [])].join(", ")}; restarted\nsecrets in the env file: ${result.secrets.join(", ") || "none (set ANTHROPIC_API_KEY, then install again)"}\n`,
      );
      context.exit(0);
    });
  service
    .command("status")
    .summary("how the service is: active, since when, restarts, the daemon's own status line")
    .option("--json", "print as JSON")
    .action(async (options: { json?: boolean }) => {
      const { commandRunner, serviceStatus } = await import("../../install/service-install.js");
      const status = await withInstallErrors(async () => serviceStatus(commandRunner(io.env)));
      io.stdout.write(
        options.json
          ? `${JSON.stringify(status)}\n`
          : `jada.service ${status.activeState} (${status.subState})${status.mainPid ? `, pid ${status.mainPid}` : ""}, since ${status.since || "-"}, ${status.restarts} restarts\n${status.statusText ? `  ${status.statusText}\n` : ""}`,
      );
      context.exit(status.activeState === "active" ? 0 : 1);
    });
  service
    .command("logs")
    .summary("the service's log (journalctl -u jada.service)")
    .option("-n, --lines <n>", "how many of the latest lines", "100")
    .option("-f, --follow", "keep printing new lines")
    .action(async (options: { lines: string; follow?: boolean }) => {
      if (!/^\d+$/.test(options.lines))
        throw new JadaCliError("USAGE", `--lines is a whole number, not "${options.lines}"`);
      const child = spawn(
        "journalctl",
        ["-u", "jada.service", "-n", options.lines, "-o", "cat", ...(options.follow ? ["-f"] : [])],
        { stdio: ["ignore", "inherit", "inherit"], env: { ...io.env } },
      );
      const code = await new Promise<number>((resolve) => {
        child.on("error", () => resolve(127));
        child.on("exit", (exit) => resolve(exit ?? 1));
      });
      if (code === 127)
        throw new JadaCliError("USAGE", "journalctl is not here: is this the host?");
      context.exit(code === 0 ? 0 : 1);
    });
  service
    .command("uninstall")
    .summary("stop and remove the service (the data and /etc/jada stay unless --purge)")
    .option("--purge", "remove /etc/jada and /var/lib/jada too")
    .option("--root <dir>", rootOption)
    .action(async (options: { purge?: boolean; root?: string }) => {
      const { commandRunner, uninstallService } = await import("../../install/service-install.js");
      if (options.root === undefined && process.getuid?.() !== 0)
        throw new JadaCliError(
          "USAGE",
          "jada service uninstall changes /etc: run it as root (sudo)",
        );
      const removed = await uninstallService({
        root: options.root,
        purge: options.purge,
        run: commandRunner(io.env),
      });
      io.stdout.write(`removed ${removed.join(", ")}\n`);
      context.exit(0);
    });
}

interface ServiceInstallOptions {
  node?: string;
  cli?: string;
  user?: string;
  root?: string;
  payloadStdin?: boolean;
  json?: boolean;
}

// A step of the install that failed (useradd, systemctl) is one line and exit 1.
async function withInstallErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if ((error as Error).name === "ServiceInstallError")
      throw new JadaCliError("SERVICE", (error as Error).message, { exitCode: 1 });
    throw error;
  }
}

function raise(message: string): never {
  throw new JadaCliError("USAGE", message);
}
