import { randomUUID } from "node:crypto";
import pg from "pg";
import { OrchestratorError } from "../errors.js";
import { quotaStatus, quotaWindow, spentLimit, totalTokens } from "../quota-window.js";
import { retry } from "../retry.js";
import {
  type SessionRow as StoredSessionRow,
  type TaskRow as StoredTaskRow,
  toSession as sessionFromRow,
  toTask as taskFromRow,
} from "../store-rows.js";
import {
  ABANDONED_SESSION,
  checkNewTask,
  checkNoCycle,
  outOfSessionsMessage,
  planTransition,
  splitResult,
} from "../store-rules.js";
import { emptyCounts, pageOf, taskWhere } from "../task-query.js";
import type {
  ClaimResult,
  Clock,
  JobStore,
  QuotaStatus,
  SessionOutcome,
  SessionRecord,
  Task,
  TaskStatus,
  TaskStore,
} from "../types.js";
import { applyMigrations, quoteIdent, SCHEMA_VERSION } from "./migrations.js";
import { createPostgresJobStore } from "./postgres-jobs.js";

/** Options of {@link openPostgresTaskStore}. */
export interface PostgresTaskStoreOptions {
  /** `postgres://user:password@host:5432/db` (or give `pool`). */
  connectionString?: string | undefined;
  /** A pool of your own; the store does not end it on `close()`. */
  pool?: pg.Pool | undefined;
  /** The schema holding the tables (default `jada`): one per deployment, or per test run. */
  schema?: string | undefined;
  /** Apply pending migrations on open (default true; `jada migrate` applies them explicitly). */
  migrate?: boolean | undefined;
  /** Sessions per quota day (default 5). */
  dailySessions?: number | undefined;
  /** Minutes after 00:00 UTC when the quota day turns (default 0). */
  rolloverMinutes?: number | undefined;
  /** Tokens (every kind) per quota day; no budget when unset. */
  dailyTokens?: number | undefined;
  /** Estimated dollars per quota day; no budget when unset. */
  dailyUsd?: number | undefined;
  /** Connections of the pool the store creates (default 4). */
  maxConnections?: number | undefined;
  clock?: Clock | undefined;
  /**
   * Told when the listening connection is listening (the first time: `listening`), drops
   * (`lost`) and is back (`restored`): for logs, and for tests that must not sleep.
   */
  onConnectionEvent?:
    | ((event: { kind: "listening" | "lost" | "restored"; error?: string }) => void)
    | undefined;
}

/**
 * The Postgres store: a {@link TaskStore} (that also wakes you when any daemon adds a task) and
 * the {@link JobStore} of the same schema.
 */
export interface PostgresTaskStore extends TaskStore, JobStore {
  /** Applies pending migrations; returns the versions applied. */
  migrate(): Promise<number[]>;
}

// bigint (int8) columns hold epoch milliseconds: well inside Number's exact range.
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === 20
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

type TaskRow = StoredTaskRow<unknown>;
type SessionRow = StoredSessionRow<unknown>;
const readJson = (value: unknown) => value;
/** A row of the `claim` function. */
interface ClaimRow {
  outcome: "idle" | "quota_exhausted" | "claimed";
  task: TaskRow | null;
  used: number;
  tokens: number;
  usd: number;
}
const toTask = (row: TaskRow): Task => taskFromRow(row, readJson);
const toSession = (row: SessionRow): SessionRecord => sessionFromRow(row, readJson);

// The message finish_session fills in with the task's attempts (format()).
const OUT_OF_SESSIONS = outOfSessionsMessage("%s");

// What the claim function raises when concurrent claims left no room for its quota slot.
const QUOTA_RACE = "JQ001";

// A dropped connection, a restarting server, a terminated backend: worth trying again.
const TRANSIENT_CODES = new Set(["57P01", "57P02", "57P03", "08000", "08003", "08006", "53300"]);
function isTransient(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
  const message = (error as Error)?.message ?? "";
  return /Connection terminated|ECONNREFUSED|ECONNRESET|connection is closed|Client has encountered a connection error/i.test(
    message,
  );
}

