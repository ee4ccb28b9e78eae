// Whether the daemon can do its work: the store answers (and a SQLite file is still where it
// was), and the worker's and the scheduler's loops went round within twice their period. /readyz
// answers it; the systemd watchdog is pinged only while it holds.
import { statSync } from "node:fs";
import type { Scheduler, TaskStore, Worker } from "@jada/orchestrator";

/** Whether the daemon can do its work, and why not. */
export interface Readiness {
  ready: boolean;
  checks: { store: string; worker: string; scheduler: string };
}

/** What readiness looks at. */
export interface ReadinessSource {
  store: Pick<TaskStore, "counts">;
  worker: Pick<Worker, "status">;
  scheduler: Pick<Scheduler, "status">;
  /** The SQLite file, when the store is one. */
  file?: string | undefined;
  /** The worker's poll and the scheduler's round: a loop quiet for twice as long is stuck. */
  workerPeriodMs: number;
  schedulerPeriodMs: number;
  now?: (() => number) | undefined;
}

/** The daemon's readiness, now. */
export async function checkReadiness(source: ReadinessSource): Promise<Readiness> {
  const now = source.now ?? Date.now;
  const status = source.worker.status();
  // A running session or a pause is work, not a stuck loop: only an idle loop must go round.
  const workerActive =
    status.running.length > 0 || status.paused || status.holdUntil
      ? new Date(now()).toISOString()
      : status.lastPassAt;
  const loop = (name: string, last: string | undefined, periodMs: number): string => {
    if (last === undefined) return `the ${name} loop has not started`;
    const quiet = now() - Date.parse(last);
    return quiet <= 2 * periodMs + 30_000
      ? "ok"
      : `the ${name} loop has not gone round for ${Math.round(quiet / 1000)} s (expected every ${Math.round(periodMs / 1000)} s)`;
  };
  const checks = {
    store: await storeCheck(source),
    worker: loop("worker", workerActive, source.workerPeriodMs),
    scheduler: loop("scheduler", source.scheduler.status().lastTickAt, source.schedulerPeriodMs),
  };
  return { ready: Object.values(checks).every((check) => check === "ok"), checks };
}

async function storeCheck(source: ReadinessSource): Promise<string> {
  if (source.file !== undefined) {
    try {
      statSync(source.file);
    } catch {
      return `the SQLite file ${source.file} is gone`;
    }
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      source.store.counts(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("no answer within 2 s")), 2000);
      }),
    ]);
    return "ok";
  } catch (error) {
    return `the store does not answer: ${(error as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}
