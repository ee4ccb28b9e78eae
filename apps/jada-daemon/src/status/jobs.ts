// What a job looks like to a person: the one shape of `jada jobs list --json` and `/api/jobs`.
import {
  failuresInARow,
  type JobAlert,
  type JobDefinition,
  type JobRun,
  type JobStore,
} from "@jada/orchestrator";

/** One job as the CLI and the dashboard show it. */
export interface JobRow {
  name: string;
  schedule: string;
  lastRun: JobRun | null;
  /** The last run that succeeded, among the latest 50. */
  lastSuccess: JobRun | null;
  nextRunAt: string | null;
  consecutiveFailures: number;
  openAlert: JobAlert | null;
}

/** Every defined job's row, in the order they are defined. */
export async function describeJobs(
  store: JobStore,
  definitions: readonly JobDefinition[],
): Promise<JobRow[]> {
  const [states, open] = await Promise.all([store.jobs(), store.alerts({ open: true })]);
  return Promise.all(
    definitions.map(async (job) => {
      const runs = await store.jobRuns(job.name, 50);
      return {
        name: job.name,
        schedule: job.schedule.text,
        lastRun: runs[0] ?? null,
        lastSuccess: runs.find((run) => run.outcome === "ok") ?? null,
        nextRunAt: states.find((state) => state.name === job.name)?.nextDueAt ?? null,
        consecutiveFailures: failuresInARow(runs),
        openAlert: open.find((alert) => alert.job === job.name) ?? null,
      };
    }),
  );
}
