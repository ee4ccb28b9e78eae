import type { Command } from "commander";
import { toCliError } from "../../render/errors.js";
import { renderJson } from "../../render/table.js";
import type { CommandContext } from "../context.js";

/** Adds `jada sheets sync NAME`. */
export function registerSheetsCommands(program: Command, context: CommandContext): void {
  const sheets = program
    .command("sheets")
    .summary("Google Sheets kept in step with a source (the booking sheet)");
  sheets
    .command("sync")
    .summary("upsert a configured sheet by key: unchanged rows untouched, new ones appended")
    .description(
      "Reads the source of sheets.NAME (a URL, a JSON or CSV file, or a command), then the sheet " +
        "once, and writes only what differs: changed rows in one batch update, new rows in one " +
        "append (the header first, on an empty sheet). A second run with the same source writes " +
        "nothing. Rows the source no longer has are reported, and deleted only with " +
        "deleteMissing: true. The daemon runs this as the job sheets-sync:NAME.",
    )
    .argument("<name>", "a sheet of the config (sheets.NAME)")
    .option("--dry-run", "read both sides and say what would be written; write nothing")
    .option("--json", "print the outcome as JSON")
    .addHelpText(
      "after",
      `
Exit codes: 0 synced (or nothing to do); 1 Google or the source failed after the retries
(the job retries by its rules); 2 usage, configuration, a revoked token, a sheet or tab not
found, access denied, duplicate keys or a malformed source (each with what to fix).

Examples:
  jada sheets sync bookings --dry-run
  jada sheets sync bookings`,
    )
    .action(async (name: string, options: { dryRun?: boolean; json?: boolean }) => {
      const services = await context.services();
      const { syncConfiguredSheet } = await import("../../compose/sheet-sync.js");
      const result = await syncConfiguredSheet(services, name, {
        dryRun: options.dryRun,
        env: context.io.env,
      }).catch((error: unknown) => {
        throw toCliError(error) ?? error;
      });
      if (options.json) {
        context.io.stdout.write(renderJson({ name, ...result }));
        context.exit(0);
        return;
      }
      const verb = result.dryRun
        ? { updated: "to update", appended: "to add" }
        : { updated: "updated", appended: "added" };
      const lines = [
        `sheet ${name} (${result.sheet} of ${result.spreadsheetId})${result.dryRun ? ", dry run" : ""}: ${result.updated} ${verb.updated}, ${result.appended} ${verb.appended}, ${result.unchanged} unchanged; ${result.requests} requests, ${result.cellsWritten} cells written`,
      ];
      if (result.missing.length > 0)
        lines.push(
          `  gone from the source: ${result.missing.slice(0, 20).join(", ")}${result.missing.length > 20 ? `, and ${result.missing.length - 20} more` : ""} (${result.deleted > 0 ? "deleted" : result.dryRun ? "a dry run changes nothing" : "kept; deleteMissing: true removes them"})`,
        );
      context.io.stdout.write(`${lines.join("\n")}\n`);
      context.exit(0);
    });
}
