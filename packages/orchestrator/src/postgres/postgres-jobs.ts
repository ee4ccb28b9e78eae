// The JobStore on the Postgres schema of the task store: each operation one statement, so the
// compare-and-set on a job's next due time and the run it starts commit together.
import { randomUUID } from "node:crypto";
import type pg from "pg";
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

type Query = <R extends pg.QueryResultRow>(
  text: string,
  values?: unknown[],
) => Promise<pg.QueryResult<R>>;

/** A {@link JobStore} over the store's schema `s` (already quoted). */
export function createPostgresJobStore(query: Query, s: string, clock: Clock): JobStore {
  const mustAlert = async (id: string): Promise<AlertRow> => {
    const { rows } = await query<AlertRow>(`SELECT * FROM ${s}.alerts WHERE id = $1`, [id]);
    const row = rows[0];
    if (row === undefined) throw new OrchestratorError("NOT_FOUND", `no alert ${id}`);
    return row;
  };
  return {
    async ensureJob(name, firstDueAt) {
      await query(
        `INSERT INTO ${s}.jobs (name, next_due_at, registered_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO NOTHING`,
        [name, firstDueAt, clock.now()],
      );
      const { rows } = await query<JobRow>(`SELECT * FROM ${s}.jobs WHERE name = $1`, [name]);
      return toJobState(rows[0] as JobRow);
    },
    async jobs() {
      const { rows } = await query<JobRow>(`SELECT * FROM ${s}.jobs ORDER BY name`);
      return rows.map(toJobState);
    },
    async claimJobRun(name, dueAt, nextDueAt, workerId) {
      const { rows } = await query<{ id: string }>(
        `WITH moved AS (
           UPDATE ${s}.jobs SET next_due_at = $3 WHERE name = $1 AND next_due_at = $2 RETURNING name
         )
         INSERT INTO ${s}.job_runs (id, job, scheduled_for, started_at, outcome, worker_id)
           SELECT $4, name, $2, $5, 'running', $6 FROM moved
         RETURNING id`,
        [name, dueAt, nextDueAt, randomUUID(), clock.now(), workerId],
      );
      return rows[0]?.id;
    },
    async startManualRun(name, workerId) {
      const id = randomUUID();
      await query(
        `INSERT INTO ${s}.job_runs (id, job, started_at, outcome, manual, worker_id)
         VALUES ($1, $2, $3, 'running', true, $4)`,
        [id, name, clock.now(), workerId],
      );
      return id;
    },
    async finishJobRun(runId, end) {
      await query(
        `UPDATE ${s}.job_runs SET ended_at = $2, outcome = $3, error_code = $4, error_message = $5,
           fix = $6, retryable = $7
         WHERE id = $1 AND outcome = 'running'`,
        [
          runId,
          clock.now(),
          end.outcome,
          end.errorCode ?? null,
          end.errorMessage ?? null,
          end.fix ?? null,
          end.outcome === "ok" ? null : end.retryable !== false,
        ],
      );
    },
    async skipJobRuns(name, dueAt, nextDueAt, runs) {
      const now = clock.now();
      const { rows } = await query<{ moved: number }>(
        `WITH moved AS (
           UPDATE ${s}.jobs SET next_due_at = $3 WHERE name = $1 AND next_due_at = $2 RETURNING name
         ), added AS (
           INSERT INTO ${s}.job_runs (id, job, scheduled_for, started_at, ended_at, outcome, error_message)
             SELECT run.id, moved.name, run.scheduled_for, $4, $4, run.outcome, run.message
             FROM moved, unnest($5::text[], $6::bigint[], $7::text[], $8::text[])
               AS run (id, scheduled_for, outcome, message)
           RETURNING 1
         )
         SELECT count(*)::int AS moved FROM moved`,
        [
          name,
          dueAt,
          nextDueAt,
          now,
          runs.map(() => randomUUID()),
          runs.map((run) => run.scheduledFor),
          runs.map((run) => run.outcome),
          runs.map((run) => run.message ?? null),
        ],
      );
      return (rows[0]?.moved ?? 0) === 1;
    },
    async jobRuns(name, limit) {
      const { rows } = await query<JobRunRow>(
        `SELECT * FROM ${s}.job_runs WHERE job = $1 ORDER BY started_at DESC, seq DESC LIMIT $2`,
        [name, Math.max(0, Math.floor(limit))],
      );
      return rows.map(toJobRun);
    },
    async openAlert(input) {
      const now = clock.now();
      const inserted = await query<AlertRow>(
        `INSERT INTO ${s}.alerts (id, job, cause, message, code, fix, opened_at, notified_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT (job, cause) WHERE closed_at IS NULL DO NOTHING
         RETURNING *`,
        [
          randomUUID(),
          input.job,
          input.cause,
          input.message,
          input.code ?? null,
          input.fix ?? null,
          now,
        ],
      );
      if (inserted.rows[0]) return { alert: toAlert(inserted.rows[0]), opened: true };
      const { rows } = await query<AlertRow>(
        `SELECT * FROM ${s}.alerts WHERE job = $1 AND cause = $2 AND closed_at IS NULL`,
        [input.job, input.cause],
      );
      const open = rows[0];
      if (open === undefined)
        throw new OrchestratorError(
          "STORE_FAILED",
          `the open alert of ${input.job} (${input.cause}) closed while it was opened: try again`,
        );
      return { alert: toAlert(open), opened: false };
    },
    async markAlertNotified(id) {
      await query(`UPDATE ${s}.alerts SET notified_at = $2 WHERE id = $1`, [id, clock.now()]);
    },
    async setAlertTask(id, taskId) {
      await query(`UPDATE ${s}.alerts SET task_id = $2 WHERE id = $1`, [id, taskId]);
    },
    async closeAlert(id) {
      await query(`UPDATE ${s}.alerts SET closed_at = $2 WHERE id = $1 AND closed_at IS NULL`, [
        id,
        clock.now(),
      ]);
      return toAlert(await mustAlert(id));
    },
    async ackAlert(id) {
      await mustAlert(id);
      await query(`UPDATE ${s}.alerts SET acked_at = $2 WHERE id = $1 AND acked_at IS NULL`, [
        id,
        clock.now(),
      ]);
      return toAlert(await mustAlert(id));
    },
    async alerts(filter = {}) {
      const { rows } = await query<AlertRow>(
        `SELECT * FROM ${s}.alerts
         WHERE ($1::boolean IS NOT TRUE OR closed_at IS NULL) AND ($2::text IS NULL OR job = $2)
         ORDER BY opened_at DESC, seq DESC`,
        [filter.open === true, filter.job ?? null],
      );
      return rows.map(toAlert);
    },
  };
}
