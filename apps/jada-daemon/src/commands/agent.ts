import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  type AgentModel,
  createAnthropicModel,
  createWorker,
  OrchestratorError,
  type QuotaStatus,
  type Task,
  type TaskStatus,
  type TaskStore,
} from "@jada/orchestrator";
import type { Command } from "commander";
import { pino } from "pino";
import type { LoadedConfig } from "../config/load.js";
import { JadaCliError } from "../errors.js";
import type { CliIo } from "../io.js";

type GetConfig = () => Promise<LoadedConfig>;

const STATUSES: readonly TaskStatus[] = [
  "pending",
  "running",
  "needs_you",
  "done",
  "failed",
  "cancelled",
];

/** The data directory: `--data-dir`, else `JADA_DATA_DIR`, else `./.jada/`, created on first use. */
export function dataDir(flag: string | undefined, io: CliIo): string {
  const dir = resolve(io.cwd, flag ?? io.env["JADA_DATA_DIR"] ?? ".jada");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

async function openStore(
  command: Command,
  io: CliIo,
  getConfig: GetConfig,
): Promise<{ store: TaskStore; config: LoadedConfig["config"]; where: string }> {
  const { config } = await getConfig();
  const quota = {
    dailySessions: config.agent.dailySessions,
    rolloverMinutes: config.agent.rolloverMinutes,
    dailyTokens: config.agent.dailyTokens,
    dailyUsd: config.agent.dailyUsd,
  };
  const databaseUrl = io.env["JADA_DATABASE_URL"] || config.database.url;
  try {
    if (databaseUrl) {
      if (!/^postgres(ql)?:\/\//.test(databaseUrl))
        throw new Error("JADA_DATABASE_URL must be a postgres:// URL");
      const { openPostgresTaskStore } = await import("@jada/orchestrator/postgres");
      const store = await openPostgresTaskStore({
        connectionString: databaseUrl,
        schema: config.database.schema,
        ...quota,
      });
      return {
        store,
        config,
        where: `postgres (${redactUrl(databaseUrl)}, schema ${config.database.schema})`,
      };
    }
    const dir = dataDir(command.optsWithGlobals<{ dataDir?: string }>().dataDir, io);
    const { createSqliteTaskStore } = await import("@jada/orchestrator/sqlite");
    const path = join(dir, "jada.db");
    return { store: createSqliteTaskStore({ path, ...quota }), config, where: `sqlite (${path})` };
  } catch (error) {
    throw new JadaCliError("USAGE", (error as Error).message, { cause: error });
  }
}

/** A database URL without its password, for logs. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

async function withStore<T>(
  command: Command,
  io: CliIo,
  getConfig: GetConfig,
  work: (store: TaskStore) => Promise<T>,
): Promise<T> {
  const { store } = await openStore(command, io, getConfig);
  try {
    return await work(store);
  } catch (error) {
    if (error instanceof OrchestratorError)
      throw new JadaCliError("USAGE", error.message, { cause: error });
    throw error;
  } finally {
    await store.close();
  }
}

/**
 * A model whose SDK is imported on the first call: a daemon that idles with nothing queued (most
 * of its day) never holds the SDK's ~15 MB.
 */
function loadOnFirstCall(load: () => Promise<AgentModel>): AgentModel {
  let loading: Promise<AgentModel> | undefined;
  return {
    async send(request) {
      loading ??= load();
      return (await loading).send(request);
    },
  };
}

/** A full task id from an id or a unique prefix of one (as `jada task list` shows them). */
async function resolveId(store: TaskStore, id: string): Promise<string> {
  if (await store.get(id)) return id;
  const matches = (await store.list()).filter((task) => task.id.startsWith(id));
  if (matches.length === 1) return (matches[0] as Task).id;
  throw new JadaCliError(
    "USAGE",
    matches.length === 0
      ? `no task ${id}`
      : `"${id}" matches ${matches.length} tasks: give more of the id`,
  );
}

/** Adds `jada daemon`, `jada task …` and `jada quota`. */
export function registerAgentCommands(
  program: Command,
  io: CliIo,
  getConfig: GetConfig,
  setExitCode: (code: number) => void,
): void {
  program
    .command("daemon")
    .summary("run the agent: claim queued tasks and run their sessions, within the daily quota")
    .option("--once", "run what is runnable now, then exit (for cron and tests)")
    .option(
      "--data-dir <dir>",
      "where the task database lives (default: $JADA_DATA_DIR, else ./.jada/)",
    )
    .addHelpText(
      "after",
      `
Logs are JSON lines on stdout (for journald). Without ANTHROPIC_API_KEY the daemon starts, says
that sessions are paused, and keeps tasks queued. SIGTERM or SIGINT: the current model call
finishes, the session ends with a checkpoint, the lease is released, exit 0.`,
    )
    .action(async (options: { once?: boolean }, command: Command) => {
      const { store, config, where } = await openStore(command, io, getConfig);
      const logger = pino(
        { base: { service: "jada-daemon" } },
        pino.destination({ dest: 1, sync: true }),
      );
      const apiKey = io.env["ANTHROPIC_API_KEY"];
      const model = apiKey
        ? loadOnFirstCall(async () => {
            const { default: Anthropic } = await import("@anthropic-ai/sdk");
            return createAnthropicModel(
              new Anthropic({
                apiKey,
                baseURL: io.env["ANTHROPIC_BASE_URL"] ?? null,
                maxRetries: 2,
              }),
              { model: config.agent.model, maxTokens: config.agent.maxTokens },
            );
          })
        : undefined;
      const worker = createWorker({
        store,
        model,
        system: config.agent.system,
        pollMs: config.agent.pollSeconds * 1000,
        maxTurns: config.agent.maxTurns,
        checkpointAtTurn: config.agent.checkpointAtTurn,
        leaseMs: config.agent.leaseSeconds * 1000,
        concurrency: config.agent.concurrency,
        price: config.agent.price,
        logger,
      });
      logger.info({ store: where }, `task store: ${where}`);
      const shutdown = (signal: string) => {
        logger.info({ signal }, "stopping: finishing the current call, then saving a checkpoint");
        // Bounded: a call that never returns does not keep the process; its lease then expires.
        setTimeout(() => process.exit(0), 120_000).unref();
        void worker.stop();
      };
      process.once("SIGTERM", () => shutdown("SIGTERM"));
      process.once("SIGINT", () => shutdown("SIGINT"));
      try {
        if (options.once) {
          const { sessions, last } = await worker.runOnce();
          logger.info(
            { sessions, last },
            `ran ${sessions} session${sessions === 1 ? "" : "s"}; now ${last}`,
          );
        } else {
          await worker.run();
        }
      } finally {
        await store.close();
      }
      setExitCode(0);
    });

  const task = program
    .command("task")
    .summary("add, list, show, retry and cancel the agent's tasks")
    .option(
      "--data-dir <dir>",
      "where the task database lives (default: $JADA_DATA_DIR, else ./.jada/)",
    );
  task
    .command("add")
    .argument("<title>", "what to do, in a line")
    .option("--prompt <text>", "the full instructions (default: the title)")
    .option("--priority <n>", "higher runs first (default 0)", (value) => {
      if (!/^-?\d+$/.test(value))
        throw new JadaCliError("USAGE", "--priority must be a whole number");
      return Number(value);
    })
    .option("--json", "print the task as JSON")
    .action(
      async (
        title: string,
        options: { prompt?: string; priority?: number; json?: boolean },
        command: Command,
      ) => {
        const added = await withStore(command, io, getConfig, (store) =>
          store.add({ title, prompt: options.prompt, priority: options.priority }),
        );
        io.stdout.write(
          options.json
            ? `${JSON.stringify(added, null, 2)}\n`
            : `added ${added.id} (${added.title})\n`,
        );
        setExitCode(0);
      },
    );
  task
    .command("list")
    .option("--status <status>", `only tasks in this status (${STATUSES.join(", ")})`)
    .option("--json", "print as JSON")
    .action(async (options: { status?: string; json?: boolean }, command: Command) => {
      if (options.status !== undefined && !STATUSES.includes(options.status as TaskStatus)) {
        throw new JadaCliError(
          "USAGE",
          `unknown status "${options.status}": use ${STATUSES.join(", ")}`,
        );
      }
      const tasks = await withStore(command, io, getConfig, (store) =>
        store.list({ status: options.status as TaskStatus | undefined }),
      );
      io.stdout.write(options.json ? `${JSON.stringify(tasks, null, 2)}\n` : taskTable(tasks));
      setExitCode(0);
    });
  task
    .command("show")
    .argument("<id>", "task id")
    .option("--json", "print as JSON")
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const { found, sessions } = await withStore(command, io, getConfig, async (store) => {
        const full = await resolveId(store, id);
        return { found: await store.get(full), sessions: await store.sessions(full) };
      });
      if (found === undefined) throw new JadaCliError("USAGE", `no task ${id}`);
      if (options.json) io.stdout.write(`${JSON.stringify({ ...found, sessions }, null, 2)}\n`);
      else {
        const lines = [
          `${found.title}  [${found.status}]  ${found.id}`,
          `priority ${found.priority}, sessions ${found.attempts}/${found.maxAttempts}${found.notBefore ? `, not before ${found.notBefore}` : ""}`,
          ...(found.needsYou ? [`needs you: ${found.needsYou}`] : []),
          ...(found.checkpoint ? ["checkpoint:", JSON.stringify(found.checkpoint, null, 2)] : []),
          ...(found.result !== null ? ["result:", JSON.stringify(found.result, null, 2)] : []),
          ...sessions.map(
            (session) =>
              `session ${session.startedAt}: ${session.outcome ?? "running"}, ${session.turns} turns${session.costUsd !== null ? `, $${session.costUsd.toFixed(4)}` : ""}${session.error ? ` (${session.error})` : ""}`,
          ),
        ];
        io.stdout.write(`${lines.join("\n")}\n`);
      }
      setExitCode(0);
    });
  for (const [name, summary] of [
    ["retry", "put a failed, cancelled or needs-you task back in the queue"],
    ["cancel", "cancel a task"],
  ] as const) {
    task
      .command(name)
      .summary(summary)
      .argument("<id>", "task id")
      .action(async (id: string, _options: unknown, command: Command) => {
        const changed = await withStore(command, io, getConfig, async (store) => {
          const full = await resolveId(store, id);
          return name === "retry" ? store.retry(full) : store.cancel(full);
        });
        io.stdout.write(`${changed.id} is ${changed.status}\n`);
        setExitCode(0);
      });
  }

  program
    .command("migrate")
    .summary("apply the task store's schema migrations (Postgres: safe with daemons running)")
    .option(
      "--data-dir <dir>",
      "where the SQLite database lives (default: $JADA_DATA_DIR, else ./.jada/)",
    )
    .option("--json", "print as JSON")
    .addHelpText(
      "after",
      `
With JADA_DATABASE_URL (or database.url in the config) the Postgres schema is migrated, under an
advisory lock so that daemons starting at the same time never apply a migration twice; without,
the SQLite file in the data directory. Daemons also migrate when they start.`,
    )
    .action(async (options: { json?: boolean }, command: Command) => {
      const { config } = await getConfig();
      const databaseUrl = io.env["JADA_DATABASE_URL"] || config.database.url;
      let applied: number[] = [];
      let where: string;
      if (databaseUrl) {
        const { migratePostgres } = await import("@jada/orchestrator/postgres");
        applied = await migratePostgres({
          connectionString: databaseUrl,
          schema: config.database.schema,
        }).catch((error: unknown) => {
          throw new JadaCliError("USAGE", (error as Error).message, { cause: error });
        });
        where = `postgres (${redactUrl(databaseUrl)}, schema ${config.database.schema})`;
      } else {
        // SQLite migrates when the file is opened.
        const opened = await openStore(command, io, getConfig);
        await opened.store.close();
        where = opened.where;
      }
      io.stdout.write(
        options.json
          ? `${JSON.stringify({ store: where, applied })}\n`
          : `${where}: ${applied.length === 0 ? "up to date" : `applied migration${applied.length === 1 ? "" : "s"} ${applied.join(", ")}`}\n`,
      );
      setExitCode(0);
    });

  program
    .command("quota")
    .summary("sessions used today, the limit, and when it resets")
    .option(
      "--data-dir <dir>",
      "where the task database lives (default: $JADA_DATA_DIR, else ./.jada/)",
    )
    .option("--json", "print as JSON")
    .action(async (options: { json?: boolean }, command: Command) => {
      const quota = await withStore(command, io, getConfig, (store) => store.quota());
      io.stdout.write(options.json ? `${JSON.stringify(quota, null, 2)}\n` : quotaLines(quota));
      setExitCode(0);
    });
}

function quotaLines(quota: QuotaStatus): string {
  const lines = [`${quota.used} of ${quota.limit} sessions used`];
  if (quota.tokens) lines.push(`${quota.tokens.used} of ${quota.tokens.limit} tokens used`);
  if (quota.usd)
    lines.push(`$${quota.usd.used.toFixed(2)} of $${quota.usd.limit.toFixed(2)} spent (estimated)`);
  lines.push(`resets at ${quota.resetsAt}`);
  return `${lines.join("\n")}\n`;
}

function taskTable(tasks: Task[]): string {
  if (tasks.length === 0) return "no tasks\n";
  const rows = tasks.map((task) => [
    task.id.slice(0, 8),
    task.status,
    String(task.priority),
    `${task.attempts}/${task.maxAttempts}`,
    task.title,
  ]);
  const header = ["ID", "STATUS", "PRIO", "SESSIONS", "TITLE"];
  const widths = header.map((_, column) =>
    Math.max(...[header, ...rows].map((row) => (row[column] ?? "").length)),
  );
  return `${[header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n")}\n`;
}
