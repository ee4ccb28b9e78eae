import type {
  JobAlert,
  JobDefinition,
  JobRun,
  JobStore,
  Logger,
  TaskStore,
} from "@jada/orchestrator";
import type { Command } from "commander";
import type { OpenedTaskStore } from "../../compose/task-store.js";
import { JadaCliError } from "../../errors.js";
import { formatTime, renderJson, renderTable } from "../../render/table.js";
import type { CommandContext } from "../context.js";

const DATA_DIR = "where the database lives (default: $JADA_DATA_DIR, else ./.jada/)";

/** Adds `jada jobs list|run|history` and `jada alerts list|ack`. */
export function registerJobCommands(program: Command, context: CommandContext): void {
  const jobs = program
    .command("jobs")
    .summary("the daemon's scheduled jobs: their runs, failures and alerts")
    .option("--data-dir <dir>", DATA_DIR);
  jobs
    .command("list")
    .summary("each job: schedule, last run and outcome, next run, failures in a row, open alert")
    .option("--json", "print as JSON")
    .action(async (options: { json?: boolean }, command: Command) => {
      const { describeJobs } = await import("../../status/jobs.js");
      const rows = await withJobs(command, context, ({ store, definitions }) =>
        describeJobs(store, definitions),
      );
      context.io.stdout.write(
        options.json
          ? renderJson(rows)
          : renderTable(
              ["JOB", "SCHEDULE", "LAST RUN", "OUTCOME", "NEXT RUN", "FAILING", "ALERT"],
              rows.map((row) => [
                row.name,
                row.schedule,
                row.lastRun ? formatTime(row.lastRun.startedAt) : "never",
                row.lastRun?.outcome ?? "-",
                row.nextRunAt ? formatTime(row.nextRunAt) : "-",
                String(row.consecutiveFailures),
                row.openAlert ? `${row.openAlert.id.slice(0, 8)} ${row.openAlert.cause}` : "-",
              ]),
            ),
      );
      context.exit(0);
    });
  jobs
    .command("run")
    .summary("run a job now (recorded as a manual run; its alerts go out as from the daemon)")
    .argument("<name>", "the job (jada jobs list names them)")
    .option("--json", "print the run as JSON")
    .addHelpText(
      "after",
      `
Exit codes: 0 the run succeeded, 1 it failed or timed out, 2 usage or configuration errors.

Example:
  jada jobs run tokens-check`,
    )
    .action(async (name: string, options: { json?: boolean }, command: Command) => {
      const run = await withJobs(command, context, async (composed) => {
        if (!composed.definitions.some((job) => job.name === name))
          throw new JadaCliError(
            "USAGE",
            `no job "${name}": the jobs are ${composed.definitions.map((job) => job.name).join(", ")}`,
          );
        const { createScheduler } = await import("@jada/orchestrator");
        const { alertSinks } = await import("../../compose/jobs.js");
        const logger = stderrLogger(context);
        const scheduler = createScheduler({
          store: composed.store,
          jobs: composed.definitions,
          sinks: alertSinks(composed.config.alerts, context.io.env, composed.store, logger),
          logger,
        });
        return scheduler.runNow(name);
      });
      context.io.stdout.write(options.json ? renderJson(run) : `${describeRun(run)}\n`);
      context.exit(run.outcome === "ok" ? 0 : 1);
    });
  jobs
    .command("history")
    .summary("a job's runs, newest first: outcome, duration, error and fix")
    .argument("<name>", "the job")
    .option("--limit <n>", "how many runs (default 20)", parseLimit, 20)
    .option("--json", "print as JSON")
    .action(async (name: string, options: { limit: number; json?: boolean }, command: Command) => {
      const runs = await withStore(command, context, (store) => store.jobRuns(name, options.limit));
      if (options.json) context.io.stdout.write(renderJson(runs));
      else if (runs.length === 0) context.io.stdout.write(`no runs of ${name} yet\n`);
      else
        context.io.stdout.write(
          renderTable(
            ["STARTED", "FOR", "OUTCOME", "TOOK", "WHY"],
            runs.map((run) => [
              formatTime(run.startedAt),
              run.manual ? "manual" : run.scheduledFor ? formatTime(run.scheduledFor) : "-",
              run.outcome,
              took(run) ?? "-",
              [run.errorMessage, run.fix ? `fix: ${run.fix}` : undefined]
                .filter(Boolean)
                .join("; "),
            ]),
          ),
        );
      context.exit(0);
    });

  const alerts = program
    .command("alerts")
    .summary("the jobs' alerts: open and recent, with their fix; acknowledge one")
    .option("--data-dir <dir>", DATA_DIR);
  alerts
    .command("list")
    .summary("open alerts (all of them with --all), newest first")
    .option("--all", "closed ones too")
    .option("--json", "print as JSON")
    .action(async (options: { all?: boolean; json?: boolean }, command: Command) => {
      const listed = await withStore(command, context, (store) =>
        store.alerts(options.all ? {} : { open: true }),
      );
      if (options.json) context.io.stdout.write(renderJson(listed));
      else if (listed.length === 0)
        context.io.stdout.write(options.all ? "no alerts yet\n" : "no open alerts\n");
      else context.io.stdout.write(describeAlerts(listed));
      context.exit(0);
    });
  alerts
    .command("ack")
    .summary("acknowledge an alert: a person is on it (it stays open until the job recovers)")
    .argument("<id>", "the alert's id, or the start of it (jada alerts list shows it)")
    .option("--json", "print the alert as JSON")
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      if (id.trim() === "") throw new JadaCliError("USAGE", "an alert id cannot be empty");
      const acked = await withStore(command, context, async (store) => {
        const matches = (await store.alerts()).filter((alert) => alert.id.startsWith(id));
        if (matches.length !== 1)
          throw new JadaCliError(
            "USAGE",
            matches.length === 0
              ? `no alert ${id}`
              : `"${id}" matches ${matches.length} alerts: give more of the id`,
          );
        return store.ackAlert((matches[0] as JobAlert).id);
      });
      context.io.stdout.write(
        options.json ? renderJson(acked) : `acknowledged ${acked.id} (${acked.job})\n`,
      );
      context.exit(0);
    });
}

