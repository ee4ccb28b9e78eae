import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { AgentModel } from "./model.js";
import { type ModelPrice, type RunNextTaskResult, runNextTask } from "./run-task.js";
import type { Tool } from "./tools.js";
import type { TaskStore } from "./types.js";

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

/**
 * The worker loop of the daemon: claim, run a session, repeat; when idle, wait for the next poll
 * or a wake-up; when the day's quota is spent, sleep until it resets (no polling storm). A
 * failing task or API never crashes it: it logs and goes on.
 */
export function createWorker(options: WorkerOptions): Worker {
  const id = options.workerId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const now = options.now ?? Date.now;
  const pollMs = options.pollMs ?? 60_000;
  const abort = new AbortController();
  let wakeUp: (() => void) | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;
  let pausedSaid = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  const pass = async (): Promise<RunNextTaskResult | "paused"> => {
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
      workerId: id,
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
      running = (async () => {
        options.logger.info({ workerId: id, pollMs }, "worker started");
        while (!stopped) {
          let result: RunNextTaskResult | "paused";
          try {
            result = await pass();
          } catch (error) {
            options.logger.error(
              { error: (error as Error)?.message ?? String(error) },
              "a pass failed; going on",
            );
            result = { kind: "idle" };
          }
          if (stopped) break;
          if (result !== "paused" && result.kind === "ran") continue;
          if (result !== "paused" && result.kind === "quota_exhausted") {
            const wait = Date.parse(result.quota.resetsAt) - now();
            options.logger.info(
              { ...result.quota },
              `daily quota spent (${result.quota.used}/${result.quota.limit}); waiting until ${result.quota.resetsAt}`,
            );
            await sleep(wait + 1000);
          } else {
            await sleep(pollMs);
          }
        }
        options.logger.info({ workerId: id }, "worker stopped");
      })();
      await running;
    },
    async runOnce() {
      let sessions = 0;
      for (;;) {
        const result = await pass();
        if (result === "paused") return { sessions, last: "idle" };
        if (result.kind !== "ran") return { sessions, last: result.kind };
        sessions++;
        if (stopped) return { sessions, last: "ran" };
      }
    },
    wake() {
      wakeUp?.();
    },
    async stop() {
      stopped = true;
      abort.abort();
      wakeUp?.();
      await running;
    },
  };
  return worker;
}
