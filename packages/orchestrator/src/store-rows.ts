// The tables' rows as both adapters read them, and their mapping to the port's types. `J` is how
// a JSON column arrives: text from SQLite, already parsed (jsonb) from Postgres.
import type { JobAlert, JobRun, JobState, SessionRecord, Task, TaskStatus } from "./types.js";

/** A row of `tasks`; times are epoch milliseconds. */
export interface TaskRow<J> {
  id: string;
  title: string;
  prompt: string;
  status: TaskStatus;
  priority: number;
  attempts: number;
  max_attempts: number;
  not_before: number | null;
  parent_id: string | null;
  /** A JSON array of ids (SQLite text, Postgres text[]), null when none. */
  depends_on: string | string[] | null;
  max_turns: number | null;
  checkpoint: J | null;
  result: J | null;
  needs_you: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  created_at: number;
  updated_at: number;
}

/** A row of `sessions`. */
export interface SessionRow<J> {
  id: string;
  task_id: string;
  worker_id: string;
  started_at: number;
  ended_at: number | null;
  turns: number;
  outcome: SessionRecord["outcome"];
  usage: J | null;
  cost_usd: number | null;
  error: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A task row as the port's {@link Task}; `json` reads a non-null JSON column. */
export function toTask<J>(row: TaskRow<J>, json: (value: J) => unknown): Task {
  return {
    id: row.id,
    title: row.title,
    prompt: row.prompt,
    status: row.status,
    priority: row.priority,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    notBefore: iso(row.not_before),
    parentId: row.parent_id,
    dependsOn:
      row.depends_on === null
        ? []
        : Array.isArray(row.depends_on)
          ? row.depends_on
          : (JSON.parse(row.depends_on) as string[]),
    maxTurns: row.max_turns ?? null,
    checkpoint: row.checkpoint === null ? null : json(row.checkpoint),
    result: row.result === null ? null : json(row.result),
    needsYou: row.needs_you,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: iso(row.lease_expires_at),
    createdAt: iso(row.created_at) as string,
    updatedAt: iso(row.updated_at) as string,
  };
}

/** A session row as the port's {@link SessionRecord}. */
export function toSession<J>(row: SessionRow<J>, json: (value: J) => unknown): SessionRecord {
  return {
    id: row.id,
    taskId: row.task_id,
    workerId: row.worker_id,
    startedAt: iso(row.started_at) as string,
    endedAt: iso(row.ended_at),
    turns: row.turns,
    outcome: row.outcome,
    usage: (row.usage === null ? null : json(row.usage)) as SessionRecord["usage"],
    costUsd: row.cost_usd,
    error: row.error,
  };
}

/** A row of `job_runs`. */
export interface JobRunRow {
  id: string;
  job: string;
  scheduled_for: number | null;
  started_at: number;
  ended_at: number | null;
  outcome: JobRun["outcome"];
  error_code: string | null;
  error_message: string | null;
  fix: string | null;
  retryable: boolean | number | null;
  manual: boolean | number;
  worker_id: string | null;
}

/** A row of `jobs`. */
export interface JobRow {
  name: string;
  next_due_at: number | null;
  registered_at: number;
}

/** A row of `alerts`. */
export interface AlertRow {
  id: string;
  job: string;
  cause: JobAlert["cause"];
  message: string;
  code: string | null;
  fix: string | null;
  opened_at: number;
  notified_at: number;
  closed_at: number | null;
  acked_at: number | null;
  task_id: string | null;
}

/** A job run row as the port's {@link JobRun} (SQLite's 0/1 read as booleans). */
export function toJobRun(row: JobRunRow): JobRun {
  return {
    id: row.id,
    job: row.job,
    scheduledFor: iso(row.scheduled_for),
    startedAt: iso(row.started_at) as string,
    endedAt: iso(row.ended_at),
    outcome: row.outcome,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    fix: row.fix,
    retryable: row.retryable === null ? null : Boolean(row.retryable),
    manual: Boolean(row.manual),
    workerId: row.worker_id,
  };
}

/** A job row as the port's {@link JobState}. */
export function toJobState(row: JobRow): JobState {
  return {
    name: row.name,
    nextDueAt: iso(row.next_due_at),
    registeredAt: iso(row.registered_at) as string,
  };
}

/** An alert row as the port's {@link JobAlert}. */
export function toAlert(row: AlertRow): JobAlert {
  return {
    id: row.id,
    job: row.job,
    cause: row.cause,
    message: row.message,
    code: row.code,
    fix: row.fix,
    openedAt: iso(row.opened_at) as string,
    notifiedAt: iso(row.notified_at) as string,
    closedAt: iso(row.closed_at),
    ackedAt: iso(row.acked_at),
    taskId: row.task_id,
  };
}
