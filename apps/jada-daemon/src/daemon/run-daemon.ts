// The daemon's one lifecycle: the logger, the worker, the signals, and one way to stop.
import { format } from "node:util";
import {
  createScheduler,
  createWorker,
  type JobDefinition,
  type JobRunEnded,
  type JobStore,
  type Logger,
  modelRetirement,
  type Scheduler,
  type TaskStore,
  type Tool,
  type Worker,
} from "@jada/orchestrator";
import { pino } from "pino";
import { API_KEY_FIXES, createAgentModel, readApiKey } from "../compose/agent-model.js";
import { alertSinks, daemonJobs } from "../compose/jobs.js";
import type { Services } from "../compose/services.js";
import type { JadaConfig } from "../config/schema.js";
import { JadaCliError } from "../errors.js";
import type { HttpListener } from "../http/listen.js";
import type { CliIo } from "../io.js";
import { VERSION } from "../version.js";
import { releaseMemory } from "./memory.js";
import { checkReadiness, type Readiness } from "./readiness.js";
import { createSystemdNotifier, type SystemdNotifier } from "./systemd-notify.js";

/** What {@link runDaemon} needs: the config, the process's I/O, and an open store. */
export interface RunDaemonOptions {
  config: JadaConfig;
  io: CliIo;
  store: TaskStore & JobStore;
  /** The composed services (the jobs use them: the Google token manager, …). */
  services: Services;
  /** The SQLite data directory, when there is one (the self-check watches its disk). */
  dataDir?: string | undefined;
  /** How the store is named in the start line. */
  where: string;
  /** Run what is runnable now, then return (cron, tests). */
  once: boolean;
  /** Where the signals come from (the process; a test may pass its own emitter). */
  signals?: Pick<NodeJS.Process, "on" | "off"> | undefined;
  /** The most a graceful stop may take before the process exits anyway (default 120 s). */
  stopTimeoutMs?: number | undefined;
  /** Serve the dashboard, /api, /metrics and /readyz (default: `http.enabled`; never with `once`). */
  http?: boolean | undefined;
  /** The SQLite file, when the store is one (/readyz checks it is still there). */
  file?: string | undefined;
}

/** The logger of the daemon: JSON lines on stdout, for journald. */
export function createDaemonLogger(): Logger & pino.Logger {
  return pino({ base: { service: "jada-daemon" } }, pino.destination({ dest: 1, sync: true }));
}

/**
 * Runs the agent daemon until SIGTERM or SIGINT (or, with `once`, until what is runnable now has
 * run) and returns the exit code: 0, or 1 when a `--once` pass had failed sessions or found the
 * key refused. Beside the agent's worker runs the scheduler of the jobs, whose alerts go to the
 * log, the webhook and tasks. SIGHUP reads the API key again and lifts a pause. The store is
 * closed on return.
 */
