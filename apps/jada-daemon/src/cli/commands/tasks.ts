import type { QuotaStatus, SessionRecord, Task, TaskStatus, TaskStore } from "@jada/orchestrator";
import type { Command } from "commander";
import { API_KEY_FIXES } from "../../compose/agent-model.js";
import { databaseUrl, type OpenedTaskStore, postgresWhere } from "../../compose/task-store.js";
import { JadaCliError } from "../../errors.js";
import { renderJson, renderTable } from "../../render/table.js";
import { describeTask, requeues } from "../../status/tasks.js";
import type { CommandContext } from "../context.js";

const STATUSES: readonly TaskStatus[] = [
  "pending",
  "running",
  "needs_you",
  "done",
  "failed",
  "cancelled",
];

// The store of the command's data directory (`--data-dir` on the command or its parent).
async function openStore(command: Command, context: CommandContext): Promise<OpenedTaskStore> {
  const services = await context.services();
  return services.openTaskStore(command.optsWithGlobals<{ dataDir?: string }>().dataDir);
}

async function withStore<T>(
  command: Command,
  context: CommandContext,
  work: (store: TaskStore) => Promise<T>,
): Promise<T> {
  const { store } = await openStore(command, context);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

// A parser of a whole number of at least 1, for an option.
function wholeNumber(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < 1)
      throw new JadaCliError(
        "USAGE",
        `${flag} must be a whole number of at least 1, not "${value}"`,
      );
    return Number(value);
  };
}

/** A full task id from an id or a unique prefix of one (as `jada task list` shows them). */
async function resolveId(store: TaskStore, id: string): Promise<string> {
  // An empty prefix would match every task.
  if (id.trim() === "") throw new JadaCliError("USAGE", "a task id cannot be empty");
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

/** Adds `jada task …`, `jada quota` and `jada migrate`. */
export function registerTaskCommands(program: Command, context: CommandContext): void {
  const { io } = context;
  const task = program
    .command("task")
    .summary("add, list, show, retry and cancel the agent's tasks")
    .option(
      "--data-dir <dir>",
      "where the task database lives (default: $JADA_DATA_DIR, else ./.jada/)",
    );
  task
    .command("add")
    .summary("queue a task for the agent")
    .description(
      "Queue a task: the agent works on it in its next session, highest priority first. The " +
        "prompt is what the agent is told (the title when left out).",
    )
    .argument("<title>", "what to do, in a line")
    .option("--prompt <text>", "the full instructions (default: the title)")
    .option("--priority <n>", "higher runs first (default 0)", (value) => {
      if (!/^-?\d+$/.test(value))
        throw new JadaCliError("USAGE", "--priority must be a whole number");
      return Number(value);
    })
    .option(
      "--max-turns <n>",
      "model calls per session of this task, at most agent.maxTurns (default: agent.maxTurns)",
      wholeNumber("--max-turns"),
    )
    .option(
      "--max-sessions <n>",
      "sessions it may take; then it goes to a person with its checkpoint (default 3)",
      wholeNumber("--max-sessions"),
    )
    .option("--json", "print the task as JSON")
    .action(
      async (
        title: string,
        options: {
          prompt?: string;
          priority?: number;
          maxTurns?: number;
          maxSessions?: number;
          json?: boolean;
        },
        command: Command,
      ) => {
        if (options.prompt !== undefined && options.prompt.trim() === "")
          throw new JadaCliError(
            "USAGE",
            "--prompt cannot be empty (leave it out to use the title)",
          );
        const { config } = await context.services();
        if (options.maxTurns !== undefined && options.maxTurns > config.agent.maxTurns)
          throw new JadaCliError(
            "USAGE",
            `--max-turns ${options.maxTurns} is more than a session may take (agent.maxTurns: ${config.agent.maxTurns})`,
          );
        const added = await withStore(command, context, (store) =>
          store.add({
            title,
            prompt: options.prompt,
            priority: options.priority,
            maxTurns: options.maxTurns,
            maxAttempts: options.maxSessions ?? 3,
          }),
        );
        io.stdout.write(options.json ? renderJson(added) : `added ${added.id} (${added.title})\n`);
        context.exit(0);
      },
    );
  task
    .command("list")
    .summary("the tasks, oldest first, with their status and sessions used")
    .option("--status <status>", `only tasks in this status (${STATUSES.join(", ")})`)
    .option("--json", "print as JSON")
    .action(async (options: { status?: string; json?: boolean }, command: Command) => {
      if (options.status !== undefined && !STATUSES.includes(options.status as TaskStatus)) {
        throw new JadaCliError(
          "USAGE",
          `unknown status "${options.status}": use ${STATUSES.join(", ")}`,
        );
      }
      const tasks = await withStore(command, context, (store) =>
        store.list({ status: options.status as TaskStatus | undefined }),
      );
      io.stdout.write(options.json ? renderJson(tasks) : taskTable(tasks));
      context.exit(0);
    });
  task
    .command("show")
    .summary("one task: its sessions, checkpoint, result, and why it was requeued")
    .argument("<id>", "task id")
    .option("--json", "print as JSON")
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const found = await withStore(command, context, async (store) =>
        describeTask(store, await resolveId(store, id)),
      );
      if (found === undefined) throw new JadaCliError("USAGE", `no task ${id}`);
      const { sessions } = found;
      if (options.json) io.stdout.write(renderJson(found));
      else {
        const lines = [
          `${found.title}  [${found.status}]  ${found.id}`,
          `priority ${found.priority}, sessions ${found.attempts}/${found.maxAttempts}${found.notBefore ? `, not before ${found.notBefore}` : ""}`,
          ...(found.needsYou ? [`needs you: ${found.needsYou}`] : []),
          ...(found.parent ? [`part of ${found.parent.id} (${found.parent.title})`] : []),
          ...(found.children.length > 0
            ? [
                `split into: ${found.children.map((child) => `${child.id.slice(0, 8)} [${child.status}]`).join(", ")}`,
              ]
            : []),
          ...requeueLines(sessions),
          ...(sessions.length > 0
            ? [
                `spent: ${found.totals.turns} turns, ${found.totals.tokens} tokens, $${found.totals.costUsd.toFixed(4)}`,
              ]
            : []),
          ...(found.checkpoint ? ["checkpoint:", JSON.stringify(found.checkpoint, null, 2)] : []),
          ...(found.result !== null ? ["result:", JSON.stringify(found.result, null, 2)] : []),
          ...sessions.map(
            (session) =>
              `session ${session.startedAt}: ${session.outcome ?? "running"}, ${session.turns} turns${session.costUsd !== null ? `, $${session.costUsd.toFixed(4)}` : ""}${session.error ? ` (${session.error})` : ""}`,
          ),
        ];
        io.stdout.write(`${lines.join("\n")}\n`);
      }
      context.exit(0);
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
        const changed = await withStore(command, context, async (store) => {
          const full = await resolveId(store, id);
          return name === "retry" ? store.retry(full) : store.cancel(full);
        });
        io.stdout.write(`${changed.id} is ${changed.status}\n`);
        context.exit(0);
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
      const { config } = await context.services();
      const url = databaseUrl({ config, env: io.env });
      let applied: number[] = [];
      let where: string;
      if (url !== undefined) {
        const { migratePostgres } = await import("@jada/orchestrator/postgres");
        applied = await migratePostgres({
          connectionString: url,
          schema: config.database.schema,
        }).catch((error: unknown) => {
          throw new JadaCliError("STORE", (error as Error).message, { cause: error });
        });
        where = postgresWhere(url, config.database.schema);
      } else {
        // SQLite migrates when the file is opened.
        const opened = await openStore(command, context);
        await opened.store.close();
        where = opened.where;
      }
      io.stdout.write(
        options.json
          ? `${JSON.stringify({ store: where, applied })}\n`
          : `${where}: ${applied.length === 0 ? "up to date" : `applied migration${applied.length === 1 ? "" : "s"} ${applied.join(", ")}`}\n`,
      );
      context.exit(0);
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
      const { quota, paused } = await withStore(command, context, async (store) => ({
        quota: await store.quota(),
        paused: refusedKey((await store.recentSessions(1))[0]),
      }));
      io.stdout.write(
        options.json
          ? renderJson({ ...quota, ...(paused ? { paused } : {}) })
          : quotaLines(quota, paused),
      );
      context.exit(0);
    });
}

