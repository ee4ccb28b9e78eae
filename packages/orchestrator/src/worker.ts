import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { AgentModel } from "./model.js";
import type { ModelBackoffOptions } from "./model-backoff.js";
import {
  type ModelPrice,
  type RunNextTaskResult,
  runNextTask,
  type SessionProgress,
} from "./run-task.js";
import type { Tool } from "./tools.js";
import type { QuotaLimit, TaskStore } from "./types.js";

/** Port: structured logs (pino fits). Every session's outcome is logged, at its level. */
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
  /** How long a task (and the worker) waits after a failed model call. */
  backoff?: ModelBackoffOptions | undefined;
  /**
   * While the API refuses the key, one session is tried again this often (default 10 minutes):
   * a key fixed without telling the worker (`resume`) is noticed, at one request per interval.
   */
  pausedProbeMs?: number | undefined;
  /**
   * What a person does about a paused worker, in the caller's words: `noModel` when there is no
   * model, `refusedKey` when the API refused the key. Logged with the pause, and in `status()`.
   */
  fixes?: { noModel?: string | undefined; refusedKey?: string | undefined } | undefined;
  logger: Logger;
  now?: (() => number) | undefined;
}

/** Why sessions are paused, when they are. */
export interface WorkerPause {
  /** `no_model`: none was given; `auth`: the API refused the key. */
  reason: "no_model" | "auth";
  /** One line: what happened and what fixes it. */
  message: string;
  /** What a person does, in the caller's words. */
  fix: string | undefined;
  since: string;
  /** When the worker tries one session again on its own (`auth` only). */
  nextProbeAt: string | undefined;
}

/** What the worker is doing, for status lines and dashboards. */
export interface WorkerStatus {
  paused: WorkerPause | undefined;
  /** The sessions running now, one per busy loop. */
  running: SessionProgress[];
  /** When a loop of the worker last went round (ISO 8601); a stuck worker stops moving it. */
  lastPassAt: string | undefined;
  /** After a transient model failure (overload, network), no session starts before this. */
  holdUntil: string | undefined;
}

/** What one `runOnce` pass did. */
export interface RunOnceResult {
  /** Sessions run, and how many of them ended in an error. */
  sessions: number;
  failed: number;
  last: RunNextTaskResult["kind"] | "paused";
  /** Set when the pass ended because sessions are paused. */
  paused?: WorkerPause | undefined;
}

/** A running worker loop. */
export interface Worker {
  readonly id: string;
  /** Runs until `stop()`. */
  run(): Promise<void>;
  /**
   * Processes what is runnable now, then returns (for cron and tests). A pass never claims the
   * same task twice: it ends once a task went back to the queue (turn limit, a failed call), and
   * at once when sessions are paused.
   */
  runOnce(): Promise<RunOnceResult>;
  /** Wake now: a task was added. */
  wake(): void;
  /** Whether sessions are paused or held back, and why. */
  status(): WorkerStatus;
  /**
   * Lifts a pause (the key was fixed: SIGHUP), with a new model when given; the loops go on at
   * once. A pause for want of a model stays until one is given.
   */
  resume(model?: AgentModel | undefined): void;
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

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The worker loop of the daemon: claim, run a session, repeat; when idle, wait for the next poll
 * or a wake-up; when the day's quota is spent, sleep until it resets (no polling storm). A
 * failing task or API never crashes it, and never makes it hammer the API: after a failed call
 * it waits out the task's backoff, and when the API refuses the key it pauses every session,
 * says so once at level error, and tries one session again only every `pausedProbeMs` (or at
 * once on `resume()`).
 */
export function createWorker(options: WorkerOptions): Worker {
  const id = options.workerId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const now = options.now ?? Date.now;
  const pollMs = options.pollMs ?? 60_000;
  const probeMs = options.pausedProbeMs ?? 10 * 60_000;
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`concurrency must be a whole number of at least 1, not ${concurrency}`);
  const slots = Array.from({ length: concurrency }, (_, index) =>
    concurrency === 1 ? id : `${id}/${index + 1}`,
  );
  const abort = new AbortController();
  const sleepers = new Set<() => void>();
  let model = options.model;
  let stopped = false;
  let running: Promise<void> | undefined;
  let pause: WorkerPause | undefined;
  let probeAt = 0;
  let holdUntil = 0;
  let lastPassAt: number | undefined;
  const sessionsNow = new Map<string, SessionProgress>();