export async function runDaemon(options: RunDaemonOptions): Promise<number> {
  const { config, io, store } = options;
  let apiKey: ReturnType<typeof readApiKey>;
  try {
    apiKey = readApiKey(io.env);
  } catch (error) {
    await store.close();
    throw error;
  }
  const signals = options.signals ?? process;
  const logger = createDaemonLogger();
  // Libraries that print to the console (the Anthropic SDK's deprecation notice) would put plain
  // text between the JSON lines: their words go through the logger instead.
  const restoreConsole = routeConsole(logger);
  const retirement = modelRetirement(config.agent.model);
  let model = apiKey
    ? createAgentModel(config.agent, apiKey, io.env, logger, releaseMemory)
    : undefined;
  let jobs: ReturnType<typeof daemonJobs>;
  let sinks: ReturnType<typeof alertSinks>;
  let tools: Tool[];
  // The scheduler is made after the worker (it takes its id); run_job reaches it through this.
  let scheduler: Scheduler | undefined;
  try {
    jobs = daemonJobs({ services: options.services, store, dataDir: options.dataDir });
    sinks = alertSinks(config.alerts, io.env, store, logger);
    const { createAgentTools } = await import("../agent/tools.js");
    tools = await createAgentTools({
      services: options.services,
      store,
      jobs,
      scheduler: { runNow: (name) => (scheduler as Scheduler).runNow(name) },
      logger,
    });
  } catch (error) {
    restoreConsole();
    await store.close();
    throw error;
  }
  const worker = createWorker({
    store,
    model,
    system: config.agent.system,
    tools,
    pollMs: config.agent.pollSeconds * 1000,
    maxTurns: config.agent.maxTurns,
    checkpointAtTurn: config.agent.checkpointAtTurn,
    leaseMs: config.agent.leaseSeconds * 1000,
    concurrency: config.agent.concurrency,
    price: config.agent.price,
    pausedProbeMs: config.agent.pausedProbeSeconds * 1000,
    fixes: API_KEY_FIXES,
    logger,
  });
  let onRunEnd: ((end: JobRunEnded) => void) | undefined;
  scheduler = createScheduler({
    store,
    jobs,
    sinks,
    logger,
    workerId: worker.id,
    onRunEnd: (end) => onRunEnd?.(end),
  });
  let http: HttpListener | undefined;
  if (!options.once && (options.http ?? config.http.enabled)) {
    try {
      http = await startHttp({ ...options, worker, scheduler, jobs, logger });
    } catch (error) {
      restoreConsole();
      await store.close();
      throw error;
    }
    onRunEnd = http.jobRunEnded;
  }
  logger.info(
    {
      version: VERSION,
      jobs: jobs.map((job) => job.name),
      tools: tools.map((tool) => tool.name),
      alerts: sinks.map((sink) => sink.name),
      store: options.where,
      model: config.agent.model,
      apiKey: apiKey?.source ?? "none",
      ...(http ? { http: http.url } : {}),
      ...(retirement ? { modelRetirement: retirement } : {}),
    },
    `jada daemon ${VERSION} started: ${options.where}${http ? `; dashboard at ${http.url}` : ""}`,
  );
  if (retirement)
    logger.warn(
      { modelRetirement: retirement },
      `agent.model ${retirement.model} ${retirement.retired ? "was retired on" : "retires on"} ${retirement.retiresOn}: set agent.model to ${retirement.use}`,
    );

  // systemd (Type=notify): READY=1 once the loops run, STATUS= lines, the watchdog's pings.
  const systemd = createSystemdNotifier(io.env, (message) => logger.warn({}, message));

  // The start's garbage (config parsing, migrations, module loading) is not kept all day.
  setTimeout(releaseMemory, 2000).unref();

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping: finishing the current call, then saving a checkpoint");
    // Bounded: a call that never returns does not keep the process; its lease then expires.
    setTimeout(() => process.exit(0), options.stopTimeoutMs ?? 120_000).unref();
    systemd.notify("STOPPING=1");
    void worker.stop();
    void scheduler.stop();
  };
  const reload = () => {
    try {
      const next = readApiKey(io.env);
      if (next === undefined) {
        logger.warn({ signal: "SIGHUP" }, `SIGHUP: no API key; fix: ${API_KEY_FIXES.noModel}`);
        return;
      }
      logger.info(
        { signal: "SIGHUP", apiKey: next.source },
        `SIGHUP: API key read from ${next.source}`,
      );
      // The old model's process finishes a call in flight, then exits when idle.
      model = createAgentModel(config.agent, next, io.env, logger, releaseMemory);
      worker.resume(model);
    } catch (error) {
      logger.error({ signal: "SIGHUP" }, `SIGHUP: ${(error as Error).message}`);
    }
  };
  const onTerm = () => stop("SIGTERM");
  const onInt = () => stop("SIGINT");
  signals.on("SIGTERM", onTerm);
  signals.on("SIGINT", onInt);
  signals.on("SIGHUP", reload);
  try {
    if (options.once) {
      await scheduler.tick();
      const result = await worker.runOnce();
      const failed = result.failed > 0 || result.paused?.reason === "auth";
      (failed ? logger.warn : logger.info).call(
        logger,
        { sessions: result.sessions, failed: result.failed, last: result.last },
        `ran ${result.sessions} session${result.sessions === 1 ? "" : "s"} (${result.failed} failed); now ${result.last}`,
      );
      return failed ? 1 : 0;
    }
    const loops = Promise.all([worker.run(), scheduler.run()]);
    const watching = watchOverDaemon({
      systemd,
      readiness: () =>
        checkReadiness({
          store,
          worker,
          scheduler: scheduler as Scheduler,
          file: options.file,
          workerPeriodMs: config.agent.pollSeconds * 1000,
          schedulerPeriodMs: 60_000,
        }),
      status: async () => statusLine(worker, await store.quota()),
      logger,
    });
    try {
      await loops;
    } finally {
      watching.stop();
    }
    return 0;
  } finally {
    signals.off("SIGTERM", onTerm);
    signals.off("SIGINT", onInt);
    signals.off("SIGHUP", reload);
    await http?.close();
    model?.close();
    systemd.close();
    restoreConsole();
    await store.close();
  }
}