function requeueLines(sessions: SessionRecord[]): string[] {
  const counts = Object.entries(requeues(sessions));
  if (counts.length === 0) return [];
  const total = counts.reduce((sum, [, count]) => sum + count, 0);
  const why = counts.map(([kind, count]) => `${kind} ${count}`).join(", ");
  return [`sessions that failed and requeued it: ${total} (${why})`];
}

/** When the latest session was refused for its key, sessions are paused: since when, and the fix. */
function refusedKey(
  latest: SessionRecord | undefined,
): { reason: "auth"; since: string; message: string; fix: string } | undefined {
  if (latest?.outcome !== "error" || !latest.error?.startsWith("auth:")) return undefined;
  return {
    reason: "auth",
    since: latest.endedAt ?? latest.startedAt,
    message:
      "the API refused the key in the latest session: the daemon pauses sessions until it works",
    fix: API_KEY_FIXES.refusedKey,
  };
}

function quotaLines(quota: QuotaStatus, paused: ReturnType<typeof refusedKey>): string {
  const lines = [`${quota.used} of ${quota.limit} sessions used`];
  if (quota.tokens) lines.push(`${quota.tokens.used} of ${quota.tokens.limit} tokens used`);
  if (quota.usd)
    lines.push(`$${quota.usd.used.toFixed(2)} of $${quota.usd.limit.toFixed(2)} spent (estimated)`);
  lines.push(`resets at ${quota.resetsAt}`);
  if (paused)
    lines.push(`sessions paused since ${paused.since}: ${paused.message}`, `fix: ${paused.fix}`);
  return `${lines.join("\n")}\n`;
}

function taskTable(tasks: Task[]): string {
  if (tasks.length === 0) return "no tasks\n";
  return renderTable(
    ["ID", "STATUS", "PRIO", "SESSIONS", "TITLE"],
    tasks.map((task) => [
      task.id.slice(0, 8),
      task.status,
      String(task.priority),
      `${task.attempts}/${task.maxAttempts}`,
      task.title,
    ]),
  );
}
