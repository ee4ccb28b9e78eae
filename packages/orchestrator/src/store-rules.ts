// What every TaskStore adapter decides the same way when a session ends or a lease is taken over.
import type { TaskStatus, TaskTransition } from "./types.js";

/** The error a session gets when another worker takes its task over after the lease expired. */
export const ABANDONED_SESSION =
  "lease expired: the worker stopped heartbeating (crashed or cut off); the task was claimed again";

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
 * Where a task goes when its session ends, given how many sessions it has had. A task sent back
 * to pending after its last allowed session goes to a person instead.
 */
export function planFinish(
  task: { attempts: number; maxAttempts: number },
  next: TaskTransition,
): FinishPlan {
  const refund = next.status === "pending" && next.refund === true;
  let status: TaskStatus = next.status;
  let needsYou: string | null = null;
  if (next.status === "pending" && !refund && task.attempts >= task.maxAttempts) {
    status = "needs_you";
    needsYou = `took ${task.attempts} sessions without finishing (the most allowed); the last checkpoint says where it stands`;
  } else if (next.status === "needs_you" || next.status === "failed") {
    needsYou = next.message;
  }
  return {
    status,
    needsYou,
    refund,
    checkpoint:
      next.status === "pending" && next.checkpoint !== undefined
        ? JSON.stringify(next.checkpoint)
        : null,
    result: next.status === "done" ? JSON.stringify(next.result ?? null) : null,
    notBefore: next.status === "pending" && next.notBefore ? next.notBefore.getTime() : null,
  };
}
