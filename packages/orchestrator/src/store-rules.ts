// What every TaskStore adapter decides the same way when a session ends or a lease is taken over.
import { OrchestratorError } from "./errors.js";
import type { NewTask, TaskStatus, TaskTransition } from "./types.js";

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
    requeued: next.status === "pending" && !refund && next.split !== true,
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

/**
 * What both stores check of a new task beyond its title: a whole, positive turn limit, and
 * dependencies that exist (`exists` asks the store). Returns the dependencies, without repeats.
 */
export function checkNewTask(input: NewTask, exists: (id: string) => boolean): string[] {
  if (input.maxTurns !== undefined && (!Number.isInteger(input.maxTurns) || input.maxTurns < 1))
    throw new OrchestratorError("INVALID_INPUT", "maxTurns must be a whole number of at least 1");
  const dependsOn = [...new Set(input.dependsOn ?? [])];
  for (const id of dependsOn)
    if (!exists(id)) throw new OrchestratorError("NOT_FOUND", `no task ${id} to depend on`);
  return dependsOn;
}

/** Refuses a dependency of `taskId` on `other` when `other` (which depends on `otherDeps`) is it or waits for it. */
export function checkNoCycle(taskId: string, other: string, otherDeps: readonly string[]): void {
  if (other === taskId)
    throw new OrchestratorError("INVALID_INPUT", `task ${taskId} cannot wait for itself`);
  if (otherDeps.includes(taskId))
    throw new OrchestratorError(
      "INVALID_INPUT",
      `task ${other} already waits for ${taskId}: they would wait for each other`,
    );
}

/** The result a split task gets when its parts are done. */
export function splitResult(parts: number): { summary: string; parts: number } {
  return { summary: `done through its ${parts} part${parts === 1 ? "" : "s"}`, parts };
}
