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
  /** Tasks that must be done before this one may start (a split task waits for its parts). */
  dependsOn: string[];
  /** The most model calls of one of its sessions, when lower than the daemon's limit. */
  maxTurns: number | null;
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
  /** Tasks (by id) that must be done before this one may start. */
  dependsOn?: readonly string[] | undefined;
  /** The most model calls of one of its sessions (at most the daemon's limit). */
  maxTurns?: number | undefined;
  /** Opens the task for a person (`needs_you`) with this message, rather than for the agent. */
  needsYou?: string | undefined;
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

/** Which tasks {@link TaskStore.list} returns. Every field narrows; none returns all tasks. */
export interface TaskQuery {
  status?: TaskStatus | undefined;
  /** The children of this task. */
  parentId?: string | undefined;
  /** A case-insensitive part of the title (`%` and `_` match themselves). */
  titleContains?: string | undefined;
  /** Newest first; the default is the order they were added. */
  newestFirst?: boolean | undefined;
  /** At most this many (pages of a dashboard), after skipping `offset`. */
  limit?: number | undefined;
  offset?: number | undefined;
}

/** How many tasks are in each status. */
export type TaskCounts = Record<TaskStatus, number>;

/** Every status, in the order a person reads them. */
export const TASK_STATUSES: readonly TaskStatus[] = [
  "running",
  "pending",
  "needs_you",
  "failed",
  "done",
  "cancelled",
];

/** Totals over every ended session, for metrics. */
export interface SessionTotals {
  /** Ended sessions by outcome (outcomes with none are absent). */
  byOutcome: Partial<Record<SessionOutcome, number>>;
  /** Ended sessions by the turns they took, as `[turns, sessions]`, fewest turns first. */
  byTurns: Array<[turns: number, sessions: number]>;
  tokens: { input: number; output: number; cacheRead: number; cacheWrite: number };
  costUsd: number;
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
  /** Tasks matching the query, oldest first unless `newestFirst`. */
  list(query?: TaskQuery): Promise<Task[]>;
  /** How many tasks are in each status (every status present, zero when none). */
  counts(): Promise<TaskCounts>;
  /**
   * The highest-priority, oldest runnable task: pending, due, and with every task it depends on
   * done; or running with an expired lease.
   */
  claim(workerId: string, leaseMs: number): Promise<ClaimResult>;
  /** Extends the lease; false when the worker no longer holds it. */
  heartbeat(taskId: string, workerId: string, leaseMs: number): Promise<boolean>;
  saveCheckpoint(taskId: string, workerId: string, checkpoint: unknown): Promise<void>;
  /** Ends a session and moves the task on, in one transaction. */
  finishSession(sessionId: string, end: SessionEnd, next: TaskTransition): Promise<Task>;
  cancel(taskId: string): Promise<Task>;
  /**
   * Makes a task wait for others too (a task split into parts waits for them). A task cannot
   * wait for itself, nor for one that waits for it.
   */
  addDependencies(taskId: string, dependsOn: readonly string[]): Promise<Task>;
  /**
   * A task split into parts is done once they are: when `taskId` is pending and waits only for
   * its own children, all done, it becomes done (result: how many parts). Returns it then, else
   * undefined. Idempotent: the runner calls it after each part completes.
   */
  completeSplitTask(taskId: string): Promise<Task | undefined>;
  /** A failed, cancelled or needs-you task back to pending, attempts reset. */
  retry(taskId: string): Promise<Task>;
  sessions(taskId: string): Promise<SessionRecord[]>;
  /** The latest sessions of any task, newest first (status lines, dashboards). */
  recentSessions(limit: number): Promise<SessionRecord[]>;
  /** Totals over every ended session (metrics): by outcome, by turns, tokens and dollars. */
  sessionTotals(): Promise<SessionTotals>;
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
      /**
       * The session split the task into parts: it waits for them, and this session does not
       * count toward its limit of sessions.
       */
      split?: boolean | undefined;
    }
  | { status: "needs_you"; message: string }
  | { status: "failed"; message: string };

/** How a job's run ended: `missed` (no daemon ran at its time) and `skipped` (the previous run
 * still ran) were never started. */
