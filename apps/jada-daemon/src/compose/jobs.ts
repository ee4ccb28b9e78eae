// The daemon's built-in jobs and the alert sinks, composed from the configuration.
import {
  type AlertSink,
  createLogAlertSink,
  createTaskAlertSink,
  createWebhookAlertSink,
  defineJob,
  type JobDefinition,
  type JobSpec,
  type JobStore,
  type Logger,
  type MonitorRules,
  type TaskStore,
} from "@jada/orchestrator";
import type { JadaConfig } from "../config/schema.js";
import { JadaCliError } from "../errors.js";
import { selfCheck } from "../jobs/self-check.js";
import { sheetsSync } from "../jobs/sheets-sync.js";
import { tokensCheck } from "../jobs/tokens-check.js";
import { headersFromEnv } from "./env-headers.js";
import type { Services } from "./services.js";

type Env = Readonly<Record<string, string | undefined>>;

/** Where the job runs, besides the configuration. */
export interface JobsContext {
  services: Services;
  store: TaskStore & JobStore;
  /** The SQLite data directory, when the store is one (its disk is checked). */
  dataDir?: string | undefined;
}

// The jobs the daemon has, with their defaults (each in jobs/); the config switches them and
// overrides these.
function builtInSpecs(context: JobsContext): JobSpec[] {
  return [
    tokensCheck(context),
    selfCheck(context),
    ...Object.keys(context.services.config.sheets).map((name) => sheetsSync(context, name)),
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
  if (url && !URL.canParse(url))
    throw new JadaCliError(
      "CONFIG_INVALID",
      "JADA_ALERT_WEBHOOK_URL is not a URL: give the whole webhook address (https://…)",
    );
  if (url) {
    let headers: Record<string, string>;
    try {
      headers = headersFromEnv(config.webhook.headers, env, "alerts.webhook.headers");
    } catch (error) {
      throw new JadaCliError("CONFIG_INVALID", (error as Error).message);
    }
    sinks.push(createWebhookAlertSink({ url, headers }));
  }
  if (config.tasks)
    sinks.push(
      createTaskAlertSink(store, (alertId, taskId) => store.setAlertTask(alertId, taskId)),
    );
  return sinks;
}
