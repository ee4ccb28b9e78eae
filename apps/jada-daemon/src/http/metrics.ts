// `/metrics` in the Prometheus text format (prom-client). What the store knows (sessions, tokens,
// dollars, quota, tasks, jobs) is read from it at scrape time, so every daemon sharing a store
// reports the same totals and a restart loses nothing; what only this process sees (its job
// runs and their durations) is counted as it happens. Labels stay bounded: outcomes, kinds,
// statuses, job names and accounts, never a task id.
import type { JobRunEnded, SessionOutcome } from "@jada/orchestrator";
import type { Registry } from "prom-client";
import type { DaemonView } from "./view.js";

const OUTCOMES: readonly SessionOutcome[] = [
  "completed",
  "max_turns",
  "needs_you",
  "budget_exceeded",
  "error",
];

/** Turns per session: the buckets of `jada_session_turns` (a session takes at most 30). */
export const TURN_BUCKETS = [1, 2, 5, 10, 15, 20, 25, 30];

/** The metrics of one daemon: the registry to scrape, and where job runs are told. */
export interface DaemonMetrics {
  registry: Registry;
  /** The scheduler's `onRunEnd`. */
  jobRunEnded(end: JobRunEnded): void;
}

/**
 * Builds the registry (prom-client is loaded here, on first use, not when the daemon starts).
 * `jobRuns` are the runs that ended before it was built, replayed into the counters.
 */
export async function createDaemonMetrics(
  view: DaemonView,
  jobRuns: readonly JobRunEnded[] = [],
): Promise<DaemonMetrics> {
  const client = await import("prom-client");
  const registry = new client.Registry();
  // The event-loop lag is sampled every second, not every 10 ms (the default): a timer at 100 Hz
  // would be most of an idle daemon's CPU.
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 1000 });
  const jobs = view.jobNames;

  // One snapshot of the store per scrape, shared by every metric that reads it.
  let snapshot: Promise<Snapshot> | undefined;
  const read = (): Promise<Snapshot> => {
    snapshot ??= takeSnapshot(view).finally(() => {
      setImmediate(() => {
        snapshot = undefined;
      });
    });
    return snapshot;
  };

  new client.Counter({
    name: "jada_sessions_total",
    help: "Agent sessions ended, by outcome (every daemon sharing the store).",
    labelNames: ["outcome"],
    registers: [registry],
    async collect() {
      const { totals } = await read();
      this.reset();
      for (const outcome of OUTCOMES) this.inc({ outcome }, totals.byOutcome[outcome] ?? 0);
    },
  });
  new client.Histogram({
    name: "jada_session_turns",
    help: "Turns taken by each ended agent session.",
    buckets: TURN_BUCKETS,
    registers: [registry],
    async collect() {
      const { totals } = await read();
      this.reset();
      for (const [turns, sessions] of totals.byTurns)
        for (let i = 0; i < sessions; i++) this.observe(turns);
    },
  });
  new client.Counter({
    name: "jada_tokens_total",
    help: "Tokens spent by ended agent sessions, by kind.",
    labelNames: ["kind"],
    registers: [registry],
    async collect() {
      const { tokens } = (await read()).totals;
      this.reset();
      this.inc({ kind: "input" }, tokens.input);
      this.inc({ kind: "output" }, tokens.output);
      this.inc({ kind: "cache_read" }, tokens.cacheRead);
      this.inc({ kind: "cache_write" }, tokens.cacheWrite);
    },
  });
  new client.Counter({
    name: "jada_cost_usd_total",
    help: "Estimated dollars spent by ended agent sessions (agent.price).",
    registers: [registry],
    async collect() {
      const { totals } = await read();
      this.reset();
      this.inc(totals.costUsd);
    },
  });
  new client.Gauge({
    name: "jada_quota_sessions_used",
    help: "Sessions started this quota day.",
    registers: [registry],
    async collect() {
      this.set((await read()).quota.used);
    },
  });
  new client.Gauge({
    name: "jada_quota_sessions_limit",
    help: "Sessions allowed per quota day.",
    registers: [registry],
    async collect() {
      this.set((await read()).quota.limit);
    },
  });
  new client.Gauge({
    name: "jada_tasks",
    help: "Tasks in the store, by status.",
    labelNames: ["status"],
    registers: [registry],
    async collect() {
      for (const [status, count] of Object.entries((await read()).counts))
        this.set({ status }, count);
    },
  });
  const runs = new client.Counter({
    name: "jada_job_runs_total",
    help: "Job runs of this daemon that ended, by job and outcome.",
    labelNames: ["job", "outcome"],
    registers: [registry],
  });
  const durations = new client.Histogram({
    name: "jada_job_duration_seconds",
    help: "How long each job run of this daemon took.",
    labelNames: ["job"],
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900],
    registers: [registry],
  });
  for (const job of jobs) {
    for (const outcome of ["ok", "error", "timed_out"]) runs.inc({ job, outcome }, 0);
    durations.zero({ job });
  }
  new client.Gauge({
    name: "jada_job_last_success_timestamp_seconds",
    help: "When each job last succeeded (Unix seconds); absent when it never did (among its latest 50 runs).",
    labelNames: ["job"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of (await read()).jobs)
        if (row.lastSuccess)
          this.set({ job: row.name }, Date.parse(row.lastSuccess.startedAt) / 1000);
    },
  });
  new client.Gauge({
    name: "jada_job_consecutive_failures",
    help: "Failed runs in a row of each job (0 once it succeeds).",
    labelNames: ["job"],
    registers: [registry],
    async collect() {
      for (const row of (await read()).jobs) this.set({ job: row.name }, row.consecutiveFailures);
    },
  });
  new client.Gauge({
    name: "jada_google_token_ok",
    help: "1 when a Google account's token is ok as of its last refresh, else 0 (expiring, revoked, misconfigured, unknown).",
    labelNames: ["account"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const token of (await read()).tokens)
        this.set({ account: token.account }, token.status === "ok" ? 1 : 0);
    },
  });

  const jobRunEnded = (end: JobRunEnded) => {
    runs.inc({ job: end.job, outcome: end.outcome });
    durations.observe({ job: end.job }, end.seconds);
  };
  for (const end of jobRuns) jobRunEnded(end);
  return { registry, jobRunEnded };
}

interface Snapshot {
  totals: Awaited<ReturnType<DaemonView["sessionTotals"]>>;
  quota: Awaited<ReturnType<DaemonView["overview"]>>["quota"];
  counts: Awaited<ReturnType<DaemonView["overview"]>>["counts"];
  jobs: Awaited<ReturnType<DaemonView["jobs"]>>;
  tokens: Awaited<ReturnType<DaemonView["tokens"]>>;
}

async function takeSnapshot(view: DaemonView): Promise<Snapshot> {
  const [totals, quota, counts, jobs, tokens] = await Promise.all([
    view.sessionTotals(),
    view.quota(),
    view.counts(),
    view.jobs(),
    // A token store that cannot be read must not take /metrics down with it.
    view.tokens().catch(() => []),
  ]);
  return { totals, quota, counts, jobs, tokens };
}
