import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { AgentModel } from "./model.js";
import { type ModelPrice, type RunNextTaskResult, runNextTask } from "./run-task.js";
import type { Tool } from "./tools.js";
import type { QuotaLimit, TaskStore } from "./types.js";

/** Port: structured logs (pino fits). Every session's outcome is logged. */
export interface Logger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Options of {@link createWorker}. */
export interface WorkerOptions {
  store: TaskStore;
  /** No model (no API key): the worker runs no session and says so; tasks stay queued. */
  model: AgentModel | undefined;
  system: string;
  tools?: readonly Tool[] | undefined;
  workerId?: string | undefined;
  /**
   * Sessions run at once (default 1). Each runs in its own loop with its own lease owner
   * (`<workerId>/<n>` when more than one); the quota holds across them, as across processes.
   */
  concurrency?: number | undefined;
  /** Between polls when there is nothing to do (default 60 s); `wake()` cuts the wait short. */
  pollMs?: number | undefined;
  maxTurns?: number | undefined;
  checkpointAtTurn?: number | undefined;
  leaseMs?: number | undefined;
  price?: ModelPrice | undefined;
  logger: Logger;
  now?: (() => number) | undefined;
}

/** A running worker loop. */
export interface Worker {
  readonly id: string;
  /** Runs until `stop()`. */
  run(): Promise<void>;
  /** Processes what is runnable now, then returns (for cron and tests). */
  runOnce(): Promise<{ sessions: number; last: RunNextTaskResult["kind"] }>;
  /** Wake now: a task was added. */
  wake(): void;
  /**
   * Stops gracefully: the current model call finishes, the session ends with a checkpoint, the
   * lease is released; then `run()` resolves.
   */
  stop(): Promise<void>;
}

const SPENT: Record<QuotaLimit, string> = {
  sessions: "the day's sessions are spent",
  tokens: "the day's token budget is spent",
  usd: "the day's dollar budget is spent",
};

/**
 * The worker loop of the daemon: claim, run a session, repeat; when idle, wait for the next poll
 * or a wake-up; when the day's quota is spent, sleep until it resets (no polling storm). A
 * failing task or API never crashes it: it logs and goes on.
 */
export function createWorker(options: WorkerOptions): Worker {
  const id = options.workerId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const now = options.now ?? Date.now;
  const pollMs = options.pollMs ?? 60_000;
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`concurrency must be a whole number of at least 1, not ${concurrency}`);
  const slots = Array.from({ length: concurrency }, (_, index) =>
    concurrency === 1 ? id : `${id}/${index + 1}`,
  );
  const abort = new AbortController();
  const sleepers = new Set<() => void>();
  let stopped = false;
  let running: Promise<void> | undefined;
  let pausedSaid = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      }
      sleepers.add(done);
    });
  const wakeAll = () => {
    for (const wake of [...sleepers]) wake();
  };

  const pass = async (slot: string): Promise<RunNextTaskResult | "paused"> => {
    if (options.model === undefined) {
      if (!pausedSaid) {
        const queued = (await options.store.list({ status: "pending" })).length;
        options.logger.warn(
          { queued },
          "sessions are paused: ANTHROPIC_API_KEY is not set; tasks stay queued",
        );
        pausedSaid = true;
      }
      return "paused";
    }
    const result = await runNextTask({
      store: options.store,
      model: options.model,
      system: options.system,
      tools: options.tools,
      workerId: slot,
      maxTurns: options.maxTurns,
      checkpointAtTurn: options.checkpointAtTurn,
      leaseMs: options.leaseMs,
      price: options.price,
      signal: abort.signal,
      now,
    });
    if (result.kind === "ran") {
      const { task, session } = result;
      options.logger.info(
        {
          workerId: slot,
          taskId: task.id,
          title: task.title,
          outcome: session.outcome,
          turns: session.turns,
          status: task.status,
          usage: session.usage,
          ...(session.error ? { error: session.error } : {}),
        },
        `session ${session.outcome}: ${task.title}`,
      );
    }
    return result;
  };

  const worker: Worker = {
    id,
    async run() {
      const loop = async (slot: string) => {
        let failures = 0;
        while (!stopped) {
          let result: RunNextTaskResult | "paused";
          try {
            result = await pass(slot);
          } catch (error) {
            failures++;
            // Backoff (1 s doubling, at most the poll interval): a store that is down is
            // retried, never hammered and never the end of the daemon.
            const wait = Math.min(pollMs, 1000 * 2 ** (failures - 1));
            options.logger.error(
              {
                workerId: slot,
                error: (error as Error)?.message ?? String(error),
                retryInMs: wait,
              },
              "a pass failed; going on",
            );
            if (stopped) break;
            await sleep(wait);
            continue;
          }
          failures = 0;
          if (stopped) break;
          if (result !== "paused" && result.kind === "ran") {
            // A session ended: the other loops may find work it queued.
            wakeAll();
            continue;
          }
          if (result !== "paused" && result.kind === "quota_exhausted") {
            const wait = Date.parse(result.quota.resetsAt) - now();
            options.logger.info(
              { ...result.quota, spent: result.spent },
              `${SPENT[result.spent]}; waiting until ${result.quota.resetsAt}`,
            );
            await sleep(wait + 1000);
          } else {
            await sleep(pollMs);
          }
        }
      };
      running = (async () => {
        options.logger.info({ workerId: id, pollMs, concurrency }, "worker started");
        // Tasks added by other processes (Postgres NOTIFY) wake the loops too.
        const unsubscribe = options.store.onTaskAdded?.(wakeAll);
        await Promise.all(slots.map(loop));
        unsubscribe?.();
        options.logger.info({ workerId: id }, "worker stopped");
      })();
      await running;
    },
    async runOnce() {
      let sessions = 0;
      let last: RunNextTaskResult["kind"] = "idle";
      const loop = async (slot: string) => {
        for (;;) {
          const result = await pass(slot);
          if (result === "paused") return;
          last = result.kind;
          if (result.kind !== "ran") return;
          sessions++;
          if (stopped) return;
        }
      };
      await Promise.all(slots.map(loop));
      return { sessions, last };
    },
    wake() {
      wakeAll();
    },
    async stop() {
      stopped = true;
      abort.abort();
      wakeAll();
      await running;
    },
  };
  return worker;
}
