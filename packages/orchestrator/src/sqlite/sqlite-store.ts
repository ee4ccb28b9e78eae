import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import { OrchestratorError } from "../errors.js";
import { quotaStatus, quotaWindow, spentLimit, totalTokens } from "../quota-window.js";
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
  planFinish,
  splitResult,
} from "../store-rules.js";
import { emptyCounts, pageOf, taskWhere } from "../task-query.js";
import type {
  ClaimResult,
  Clock,
  JobStore,
  QuotaStatus,
  SessionEnd,
  SessionOutcome,
  SessionRecord,
  Task,
  TaskStatus,
  TaskStore,
  TaskTransition,
} from "../types.js";
import { createSqliteJobStore, JOB_TABLES } from "./sqlite-jobs.js";

/** Options of {@link createSqliteTaskStore}. */
export interface SqliteTaskStoreOptions {
  /** Database file (`:memory:` for tests only: the store is meant to survive restarts). */
  path: string;
  /** Sessions per quota day (default 5). */
  dailySessions?: number | undefined;
  /** Minutes after 00:00 UTC when the quota day turns (default 0). */
  rolloverMinutes?: number | undefined;
  /** Tokens (every kind) per quota day; no budget when unset. */
  dailyTokens?: number | undefined;
  /** Estimated dollars per quota day; no budget when unset. */
  dailyUsd?: number | undefined;
  clock?: Clock | undefined;
}

// Versioned migrations: append only. `user_version` records how many have run.
const MIGRATIONS: string[] = [
  `CREATE TABLE tasks (
     id TEXT PRIMARY KEY,
     title TEXT NOT NULL,
     prompt TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('pending','running','needs_you','done','failed','cancelled')),
     priority INTEGER NOT NULL DEFAULT 0,
     attempts INTEGER NOT NULL DEFAULT 0,
     max_attempts INTEGER NOT NULL DEFAULT 5,
     not_before INTEGER,
     parent_id TEXT REFERENCES tasks(id),
     checkpoint TEXT,
     result TEXT,
     needs_you TEXT,
     lease_owner TEXT,
     lease_expires_at INTEGER,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX tasks_runnable ON tasks (status, priority DESC, created_at);
   CREATE TABLE sessions (
     id TEXT PRIMARY KEY,
     task_id TEXT NOT NULL REFERENCES tasks(id),
     worker_id TEXT NOT NULL,
     started_at INTEGER NOT NULL,
     ended_at INTEGER,
     turns INTEGER NOT NULL DEFAULT 0,
     outcome TEXT,
     usage TEXT,
     cost_usd REAL,
     error TEXT,
     counts_quota INTEGER NOT NULL DEFAULT 1
   );
   CREATE INDEX sessions_started ON sessions (started_at);
   CREATE INDEX sessions_task ON sessions (task_id, started_at);
   CREATE TABLE events (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     task_id TEXT,
     kind TEXT NOT NULL,
     detail TEXT
   );`,
  // One row per quota day: reading and taking a slot stay O(1) however many sessions there were.
  `CREATE TABLE quota_days (
     day_start INTEGER PRIMARY KEY,
     used INTEGER NOT NULL
   );
   INSERT INTO quota_days (day_start, used)
     SELECT (started_at / 86400000) * 86400000, count(*) FROM sessions WHERE counts_quota = 1 GROUP BY 1;`,
  // The day's spend, for the token and dollar budgets.
  `ALTER TABLE quota_days ADD COLUMN tokens INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE quota_days ADD COLUMN usd REAL NOT NULL DEFAULT 0;`,
  // Scheduled jobs, their runs and their alerts.
  JOB_TABLES,
  // Per-task turn limits, and tasks that wait for others (a split task for its parts).
  `ALTER TABLE tasks ADD COLUMN depends_on TEXT;
   ALTER TABLE tasks ADD COLUMN max_turns INTEGER;`,
];

type TaskRow = StoredTaskRow<string>;
type SessionRow = StoredSessionRow<string>;
const readJson = JSON.parse;
const toTask = (row: TaskRow): Task => taskFromRow(row, readJson);
const toSession = (row: SessionRow): SessionRecord => sessionFromRow(row, readJson);

/**
 * The {@link TaskStore} on one SQLite file (better-sqlite3, WAL mode). `claim` is a single
 * `BEGIN IMMEDIATE` transaction: it counts the quota day's sessions, picks the highest-priority,
 * oldest runnable task (pending and due, or running with an expired lease: crash recovery with
 * the checkpoint intact), takes the lease and records the session, so several workers, even in
 * several processes on the same file, never exceed the quota or claim a task twice.
 *
 * @example
 * ```ts
 * const store = createSqliteTaskStore({ path: ".jada/jada.db", dailySessions: 5 });
 * await store.add({ title: "Reconcile bookings", prompt: "..." });
 * const claim = await store.claim("worker-1", 120_000);
 * ```
 */