interface Composed {
  store: TaskStore & JobStore;
  definitions: JobDefinition[];
  config: import("../../config/schema.js").JadaConfig;
}

async function withStore<T>(
  command: Command,
  context: CommandContext,
  work: (store: OpenedTaskStore["store"], dataDir: string | undefined) => Promise<T>,
): Promise<T> {
  const services = await context.services();
  const { store, dataDir } = await services.openTaskStore(
    command.optsWithGlobals<{ dataDir?: string }>().dataDir,
  );
  try {
    return await work(store, dataDir);
  } finally {
    await store.close();
  }
}

async function withJobs<T>(
  command: Command,
  context: CommandContext,
  work: (composed: Composed) => Promise<T>,
): Promise<T> {
  const services = await context.services();
  const { daemonJobs } = await import("../../compose/jobs.js");
  return withStore(command, context, (store, dataDir) =>
    work({
      store,
      definitions: daemonJobs({ services, store, dataDir }),
      config: services.config,
    }),
  );
}

// The CLI's log: what goes wrong, on stderr, as plain lines.
function stderrLogger(context: CommandContext): Logger {
  const say = (_fields: Record<string, unknown>, message: string) =>
    void context.io.stderr.write(`${message}\n`);
  return { info: () => {}, warn: say, error: say };
}

// How long a finished run took: `1.2 s`.
function took(run: JobRun): string | undefined {
  if (run.endedAt === null) return undefined;
  return `${((Date.parse(run.endedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1)} s`;
}

function describeRun(run: JobRun): string {
  const time = run.endedAt === null ? "" : ` in ${took(run)}`;
  if (run.outcome === "ok") return `${run.job}: ok${time}`;
  return `${run.job}: ${run.outcome}${time}: ${run.errorMessage ?? ""}${run.fix ? `\nfix: ${run.fix}` : ""}`;
}

function describeAlerts(alerts: JobAlert[]): string {
  const lines: string[] = [];
  for (const alert of alerts) {
    const state = alert.closedAt
      ? `closed ${formatTime(alert.closedAt)}`
      : alert.ackedAt
        ? `open, acknowledged ${formatTime(alert.ackedAt)}`
        : "open";
    lines.push(
      `${alert.id.slice(0, 8)}  ${alert.job}  ${alert.cause}  since ${formatTime(alert.openedAt)}  (${state})`,
      `  ${alert.message}`,
      ...(alert.fix ? [`  fix: ${alert.fix}`] : []),
    );
  }
  return `${lines.join("\n")}\n`;
}

function parseLimit(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new JadaCliError("USAGE", "--limit must be a whole number of at least 1");
  return Number(value);
}
