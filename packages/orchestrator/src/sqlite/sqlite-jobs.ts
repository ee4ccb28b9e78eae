// The JobStore on the SQLite file of the task store: jobs, their runs and alerts.
import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import { OrchestratorError } from "../errors.js";
import {
  type AlertRow,
  type JobRow,
  type JobRunRow,
  toAlert,
  toJobRun,
  toJobState,
} from "../store-rows.js";
import type { Clock, JobStore } from "../types.js";

/** The tables, as the task store's migration 4 creates them. */
export const JOB_TABLES = `
  CREATE TABLE jobs (
    name TEXT PRIMARY KEY,
    next_due_at INTEGER,
    registered_at INTEGER NOT NULL
  );
  CREATE TABLE job_runs (
    id TEXT PRIMARY KEY,
    job TEXT NOT NULL,
    scheduled_for INTEGER,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    outcome TEXT NOT NULL CHECK (outcome IN ('running','ok','error','timed_out','missed','skipped')),
    error_code TEXT,
    error_message TEXT,
    fix TEXT,
    retryable INTEGER,
    manual INTEGER NOT NULL DEFAULT 0,
    worker_id TEXT
  );
  CREATE INDEX job_runs_job ON job_runs (job, started_at);
  CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    job TEXT NOT NULL,
    cause TEXT NOT NULL,
    message TEXT NOT NULL,
    code TEXT,
    fix TEXT,
    opened_at INTEGER NOT NULL,
    notified_at INTEGER NOT NULL,
    closed_at INTEGER,
    acked_at INTEGER,
    task_id TEXT
  );
  CREATE UNIQUE INDEX alerts_open ON alerts (job, cause) WHERE closed_at IS NULL;
  CREATE INDEX alerts_opened ON alerts (opened_at);`;