/**
 * Tells systemd the daemon is ready (once the loops run), what it is doing (STATUS=, every 30 s)
 * and, when it asked for a watchdog, pings it every half period only while the daemon is ready:
 * a loop stuck or a store gone stops the pings, and systemd restarts the daemon.
 */
function watchOverDaemon(options: {
  systemd: SystemdNotifier;
  readiness: () => Promise<Readiness>;
  status: () => Promise<string>;
  logger: Logger;
}): { stop(): void } {
  const { systemd } = options;
  if (!systemd.active) return { stop() {} };
  systemd.notify("READY=1");
  let last = "";
  const tellStatus = async () => {
    const line = await options.status().catch((error: Error) => `store: ${error.message}`);
    if (line !== last) systemd.notify(`STATUS=${line}`);
    last = line;
  };
  void tellStatus();
  const timers = [setInterval(() => void tellStatus(), 30_000)];
  if (systemd.watchdogMs !== undefined) {
    let wasReady = true;
    timers.push(
      setInterval(
        () =>
          void options.readiness().then((readiness) => {
            if (readiness.ready) systemd.notify("WATCHDOG=1");
            else if (wasReady)
              options.logger.error(
                { checks: readiness.checks },
                `not ready: the systemd watchdog is no longer pinged (${Object.values(readiness.checks).find((check) => check !== "ok")})`,
              );
            wasReady = readiness.ready;
          }),
        Math.max(500, systemd.watchdogMs / 2),
      ),
    );
  }
  for (const timer of timers) timer.unref();
  return {
    stop() {
      for (const timer of timers) clearInterval(timer);
    },
  };
}

// "2 of 5 sessions today; running: Reconcile bookings (turn 12 of 30)".
function statusLine(worker: Worker, quota: { used: number; limit: number }): string {
  const status = worker.status();
  const running = status.running
    .map((session) => `${session.title} (turn ${session.turn})`)
    .join(", ");
  return `${quota.used} of ${quota.limit} sessions today; ${status.paused ? "sessions paused" : running ? `running: ${running}` : "idle"}`;
}

// The HTTP server over the running daemon: listening from the start, loaded on first use.
async function startHttp(
  context: RunDaemonOptions & {
    worker: Worker;
    scheduler: Scheduler;
    jobs: readonly JobDefinition[];
    logger: Logger;
  },
): Promise<HttpListener> {
  const { config, io } = context;
  const { listenLazily, HttpConfigError } = await import("../http/listen.js");
  const token = io.env["JADA_HTTP_TOKEN"] || config.http.token;
  const load = async (loopback: boolean) => {
    const [{ createHttpServer }, { createDaemonView }] = await Promise.all([
      import("../http/server.js"),
      import("../http/view.js"),
    ]);
    const view = createDaemonView({
      store: context.store,
      worker: context.worker,
      scheduler: context.scheduler,
      jobs: context.jobs,
      google: async () => context.services.google(),
      version: VERSION,
      where: context.where,
      file: context.file,
      maxTurns: config.agent.maxTurns,
      workerPeriodMs: config.agent.pollSeconds * 1000,
      schedulerPeriodMs: 60_000,
    });
    return createHttpServer({
      view,
      loopback,
      token,
      readOnly: config.http.readOnly,
      version: VERSION,
      logger: context.logger,
    });
  };
  try {
    return await listenLazily({
      host: config.http.host,
      port: config.http.port,
      token,
      load,
      // A visit's garbage (pages, a scrape) is not kept until the next one.
      onQuiet: releaseMemory,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof HttpConfigError) throw new JadaCliError("HTTP", error.message);
    if (code === "EADDRINUSE" || code === "EADDRNOTAVAIL" || code === "EACCES")
      throw new JadaCliError(
        "HTTP",
        `http: cannot listen on ${config.http.host}:${config.http.port} (${code}): set http.port, or run with --no-http`,
        { cause: error },
      );
    throw error;
  }
}

// console.log/info/warn/error as JSON lines of the logger, until the returned function restores
// them.
function routeConsole(logger: Logger): () => void {
  // biome-ignore lint/suspicious/noConsole: saved to be restored, never called here
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  const to =
    (level: "info" | "warn" | "error") =>
    (...args: unknown[]) =>
      logger[level]({ source: "console" }, format(...args));
  console.log = to("info");
  console.info = to("info");
  console.warn = to("warn");
  console.error = to("error");
  return () => Object.assign(console, saved);
}
