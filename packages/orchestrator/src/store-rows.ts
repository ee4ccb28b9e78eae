// The tables' rows as both adapters read them, and their mapping to the port's types. `J` is how
// a JSON column arrives: text from SQLite, already parsed (jsonb) from Postgres.
import type { SessionRecord, Task, TaskStatus } from "./types.js";

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
