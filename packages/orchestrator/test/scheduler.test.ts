// The scheduler on a manual clock (never a real sleep for schedule logic), on the SQLite store,
// with its three sinks: the log, a webhook received by a loopback server, and a task.
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  createLogAlertSink,
  createTaskAlertSink,
  createWebhookAlertSink,
} from "../src/alert-sinks.js";
import { defineJob, JobError, type JobSpec } from "../src/job.js";
import { createScheduler, type JobRunEnded, type SchedulerOptions } from "../src/scheduler.js";
import { createSqliteTaskStore } from "../src/sqlite/sqlite-store.js";
import { manualClock } from "../src/testing/contract.js";
import { watchedLogger } from "./watched-logger.js";

const MINUTE = 60_000;
const START = Date.parse("2026-11-30T10:00:00Z");
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// A loopback webhook that keeps what it was sent.
async function webhook() {
  const received: Array<{ event: string; text: string; fix: string | null }> = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
    response.writeHead(200).end("ok");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  cleanups.push(async () => {
    server.close();
    await once(server, "close");
  });
  return { url: `http://127.0.0.1:${address.port}/hook`, received };
}

async function setup(specs: JobSpec[], extra: Pick<SchedulerOptions, "onRunEnd"> = {}) {
  const dir = await mkdtemp(join(tmpdir(), "jada-scheduler-"));
  const clock = manualClock(START);
  const store = createSqliteTaskStore({ path: join(dir, "jada.db"), clock });
  cleanups.push(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  const hook = await webhook();
  const logger = watchedLogger();
  const open = (jobs = specs) =>
    createScheduler({
      store,
      jobs: jobs.map(defineJob),
      logger,
      now: clock.now,
      sinks: [
        createLogAlertSink(logger),
        createWebhookAlertSink({ url: hook.url, sleep: async () => {} }),
        createTaskAlertSink(store, (alertId, taskId) => store.setAlertTask(alertId, taskId)),
      ],
      ...extra,
    });
  return { clock, store, hook, logger, scheduler: open(), open };
}

const revoked = () =>
  new JobError("ops@sailjada.com: the refresh token was revoked (invalid_grant)", {
    code: "INVALID_GRANT",
    fix: "jada auth google --account ops@sailjada.com",
    retryable: false,
  });

describe("alerts", () => {
  it("a revoked token: an alert at the first failure with its fix, once; a reminder after 6 h; the recovery", async () => {
    let broken = false;
    const { clock, store, hook, scheduler } = await setup([
      {
        name: "sheets-sync",
        schedule: "30m",
        run: () => {
          if (broken) throw revoked();
        },
      },
    ]);
    await scheduler.tick(); // registers: due at 10:30
    clock.set(START + 30 * MINUTE);
    await scheduler.tick();
    expect(hook.received).toEqual([]);
    broken = true;
    clock.set(START + 60 * MINUTE);
    await scheduler.tick();
    // Within the same period as the first failure: the alert, with the command that fixes it.
    expect(hook.received.map((body) => body.event)).toEqual(["opened"]);
    expect(hook.received[0]?.text).toBe(
      "[jada] ALERT sheets-sync: sheets-sync failed, and will not heal by itself: ops@sailjada.com: the refresh token was revoked (invalid_grant) (INVALID_GRANT)\nfix: jada auth google --account ops@sailjada.com",
    );
    const [task] = await store.list({ status: "needs_you" });
    expect(task?.needsYou).toContain("fix: jada auth google --account ops@sailjada.com");

    // Failing every 30 minutes for 6 hours: one reminder, one task, no storm.
    for (let slot = 3; slot <= 14; slot++) {
      clock.set(START + slot * 30 * MINUTE);
      await scheduler.tick();
    }
    expect(hook.received.map((body) => body.event)).toEqual(["opened", "reminder"]);
    expect(await store.list({ status: "needs_you" })).toHaveLength(1);

    broken = false;
    clock.set(START + 15 * 30 * MINUTE);
    await scheduler.tick();
    expect(hook.received.map((body) => body.event)).toEqual(["opened", "reminder", "recovered"]);
    expect((await store.get(task?.id as string))?.status).toBe("cancelled");
    expect(await store.alerts({ open: true })).toEqual([]);
  });

  it("a transient error: quiet at one failure, an alert at the second within 60 minutes", async () => {
    let failures = 0;
    const { clock, hook, scheduler } = await setup([
      {
        name: "sheets-sync",
        schedule: "30m",
        run: () => {
          if (failures-- > 0) throw new Error("HTTP 503 from the booking export");
        },
      },
    ]);
    await scheduler.tick();
    failures = 1;
    clock.set(START + 30 * MINUTE);
    await scheduler.tick(); // fails at 10:30: one blip, quiet
    clock.set(START + 60 * MINUTE);
    await scheduler.tick(); // succeeds
    expect(hook.received).toEqual([]);
    failures = 2;
    clock.set(START + 120 * MINUTE);
    await scheduler.tick(); // fails at 12:00: the 10:30 failure is 90 minutes old
    expect(hook.received).toEqual([]);
    clock.set(START + 150 * MINUTE);
    await scheduler.tick(); // fails again within 60 minutes: the alert
    expect(hook.received.map((body) => body.event)).toEqual(["opened"]);
    expect(hook.received[0]?.text).toContain("failed 2 times within 60 minutes");
  });

  it("the dead-man: a job that never runs alerts after 2 periods and the grace", async () => {
    const { clock, hook, scheduler } = await setup([
      { name: "sheets-sync", schedule: "30m", missed: "skip", run: () => {} },
    ]);
    await scheduler.tick();
    // The daemon was paused: the slots pass; skip records them and runs nothing.
    clock.set(START + 64 * MINUTE);
    await scheduler.tick();
    expect(hook.received).toEqual([]);
    clock.set(START + 66 * MINUTE);
    await scheduler.tick();
    expect(hook.received.map((body) => body.event)).toEqual(["opened"]);
    expect(hook.received[0]?.text).toContain(
      "has not succeeded for 66 minutes (since it was scheduled)",
    );
  });
});

describe("missed runs across a restart", () => {
  const slots = (runs: Array<{ outcome: string }>, outcome: string) =>
    runs.filter((run) => run.outcome === outcome).length;

  it.each([
    ["skip", { missed: 6, ok: 1 }],
    ["once", { missed: 5, ok: 2 }],
    ["all", { missed: 0, ok: 7 }],
  ] as const)("%s", async (missed, expected) => {
    let runs = 0;
    const spec: JobSpec = { name: "sync", schedule: "30m", missed, run: () => void runs++ };
    const { clock, store, scheduler, open } = await setup([spec]);
    await scheduler.tick();
    clock.set(START + 30 * MINUTE);
    await scheduler.tick(); // one run at 10:30
    await scheduler.stop();
    // Down for 3 hours: the slots of 11:00 to 13:30 pass; back at 13:40.
    clock.set(START + 220 * MINUTE);
    await open().tick();
    const history = await store.jobRuns("sync", 50);
    expect({ missed: slots(history, "missed"), ok: slots(history, "ok") }).toEqual(expected);
    expect(runs).toBe(expected.ok);
    // Whatever the policy, the next slot is the one after now.
    expect((await store.jobs())[0]?.nextDueAt).toBe("2026-11-30T14:00:00.000Z");
  });
});

describe("a long downtime", () => {
  it("records the latest slots it missed, says how many earlier ones, and runs the latest", async () => {
    const ran: number[] = [];
    const { clock, store, scheduler } = await setup([
      {
        name: "minutely",
        schedule: "1m",
        run: ({ scheduledFor }) => void ran.push(scheduledFor?.getTime() ?? 0),
      },
    ]);
    await scheduler.tick();
    // Three days down: 4,320 slots.
    clock.set(START + 3 * 24 * 60 * MINUTE + 30_000);
    await scheduler.tick();
    expect(ran).toEqual([START + 3 * 24 * 60 * MINUTE]);
    const history = await store.jobRuns("minutely", 200);
    const missed = history.filter((run) => run.outcome === "missed");
    expect(missed).toHaveLength(99);
    // 4,320 slots: 4,220 earlier ones counted, 99 recorded, the latest run.
    expect(missed[0]?.errorMessage).toBe("and 4220 earlier slots");
    expect((await store.jobs())[0]?.nextDueAt).toBe("2026-12-03T10:01:00.000Z");
  });
});

describe("runs", () => {
  it("skips a slot while the previous run still runs, and records it", async () => {
    let release: () => void = () => {};
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const { clock, store, scheduler } = await setup([
      {
        name: "slow",
        schedule: "30m",
        run: () =>
          new Promise<void>((resolve) => {
            release = resolve;
            started();
          }),
      },
    ]);
    await scheduler.tick();
    clock.set(START + 30 * MINUTE);
    const first = scheduler.tick();
    await running;
    clock.set(START + 60 * MINUTE);
    await scheduler.tick();
    release();
    await first;
    expect((await store.jobRuns("slow", 10)).map((run) => run.outcome)).toEqual(["skipped", "ok"]);
  });

  it("queues a slot behind the run in progress when the job says so", async () => {
    let release: () => void = () => {};
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    let runs = 0;
    const { clock, store, scheduler } = await setup([
      {
        name: "queued",
        schedule: "30m",
        overlap: "queue",
        run: () => {
          runs++;
          if (runs > 1) return;
          return new Promise<void>((resolve) => {
            release = resolve;
            started();
          });
        },
      },
    ]);
    await scheduler.tick();
    clock.set(START + 30 * MINUTE);
    const first = scheduler.tick();
    await running;
    clock.set(START + 60 * MINUTE);
    const second = scheduler.tick();
    release();
    await Promise.all([first, second]);
    expect(runs).toBe(2);
    expect((await store.jobRuns("queued", 10)).map((run) => run.outcome)).toEqual(["ok", "ok"]);
  });

  it("aborts a run past its timeout, records timed_out, and records a synchronous throw", async () => {
    let aborted = false;
    const ended: JobRunEnded[] = [];
    const { clock, store, scheduler } = await setup(
      [
        {
          name: "hangs",
          schedule: "30m",
          timeoutMs: 50,
          run: ({ signal }) =>
            new Promise<void>(() => {
              signal.addEventListener("abort", () => {
                aborted = true;
              });
            }),
        },
        {
          name: "throws",
          schedule: "30m",
          run: () => {
            throw new TypeError("x is not a function");
          },
        },
        { name: "fine", schedule: "30m", run: () => {} },
      ],
      { onRunEnd: (end) => ended.push(end) },
    );
    await scheduler.tick();
    clock.set(START + 30 * MINUTE);
    await scheduler.tick();
    expect(aborted).toBe(true);
    expect((await store.jobRuns("hangs", 1))[0]).toMatchObject({
      outcome: "timed_out",
      errorMessage: "ran past its 0 s timeout and was aborted",
    });
    expect((await store.jobRuns("throws", 1))[0]).toMatchObject({
      outcome: "error",
      errorMessage: "x is not a function",
      retryable: true,
    });
    // Each run of this scheduler is told to the metrics once, with its outcome.
    expect(ended.map((end) => `${end.job} ${end.outcome}`).sort()).toEqual([
      "fine ok",
      "hangs timed_out",
      "throws error",
    ]);
    expect(ended.every((end) => end.seconds >= 0)).toBe(true);
  });

  it("in its loop, a slow job does not hold the others back", async () => {
    let releaseSlow: () => void = () => {};
    const slowHeld = new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    let fastRan: () => void = () => {};
    const fast = new Promise<void>((resolve) => {
      fastRan = resolve;
    });
    const dir = await mkdtemp(join(tmpdir(), "jada-scheduler-loop-"));
    const store = createSqliteTaskStore({ path: join(dir, "jada.db") });
    cleanups.push(async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    });
    let slowRuns = 0;
    const scheduler = createScheduler({
      store,
      logger: watchedLogger(),
      jobs: [
        defineJob({
          name: "slow",
          schedule: "1s",
          run: () => {
            slowRuns++;
            return slowRuns === 1 ? slowHeld : undefined;
          },
        }),
        // Runs at every second; the test goes on once it ran after the slow one started.
        defineJob({
          name: "fast",
          schedule: "1s",
          run: () => (slowRuns > 0 ? fastRan() : undefined),
        }),
      ],
    });
    const loop = scheduler.run();
    await fast; // with the loop waiting for the slow run, this would never come
    releaseSlow();
    await scheduler.stop();
    await loop;
    expect(slowRuns).toBeGreaterThanOrEqual(1);
  });

  it("runs a job now, as a manual run that leaves the schedule alone", async () => {
    const { store, scheduler } = await setup([{ name: "sync", schedule: "30m", run: () => {} }]);
    const run = await scheduler.runNow("sync");
    expect(run).toMatchObject({ job: "sync", outcome: "ok", manual: true });
    expect((await store.jobs())[0]?.nextDueAt).toBe("2026-11-30T10:30:00.000Z");
    await expect(scheduler.runNow("nope")).rejects.toThrow("no job nope: the jobs are sync");
  });
});
