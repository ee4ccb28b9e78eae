import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Finding, HealthReport } from "@jada/lightsail-health";
import type { Command } from "commander";
import { instanceAccess } from "../../compose/instance-access.js";
import { JadaCliError } from "../../errors.js";
import { toCliError } from "../../render/errors.js";
import { renderFindingFix } from "../../render/fixes.js";
import { renderJson } from "../../render/table.js";
import type { CommandContext } from "../context.js";

/** Nagios' UNKNOWN: what `jada health` exits with when it cannot look (usage errors included). */
const UNKNOWN_EXIT = 3;

interface HealthOptions {
  unit?: string;
  since?: string;
  log?: string[];
  json?: boolean;
}

/** Adds `jada health <instance>` and `jada health analyze`. */
export function registerHealthCommands(program: Command, context: CommandContext): void {
  const { io } = context;
  const health = program
    .command("health")
    .summary("health of the agent host: findings and a Nagios verdict")
    .description(
      "Check a Lightsail instance in one command: temporary SSH access (the host key pinned from " +
        "the API), one probe script (service, journal, load, memory, disk, logs), the instance " +
        "metrics, then findings with evidence and fixes, and a verdict.",
    )
    .argument("[instance]", "instance name, as in jada.config.json")
    .option(
      "--unit <unit>",
      "the agent's systemd unit (default: the instance's, else jada-agent.service)",
    )
    .option("--since <since>", "journal and metrics window, journalctl style (default -2h)")
    .option("--log <path...>", "log files to tail (in addition to the configured ones)")
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      `
Exit codes (Nagios): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (something could not be observed:
never OK by default).

Examples:
  jada health jada-orchestrator
  jada health jada-orchestrator --since -24h --json
  jada health analyze --journal agent.json`,
    )
    .action(async (instance: string | undefined, options: HealthOptions) => {
      if (instance === undefined) {
        throw new JadaCliError(
          "USAGE",
          "name an instance (jada health NAME), or use jada health analyze --journal FILE",
          {
            exitCode: UNKNOWN_EXIT,
          },
        );
      }
      context.exit(await nagios(() => runHealth(instance, options, context)));
    });

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
    .action(
      async (options: { journal: string; unit: string; json?: boolean }, command: Command) => {
        // `--json` may have been taken by the parent `health`, which has the same option.
        const json = options.json ?? command.optsWithGlobals<{ json?: boolean }>().json;
        let text: string;
        const path = resolve(io.cwd, options.journal);
        try {
          text = await readFile(path, "utf8");
        } catch (error) {
          // A check that cannot look is UNKNOWN (3), as Nagios plugins say it.
          const code = (error as { code?: string }).code;
          const reason =
            code === "ENOENT"
              ? "no such file"
              : code === "EISDIR"
                ? "it is a directory"
                : code === "EACCES"
                  ? "permission denied"
                  : (code ?? (error as Error).message);
          throw new JadaCliError(
            "USAGE",
            `cannot read the journal ${path}: ${reason}; export one with: journalctl -u ${options.unit} -o json --since -1d > agent.json`,
            { exitCode: UNKNOWN_EXIT },
          );
        }
        // The health library is loaded on use: `jada daemon` never pays for it.
        const { analyzeJournalText, VERDICT_EXIT_CODES } = await import("@jada/lightsail-health");
        const analyzed = analyzeJournalText(text, { unit: options.unit });
        const analysis = {
          ...analyzed,
          findings: analyzed.findings.map((finding) => ({
            ...finding,
            fix: renderFindingFix(finding),
          })),
        };
        if (json) {
          io.stdout.write(renderJson(analysis));
        } else {
          const count = (severity: Finding["severity"]) =>
            analysis.findings.filter((finding) => finding.severity === severity).length;
          const heading = `${analysis.verdict}: ${count("critical")} critical, ${count("warning")} warnings (${analysis.entries} journal entries)`;
          io.stdout.write(describeFindings(heading, analysis.findings, analysis.unobserved));
        }
        context.exit(VERDICT_EXIT_CODES[analysis.verdict]);
      },
    );
}

// Every failure of a check is Nagios' UNKNOWN (3): monitoring must never read a usage or
// credentials error as CRITICAL (2).
async function nagios(work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    throw toCliError(error, UNKNOWN_EXIT) ?? error;
  }
}

async function runHealth(
  instance: string,
  options: HealthOptions,
  context: CommandContext,
): Promise<number> {
  const report = await checkInstance(instance, options, context);
  const { VERDICT_EXIT_CODES } = await import("@jada/lightsail-health");
  context.io.stdout.write(options.json ? renderJson(report) : describeReport(report));
  return VERDICT_EXIT_CODES[report.verdict];
}

