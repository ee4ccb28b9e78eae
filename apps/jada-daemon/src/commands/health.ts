import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { analyzeJournalText, type Finding, VERDICT_EXIT_CODES } from "@jada/lightsail-health";
import type { Command } from "commander";
import { JadaCliError } from "../errors.js";
import type { CliIo } from "../io.js";

/** Adds `jada health analyze` (the live `jada health <instance>` arrives with SSH and metrics). */
export function registerHealthCommands(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  const health = program
    .command("health")
    .summary("health of the agent host: findings and a Nagios verdict");
  health
    .command("analyze")
    .summary("run the findings engine on a saved `journalctl -o json` export, offline")
    .requiredOption("--journal <file>", "a `journalctl -u UNIT -o json` export")
    .option("--unit <unit>", "the service whose restarts to look for", "jada-agent.service")
    .option("--json", "print the analysis as JSON")
    .addHelpText(
      "after",
      `
Finds recurring errors (with their period: "every 30 min since …"), known signatures with
their fix (the Google token failure -> jada auth google; agent sessions ending on the turn
limit; restart loops), and gives a verdict.

Exit codes (Nagios): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (nothing could be judged).

Example:
  journalctl -u jada-agent.service -o json --since -1d > agent.json
  jada health analyze --journal agent.json`,
    )
    .action(async (options: { journal: string; unit: string; json?: boolean }) => {
      let text: string;
      try {
        text = await readFile(resolve(io.cwd, options.journal), "utf8");
      } catch (error) {
        // A check that cannot look is UNKNOWN (3), as Nagios plugins say it.
        throw new JadaCliError(
          "USAGE",
          `cannot read the journal ${options.journal}: ${(error as { code?: string }).code ?? (error as Error).message}`,
          {
            exitCode: VERDICT_EXIT_CODES.UNKNOWN,
          },
        );
      }
      const analysis = analyzeJournalText(text, { unit: options.unit });
      if (options.json) io.stdout.write(`${JSON.stringify(analysis, null, 2)}\n`);
      else
        io.stdout.write(
          describe(analysis.verdict, analysis.entries, analysis.findings, analysis.unobserved),
        );
      setExitCode(VERDICT_EXIT_CODES[analysis.verdict]);
    });
}

function describe(
  verdict: string,
  entries: number,
  findings: Finding[],
  unobserved: string[],
): string {
  const count = (severity: Finding["severity"]) =>
    findings.filter((finding) => finding.severity === severity).length;
  const lines = [
    `${verdict}: ${count("critical")} critical, ${count("warning")} warnings (${entries} journal entries)`,
  ];
  for (const text of unobserved) lines.push(`  not observed: ${text}`);
  for (const finding of findings) {
    lines.push("", `[${finding.severity}] ${finding.id}: ${finding.summary}`);
    if (finding.firstSeen) lines.push(`  first ${finding.firstSeen}, last ${finding.lastSeen}`);
    for (const evidence of finding.evidence) lines.push(`  | ${evidence}`);
    if (finding.fix) lines.push(`  fix: ${finding.fix}`);
  }
  return `${lines.join("\n")}\n`;
}
