import { OrchestratorError } from "./errors.js";
import type { AgentModel, Usage } from "./model.js";
import {
  type AfterModelError,
  afterModelError,
  type ModelBackoffOptions,
} from "./model-backoff.js";
import { totalTokens } from "./quota-window.js";
import { retry } from "./retry.js";
import { type Checkpoint, runSession, type SessionResult } from "./session-runner.js";
import type { Tool } from "./tools.js";
import type {
  ClaimResult,
  QuotaLimit,
  QuotaStatus,
  Task,
  TaskStore,
  TaskTransition,
} from "./types.js";

/** Dollars per million tokens of a model (the config's price table). */
export interface ModelPrice {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** Options of {@link runNextTask}. */
export interface RunNextTaskOptions {
  store: TaskStore;
  model: AgentModel;
  system: string;
  workerId: string;
  tools?: readonly Tool[] | undefined;
  maxTurns?: number | undefined;
  checkpointAtTurn?: number | undefined;
  /** Lease length; heartbeated after every turn (default 10 minutes). */
  leaseMs?: number | undefined;
  price?: ModelPrice | undefined;
  signal?: AbortSignal | undefined;
  now?: (() => number) | undefined;
  /** How long a task waits after a failed model call (see {@link afterModelError}). */
  backoff?: ModelBackoffOptions | undefined;
  /** Told when the session starts (turn 0) and after each turn; dashboards show it. */
  onProgress?: ((progress: SessionProgress) => void) | undefined;
}

/** Where a running session is: its task, and the turns it has taken. */
export interface SessionProgress {
  taskId: string;
  title: string;
  sessionId: string;
  /** Turns taken so far (0 before the first model call). */
  turn: number;
  /** When the session started. ISO 8601. */
  startedAt: string;
}

/** What one pass did. */
export type RunNextTaskResult =
  | {
      kind: "ran";
      task: Task;
      session: SessionResult;
      /** When the model call failed: what the task and the worker do about it. */
      after?: AfterModelError | undefined;
    }
  | { kind: "quota_exhausted"; quota: QuotaStatus; spent: QuotaLimit }
  | { kind: "idle" };

/** Estimated dollars of a session's usage. */
export function costOf(usage: Usage, price: ModelPrice | undefined): number | undefined {
  if (price === undefined) return undefined;
  const perToken = (dollarsPerMillion: number) => dollarsPerMillion / 1_000_000;
  return (
    usage.inputTokens * perToken(price.input) +
    usage.outputTokens * perToken(price.output) +
    usage.cacheReadTokens * perToken(price.cacheRead) +
    usage.cacheWriteTokens * perToken(price.cacheWrite)
  );
}

// What is left of the day's token and dollar budgets when the session starts; the session stops
// once its own usage reaches it.
function budgetCheck(
  quota: QuotaStatus,
  price: ModelPrice | undefined,
): ((usage: Usage) => boolean) | undefined {
  const tokensLeft = quota.tokens ? quota.tokens.limit - quota.tokens.used : undefined;
  const usdLeft = quota.usd ? quota.usd.limit - quota.usd.used : undefined;
  if (tokensLeft === undefined && usdLeft === undefined) return undefined;
  return (usage) =>
    (tokensLeft !== undefined && totalTokens(usage) >= tokensLeft) ||
    (usdLeft !== undefined && (costOf(usage, price) ?? 0) >= usdLeft);
}

// The store may be unreachable for a moment (a database restart, a dropped connection) just as
// a session ends: its end is worth a few tries (0.5, 1, 2, 4 s) rather than losing it. A store
// that is really gone still fails, and the lease then hands the task to another worker.
function withStoreRetries<T>(work: () => Promise<T>): Promise<T> {
  return retry(work, {
    retryable: (error) => error instanceof OrchestratorError && error.code === "STORE_FAILED",
  });
}

/**
 * Claims the next runnable task (and a slot of the day's quota), runs one session of it, and
 * records where it goes: done, back to pending from its checkpoint (turn limit), back to pending
 * with its attempt and slot given back after a failed model call (never due at once: a
 * not-before from the API's `retry-after` or a growing backoff; a refused key leaves it due and
 * tells the worker to pause), or to a person.
 */
export async function runNextTask(options: RunNextTaskOptions): Promise<RunNextTaskResult> {
  const leaseMs = options.leaseMs ?? 10 * 60_000;
  const now = options.now ?? Date.now;
  const claim: ClaimResult = await options.store.claim(options.workerId, leaseMs);
  if (claim.kind !== "claimed") return claim;
  const { task, sessionId } = claim;
  const progress: SessionProgress = {
    taskId: task.id,
    title: task.title,
    sessionId,
    turn: 0,
    startedAt: new Date(now()).toISOString(),
  };
  options.onProgress?.({ ...progress });
  // Heartbeats on a timer too, not only per turn: a slow call or tool must not lose the lease.
  const heartbeat = setInterval(
    () => void options.store.heartbeat(task.id, options.workerId, leaseMs).catch(() => {}),
    Math.max(1000, Math.floor(leaseMs / 3)),
  );
  heartbeat.unref();
  // A task's own turn limit, never above the daemon's; the checkpoint nudge follows it.
  const limit = options.maxTurns ?? 30;
  const maxTurns = Math.min(task.maxTurns ?? limit, limit);
  const checkpointAtTurn =
    options.checkpointAtTurn !== undefined && options.checkpointAtTurn < maxTurns
      ? options.checkpointAtTurn
      : undefined;
  const previous = asCheckpoint(task.checkpoint);
  const planning = previous?.split === "next";
  const parts: string[] = [];
  const session = await runSession({
    task,
    planning,
    model: options.model,
    system: options.system,
    tools: options.tools,
    maxTurns,
    checkpointAtTurn,
    signal: options.signal,
    // Parts inherit the task's budget: its turn limit and its limit of sessions.
    createTask: async (input) => {
      const part = await options.store.add({
        ...input,
        parentId: task.id,
        maxTurns: task.maxTurns ?? undefined,
        maxAttempts: task.maxAttempts,
      });
      parts.push(part.id);
      return part.id;
    },
    // A store that is briefly unreachable must not end the session: the timer heartbeats again,
    // the checkpoint is kept and stored with the session's end, and a lost lease shows there.
    onTurn: async (turn) => {
      options.onProgress?.({ ...progress, turn });
      await options.store.heartbeat(task.id, options.workerId, leaseMs).catch(() => false);
    },
    onCheckpoint: async (checkpoint) => {
      await options.store.saveCheckpoint(task.id, options.workerId, checkpoint).catch(() => {});
    },
    overBudget: budgetCheck(claim.quota, options.price),
  }).finally(() => clearInterval(heartbeat));

  let next: TaskTransition;
  let after: AfterModelError | undefined;
  if (session.outcome === "completed" && planning && parts.length > 0) {
    // Split: the task waits for its parts, and completes when they do.
    await withStoreRetries(() => options.store.addDependencies(task.id, parts));
    next = {
      status: "pending",
      split: true,
      checkpoint: { ...previous, split: undefined, parts, plan: session.result ?? null },
    };
  } else if (session.outcome === "completed")
    next = { status: "done", result: session.result ?? null };
  else if (session.outcome === "needs_you")
    next = { status: "needs_you", message: session.needsYou ?? "the agent asked for a person" };
  else if (session.outcome === "max_turns" || session.outcome === "budget_exceeded")
    next = {
      status: "pending",
      checkpoint:
        session.checkpoint && !session.interrupted && outgrown(session.checkpoint, previous)
          ? { ...session.checkpoint, split: "next" }
          : session.checkpoint,
    };
  else {
    const error = session.error ?? { kind: "network" as const, message: "unknown error" };
    after = afterModelError(
      error,
      await sessionFailuresInARow(options.store, task.id, sessionId),
      options.backoff,
    );
    if (after.action === "person") next = { status: "needs_you", message: after.message };
    else {
      // The session never really ran: its attempt and its slot of the day are given back. A
      // refused key leaves the task due (the worker pauses instead); anything else waits.
      next = {
        status: "pending",
        refund: true,
        ...(session.checkpoint && session.turns > 0 ? { checkpoint: session.checkpoint } : {}),
        ...(after.action === "retry"
          ? { notBefore: new Date(now() + Math.ceil(after.afterSeconds * 1000)) }
          : {}),
      };
    }
  }
  const finished = await withStoreRetries(() =>
    options.store.finishSession(
      sessionId,
      {
        turns: session.turns,
        outcome: session.outcome,
        usage: session.usage,
        costUsd: costOf(session.usage, options.price),
        // "kind: what happened" (the classified message may carry its kind already).
        error: session.error
          ? session.error.message.startsWith(`${session.error.kind}: `)
            ? session.error.message
            : `${session.error.kind}: ${session.error.message}`
          : session.interrupted
            ? `interrupted after ${session.turns} turns: the worker was stopping`
            : undefined,
      },
      next,
    ),
  );
  // A part done may complete the task it was split from (and that one, its own).
  if (finished.status === "done") {
    let parentId = finished.parentId;
    while (parentId !== null) {
      const id = parentId;
      const parent = await withStoreRetries(() => options.store.completeSplitTask(id)).catch(
        () => undefined,
      );
      parentId = parent?.parentId ?? null;
    }
  }
  return { kind: "ran", task: finished, session, ...(after ? { after } : {}) };
}

// The task's stored checkpoint, when it is one the runner wrote.
function asCheckpoint(value: unknown): (Checkpoint & { parts?: string[] }) | undefined {
  if (typeof value !== "object" || value === null || !Array.isArray((value as Checkpoint).done))
    return undefined;
  return value as Checkpoint;
}

/**
 * Whether a task outgrew its sessions: the agent said so, or a session at the turn limit left
 * nothing more done than the one before it.
 */
export function outgrown(checkpoint: Checkpoint, previous: Checkpoint | undefined): boolean {
  if (checkpoint.tooBig === true) return true;
  if (previous === undefined) return false;
  const before = new Set(previous.done);
  return checkpoint.done.every((item) => before.has(item));
}

// The sessions of the task that ended in error right before this one, this one included.
async function sessionFailuresInARow(store: TaskStore, taskId: string, sessionId: string) {
  const earlier = (await store.sessions(taskId).catch(() => [])).filter(
    (session) => session.id !== sessionId,
  );
  let count = 1;
  for (let index = earlier.length - 1; index >= 0; index--) {
    if (earlier[index]?.outcome !== "error") break;
    count++;
  }
  return count;
}