/**
 * The health report of a configured instance, its fixes in jada's words: `jada health`, and the
 * proof at the end of `jada install`.
 */
export async function checkInstance(
  instance: string,
  options: Pick<HealthOptions, "unit" | "since" | "log">,
  context: CommandContext,
): Promise<HealthReport> {
  const services = await context.services();
  const { configured, api, getAccess } = await instanceAccess(services, instance, UNKNOWN_EXIT);
  // The health library is loaded on use: `jada daemon` never pays for it.
  const { checkHealth, createOpenSshShell } = await import("@jada/lightsail-health");
  const shell = createOpenSshShell({ getAccess, port: configured.port });
  const logs: Record<string, string> = { ...configured.logs };
  for (const path of options.log ?? []) logs[path.split("/").pop() ?? path] = path;
  const report = await checkHealth({
    instance,
    api,
    shell,
    unit: options.unit ?? configured.unit,
    since: options.since ?? configured.since,
    logs,
    thresholds: configured.thresholds,
  });
  // Fixes that are another jada command's job, in jada's words.
  return {
    ...report,
    findings: report.findings.map((finding) => ({ ...finding, fix: renderFindingFix(finding) })),
  };
}

const MIB = 1024 * 1024;

/** A health report as `jada health` prints it. */
export function describeReport(report: HealthReport): string {
  const lines = [`${report.instance}: ${report.verdict} (checked ${report.checkedAt})`];
  const probe = report.probe;
  const service = probe?.service;
  if (probe && service) {
    const process = probe.process
      ? `, ${probe.process.cpuPercent}% CPU, ${(probe.process.rssBytes / MIB).toFixed(0)} MiB RSS`
      : "";
    const since = service.activeSince ? ` since ${service.activeSince}` : "";
    lines.push(
      `service  ${probe.unit} ${service.activeState} (${service.subState})${since}, pid ${service.mainPid}${process}, ${service.restarts} restarts`,
    );
  }
  if (probe) {
    const host: string[] = [];
    if (probe.load)
      host.push(
        `load ${probe.load.one} ${probe.load.five} ${probe.load.fifteen}${probe.cpus ? ` on ${probe.cpus} CPUs` : ""}`,
      );
    if (probe.memory)
      host.push(
        `memory ${(probe.memory.availableBytes / MIB).toFixed(0)} MiB available of ${(probe.memory.totalBytes / MIB).toFixed(0)} MiB`,
      );
    if (probe.disk)
      host.push(
        `disk ${probe.disk.mount} ${probe.disk.usePercent}% (${(probe.disk.availableBytes / 1024 ** 3).toFixed(1)} GiB left)`,
      );
    if (probe.uptimeSeconds !== undefined)
      host.push(`up ${(probe.uptimeSeconds / 86400).toFixed(1)} d`);
    if (host.length > 0) lines.push(`host     ${host.join("; ")}`);
  }
  const metrics = report.metrics;
  const figures: string[] = [];
  if (metrics.CPUUtilization?.avg !== undefined) {
    figures.push(
      `CPU avg ${metrics.CPUUtilization.avg.toFixed(0)}% max ${(metrics.CPUUtilization.max ?? 0).toFixed(0)}%`,
    );
  }
  if (metrics.BurstCapacityPercentage?.last !== undefined)
    figures.push(`burst ${metrics.BurstCapacityPercentage.last.toFixed(0)}%`);
  if (metrics.StatusCheckFailed?.max !== undefined)
    figures.push(`status checks failed ${metrics.StatusCheckFailed.max}`);
  if (figures.length > 0) lines.push(`metrics  ${figures.join("; ")}`);
  return describeFindings(lines.join("\n"), report.findings, report.unobserved);
}

// The findings, and what could not be observed, under a heading.
function describeFindings(heading: string, findings: Finding[], unobserved: string[]): string {
  const lines = [heading];
  for (const text of unobserved) lines.push(`  not observed: ${text}`);
  for (const finding of findings) {
    lines.push("", `[${finding.severity}] ${finding.id}: ${finding.summary}`);
    if (finding.firstSeen) lines.push(`  first ${finding.firstSeen}, last ${finding.lastSeen}`);
    for (const evidence of finding.evidence) lines.push(`  | ${evidence}`);
    if (finding.fix) lines.push(`  fix: ${finding.fix}`);
  }
  return `${lines.join("\n")}\n`;
}
