// What a task looks like to a person: the one shape of `jada task show --json` and
// `/api/tasks/:id`.
import type { SessionRecord, Task, TaskStatus, TaskStore } from "@jada/orchestrator";

/** A task named by another (its parent or a child). */
export interface TaskLink {
  id: string;
  title: string;
  status: TaskStatus;
}

/** One task with everything a person asks about it. */
export interface TaskDetail extends Task {
  /** How often each kind of failure sent it back to the queue (`auth`, `overloaded`, …). */
  requeues: Record<string, number>;
  sessions: SessionRecord[];
  /** Across its sessions. */
  totals: { turns: number; tokens: number; costUsd: number };
  parent: TaskLink | null;
  children: TaskLink[];
}

const link = (task: Task): TaskLink => ({ id: task.id, title: task.title, status: task.status });

/** The task with its sessions, totals, parent and children; undefined when there is none. */
export async function describeTask(store: TaskStore, id: string): Promise<TaskDetail | undefined> {
  const task = await store.get(id);
  if (task === undefined) return undefined;
  const [sessions, children, parent] = await Promise.all([
    store.sessions(id),
    store.list({ parentId: id }),
    task.parentId === null ? undefined : store.get(task.parentId),
  ]);
  let turns = 0;
  let tokens = 0;
  let costUsd = 0;
  for (const session of sessions) {
    turns += session.turns;
    costUsd += session.costUsd ?? 0;
    const usage = session.usage;
    if (usage)
      tokens +=
        usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
  }
  return {
    ...task,
    requeues: requeues(sessions),
    sessions,
    totals: { turns, tokens, costUsd },
    parent: parent === undefined ? null : link(parent),
    children: children.map(link),
  };
}

/** How often each kind of failure sent a task back to the queue (`auth`, `overloaded`, …). */
export function requeues(sessions: readonly SessionRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const session of sessions) {
    if (session.outcome !== "error") continue;
    const kind = /^([a-z_]+):/.exec(session.error ?? "")?.[1] ?? "error";
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}
