// The daemon's built-in jobs and the alert sinks, composed from the configuration.
import { statfs } from "node:fs/promises";
import {
  type AlertSink,
  createLogAlertSink,
  createTaskAlertSink,
  createWebhookAlertSink,
  defineJob,
  type JobDefinition,
  JobError,
  type JobSpec,
  type JobStore,
  type Logger,
  type MonitorRules,
  type TaskStore,
} from "@jada/orchestrator";
import type { JadaConfig } from "../config/schema.js";
import { JadaCliError } from "../errors.js";
import { renderTokenFix } from "../render/fixes.js";
import type { Services } from "./services.js";

type Env = Readonly<Record<string, string | undefined>>;

/** Where the job runs, besides the configuration. */
export interface JobsContext {
  services: Services;
  store: TaskStore & JobStore;
  /** The SQLite data directory, when the store is one (its disk is checked). */
  dataDir?: string | undefined;
}

// The jobs the daemon has, with their defaults; the config switches them and overrides these.
function builtInSpecs(context: JobsContext): JobSpec[] {
  return [
    {
      name: "tokens-check",
      schedule: "6h",
      // A revoked token is found within one period, not "at the next run in a day".
      missed: "once",
      async run() {
        const google = await context.services.google();
        const results = await google.manager.checkAll({ refresh: true });
        const broken = results.filter(
          (health) =>
            health.status === "revoked" ||
            health.status === "misconfigured" ||
            health.status === "expiring",
        );
        const first = broken[0];
        if (first !== undefined)
          throw new JobError(
            broken
              .map(
                (health) =>
                  `${health.account} is ${health.status}${health.reasons[0] ? `: ${health.reasons[0]}` : ""}`,
              )
              .join("; "),
            {
              code: `TOKEN_${first.status.toUpperCase()}`,
              fix: first.remedy ? renderTokenFix(first.remedy) : undefined,
              // Waiting does not bring a revoked or dying token back: alert at once.
              retryable: false,
            },
          );
        const unknown = results.filter((health) => health.status === "unknown");
        if (unknown.length > 0)
          throw new JobError(
            `Google could not be asked about ${unknown.map((health) => health.account).join(", ")}: ${unknown[0]?.reasons[0] ?? "unknown"}`,
            { code: "TOKEN_UNKNOWN", retryable: true },
          );
      },
    },
    {
      name: "self-check",
      schedule: "15m",
      missed: "skip",
      async run() {
        await context.store.quota();
        if (context.dataDir === undefined) return;
        const disk = await statfs(context.dataDir);
        const free = disk.bavail * disk.bsize;
        const total = disk.blocks * disk.bsize;
        if (free < 200 * 1024 * 1024 || free / total < 0.05)
          throw new JobError(
            `the disk of ${context.dataDir} has ${Math.round(free / 1024 / 1024)} MiB free (${((free / total) * 100).toFixed(1)}%)`,
            {
              code: "DISK_LOW",
              fix: "sudo journalctl --vacuum-size=200M; then look for large files: sudo du -xh / | sort -h | tail",
              retryable: false,
            },
          );
      },
    },
  ];
}

function rulesOf(rules: NonNullable<JadaConfig["jobs"][string]["rules"]>): MonitorRules {
  return {
    failures: rules.failures,
    consecutive: rules.consecutive,
    noSuccessForMs:
      rules.noSuccessForMinutes === undefined ? undefined : rules.noSuccessForMinutes * 60_000,
    realertMs: rules.realertHours === undefined ? undefined : rules.realertHours * 3_600_000,
    recoveryThreshold: rules.recoveryThreshold,
  };
}

/**
 * The daemon's jobs: the built-in ones, as `jobs.<name>` of the config switches and tunes them.
 *
 * @throws {JadaCliError} for a `jobs.<name>` that names no job, or a schedule that does not parse.
 */
export function daemonJobs(context: JobsContext): JobDefinition[] {
  const configured = context.services.config.jobs;
  const specs = builtInSpecs(context);
  const unknown = Object.keys(configured).filter(
    (name) => !specs.some((spec) => spec.name === name),
  );
  if (unknown.length > 0)
    throw new JadaCliError(
      "CONFIG_INVALID",
      `jobs.${unknown[0]}: no such job (the jobs are ${specs.map((spec) => spec.name).join(", ")})`,
    );
  const jobs: JobDefinition[] = [];
  for (const spec of specs) {
    const overrides = configured[spec.name];
    if (overrides?.enabled === false) continue;
    try {
      jobs.push(
        defineJob({
          ...spec,
          ...(overrides?.schedule ? { schedule: overrides.schedule } : {}),
          ...(overrides?.timezone ? { timezone: overrides.timezone } : {}),
          ...(overrides?.missed ? { missed: overrides.missed } : {}),
          ...(overrides?.rules ? { rules: rulesOf(overrides.rules) } : {}),
        }),
      );
    } catch (error) {
      throw new JadaCliError("CONFIG_INVALID", `jobs.${spec.name}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return jobs;
}

/** The alert sinks: the log always, the webhook when one is set, tasks unless switched off. */
export function alertSinks(
  config: JadaConfig["alerts"],
  env: Env,
  store: TaskStore & JobStore,
  logger: Logger,
): AlertSink[] {
  const sinks: AlertSink[] = [createLogAlertSink(logger)];
  const url = env["JADA_ALERT_WEBHOOK_URL"] || config.webhook.url;
  if (url) {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(config.webhook.headers)) {
      const fromEnv = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(value)?.[1];
      const resolved = fromEnv === undefined ? value : env[fromEnv];
      if (resolved === undefined)
        throw new JadaCliError(
          "CONFIG_INVALID",
          `alerts.webhook.headers.${name} reads $${fromEnv}, which is not set`,
        );
      headers[name] = resolved;
    }
    sinks.push(createWebhookAlertSink({ url, headers }));
  }
  if (config.tasks)
    sinks.push(
      createTaskAlertSink(store, (alertId, taskId) => store.setAlertTask(alertId, taskId)),
    );
  return sinks;
}
