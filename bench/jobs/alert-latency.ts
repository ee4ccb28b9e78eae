// How soon a failing job is told, in periods after its first failing run: jada's scheduler (the
// real one, on a SQLite store, on a manual clock) against healthchecks.io's rule with its defaults
// (a job that pings on success; an alert once period + grace, 1 h by default, have passed since the
// last ping), which cannot tell a revoked token from a network blip.
//
//   npm run build && node bench/jobs/alert-latency.ts [--period-minutes 30]
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createScheduler, defineJob, JobError } from "@jada/orchestrator";
import { createSqliteTaskStore } from "@jada/orchestrator/sqlite";

const { values } = parseArgs({ options: { "period-minutes": { type: "string", default: "30" } } });
const periodMs = Number(values["period-minutes"]) * 60_000;
const quiet = { info() {}, warn() {}, error() {} };

/** Periods from the first failing run to jada's alert, the job failing from slot 3 on. */
async function jadaPeriods(error: () => Error): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "jada-bench-alerts-"));
  let now = Date.parse("2026-12-01T00:00:00Z");
  const store = createSqliteTaskStore({ path: join(dir, "jada.db"), clock: { now: () => now } });
  let alertedAt: number | undefined;
  const failFrom = now + 3 * periodMs;
  const scheduler = createScheduler({
    store,
    logger: quiet,
    now: () => now,
    jobs: [
      defineJob({
        name: "sheets-sync",
        schedule: `${values["period-minutes"]}m`,
        run: ({ scheduledFor }) => {
          if ((scheduledFor?.getTime() ?? 0) >= failFrom) throw error();
        },
      }),
    ],
    sinks: [
      {
        name: "bench",
        async send(event) {
          if (event.kind === "opened") alertedAt ??= now;
        },
      },
    ],
  });
  for (let slot = 0; slot < 20 && alertedAt === undefined; slot++) {
    now = Date.parse("2026-12-01T00:00:00Z") + slot * periodMs;
    await scheduler.tick();
  }
  await store.close();
  await rm(dir, { recursive: true, force: true });
  if (alertedAt === undefined) throw new Error("no alert in 20 periods");
  return (alertedAt - failFrom) / periodMs;
}

// healthchecks.io, defaults: the last success pinged one period before the first failing run;
// the check goes down when period + grace (1 h) pass without a ping.
const healthchecks = (periodMs + 3_600_000 - periodMs) / periodMs;

const nonRetryable = await jadaPeriods(
  () => new JobError("refresh token revoked", { code: "INVALID_GRANT", retryable: false }),
);
const transient = await jadaPeriods(() => new Error("HTTP 503"));
process.stdout.write(
  [
    `node ${process.version}, a job every ${values["period-minutes"]} min, failing from one run on`,
    "",
    "| error | jada: periods after the first failing run | healthchecks.io defaults |",
    "|---|---|---|",
    `| non-retryable (a revoked token) | ${nonRetryable} | ${healthchecks.toFixed(2)} |`,
    `| transient (HTTP 503, twice) | ${transient} | ${healthchecks.toFixed(2)} |`,
    "",
  ].join("\n"),
);
