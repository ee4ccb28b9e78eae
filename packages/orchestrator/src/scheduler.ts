// Runs the daemon's jobs at their times, records every run, and turns failures into alerts.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { type AlertEvent, type AlertSink, alertText } from "./alert-sinks.js";
import { describeJobError, type JobDefinition } from "./job.js";
import { evaluateJob, rulesWithDefaults } from "./job-monitor.js";
import type { JobAlert, JobRun, JobStore } from "./types.js";
import type { Logger } from "./worker.js";

/** Options of {@link createScheduler}. */
export interface SchedulerOptions {
  store: JobStore;
  jobs: readonly JobDefinition[];
  sinks?: readonly AlertSink[] | undefined;
  logger: Logger;
  workerId?: string | undefined;
  now?: (() => number) | undefined;
  /** The monitor runs at least this often, due job or not (dead-man checks; default 60 s). */
  monitorEveryMs?: number | undefined;
  /** Told when a run of this scheduler ends (metrics): the job, its outcome, and its seconds. */
  onRunEnd?: ((end: JobRunEnded) => void) | undefined;
}

/** A run of this scheduler that ended, as {@link SchedulerOptions.onRunEnd} hears it. */
export interface JobRunEnded {
  job: string;
  outcome: "ok" | "error" | "timed_out";
  seconds: number;
}

/** What the scheduler is doing, for status lines and readiness checks. */
export interface SchedulerStatus {
  /** When its loop last went round (ISO 8601); a stuck loop stops moving it. */
  lastTickAt: string | undefined;
  running: string[];
}

/** The running scheduler. */
export interface Scheduler {
  /** Registers the jobs, then runs them at their times until `stop()`. */
  run(): Promise<void>;
  /**
   * One round at `now()`: due runs (with the missed and overlap policies), then the monitor.
   * Resolves when the runs it started have ended. `run()` calls it; tests call it on a clock.
   */
  tick(): Promise<void>;
  /** Runs a job now, outside its schedule (recorded as manual); resolves with the run. */
  runNow(name: string): Promise<JobRun>;
  status(): SchedulerStatus;
  /** Aborts the runs in progress, waits for them to be recorded, and ends `run()`. */
  stop(): Promise<void>;
}

