// What every TaskStore adapter decides the same way when a session ends or a lease is taken over.
import type { TaskStatus, TaskTransition } from "./types.js";

/** The error a session gets when another worker takes its task over after the lease expired. */
export const ABANDONED_SESSION =
  "lease expired: the worker stopped heartbeating (crashed or cut off); the task was claimed again";

/**
 * Why a task went to a person after its last allowed session. The Postgres store applies the rule
 * inside its `finish_session` function and fills in the count there with `format()`, so it passes
 * `"%s"` for `attempts`.
 */
export function outOfSessionsMessage(attempts: number | "%s"): string {
  return `took ${attempts} sessions without finishing (the most allowed); the last checkpoint says where it stands`;
}

/** What a store writes when a session ends. */
export interface FinishPlan {
  status: TaskStatus;
  needsYou: string | null;
  /** Give back the session's attempt and quota slot: it never really ran. */
  refund: boolean;
  /** JSON text, or null to keep what is stored. */
  checkpoint: string | null;
  result: string | null;
  notBefore: number | null;
}

/**
 * Where a task goes when its session ends, before the limit on sessions is applied: see
 * {@link planFinish}. `requeued` says the task goes back to the queue, and so to a person instead
 * when that was its last allowed session.
 */
export function planTransition(next: TaskTransition): FinishPlan & { requeued: boolean } {
  const refund = next.status === "pending" && next.refund === true;
  return {
    status: next.status,
    needsYou: next.status === "needs_you" || next.status === "failed" ? next.message : null,
    refund,
    requeued: next.status === "pending" && !refund,
    checkpoint:
      next.status === "pending" && next.checkpoint !== undefined
        ? JSON.stringify(next.checkpoint)
        : null,
    result: next.status === "done" ? JSON.stringify(next.result ?? null) : null,
    notBefore: next.status === "pending" && next.notBefore ? next.notBefore.getTime() : null,
  };
}

/**
 * Where a task goes when its session ends, given how many sessions it has had. A task sent back
 * to pending after its last allowed session goes to a person instead.
 */
export function planFinish(
  task: { attempts: number; maxAttempts: number },
  next: TaskTransition,
): FinishPlan {
  const { requeued, ...plan } = planTransition(next);
  if (requeued && task.attempts >= task.maxAttempts) {
    return { ...plan, status: "needs_you", needsYou: outOfSessionsMessage(task.attempts) };
  }
  return plan;
}
