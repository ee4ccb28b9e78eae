/** Where a task stands. */
export type TaskStatus = "pending" | "running" | "needs_you" | "done" | "failed" | "cancelled";

/** A unit of work for the agent. */
export interface Task {
  id: string;
  title: string;
  prompt: string;
  status: TaskStatus;
  /** Higher runs first. */
  priority: number;
  /** Sessions started for it so far, and the most it may take. */
  attempts: number;
  maxAttempts: number;
  /** Not claimable before this (backoff after rate limits). ISO 8601. */
  notBefore: string | null;
  parentId: string | null;
  /** What the last session saved to go on from (JSON). */
  checkpoint: unknown;
  result: unknown;
  /** What a person must do, when `needs_you`. */
  needsYou: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What `add` takes. */
export interface NewTask {
  title: string;
  prompt?: string | undefined;
  priority?: number | undefined;
  maxAttempts?: number | undefined;
  notBefore?: Date | undefined;
  parentId?: string | undefined;
}

/** The daily session quota (and the optional token and dollar budgets), as of now. */
export interface QuotaStatus {
  /** Sessions started this quota day, and the most allowed. */
  used: number;
  limit: number;
  /** When the next quota day starts. ISO 8601. */
  resetsAt: string;
  /** Tokens of every kind (input, output, cache read and write) spent today; when budgeted. */
  tokens?: { used: number; limit: number } | undefined;
  /** Estimated dollars spent today; when budgeted. */
  usd?: { used: number; limit: number } | undefined;
}

/** Which limit of the day is spent. */
export type QuotaLimit = "sessions" | "tokens" | "usd";

/** The outcome of a claim. */
export type ClaimResult =
  | { kind: "claimed"; task: Task; sessionId: string; quota: QuotaStatus }
  | { kind: "quota_exhausted"; quota: QuotaStatus; spent: QuotaLimit }
  | { kind: "idle" };

/** How a session ended. */
export type SessionOutcome = "completed" | "max_turns" | "needs_you" | "budget_exceeded" | "error";

/** One agent session of a task. */
export interface SessionRecord {
  id: string;
  taskId: string;
  workerId: string;
  startedAt: string;
  endedAt: string | null;
  turns: number;
  outcome: SessionOutcome | null;
  usage: {
    inputTokens: number;
    outputTokens: number;
    cacheReadTokens: number;
    cacheWriteTokens: number;
  } | null;
  costUsd: number | null;
  error: string | null;
}

/** How a session's end is recorded. */
export interface SessionEnd {
  turns: number;
  outcome: SessionOutcome;
  usage?: SessionRecord["usage"] | undefined;
  costUsd?: number | undefined;
  error?: string | undefined;
}

/** Port: the clock. */
export interface Clock {
  now(): number;
}

/**
 * Port: where tasks, sessions and the quota live. `claim` takes a task and a quota slot in one
 * transaction, so no number of workers can exceed the daily quota or claim a task twice.
 */
export interface TaskStore {
  add(task: NewTask): Promise<Task>;
  get(id: string): Promise<Task | undefined>;
  list(filter?: { status?: TaskStatus | undefined }): Promise<Task[]>;
  /** The highest-priority, oldest runnable task (pending, or running with an expired lease). */
  claim(workerId: string, leaseMs: number): Promise<ClaimResult>;
  /** Extends the lease; false when the worker no longer holds it. */
  heartbeat(taskId: string, workerId: string, leaseMs: number): Promise<boolean>;
  saveCheckpoint(taskId: string, workerId: string, checkpoint: unknown): Promise<void>;
  /** Ends a session and moves the task on, in one transaction. */
  finishSession(sessionId: string, end: SessionEnd, next: TaskTransition): Promise<Task>;
  cancel(taskId: string): Promise<Task>;
  /** A failed, cancelled or needs-you task back to pending, attempts reset. */
  retry(taskId: string): Promise<Task>;
  sessions(taskId: string): Promise<SessionRecord[]>;
  /** The latest sessions of any task, newest first (status lines, dashboards). */
  recentSessions(limit: number): Promise<SessionRecord[]>;
  quota(): Promise<QuotaStatus>;
  /**
   * Calls `notify` when a task is added by any process sharing the store (Postgres: LISTEN/NOTIFY),
   * so workers wake at once; polling stays the fallback. Optional: a one-process store has none.
   * Returns the unsubscribe function.
   */
  onTaskAdded?(notify: () => void): () => void;
  close(): Promise<void>;
}

/** Where a task goes when its session ends. */
export type TaskTransition =
  | { status: "done"; result: unknown }
  | {
      status: "pending";
      checkpoint?: unknown;
      notBefore?: Date | undefined;
      /** The session never really ran: give back its attempt and its quota slot. */
      refund?: boolean | undefined;
    }
  | { status: "needs_you"; message: string }
  | { status: "failed"; message: string };