  // Counts wake-ups, so that one that comes while a loop is busy (between its claim and its
  // sleep) is not lost: the loop's next sleep ends at once.
  let wakeups = 0;
  const sleep = (ms: number, wokenSince?: number) =>
    new Promise<void>((resolve) => {
      if (wokenSince !== undefined && wakeups !== wokenSince) {
        resolve();
        return;
      }
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      }
      sleepers.add(done);
    });
  const wakeAll = () => {
    wakeups++;
    for (const wake of [...sleepers]) wake();
  };

  const pauseForNoModel = async () => {
    if (pause?.reason === "no_model") return;
    const queued = (await options.store.list({ status: "pending" })).length;
    const fix = options.fixes?.noModel;
    pause = {
      reason: "no_model",
      message: `sessions are paused: no model is configured; tasks stay queued${fix ? `; fix: ${fix}` : ""}`,
      fix,
      since: iso(now()),
      nextProbeAt: undefined,
    };
    options.logger.warn({ queued, paused: "no_model" }, pause.message);
  };

  // The API refused the key: every session would be refused too.
  const pauseForRefusedKey = (result: Extract<RunNextTaskResult, { kind: "ran" }>) => {
    const error = result.session.error;
    const said = [error?.status, error?.apiType].filter((part) => part !== undefined).join(" ");
    probeAt = now() + probeMs;
    if (pause?.reason === "auth") {
      pause.nextProbeAt = iso(probeAt);
      options.logger.warn(
        { paused: "auth", nextProbeAt: pause.nextProbeAt },
        "sessions still paused: the API refused the key again",
      );
      return;
    }
    const fix = options.fixes?.refusedKey;
    pause = {
      reason: "auth",
      message: `sessions paused: the API refused the key${said ? ` (${said})` : ""}${fix ? `; fix: ${fix}` : ""}`,
      fix,
      since: iso(now()),
      nextProbeAt: iso(probeAt),
    };
    options.logger.error(
      {
        paused: "auth",
        status: error?.status,
        type: error?.apiType,
        taskId: result.task.id,
        nextProbeAt: pause.nextProbeAt,
      },
      pause.message,
    );
  };

  const logSession = (slot: string, result: Extract<RunNextTaskResult, { kind: "ran" }>) => {
    const { task, session } = result;
    const fields = {
      workerId: slot,
      taskId: task.id,
      title: task.title,
      outcome: session.outcome,
      turns: session.turns,
      status: task.status,
      usage: session.usage,
      ...(session.error ? { error: session.error } : {}),
      ...(task.notBefore ? { notBefore: task.notBefore } : {}),
    };
    const outOfSessions = task.status === "needs_you" && session.outcome !== "needs_you";
    switch (session.outcome) {
      case "completed":
        options.logger.info(fields, `session completed: ${task.title}`);
        return;
      case "max_turns":
      case "budget_exceeded": {
        const reached =
          session.outcome === "max_turns" ? "reached the turn limit" : "spent the day's budget";
        if (outOfSessions)
          options.logger.warn(
            fields,
            `session ${reached}: ${task.title}; that was its last allowed session: a person must look (${task.needsYou})`,
          );
        else
          options.logger.info(
            fields,
            `session ${reached}: ${task.title}; the next session continues from its checkpoint`,
          );
        return;
      }
      case "needs_you":
        options.logger.warn(fields, `session asks for a person: ${task.title}: ${task.needsYou}`);
        return;
      case "error": {
        const kind = session.error?.kind ?? "network";
        const failed = `session failed (${kind}): ${task.title}`;
        if (result.after?.action === "retry")
          options.logger.warn(fields, `${failed}; retried after ${task.notBefore}`);
        else if (result.after?.action === "pause")
          // A probe refused again is expected while paused: the pause line said it all.
          (pause?.reason === "auth" ? options.logger.warn : options.logger.error).call(
            options.logger,
            fields,
            `${failed}; the task waits for a working key`,
          );
        else options.logger.error(fields, `${failed}; a person must look: ${task.needsYou}`);
      }
    }
  };

  const pass = async (slot: string): Promise<RunNextTaskResult | "paused"> => {
    if (model === undefined) {
      await pauseForNoModel();
      return "paused";
    }
    if (pause?.reason === "auth") {
      if (now() < probeAt) return "paused";
      // This loop probes; the others wait for its answer until the next probe time.
      probeAt = now() + probeMs;
    }
    const result = await runNextTask({
      store: options.store,
      model,
      system: options.system,
      tools: options.tools,
      workerId: slot,
      maxTurns: options.maxTurns,
      checkpointAtTurn: options.checkpointAtTurn,
      leaseMs: options.leaseMs,
      price: options.price,
      backoff: options.backoff,
      signal: abort.signal,
      now,
      onProgress: (progress) => sessionsNow.set(slot, progress),
    }).finally(() => sessionsNow.delete(slot));
    if (result.kind !== "ran") return result;
    logSession(slot, result);
    if (result.after?.action === "pause") pauseForRefusedKey(result);
    else {
      if (pause?.reason === "auth") {
        options.logger.info({ paused: false }, "sessions resumed: the API accepted the key");
        pause = undefined;
      }
      // An overloaded or unreachable API is unwell for every task, not only this one.
      if (result.after?.action === "retry" && result.task.notBefore)
        holdUntil = Math.max(holdUntil, Date.parse(result.task.notBefore));
    }
    return result;
  };

  // Sleeps while sessions are held back or paused; true when it slept (the caller looks again).
  const waitOut = async (): Promise<boolean> => {
    const wait = Math.max(pause?.reason === "auth" ? probeAt : 0, holdUntil) - now();
    if (wait <= 0) return false;
    await sleep(wait);
    return true;
  };

  const worker: Worker = {
    id,
    async run() {
      const loop = async (slot: string) => {
        let failures = 0;
        while (!stopped) {
          lastPassAt = now();
          if (await waitOut()) continue;
          const woken = wakeups;
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
          if (result === "paused") {
            if (pause?.reason === "no_model") await sleep(pollMs);
            continue;
          }
          if (result.kind === "ran") {
            // A session ended: the other loops may find work it queued.
            wakeAll();
            continue;
          }
          if (result.kind === "quota_exhausted") {
            const wait = Date.parse(result.quota.resetsAt) - now();
            options.logger.info(
              { ...result.quota, spent: result.spent },
              `${SPENT[result.spent]}; waiting until ${result.quota.resetsAt}`,
            );
            await sleep(wait + 1000);
          } else {
            await sleep(pollMs, woken);
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
      let failed = 0;
      let last: RunOnceResult["last"] = "idle";
      let requeued = false;
      const loop = async (slot: string) => {
        while (!stopped && !requeued) {
          if (pause !== undefined || now() < holdUntil) {
            last = "paused";
            return;
          }
          const result = await pass(slot);
          if (result === "paused") {
            last = "paused";
            return;
          }
          last = result.kind;
          if (result.kind !== "ran") return;
          sessions++;
          if (result.session.outcome === "error") failed++;
          // Claiming again could take the same task: the next pass continues it.
          if (result.task.status === "pending") requeued = true;
        }
      };
      await Promise.all(slots.map(loop));
      return pause
        ? { sessions, failed, last: "paused", paused: { ...pause } }
        : { sessions, failed, last };
    },
    wake() {
      wakeAll();
    },
    status() {
      return {
        paused: pause ? { ...pause } : undefined,
        running: [...sessionsNow.values()].map((progress) => ({ ...progress })),
        lastPassAt: lastPassAt === undefined ? undefined : iso(lastPassAt),
        holdUntil: holdUntil > now() ? iso(holdUntil) : undefined,
      };
    },
    resume(next) {
      if (next !== undefined) model = next;
      if (model === undefined) return;
      if (pause !== undefined)
        options.logger.info({ paused: false }, "sessions resumed: trying the key again now");
      pause = undefined;
      probeAt = 0;
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