// A failed migration, its remedy (a schema ahead of this package) kept.
function migrationError(error: unknown): OrchestratorError {
  return new OrchestratorError(
    "STORE_FAILED",
    `cannot migrate the task store: ${(error as Error).message}`,
    {
      cause: error,
      remedy: error instanceof OrchestratorError ? error.remedy : undefined,
    },
  );
}

function storeError(error: unknown): OrchestratorError {
  if (error instanceof OrchestratorError) return error;
  const message = (error as Error)?.message ?? String(error);
  return new OrchestratorError(
    "STORE_FAILED",
    `task store (postgres): ${message}${isTransient(error) ? " (the connection was lost; it is retried)" : ""}`,
    { cause: error },
  );
}

/**
 * The {@link TaskStore} on PostgreSQL, for several daemons on several machines sharing one queue
 * and one daily quota. `claim` is one server-side function call: the task is locked with
 * `FOR UPDATE SKIP LOCKED` and the day's slot taken by a guarded `UPDATE` of the day's quota row
 * in the same transaction, so no number of workers can exceed the quota or claim a task twice.
 * Adding a task notifies every listening daemon (`LISTEN/NOTIFY`); migrations run under an
 * advisory lock. Connections that drop are replaced by the pool; the listener reconnects with
 * backoff.
 *
 * @example
 * ```ts
 * const store = await openPostgresTaskStore({ connectionString: process.env.JADA_DATABASE_URL });
 * const stop = store.onTaskAdded(() => worker.wake());
 * ```
 */
