import { realpathSync } from "node:fs";
import type { Command } from "commander";
import { JadaCliError } from "../../errors.js";
import type { CommandContext } from "../context.js";

/** Adds `jada service unit`: the daemon's hardened systemd unit. */
export function registerServiceCommands(program: Command, context: CommandContext): void {
  const service = program
    .command("service")
    .summary("the daemon as a systemd service on its host: the hardened unit");
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
}