export function createSqliteTaskStore(options: SqliteTaskStoreOptions): TaskStore & JobStore {
  const clock = options.clock ?? { now: () => Date.now() };
  const limit = options.dailySessions ?? 5;
  const rollover = options.rolloverMinutes ?? 0;
  let db: Database.Database;
  try {
    db = new Database(options.path);
    // First, so that every statement below waits for a process that opened the file at once.
    db.pragma("busy_timeout = 5000");
    enableWal(db);
    db.pragma("foreign_keys = ON");
    db.pragma("synchronous = NORMAL");
    migrate(db);
  } catch (error) {
    throw new OrchestratorError(
      "STORE_FAILED",
      `cannot open the task store ${options.path}: ${(error as Error).message}`,
      { cause: error },
    );
  }

  const statements = {
    insert: db.prepare(
      `INSERT INTO tasks (id, title, prompt, status, priority, max_attempts, not_before, parent_id, created_at, updated_at, needs_you, depends_on, max_turns)
       VALUES (@id, @title, @prompt, @status, @priority, @maxAttempts, @notBefore, @parentId, @now, @now, @needsYou, @dependsOn, @maxTurns)`,
    ),
    setDependsOn: db.prepare("UPDATE tasks SET depends_on = ?, updated_at = ? WHERE id = ?"),
    completeSplit: db.prepare(
      `UPDATE tasks SET status = 'done', result = @result, updated_at = @now
       WHERE id = @id AND status = 'pending' AND depends_on IS NOT NULL AND json_array_length(depends_on) > 0
         AND NOT EXISTS (SELECT 1 FROM json_each(tasks.depends_on) d LEFT JOIN tasks c ON c.id = d.value
           WHERE c.id IS NULL OR c.status <> 'done' OR c.parent_id IS NOT @id)`,
    ),
    get: db.prepare<[string], TaskRow>("SELECT * FROM tasks WHERE id = ?"),
    counts: db.prepare<[], { status: TaskStatus; n: number }>(
      "SELECT status, count(*) AS n FROM tasks GROUP BY status",
    ),
    byOutcome: db.prepare<[], { outcome: SessionOutcome; n: number }>(
      "SELECT outcome, count(*) AS n FROM sessions WHERE outcome IS NOT NULL GROUP BY outcome",
    ),
    byTurns: db.prepare<[], { turns: number; n: number }>(
      "SELECT turns, count(*) AS n FROM sessions WHERE outcome IS NOT NULL GROUP BY turns ORDER BY turns",
    ),
    totals: db.prepare<
      [],
      {
        input: number | null;
        output: number | null;
        cache_read: number | null;
        cache_write: number | null;
        cost: number | null;
      }
    >(
      `SELECT sum(usage ->> '$.inputTokens') AS input, sum(usage ->> '$.outputTokens') AS output,
         sum(usage ->> '$.cacheReadTokens') AS cache_read, sum(usage ->> '$.cacheWriteTokens') AS cache_write,
         sum(cost_usd) AS cost
       FROM sessions WHERE outcome IS NOT NULL`,
    ),
    usedToday: db.prepare<[number], { used: number; tokens: number; usd: number }>(
      "SELECT used, tokens, usd FROM quota_days WHERE day_start = ?",
    ),
    spend: db.prepare(
      `INSERT INTO quota_days (day_start, used, tokens, usd) VALUES (@day, 0, @tokens, @usd)
       ON CONFLICT (day_start) DO UPDATE SET tokens = tokens + @tokens, usd = usd + @usd`,
    ),
    takeSlot: db.prepare(
      "INSERT INTO quota_days (day_start, used) VALUES (?, 1) ON CONFLICT (day_start) DO UPDATE SET used = used + 1",
    ),
    giveSlotBack: db.prepare(
      "UPDATE quota_days SET used = used - 1 WHERE day_start = ? AND used > 0",
    ),
    // Two queries, each served by the index in order, rather than one OR that scans and sorts.
    expiredLease: db.prepare<{ now: number }, TaskRow>(
      "SELECT * FROM tasks WHERE status = 'running' AND lease_expires_at <= @now ORDER BY priority DESC, created_at, rowid LIMIT 1",
    ),
    duePending: db.prepare<{ now: number }, TaskRow>(
      `SELECT * FROM tasks t WHERE status = 'pending' AND (not_before IS NULL OR not_before <= @now)
         AND (depends_on IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(t.depends_on) d
           JOIN tasks p ON p.id = d.value WHERE p.status <> 'done'))
       ORDER BY priority DESC, created_at, rowid LIMIT 1`,
    ),
    lease: db.prepare(
      `UPDATE tasks SET status = 'running', lease_owner = @worker, lease_expires_at = @expires,
         attempts = attempts + 1, updated_at = @now WHERE id = @id`,
    ),
    // The session of a worker that stopped heartbeating never ends by itself: close it.
    abandonSessions: db.prepare(
      "UPDATE sessions SET ended_at = ?, outcome = 'error', error = ? WHERE task_id = ? AND ended_at IS NULL",
    ),
    startSession: db.prepare(
      "INSERT INTO sessions (id, task_id, worker_id, started_at) VALUES (?, ?, ?, ?)",
    ),
    heartbeat: db.prepare(
      "UPDATE tasks SET lease_expires_at = ?, updated_at = ? WHERE id = ? AND lease_owner = ? AND status = 'running'",
    ),
    checkpoint: db.prepare(
      "UPDATE tasks SET checkpoint = ?, updated_at = ? WHERE id = ? AND lease_owner = ? AND status = 'running'",
    ),
    session: db.prepare<[string], SessionRow>("SELECT * FROM sessions WHERE id = ?"),
    sessions: db.prepare<[string], SessionRow>(
      "SELECT * FROM sessions WHERE task_id = ? ORDER BY started_at, rowid",
    ),
    recentSessions: db.prepare<[number], SessionRow>(
      "SELECT * FROM sessions ORDER BY started_at DESC, rowid DESC LIMIT ?",
    ),
    endSession: db.prepare(
      "UPDATE sessions SET ended_at = ?, turns = ?, outcome = ?, usage = ?, cost_usd = ?, error = ? WHERE id = ?",
    ),
    event: db.prepare("INSERT INTO events (at, task_id, kind, detail) VALUES (?, ?, ?, ?)"),
    refundAttempt: db.prepare("UPDATE tasks SET attempts = attempts - 1 WHERE id = ?"),
    refundQuota: db.prepare("UPDATE sessions SET counts_quota = 0 WHERE id = ?"),
    transition: db.prepare(
      `UPDATE tasks SET status = @status, lease_owner = NULL, lease_expires_at = NULL, updated_at = @now,
         checkpoint = COALESCE(@checkpoint, checkpoint), result = COALESCE(@result, result),
         not_before = @notBefore, needs_you = @needsYou WHERE id = @id`,
    ),
    cancel: db.prepare(
      "UPDATE tasks SET status = 'cancelled', lease_owner = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ?",
    ),
    retry: db.prepare(
      "UPDATE tasks SET status = 'pending', attempts = 0, not_before = NULL, needs_you = NULL, updated_at = ? WHERE id = ?",
    ),
  };

  const quotaAt = (now: number): QuotaStatus => {
    const window = quotaWindow(now, rollover);
    const day = statements.usedToday.get(window.start);
    return quotaStatus(
      { used: day?.used ?? 0, tokens: day?.tokens ?? 0, usd: day?.usd ?? 0 },
      { sessions: limit, tokens: options.dailyTokens, usd: options.dailyUsd },
      window.end,
    );
  };

  const mustGet = (id: string): TaskRow => {
    const row = statements.get.get(id);
    if (row === undefined) throw new OrchestratorError("NOT_FOUND", `no task ${id}`);
    return row;
  };

  const claimTransaction = db.transaction((workerId: string, leaseMs: number): ClaimResult => {
    const now = clock.now();
    const quota = quotaAt(now);
    const row = statements.expiredLease.get({ now }) ?? statements.duePending.get({ now });
    if (row === undefined) return { kind: "idle" };
    const spent = spentLimit(quota);
    if (spent !== undefined) return { kind: "quota_exhausted", quota, spent };
    if (row.status === "running") statements.abandonSessions.run(now, ABANDONED_SESSION, row.id);
    statements.lease.run({ id: row.id, worker: workerId, expires: now + leaseMs, now });
    const sessionId = randomUUID();
    statements.startSession.run(sessionId, row.id, workerId, now);
    statements.takeSlot.run(quotaWindow(now, rollover).start);
    // The sessions table records every claim and how it ended; events hold what it does not.
    if (row.status === "running")
      statements.event.run(now, row.id, "reclaimed", JSON.stringify({ workerId, sessionId }));
    return { kind: "claimed", task: toTask(mustGet(row.id)), sessionId, quota: quotaAt(now) };
  });

  const finishTransaction = db.transaction(
    (sessionId: string, end: SessionEnd, next: TaskTransition): Task => {
      const now = clock.now();
      const session = statements.session.get(sessionId);
      if (session === undefined)
        throw new OrchestratorError("NOT_FOUND", `no session ${sessionId}`);
      const task = mustGet(session.task_id);
      if (task.lease_owner !== session.worker_id || task.status !== "running") {
        throw new OrchestratorError(
          "LEASE_LOST",
          `task ${task.id} is no longer leased to ${session.worker_id}`,
        );
      }
      statements.endSession.run(
        now,
        end.turns,
        end.outcome,
        end.usage ? JSON.stringify(end.usage) : null,
        end.costUsd ?? null,
        end.error ?? null,
        sessionId,
      );
      // Tokens spent are spent, refunded session or not: they count against the day's budgets.
      statements.spend.run({
        day: quotaWindow(session.started_at, rollover).start,
        tokens: end.usage ? totalTokens(end.usage) : 0,
        usd: end.costUsd ?? 0,
      });
      const plan = planFinish({ attempts: task.attempts, maxAttempts: task.max_attempts }, next);
      if (plan.refund) {
        // The session never really ran (rate limit, overload, network, auth): it costs neither an
        // attempt nor a slot of the day's quota.
        statements.refundAttempt.run(task.id);
        statements.refundQuota.run(sessionId);
        statements.giveSlotBack.run(quotaWindow(session.started_at, rollover).start);
      }
      statements.transition.run({
        id: task.id,
        status: plan.status,
        now,
        checkpoint: plan.checkpoint,
        result: plan.result,
        notBefore: plan.notBefore,
        needsYou: plan.needsYou,
      });
      return toTask(mustGet(task.id));
    },
  );

  const immediate =
    <A extends unknown[], R>(transaction: Database.Transaction<(...args: A) => R>) =>
    (...args: A): R => {
      try {
        return transaction.immediate(...args);
      } catch (error) {
        if (error instanceof OrchestratorError) throw error;
        throw new OrchestratorError("STORE_FAILED", `task store: ${(error as Error).message}`, {
          cause: error,
        });
      }
    };
  const claim = immediate(claimTransaction);
  const finish = immediate(finishTransaction);

  return {
    ...createSqliteJobStore(db, clock),
    async add(input) {
      if (!input.title || input.title.trim() === "")
        throw new OrchestratorError("INVALID_INPUT", "a task needs a title");
      if (input.parentId !== undefined && statements.get.get(input.parentId) === undefined) {
        throw new OrchestratorError("NOT_FOUND", `no parent task ${input.parentId}`);
      }
      const dependsOn = checkNewTask(input, (id) => statements.get.get(id) !== undefined);
      const id = randomUUID();
      const now = clock.now();
      statements.insert.run({
        dependsOn: dependsOn.length > 0 ? JSON.stringify(dependsOn) : null,
        maxTurns: input.maxTurns ?? null,
        id,
        title: input.title.trim(),
        prompt: input.prompt ?? input.title.trim(),
        priority: input.priority ?? 0,
        maxAttempts: input.maxAttempts ?? 5,
        notBefore: input.notBefore?.getTime() ?? null,
        parentId: input.parentId ?? null,
        now,
        status: input.needsYou === undefined ? "pending" : "needs_you",
        needsYou: input.needsYou ?? null,
      });
      statements.event.run(now, id, "added", null);
      return toTask(mustGet(id));
    },
    async get(id) {
      const row = statements.get.get(id);
      return row === undefined ? undefined : toTask(row);
    },
    async list(query = {}) {
      const { where, values } = taskWhere(query);
      const page = pageOf(query);
      const order = query.newestFirst ? "DESC" : "ASC";
      const rows = db
        .prepare<unknown[], TaskRow>(
          `SELECT * FROM tasks ${where} ORDER BY created_at ${order}, rowid ${order} LIMIT ? OFFSET ?`,
        )
        .all(...values, page.limit ?? -1, page.offset);
      return rows.map(toTask);
    },
    async addDependencies(taskId, dependsOn) {
      const task = statements.get.get(taskId);
      if (task === undefined) throw new OrchestratorError("NOT_FOUND", `no task ${taskId}`);
      const current = toTask(task).dependsOn;
      for (const other of dependsOn) {
        const row = statements.get.get(other);
        if (row === undefined) throw new OrchestratorError("NOT_FOUND", `no task ${other}`);
        checkNoCycle(taskId, other, toTask(row).dependsOn);
      }
      const merged = [...new Set([...current, ...dependsOn])];
      statements.setDependsOn.run(JSON.stringify(merged), clock.now(), taskId);
      return toTask(mustGet(taskId));
    },
    async completeSplitTask(taskId) {
      const parts = toTask(mustGet(taskId)).dependsOn.length;
      const changed = statements.completeSplit.run({
        id: taskId,
        now: clock.now(),
        result: JSON.stringify(splitResult(parts)),
      }).changes;
      return changed === 1 ? toTask(mustGet(taskId)) : undefined;
    },
    async counts() {
      const counts = emptyCounts();
      for (const row of statements.counts.all()) counts[row.status] = row.n;
      return counts;
    },
    async claim(workerId, leaseMs) {
      return claim(workerId, leaseMs);
    },
    async heartbeat(taskId, workerId, leaseMs) {
      const now = clock.now();
      return statements.heartbeat.run(now + leaseMs, now, taskId, workerId).changes === 1;
    },
    async saveCheckpoint(taskId, workerId, checkpoint) {
      const changed = statements.checkpoint.run(
        JSON.stringify(checkpoint),
        clock.now(),
        taskId,
        workerId,
      ).changes;
      if (changed !== 1)
        throw new OrchestratorError(
          "LEASE_LOST",
          `task ${taskId} is no longer leased to ${workerId}`,
        );
    },
    async finishSession(sessionId, end, next) {
      return finish(sessionId, end, next);
    },
    async cancel(taskId) {
      const row = mustGet(taskId);
      if (row.status === "done" || row.status === "cancelled") {
        throw new OrchestratorError("INVALID_STATE", `task ${taskId} is already ${row.status}`);
      }
      const now = clock.now();
      statements.cancel.run(now, taskId);
      statements.event.run(now, taskId, "cancelled", null);
      return toTask(mustGet(taskId));
    },
    async retry(taskId) {
      const row = mustGet(taskId);
      if (row.status !== "failed" && row.status !== "cancelled" && row.status !== "needs_you") {
        throw new OrchestratorError(
          "INVALID_STATE",
          `task ${taskId} is ${row.status}: only failed, cancelled or needs-you tasks are retried`,
        );
      }
      const now = clock.now();
      statements.retry.run(now, taskId);
      statements.event.run(now, taskId, "retried", null);
      return toTask(mustGet(taskId));
    },
    async sessions(taskId) {
      return statements.sessions.all(taskId).map(toSession);
    },
    async recentSessions(limit) {
      return statements.recentSessions.all(Math.max(0, Math.floor(limit))).map(toSession);
    },
    async sessionTotals() {
      const totals = statements.totals.get() ?? {
        input: 0,
        output: 0,
        cache_read: 0,
        cache_write: 0,
        cost: 0,
      };
      return {
        byOutcome: Object.fromEntries(
          statements.byOutcome.all().map((row) => [row.outcome, row.n]),
        ),
        byTurns: statements.byTurns.all().map((row) => [row.turns, row.n]),
        tokens: {
          input: totals.input ?? 0,
          output: totals.output ?? 0,
          cacheRead: totals.cache_read ?? 0,
          cacheWrite: totals.cache_write ?? 0,
        },
        costUsd: totals.cost ?? 0,
      };
    },
    async quota() {
      return quotaAt(clock.now());
    },
    async close() {
      db.close();
    },
  };
}

// Switching a new file to WAL takes an exclusive lock, and SQLite answers SQLITE_BUSY at once to
// the processes that opened it at the same moment, whatever busy_timeout says (a loaded machine
// found this with five daemons starting together): try again for a while, and not at all once
// another process has switched it.
function enableWal(db: Database.Database): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    try {
      if (db.pragma("journal_mode", { simple: true }) !== "wal") db.pragma("journal_mode = WAL");
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== "SQLITE_BUSY" || attempt >= 200) throw error;
      Atomics.wait(pause, 0, 0, 5 + Math.random() * 20);
    }
  }
}

function migrate(db: Database.Database): void {
  const version = () => db.pragma("user_version", { simple: true }) as number;
  if (version() >= MIGRATIONS.length) return;
  // The version is read again under the write lock: a process that waited for another's
  // migration must not apply it a second time ("table tasks already exists").
  db.transaction(() => {
    for (let index = version(); index < MIGRATIONS.length; index++) {
      db.exec(MIGRATIONS[index] as string);
      db.pragma(`user_version = ${index + 1}`);
    }
  }).immediate();
}