/**
 * The scheduler of the daemon's jobs. Every slot of a job runs once however many daemons share
 * the store (the store moves a job's next due time by compare-and-set). After downtime each
 * job's `missed` policy applies; a run past its timeout is aborted and recorded `timed_out`; a
 * job that throws, synchronously or not, is a failed run, never a crashed daemon. After every
 * round the monitor judges each job ({@link evaluateJob}) and opens, repeats or closes alerts
 * through the sinks.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const now = options.now ?? Date.now;
  const workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const byName = new Map(options.jobs.map((job) => [job.name, job]));
  const current = new Map<string, Promise<void>>();
  const stopping = new AbortController();
  let registered: Promise<void> | undefined;
  let lastTickAt: number | undefined;
  let stopped = false;
  let wakeLoop: (() => void) | undefined;
  let looping: Promise<void> | undefined;

  const register = () => {
    registered ??= (async () => {
      for (const job of options.jobs)
        await options.store.ensureJob(job.name, job.schedule.next(now()));
    })();
    return registered;
  };

  const notify = async (event: Omit<AlertEvent, "text">) => {
    const full: AlertEvent = { ...event, text: alertText(event) };
    for (const sink of options.sinks ?? []) {
      try {
        await sink.send(full);
      } catch (error) {
        options.logger.error(
          { sink: sink.name, alertId: event.alert.id, error: (error as Error)?.message },
          `alert sink ${sink.name} failed: ${(error as Error)?.message ?? String(error)}`,
        );
      }
    }
  };

  // One run, from start to record: never throws.
  const execute = async (
    job: JobDefinition,
    runId: string,
    scheduledFor: number | undefined,
  ): Promise<void> => {
    const abort = new AbortController();
    const onStop = () => abort.abort(stopping.signal.reason);
    stopping.signal.addEventListener("abort", onStop);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timed_out">((resolve) => {
      timer = setTimeout(() => resolve("timed_out"), job.timeoutMs);
    });
    const started = now();
    const work = Promise.resolve()
      .then(() =>
        job.run({
          signal: abort.signal,
          logger: options.logger,
          now,
          scheduledFor: scheduledFor === undefined ? undefined : new Date(scheduledFor),
          manual: scheduledFor === undefined,
        }),
      )
      .then(
        () => ({ ok: true as const }),
        (error: unknown) => ({ ok: false as const, error }),
      );
    const result = await Promise.race([work, timedOut]);
    clearTimeout(timer);
    stopping.signal.removeEventListener("abort", onStop);
    const fields = { job: job.name, runId, ms: now() - started };
    try {
      if (result === "timed_out") {
        abort.abort(new Error("timed out"));
        const message = `ran past its ${Math.round(job.timeoutMs / 1000)} s timeout and was aborted`;
        await options.store.finishJobRun(runId, { outcome: "timed_out", errorMessage: message });
        options.logger.warn(fields, `job ${job.name} ${message}`);
      } else if (result.ok) {
        await options.store.finishJobRun(runId, { outcome: "ok" });
        options.logger.info(fields, `job ${job.name} ok`);
      } else {
        const failure = describeJobError(result.error);
        await options.store.finishJobRun(runId, {
          outcome: "error",
          errorCode: failure.code,
          errorMessage: failure.message,
          fix: failure.fix,
          retryable: failure.retryable,
        });
        (failure.retryable ? options.logger.warn : options.logger.error).call(
          options.logger,
          { ...fields, code: failure.code, fix: failure.fix, retryable: failure.retryable },
          `job ${job.name} failed: ${failure.message}${failure.fix ? `; fix: ${failure.fix}` : ""}`,
        );
      }
    } catch (error) {
      options.logger.error(
        { ...fields, error: (error as Error)?.message },
        `job ${job.name}: its run could not be recorded`,
      );
    }
    options.onRunEnd?.({
      job: job.name,
      outcome: result === "timed_out" ? "timed_out" : result.ok ? "ok" : "error",
      seconds: fields.ms / 1000,
    });
  };

  // Starts a run (after the one in progress, when the job queues), tracked until it ends.
  const launch = (job: JobDefinition, runId: string, scheduledFor: number | undefined) => {
    const before = current.get(job.name);
    const run = (before ?? Promise.resolve()).then(() => execute(job, runId, scheduledFor));
    current.set(job.name, run);
    void run.then(() => {
      if (current.get(job.name) === run) current.delete(job.name);
    });
    return run;
  };

  // The due slots of a job at `at`, oldest first: the most recent `limit` of them, how many
  // earlier ones there were beyond those, and the next slot after `at`.
  const dueSlots = (job: JobDefinition, from: number, at: number, limit: number) => {
    const slots: number[] = [];
    let more = 0;
    for (let slot = from, steps = 0; slot <= at && steps < 1_000_000; steps++) {
      slots.push(slot);
      if (slots.length > limit) {
        slots.shift();
        more++;
      }
      slot = job.schedule.next(slot);
    }
    return { slots, more, next: job.schedule.next(at) };
  };

  const runDue = async (
    job: JobDefinition,
    dueAt: number,
    at: number,
  ): Promise<Array<Promise<unknown>>> => {
    const { slots, more, next } = dueSlots(job, dueAt, at, Math.max(100, job.maxCatchUp));
    const started: Array<Promise<unknown>> = [];
    const missed = (list: number[], message?: string) =>
      list.map((scheduledFor) => ({
        scheduledFor,
        outcome: "missed" as const,
        ...(message ? { message } : {}),
      }));
    const extra = more > 0 ? `and ${more} earlier slots` : undefined;
    if (slots.length === 1) {
      if (current.has(job.name) && job.overlap === "skip") {
        await options.store.skipJobRuns(job.name, dueAt, next, [
          {
            scheduledFor: dueAt,
            outcome: "skipped",
            message: "the previous run was still running",
          },
        ]);
        options.logger.warn(
          { job: job.name },
          `job ${job.name} skipped: the previous run was still running`,
        );
        return started;
      }
      const runId = await options.store.claimJobRun(job.name, dueAt, next, workerId);
      if (runId !== undefined) started.push(launch(job, runId, dueAt));
      return started;
    }
    // Downtime: more than one slot has passed.
    options.logger.warn(
      { job: job.name, missed: slots.length + more, policy: job.missed },
      `job ${job.name} missed ${slots.length + more} runs while no daemon ran; policy ${job.missed}`,
    );
    if (job.missed === "skip") {
      await options.store.skipJobRuns(job.name, dueAt, next, missed(slots, extra));
      return started;
    }
    if (job.missed === "once") {
      const last = slots[slots.length - 1] as number;
      if (
        !(await options.store.skipJobRuns(job.name, dueAt, last, missed(slots.slice(0, -1), extra)))
      )
        return started;
      const runId = await options.store.claimJobRun(job.name, last, next, workerId);
      if (runId !== undefined) started.push(launch(job, runId, last));
      return started;
    }
    // all: the most recent maxCatchUp slots run, one after another; older ones are recorded.
    const catchUp = slots.slice(-job.maxCatchUp);
    const skipped = slots.slice(0, slots.length - catchUp.length);
    let from = dueAt;
    if (skipped.length > 0 || more > 0) {
      const first = catchUp[0] as number;
      if (!(await options.store.skipJobRuns(job.name, dueAt, first, missed(skipped, extra))))
        return started;
      from = first;
    }
    for (let index = 0; index < catchUp.length; index++) {
      const slot = catchUp[index] as number;
      const after = catchUp[index + 1] ?? next;
      if (slot !== from) break;
      const runId = await options.store.claimJobRun(job.name, slot, after, workerId);
      if (runId === undefined) break;
      await launch(job, runId, slot);
      from = after;
    }
    return started;
  };

  const monitor = async (at: number) => {
    const states = await options.store.jobs();
    for (const job of options.jobs) {
      const state = states.find((candidate) => candidate.name === job.name);
      if (state === undefined) continue;
      const rules = rulesWithDefaults(job.rules, job.schedule.periodMs);
      const runs = await options.store.jobRuns(job.name, 100);
      const verdict = evaluateJob({
        job: job.name,
        runs,
        periodMs: job.schedule.periodMs,
        now: at,
        registeredAt: Date.parse(state.registeredAt),
        rules: job.rules,
      });
      // One incident, one alert: a job already alerting is reminded of, not alerted again for
      // another rule that the same failures now also meet.
      const open = await options.store.alerts({ open: true, job: job.name });
      const finding = verdict.findings[0];
      if (open.length === 0 && finding !== undefined) {
        const { alert, opened } = await options.store.openAlert({ job: job.name, ...finding });
        if (opened) await notify({ kind: "opened", alert });
      }
      for (const alert of verdict.findings.length > 0 ? open : []) {
        if (at - Date.parse(alert.notifiedAt) < rules.realertMs) continue;
        await options.store.markAlertNotified(alert.id);
        await notify({ kind: "reminder", alert });
      }
      if (verdict.recovered) {
        for (const alert of open) {
          const closed: JobAlert = await options.store.closeAlert(alert.id);
          await notify({ kind: "recovered", alert: closed });
        }
      }
    }
  };

  // One round: the due runs started (and, for a test's tick, waited for), then the monitor. The
  // daemon's loop does not wait for a run: a slow job must not hold the others back; the
  // monitor then judges each job again when its run ends.
  const round = async (waitForRuns: boolean) => {
    await register();
    const at = now();
    lastTickAt = at;
    const started: Array<Promise<unknown>> = [];
    for (const state of await options.store.jobs()) {
      const job = byName.get(state.name);
      if (job === undefined || state.nextDueAt === null) continue;
      const dueAt = Date.parse(state.nextDueAt);
      if (dueAt > at) continue;
      try {
        started.push(...(await runDue(job, dueAt, at)));
      } catch (error) {
        options.logger.error(
          { job: job.name, error: (error as Error)?.message },
          `job ${job.name} could not be scheduled: ${(error as Error)?.message}`,
        );
      }
    }
    if (waitForRuns) await Promise.all(started);
    else
      for (const run of started)
        void run.then(() =>
          monitor(now()).catch((error: unknown) =>
            options.logger.error(
              { error: (error as Error)?.message },
              `the job monitor failed: ${(error as Error)?.message}`,
            ),
          ),
        );
    await monitor(now());
  };

  const scheduler: Scheduler = {
    tick: () => round(true),
    async runNow(name) {
      const job = byName.get(name);
      if (job === undefined)
        throw new Error(`no job ${name}: the jobs are ${[...byName.keys()].join(", ") || "none"}`);
      await register();
      const runId = await options.store.startManualRun(name, workerId);
      await launch(job, runId, undefined);
      await monitor(now());
      const run = (await options.store.jobRuns(name, 5)).find((recorded) => recorded.id === runId);
      if (run === undefined) throw new Error(`job ${name}: its run could not be recorded`);
      return run;
    },
    async run() {
      looping = (async () => {
        options.logger.info(
          { jobs: options.jobs.map((job) => `${job.name} (${job.schedule.text})`) },
          `scheduler started: ${options.jobs.length} jobs`,
        );
        while (!stopped) {
          try {
            await round(false);
          } catch (error) {
            options.logger.error(
              { error: (error as Error)?.message },
              `a scheduler round failed; going on: ${(error as Error)?.message}`,
            );
          }
          if (stopped) break;
          const states = await options.store.jobs().catch(() => []);
          const soonest = Math.min(
            now() + (options.monitorEveryMs ?? 60_000),
            ...states
              .filter((state) => byName.has(state.name) && state.nextDueAt !== null)
              .map((state) => Date.parse(state.nextDueAt as string)),
          );
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, Math.max(50, soonest - now()));
            wakeLoop = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
        options.logger.info({}, "scheduler stopped");
      })();
      await looping;
    },
    status() {
      return {
        lastTickAt: lastTickAt === undefined ? undefined : new Date(lastTickAt).toISOString(),
        running: [...current.keys()],
      };
    },
    async stop() {
      stopped = true;
      stopping.abort(new Error("the daemon is stopping"));
      wakeLoop?.();
      await Promise.all([...current.values()]);
      await looping;
    },
  };
  return scheduler;
}
