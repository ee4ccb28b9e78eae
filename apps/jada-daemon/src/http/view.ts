// What the dashboard, the JSON API, /metrics and /readyz read, and the actions they may take:
// one port over the daemon's store, worker, scheduler and token store, so the HTTP layer never
// reaches past it.
import type {
  JobAlert,
  JobDefinition,
  JobRun,
  JobStore,
  QuotaStatus,
  Scheduler,
  SessionProgress,
  SessionTotals,
  Task,
  TaskCounts,
  TaskQuery,
  TaskStore,
  Worker,
  WorkerStatus,
} from "@jada/orchestrator";
import type { GoogleServices } from "../compose/services.js";
import { checkReadiness, type Readiness } from "../daemon/readiness.js";
import { describeJobs, type JobRow } from "../status/jobs.js";
import { describeTask, type TaskDetail } from "../status/tasks.js";
import { describeTokens, type TokenRow } from "../status/tokens.js";

/** A session running now, as the overview shows it. */
export interface RunningSession extends SessionProgress {
  maxTurns: number;
  elapsedSeconds: number;
}

/** The overview: the daemon at a glance. */
export interface Overview {
  version: string;
  startedAt: string;
  uptimeSeconds: number;
  /** `sqlite (/path)` or `postgres (postgres://user:***@host/db, schema jada)`. */
  store: string;
  quota: QuotaStatus;
  paused: WorkerStatus["paused"];
  holdUntil: string | undefined;
  running: RunningSession[];
  counts: TaskCounts;
  openAlerts: JobAlert[];
  jobs: { total: number; failing: number };
}

/** A page of tasks. */
export interface TaskPage {
  tasks: Task[];
  counts: TaskCounts;
  /** Whether a next page exists. */
  more: boolean;
}

/** What the view is made of. */
export interface DaemonViewOptions {
  store: TaskStore & JobStore;
  worker: Pick<Worker, "status">;
  scheduler: Pick<Scheduler, "status" | "runNow">;
  jobs: readonly JobDefinition[];
  /** The token store; undefined when none is configured. */
  google: () => Promise<GoogleServices | undefined>;
  version: string;
  where: string;
  /** The SQLite file, when the store is one: readiness checks it is still there. */
  file?: string | undefined;
  maxTurns: number;
  /** The worker's poll and the scheduler's round: a loop quiet for twice as long is stuck. */
  workerPeriodMs: number;
  schedulerPeriodMs: number;
  now?: (() => number) | undefined;
}

export type { Readiness, TokenRow };

/** The daemon as the HTTP layer sees it. */
export interface DaemonView {
  overview(): Promise<Overview>;
  quota(): Promise<QuotaStatus>;
  counts(): Promise<TaskCounts>;
  sessionTotals(): Promise<SessionTotals>;
  tasks(query: TaskQuery & { limit: number }): Promise<TaskPage>;
  task(id: string): Promise<TaskDetail | undefined>;
  jobs(): Promise<JobRow[]>;
  jobRuns(name: string, limit: number): Promise<JobRun[]>;
  alerts(): Promise<{ open: JobAlert[]; recent: JobAlert[] }>;
  tokens(): Promise<TokenRow[]>;
  readiness(): Promise<Readiness>;
  /** Changes whenever something the pages show changes (live updates compare it). */
  fingerprint(): Promise<string>;
  /** Calls `notify` when another process adds a task (Postgres NOTIFY), where the store can. */
  onTaskAdded(notify: () => void): () => void;
  retry(id: string): Promise<Task>;
  cancel(id: string): Promise<Task>;
  ack(id: string): Promise<JobAlert>;
  /** Starts a run of the job now; resolves once it started, not when it ends. */
  runJob(name: string): Promise<void>;
  readonly jobNames: readonly string[];
}

/** The view of a running daemon. */
export function createDaemonView(options: DaemonViewOptions): DaemonView {
  const { store } = options;
  const now = options.now ?? Date.now;
  const startedAt = now();
  const iso = (ms: number) => new Date(ms).toISOString();

  const running = (status: WorkerStatus): RunningSession[] =>
    status.running.map((session) => ({
      ...session,
      maxTurns: options.maxTurns,
      elapsedSeconds: Math.max(0, Math.round((now() - Date.parse(session.startedAt)) / 1000)),
    }));

  const view: DaemonView = {
    jobNames: options.jobs.map((job) => job.name),
    quota: () => store.quota(),
    counts: () => store.counts(),
    sessionTotals: () => store.sessionTotals(),
    async overview() {
      const status = options.worker.status();
      const [quota, counts, openAlerts, jobs] = await Promise.all([
        store.quota(),
        store.counts(),
        store.alerts({ open: true }),
        describeJobs(store, options.jobs),
      ]);
      return {
        version: options.version,
        startedAt: iso(startedAt),
        uptimeSeconds: Math.round((now() - startedAt) / 1000),
        store: options.where,
        quota,
        paused: status.paused,
        holdUntil: status.holdUntil,
        running: running(status),
        counts,
        openAlerts,
        jobs: {
          total: jobs.length,
          failing: jobs.filter((job) => job.consecutiveFailures > 0).length,
        },
      };
    },
    async tasks(query) {
      // One more than the page: whether there is a next one, without counting the search.
      const [found, counts] = await Promise.all([
        store.list({ ...query, limit: query.limit + 1 }),
        store.counts(),
      ]);
      return { tasks: found.slice(0, query.limit), counts, more: found.length > query.limit };
    },
    task: (id) => describeTask(store, id),
    jobs: () => describeJobs(store, options.jobs),
    jobRuns: (name, limit) => store.jobRuns(name, limit),
    async alerts() {
      const [open, all] = await Promise.all([store.alerts({ open: true }), store.alerts()]);
      return { open, recent: all.filter((alert) => alert.closedAt !== null).slice(0, 50) };
    },
    async tokens() {
      const google = await options.google();
      if (google === undefined) return [];
      return describeTokens(google.manager, false);
    },
    readiness: () => checkReadiness({ ...options, now }),
    async fingerprint() {
      const status = options.worker.status();
      const [counts, quota, alerts, states] = await Promise.all([
        store.counts(),
        store.quota(),
        store.alerts({ open: true }),
        store.jobs(),
      ]);
      return JSON.stringify([
        counts,
        quota.used,
        status.paused?.reason,
        status.running.map((session) => [session.taskId, session.turn]),
        alerts.map((alert) => [alert.id, alert.ackedAt, alert.notifiedAt]),
        states.map((state) => [state.name, state.nextDueAt]),
        options.scheduler.status().running,
      ]);
    },
    onTaskAdded: (notify) => store.onTaskAdded?.(notify) ?? (() => {}),
    retry: (id) => store.retry(id),
    cancel: (id) => store.cancel(id),
    ack: (id) => store.ackAlert(id),
    async runJob(name) {
      // The page does not wait for the job: its run shows up live.
      void options.scheduler.runNow(name).catch(() => {});
    },
  };

  return view;
}