/** A {@link JobStore} over an open, migrated SQLite database. */
export function createSqliteJobStore(db: Database.Database, clock: Clock): JobStore {
  const statements = {
    insertJob: db.prepare(
      "INSERT INTO jobs (name, next_due_at, registered_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
    ),
    job: db.prepare<[string], JobRow>("SELECT * FROM jobs WHERE name = ?"),
    jobs: db.prepare<[], JobRow>("SELECT * FROM jobs ORDER BY name"),
    advance: db.prepare("UPDATE jobs SET next_due_at = ? WHERE name = ? AND next_due_at = ?"),
    insertRun: db.prepare(
      `INSERT INTO job_runs (id, job, scheduled_for, started_at, ended_at, outcome, error_message, manual, worker_id)
       VALUES (@id, @job, @scheduledFor, @startedAt, @endedAt, @outcome, @message, @manual, @workerId)`,
    ),
    finishRun: db.prepare(
      `UPDATE job_runs SET ended_at = @endedAt, outcome = @outcome, error_code = @code,
         error_message = @message, fix = @fix, retryable = @retryable
       WHERE id = @id AND outcome = 'running'`,
    ),
    runs: db.prepare<[string, number], JobRunRow>(
      "SELECT * FROM job_runs WHERE job = ? ORDER BY started_at DESC, rowid DESC LIMIT ?",
    ),
    openAlert: db.prepare<[string, string], AlertRow>(
      "SELECT * FROM alerts WHERE job = ? AND cause = ? AND closed_at IS NULL",
    ),
    alert: db.prepare<[string], AlertRow>("SELECT * FROM alerts WHERE id = ?"),
    insertAlert: db.prepare(
      `INSERT INTO alerts (id, job, cause, message, code, fix, opened_at, notified_at)
       VALUES (@id, @job, @cause, @message, @code, @fix, @now, @now)`,
    ),
    notified: db.prepare("UPDATE alerts SET notified_at = ? WHERE id = ?"),
    alertTask: db.prepare("UPDATE alerts SET task_id = ? WHERE id = ?"),
    close: db.prepare("UPDATE alerts SET closed_at = ? WHERE id = ? AND closed_at IS NULL"),
    ack: db.prepare("UPDATE alerts SET acked_at = ? WHERE id = ? AND acked_at IS NULL"),
  };

  const mustAlert = (id: string): AlertRow => {
    const row = statements.alert.get(id);
    if (row === undefined) throw new OrchestratorError("NOT_FOUND", `no alert ${id}`);
    return row;
  };
  const insertRun = (
    job: string,
    fields: {
      scheduledFor: number | null;
      outcome: string;
      manual: boolean;
      workerId: string | null;
      message?: string;
    },
  ) => {
    const id = randomUUID();
    const now = clock.now();
    statements.insertRun.run({
      id,
      job,
      scheduledFor: fields.scheduledFor,
      startedAt: now,
      endedAt: fields.outcome === "running" ? null : now,
      outcome: fields.outcome,
      message: fields.message ?? null,
      manual: fields.manual ? 1 : 0,
      workerId: fields.workerId,
    });
    return id;
  };
  const claim = db.transaction(
    (name: string, dueAt: number, nextDueAt: number, workerId: string): string | undefined => {
      if (statements.advance.run(nextDueAt, name, dueAt).changes !== 1) return undefined;
      return insertRun(name, { scheduledFor: dueAt, outcome: "running", manual: false, workerId });
    },
  );
  const skip = db.transaction(
    (
      name: string,
      dueAt: number,
      nextDueAt: number,
      runs: ReadonlyArray<{ scheduledFor: number; outcome: string; message?: string }>,
    ): boolean => {
      if (statements.advance.run(nextDueAt, name, dueAt).changes !== 1) return false;
      for (const run of runs) insertRun(name, { ...run, manual: false, workerId: null });
      return true;
    },
  );
  const open = db.transaction(
    (input: {
      job: string;
      cause: string;
      message: string;
      code?: string | undefined;
      fix?: string | undefined;
    }) => {
      const existing = statements.openAlert.get(input.job, input.cause);
      if (existing) return { row: existing, opened: false };
      const id = randomUUID();
      statements.insertAlert.run({
        id,
        job: input.job,
        cause: input.cause,
        message: input.message,
        code: input.code ?? null,
        fix: input.fix ?? null,
        now: clock.now(),
      });
      return { row: mustAlert(id), opened: true };
    },
  );

  return {
    async ensureJob(name, firstDueAt) {
      statements.insertJob.run(name, firstDueAt, clock.now());
      return toJobState(statements.job.get(name) as JobRow);
    },
    async jobs() {
      return statements.jobs.all().map(toJobState);
    },
    async claimJobRun(name, dueAt, nextDueAt, workerId) {
      return claim.immediate(name, dueAt, nextDueAt, workerId);
    },
    async startManualRun(name, workerId) {
      return insertRun(name, { scheduledFor: null, outcome: "running", manual: true, workerId });
    },
    async finishJobRun(runId, end) {
      statements.finishRun.run({
        id: runId,
        endedAt: clock.now(),
        outcome: end.outcome,
        code: end.errorCode ?? null,
        message: end.errorMessage ?? null,
        fix: end.fix ?? null,
        retryable: end.outcome === "ok" ? null : end.retryable === false ? 0 : 1,
      });
    },
    async skipJobRuns(name, dueAt, nextDueAt, runs) {
      return skip.immediate(name, dueAt, nextDueAt, runs);
    },
    async jobRuns(name, limit) {
      return statements.runs.all(name, Math.max(0, Math.floor(limit))).map(toJobRun);
    },
    async openAlert(input) {
      const { row, opened } = open.immediate(input);
      return { alert: toAlert(row), opened };
    },
    async markAlertNotified(id) {
      statements.notified.run(clock.now(), id);
    },
    async setAlertTask(id, taskId) {
      statements.alertTask.run(taskId, id);
    },
    async closeAlert(id) {
      statements.close.run(clock.now(), id);
      return toAlert(mustAlert(id));
    },
    async ackAlert(id) {
      mustAlert(id);
      statements.ack.run(clock.now(), id);
      return toAlert(mustAlert(id));
    },
    async alerts(filter = {}) {
      const where: string[] = [];
      const values: string[] = [];
      if (filter.open) where.push("closed_at IS NULL");
      if (filter.job !== undefined) {
        where.push("job = ?");
        values.push(filter.job);
      }
      const rows = db
        .prepare<string[], AlertRow>(
          `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY opened_at DESC, rowid DESC`,
        )
        .all(...values);
      return rows.map(toAlert);
    },
  };
}