export type JobRunOutcome = "running" | "ok" | "error" | "timed_out" | "missed" | "skipped";

/** One run of a scheduled job, as the store keeps it. */
export interface JobRun {
  id: string;
  job: string;
  /** The slot it ran for (ISO 8601); null for a manual run. */
  scheduledFor: string | null;
  startedAt: string;
  endedAt: string | null;
  outcome: JobRunOutcome;
  errorCode: string | null;
  errorMessage: string | null;
  /** The command that fixes it, when the error said. */
  fix: string | null;
  /** Whether waiting can help; null when it did not fail. */
  retryable: boolean | null;
  manual: boolean;
  workerId: string | null;
}

/** A job as the store knows it: when it is due next. */
export interface JobState {
  name: string;
  /** ISO 8601; null before the first schedule. */
  nextDueAt: string | null;
  registeredAt: string;
}

/** Why an alert of a job is open. */
export type AlertCause = "non_retryable" | "failures" | "consecutive" | "dead_man";

/** An alert about a job: open until the job recovers; acknowledged by a person. */
export interface JobAlert {
  id: string;
  job: string;
  cause: AlertCause;
  message: string;
  code: string | null;
  fix: string | null;
  openedAt: string;
  /** When a sink was last told (the opening, or a reminder). */
  notifiedAt: string;
  closedAt: string | null;
  ackedAt: string | null;
  /** The `needs_you` task opened for it, when there is one. */
  taskId: string | null;
}

/** How a run ended, as `finishJobRun` records it. */
export interface JobRunEnd {
  outcome: "ok" | "error" | "timed_out";
  errorCode?: string | undefined;
  errorMessage?: string | undefined;
  fix?: string | undefined;
  retryable?: boolean | undefined;
}

/**
 * Port: where jobs, their runs and their alerts live (the same database as the tasks). Every
 * move of a job's next due time is a compare-and-set on the time read, so of many daemons on one
 * database exactly one runs (or records) each slot.
 */
export interface JobStore {
  /** Registers a job when it is new (due at `firstDueAt`); returns what is stored. */
  ensureJob(name: string, firstDueAt: number): Promise<JobState>;
  jobs(): Promise<JobState[]>;
  /**
   * Takes the run due at `dueAt` and moves the job to `nextDueAt`, only if it is still due at
   * `dueAt`. Returns the new run's id (outcome `running`), or undefined when another took it.
   */
  claimJobRun(
    name: string,
    dueAt: number,
    nextDueAt: number,
    workerId: string,
  ): Promise<string | undefined>;
  /** A run outside the schedule (`jada jobs run`); the next due time is untouched. */
  startManualRun(name: string, workerId: string): Promise<string>;
  finishJobRun(runId: string, end: JobRunEnd): Promise<void>;
  /**
   * Records runs that never started (`missed`, `skipped`) and moves the job from `dueAt` to
   * `nextDueAt`, only if it is still due at `dueAt`; false when another daemon did it first.
   */
  skipJobRuns(
    name: string,
    dueAt: number,
    nextDueAt: number,
    runs: ReadonlyArray<{ scheduledFor: number; outcome: "missed" | "skipped"; message?: string }>,
  ): Promise<boolean>;
  /** A job's runs, newest first. */
  jobRuns(name: string, limit: number): Promise<JobRun[]>;
  /** Opens an alert of a job and cause, unless one is open already (then returns that one). */
  openAlert(input: {
    job: string;
    cause: AlertCause;
    message: string;
    code?: string | undefined;
    fix?: string | undefined;
  }): Promise<{ alert: JobAlert; opened: boolean }>;
  markAlertNotified(id: string): Promise<void>;
  setAlertTask(id: string, taskId: string): Promise<void>;
  closeAlert(id: string): Promise<JobAlert>;
  ackAlert(id: string): Promise<JobAlert>;
  /** Alerts, newest first: the open ones, or all (`open: false` is not a filter: all). */
  alerts(filter?: { open?: boolean | undefined; job?: string | undefined }): Promise<JobAlert[]>;
}