export async function openPostgresTaskStore(
  options: PostgresTaskStoreOptions,
): Promise<PostgresTaskStore> {
  const clock = options.clock ?? { now: () => Date.now() };
  const limit = options.dailySessions ?? 5;
  const rollover = options.rolloverMinutes ?? 0;
  const schemaName = options.schema ?? "jada";
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schemaName))
    throw new OrchestratorError(
      "INVALID_INPUT",
      `a Postgres schema name is letters, digits and underscores: ${JSON.stringify(schemaName)}`,
    );
  if (options.pool === undefined && !options.connectionString)
    throw new OrchestratorError("INVALID_INPUT", "a Postgres store needs a connection string");
  const s = quoteIdent(schemaName);
  const ownPool = options.pool === undefined;
  const pool =
    options.pool ??
    new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 4,
      types,
      connectionTimeoutMillis: 10_000,
    });
  // A connection that dies (server restart, pg_terminate_backend) must not crash the process:
  // idle, the pool drops it ("error" on the pool); checked out, the error reaches the query
  // that uses it, but the client emits "error" too, which with no listener would end the
  // process (a loaded machine found this between two queries of a pass).
  pool.on("error", () => {});
  pool.on("connect", (client) => {
    client.on("error", () => {});
  });

  const query = async <R extends pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> => {
    try {
      return await pool.query<R>({ text, values, types });
    } catch (error) {
      throw storeError(error);
    }
  };
  const migrate = async (): Promise<number[]> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw storeError(error);
    }
    const ignore = () => {};
    client.on("error", ignore);
    try {
      return await applyMigrations(client, schemaName);
    } catch (error) {
      throw migrationError(error);
    } finally {
      client.off("error", ignore);
      client.release();
    }
  };

  // A database that restarts just as the daemon starts is waited for (0.5 s doubling, 5 tries).
  const openSchema = () =>
    retry(
      async () => {
        if (options.migrate !== false) await migrate();
        const { rows } = await query<{ version: number | null }>(
          `SELECT max(version) AS version FROM ${s}.schema_migrations`,
        );
        return rows[0]?.version ?? 0;
      },
      { retryable: (error) => isTransient((error as Error).cause ?? error) },
    );
  try {
    const version = await openSchema();
    if (version < SCHEMA_VERSION)
      throw new OrchestratorError(
        "STORE_FAILED",
        `the database schema ${schemaName} is at version ${version}, this version needs ${SCHEMA_VERSION}: apply the migrations first`,
        { remedy: "migrate" },
      );
    if (version > SCHEMA_VERSION)
      throw new OrchestratorError(
        "STORE_FAILED",
        `the database schema ${schemaName} is at version ${version}, newer than this version (${SCHEMA_VERSION}) knows: upgrade it`,
        { remedy: "upgrade" },
      );
  } catch (error) {
    if (ownPool) await pool.end().catch(() => {});
    const message = (error as Error).message
      .replace(/^task store \(postgres\): /, "")
      .replace(/^cannot migrate the task store: /, "")
      .replace(/ \(the connection was lost; it is retried\)$/, "");
    const unmigrated = / does not exist/.test(message);
    throw new OrchestratorError(
      "STORE_FAILED",
      message.startsWith("the database schema")
        ? message
        : `cannot open the task store (postgres): ${message}${unmigrated ? ": the schema is not migrated" : ""}`,
      {
        cause: error,
        remedy:
          error instanceof OrchestratorError && error.remedy
            ? error.remedy
            : unmigrated
              ? "migrate"
              : undefined,
      },
    );
  }

  const limits = { sessions: limit, tokens: options.dailyTokens, usd: options.dailyUsd };
  const getTask = async (id: string): Promise<Task | undefined> => {
    const { rows } = await query<TaskRow>(`SELECT * FROM ${s}.tasks WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : toTask(rows[0]);
  };
  // Which of these task ids exist.
  const existing = async (ids: readonly string[]): Promise<string[]> => {
    const { rows } = await query<{ id: string }>(
      `SELECT id FROM ${s}.tasks WHERE id = ANY($1::text[])`,
      [[...ids]],
    );
    return rows.map((row) => row.id);
  };

  const quotaAt = async (now: number): Promise<QuotaStatus> => {
    const window = quotaWindow(now, rollover);
    const { rows } = await query<{ used: number; tokens: number; usd: number }>(
      `SELECT coalesce(sum(used), 0)::integer AS used, coalesce(sum(tokens), 0)::bigint AS tokens,
         coalesce(sum(usd), 0)::double precision AS usd FROM ${s}.quota_days WHERE day_start = $1`,
      [window.start],
    );
    // An aggregate without GROUP BY always returns its one row.
    return quotaStatus(
      rows[0] as { used: number; tokens: number; usd: number },
      limits,
      window.end,
    );
  };

  const mustGet = async (id: string): Promise<TaskRow> => {
    const { rows } = await query<TaskRow>(`SELECT * FROM ${s}.tasks WHERE id = $1`, [id]);
    const row = rows[0];
    if (row === undefined) throw new OrchestratorError("NOT_FOUND", `no task ${id}`);
    return row;
  };

  // A change a person asked for (`set`, a fixed SQL fragment) and its event, in one statement.
  const changeTask = async (taskId: string, set: string, event: string): Promise<Task> => {
    const { rows } = await query<TaskRow>(
      `WITH task AS (
         UPDATE ${s}.tasks SET ${set}, updated_at = $2 WHERE id = $1 RETURNING *
       ), event AS (INSERT INTO ${s}.events (at, task_id, kind) VALUES ($2, $1, $3))
       SELECT * FROM task`,
      [taskId, clock.now(), event],
    );
    return toTask(rows[0] as TaskRow);
  };

  const listeners = new Set<() => void>();
  let listener: pg.Client | undefined;
  let closed = false;
  let listenRetry: NodeJS.Timeout | undefined;
  const listen = async (attempt = 0): Promise<void> => {
    if (closed || listeners.size === 0) return;
    const client = options.pool
      ? new pg.Client(options.pool.options)
      : new pg.Client({ connectionString: options.connectionString });
    let lost = false;
    const retry = (error: unknown) => {
      if (closed || lost) return;
      lost = true;
      if (listener === client) listener = undefined;
      client.removeAllListeners();
      client.on("error", () => {});
      void client.end().catch(() => {});
      options.onConnectionEvent?.({ kind: "lost", error: (error as Error)?.message });
      // Backoff 0.5 s doubling to 30 s; the worker's polling covers the gap.
      const delay = Math.min(30_000, 500 * 2 ** attempt);
      listenRetry = setTimeout(() => {
        listenRetry = undefined;
        void listen(attempt + 1);
      }, delay);
      listenRetry.unref();
    };
    client.on("error", retry);
    client.on("end", () => retry(new Error("the listening connection ended")));
    client.on("notification", () => {
      for (const notify of listeners) notify();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(`${schemaName}.task_added`)}`);
      listener = client;
      if (attempt === 0) options.onConnectionEvent?.({ kind: "listening" });
      if (attempt > 0) {
        options.onConnectionEvent?.({ kind: "restored" });
        // Tasks may have been added while nobody listened.
        for (const notify of listeners) notify();
      }
    } catch (error) {
      retry(error);
    }
  };

  const store: PostgresTaskStore = {
    ...createPostgresJobStore(query, s, clock),
    migrate,
    async add(input) {
      if (!input.title || input.title.trim() === "")
        throw new OrchestratorError("INVALID_INPUT", "a task needs a title");
      const wanted = checkNewTask(input, () => true);
      const dependsOn = wanted.length === 0 ? [] : await existing(wanted);
      const missing = wanted.find((other) => !dependsOn.includes(other));
      if (missing !== undefined)
        throw new OrchestratorError("NOT_FOUND", `no task ${missing} to depend on`);
      const id = randomUUID();
      const now = clock.now();
      try {
        const { rows } = await query<TaskRow>(
          `WITH task AS (
             INSERT INTO ${s}.tasks (id, title, prompt, status, priority, max_attempts, not_before, parent_id, created_at, updated_at, needs_you, depends_on, max_turns)
             VALUES ($1, $2, $3, CASE WHEN $9::text IS NULL THEN 'pending' ELSE 'needs_you' END, $4, $5, $6, $7, $8, $8, $9, $10, $11) RETURNING *
           ), event AS (
             INSERT INTO ${s}.events (at, task_id, kind) SELECT $8, id, 'added' FROM task
           )
           SELECT * FROM task`,
          [
            id,
            input.title.trim(),
            input.prompt ?? input.title.trim(),
            input.priority ?? 0,
            input.maxAttempts ?? 5,
            input.notBefore?.getTime() ?? null,
            input.parentId ?? null,
            now,
            input.needsYou ?? null,
            dependsOn.length > 0 ? wanted : null,
            input.maxTurns ?? null,
          ],
        );
        return toTask(rows[0] as TaskRow);
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause;
        if (cause?.code === "23503")
          throw new OrchestratorError("NOT_FOUND", `no parent task ${input.parentId}`);
        throw error;
      }
    },
    get: getTask,
    async list(taskQuery = {}) {
      const { where, values } = taskWhere(taskQuery, (n) => `$${n}`, "ILIKE");
      const page = pageOf(taskQuery);
      const order = taskQuery.newestFirst ? "DESC" : "ASC";
      const { rows } = await query<TaskRow>(
        `SELECT * FROM ${s}.tasks ${where} ORDER BY created_at ${order}, seq ${order}
         LIMIT $${values.length + 1} OFFSET $${values.length + 2}`,
        [...values, page.limit ?? null, page.offset],
      );
      return rows.map(toTask);
    },
    async addDependencies(taskId, dependsOn) {
      const task = await getTask(taskId);
      if (task === undefined) throw new OrchestratorError("NOT_FOUND", `no task ${taskId}`);
      for (const other of dependsOn) {
        const found = await getTask(other);
        if (found === undefined) throw new OrchestratorError("NOT_FOUND", `no task ${other}`);
        checkNoCycle(taskId, other, found.dependsOn);
      }
      const { rows } = await query<TaskRow>(
        `UPDATE ${s}.tasks SET updated_at = $3,
           depends_on = ARRAY(SELECT id FROM unnest(coalesce(depends_on, '{}') || $2::text[])
             WITH ORDINALITY AS u(id, n) GROUP BY id ORDER BY min(n))
         WHERE id = $1 RETURNING *`,
        [taskId, [...dependsOn], clock.now()],
      );
      return toTask(rows[0] as TaskRow);
    },
    async completeSplitTask(taskId) {
      const task = await getTask(taskId);
      if (task === undefined) throw new OrchestratorError("NOT_FOUND", `no task ${taskId}`);
      const { rows } = await query<TaskRow>(
        `UPDATE ${s}.tasks t SET status = 'done', result = $2, updated_at = $3
         WHERE t.id = $1 AND t.status = 'pending' AND cardinality(t.depends_on) > 0
           AND NOT EXISTS (SELECT 1 FROM unnest(t.depends_on) d LEFT JOIN ${s}.tasks c ON c.id = d
             WHERE c.id IS NULL OR c.status <> 'done' OR c.parent_id IS DISTINCT FROM t.id)
         RETURNING *`,
        [taskId, JSON.stringify(splitResult(task.dependsOn.length)), clock.now()],
      );
      return rows[0] === undefined ? undefined : toTask(rows[0]);
    },
    async counts() {
      const counts = emptyCounts();
      const { rows } = await query<{ status: TaskStatus; n: number }>(
        `SELECT status, count(*)::int AS n FROM ${s}.tasks GROUP BY status`,
      );
      for (const row of rows) counts[row.status] = row.n;
      return counts;
    },
    async claim(workerId, leaseMs): Promise<ClaimResult> {
      for (let attempt = 1; ; attempt++) {
        const now = clock.now();
        const window = quotaWindow(now, rollover);
        const sessionId = randomUUID();
        let row: ClaimRow | undefined;
        try {
          ({
            rows: [row],
          } = await query<ClaimRow>(
            `SELECT * FROM ${s}.claim($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [
              workerId,
              leaseMs,
              now,
              window.start,
              limit,
              options.dailyTokens ?? null,
              options.dailyUsd ?? null,
              sessionId,
              ABANDONED_SESSION,
            ],
          ));
        } catch (error) {
          // Concurrent claims left too little room for this one's slot, and nothing of it was
          // written. Asked again, it counts exactly or answers that the day is spent.
          const code = (error as { cause?: { code?: string } }).cause?.code;
          if (code === QUOTA_RACE && attempt < 5) continue;
          throw error;
        }
        if (row === undefined || row.outcome === "idle") return { kind: "idle" };
        const quota = quotaStatus(row, limits, window.end);
        if (row.outcome === "quota_exhausted")
          return { kind: "quota_exhausted", quota, spent: spentLimit(quota) ?? "sessions" };
        return { kind: "claimed", task: toTask(row.task as TaskRow), sessionId, quota };
      }
    },
    async heartbeat(taskId, workerId, leaseMs) {
      const now = clock.now();
      const { rowCount } = await query(
        `UPDATE ${s}.tasks SET lease_expires_at = $1, updated_at = $2 WHERE id = $3 AND lease_owner = $4 AND status = 'running'`,
        [now + leaseMs, now, taskId, workerId],
      );
      return rowCount === 1;
    },
    async saveCheckpoint(taskId, workerId, checkpoint) {
      const { rowCount } = await query(
        `UPDATE ${s}.tasks SET checkpoint = $1, updated_at = $2 WHERE id = $3 AND lease_owner = $4 AND status = 'running'`,
        [JSON.stringify(checkpoint), clock.now(), taskId, workerId],
      );
      if (rowCount !== 1)
        throw new OrchestratorError(
          "LEASE_LOST",
          `task ${taskId} is no longer leased to ${workerId}`,
        );
    },
    async finishSession(sessionId, end, next) {
      const plan = planTransition(next);
      const { rows } = await query<{
        outcome: "no_session" | "lease_lost" | "finished";
        task: TaskRow | null;
        worker: string | null;
      }>(
        `SELECT * FROM ${s}.finish_session($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
        [
          sessionId,
          clock.now(),
          rollover * 60_000,
          end.turns,
          end.outcome,
          end.usage ? JSON.stringify(end.usage) : null,
          end.costUsd ?? null,
          end.error ?? null,
          end.usage ? totalTokens(end.usage) : 0,
          plan.status,
          plan.needsYou,
          plan.refund,
          plan.requeued,
          plan.checkpoint,
          plan.result,
          plan.notBefore,
          OUT_OF_SESSIONS,
        ],
      );
      const row = rows[0];
      if (row === undefined || row.outcome === "no_session")
        throw new OrchestratorError("NOT_FOUND", `no session ${sessionId}`);
      const task = row.task as TaskRow;
      if (row.outcome === "lease_lost")
        throw new OrchestratorError(
          "LEASE_LOST",
          `task ${task.id} is no longer leased to ${row.worker}`,
        );
      return toTask(task);
    },
    async cancel(taskId) {
      const row = await mustGet(taskId);
      if (row.status === "done" || row.status === "cancelled") {
        throw new OrchestratorError("INVALID_STATE", `task ${taskId} is already ${row.status}`);
      }
      return changeTask(
        taskId,
        "status = 'cancelled', lease_owner = NULL, lease_expires_at = NULL",
        "cancelled",
      );
    },
    async retry(taskId) {
      const row = await mustGet(taskId);
      if (row.status !== "failed" && row.status !== "cancelled" && row.status !== "needs_you") {
        throw new OrchestratorError(
          "INVALID_STATE",
          `task ${taskId} is ${row.status}: only failed, cancelled or needs-you tasks are retried`,
        );
      }
      return changeTask(
        taskId,
        "status = 'pending', attempts = 0, not_before = NULL, needs_you = NULL",
        "retried",
      );
    },
    async sessions(taskId) {
      const { rows } = await query<SessionRow>(
        `SELECT * FROM ${s}.sessions WHERE task_id = $1 ORDER BY started_at, seq`,
        [taskId],
      );
      return rows.map(toSession);
    },
    async recentSessions(limit) {
      const { rows } = await query<SessionRow>(
        `SELECT * FROM ${s}.sessions ORDER BY started_at DESC, seq DESC LIMIT $1`,
        [Math.max(0, Math.floor(limit))],
      );
      return rows.map(toSession);
    },
    async sessionTotals() {
      const ended = `FROM ${s}.sessions WHERE outcome IS NOT NULL`;
      const [byOutcome, byTurns, totals] = await Promise.all([
        query<{ outcome: SessionOutcome; n: number }>(
          `SELECT outcome, count(*)::int AS n ${ended} GROUP BY outcome`,
        ),
        query<{ turns: number; n: number }>(
          `SELECT turns, count(*)::int AS n ${ended} GROUP BY turns ORDER BY turns`,
        ),
        query<{
          input: number;
          output: number;
          cache_read: number;
          cache_write: number;
          cost: number;
        }>(
          `SELECT coalesce(sum((usage ->> 'inputTokens')::bigint), 0)::float8 AS input,
             coalesce(sum((usage ->> 'outputTokens')::bigint), 0)::float8 AS output,
             coalesce(sum((usage ->> 'cacheReadTokens')::bigint), 0)::float8 AS cache_read,
             coalesce(sum((usage ->> 'cacheWriteTokens')::bigint), 0)::float8 AS cache_write,
             coalesce(sum(cost_usd), 0)::float8 AS cost ${ended}`,
        ),
      ]);
      const sums = totals.rows[0];
      return {
        byOutcome: Object.fromEntries(byOutcome.rows.map((row) => [row.outcome, row.n])),
        byTurns: byTurns.rows.map((row) => [row.turns, row.n]),
        tokens: {
          input: sums?.input ?? 0,
          output: sums?.output ?? 0,
          cacheRead: sums?.cache_read ?? 0,
          cacheWrite: sums?.cache_write ?? 0,
        },
        costUsd: sums?.cost ?? 0,
      };
    },
    async quota() {
      return quotaAt(clock.now());
    },
    onTaskAdded(notify) {
      listeners.add(notify);
      if (listener === undefined && listenRetry === undefined) void listen();
      return () => {
        listeners.delete(notify);
      };
    },
    async close() {
      closed = true;
      if (listenRetry) clearTimeout(listenRetry);
      const client = listener;
      listener = undefined;
      if (client) {
        client.removeAllListeners();
        client.on("error", () => {});
        await client.end().catch(() => {});
      }
      if (ownPool) await pool.end();
    },
  };
  return store;
}

/**
 * Applies pending migrations to a Postgres store's schema and returns the versions applied (what
 * `jada migrate` runs). Safe while daemons run or start: migrations take an advisory lock.
 */
export async function migratePostgres(options: {
  connectionString: string;
  schema?: string | undefined;
}): Promise<number[]> {
  const client = new pg.Client({ connectionString: options.connectionString });
  client.on("error", () => {});
  try {
    await client.connect();
    return await applyMigrations(client, options.schema ?? "jada");
  } catch (error) {
    throw migrationError(error);
  } finally {
    await client.end().catch(() => {});
  }
}
