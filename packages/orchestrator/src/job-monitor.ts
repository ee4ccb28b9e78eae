// The rules that turn a job's run history into alerts: pure, so every case is a table test.
import type { MonitorRules } from "./job.js";
import type { AlertCause, JobRun } from "./types.js";

/** Why a job should have an alert open now. */
export interface AlertFinding {
  cause: AlertCause;
  message: string;
  code: string | undefined;
  fix: string | undefined;
}

/** What {@link evaluateJob} concludes. */
export interface JobVerdict {
  /** The causes that should have an open alert now, the gravest first (none when it is well). */
  findings: AlertFinding[];
  /** The last `recoveryThreshold` runs succeeded: open alerts close, a recovery is announced. */
  recovered: boolean;
}

/** The rules in force: the issue's defaults where a job says nothing. */
export function rulesWithDefaults(rules: MonitorRules, periodMs: number) {
  const graceMs = rules.graceMs ?? 5 * 60_000;
  return {
    // The seeds' rule (2 within 60 minutes) for jobs of up to 30 minutes; a longer period widens
    // the window to two periods, so that two failures in a row always alert.
    failures: rules.failures ?? {
      count: 2,
      withinMinutes: Math.max(60, Math.ceil((2 * periodMs) / 60_000)),
    },
    consecutive: rules.consecutive,
    noSuccessForMs: rules.noSuccessForMs ?? 2 * periodMs + graceMs,
    realertMs: rules.realertMs ?? 6 * 3_600_000,
    recoveryThreshold: Math.max(1, rules.recoveryThreshold ?? 1),
  };
}

const failed = (run: JobRun) => run.outcome === "error" || run.outcome === "timed_out";
const finished = (run: JobRun) => run.outcome === "ok" || failed(run);

/** How many of a job's latest finished runs (newest first) failed in a row. */
export function failuresInARow(runs: readonly JobRun[]): number {
  let streak = 0;
  for (const run of runs) {
    if (!finished(run)) continue;
    if (!failed(run)) break;
    streak++;
  }
  return streak;
}

/**
 * Judges a job from its runs (newest first) at `now`:
 * - `non_retryable`: its latest run failed with an error that waiting will not heal (a revoked
 *   token): an alert at the first failure;
 * - `consecutive`: its latest runs failed `consecutive` times in a row;
 * - `failures`: its latest run failed, and `failures.count` runs failed within the window (the
 *   default, 2 within 60 minutes or two periods, whichever is longer: one blip is quiet, a
 *   second soon after is not);
 * - `dead_man`: no success for `noSuccessForMs` (default 2 periods + 5 minutes), counted from
 *   its last success or, before any, from when it was registered: it fires when the job never
 *   runs at all.
 */
export function evaluateJob(input: {
  job: string;
  runs: readonly JobRun[];
  periodMs: number;
  now: number;
  registeredAt: number;
  rules: MonitorRules;
}): JobVerdict {
  const rules = rulesWithDefaults(input.rules, input.periodMs);
  const done = input.runs.filter(finished);
  const latest = done[0];
  const findings: AlertFinding[] = [];
  const describe = (run: JobRun) =>
    `${run.outcome === "timed_out" ? "timed out" : (run.errorMessage ?? "failed")}${run.errorCode ? ` (${run.errorCode})` : ""}`;

  if (latest !== undefined && failed(latest)) {
    const base = { code: latest.errorCode ?? undefined, fix: latest.fix ?? undefined };
    if (latest.retryable === false)
      findings.push({
        cause: "non_retryable",
        message: `${input.job} failed, and will not heal by itself: ${describe(latest)}`,
        ...base,
      });
    const streak = failuresInARow(done);
    if (rules.consecutive !== undefined && streak >= rules.consecutive)
      findings.push({
        cause: "consecutive",
        message: `${input.job} failed ${streak} times in a row: ${describe(latest)}`,
        ...base,
      });
    const since = input.now - rules.failures.withinMinutes * 60_000;
    const recent = done.filter(
      (run) => failed(run) && Date.parse(run.endedAt ?? run.startedAt) >= since,
    ).length;
    if (recent >= rules.failures.count)
      findings.push({
        cause: "failures",
        message: `${input.job} failed ${recent} times within ${rules.failures.withinMinutes} minutes: ${describe(latest)}`,
        ...base,
      });
  }

  const lastSuccess = done.find((run) => run.outcome === "ok");
  const since = lastSuccess
    ? Date.parse(lastSuccess.endedAt ?? lastSuccess.startedAt)
    : input.registeredAt;
  if (input.now - since > rules.noSuccessForMs) {
    const minutes = Math.round((input.now - since) / 60_000);
    findings.push({
      cause: "dead_man",
      message: `${input.job} has not succeeded for ${minutes} minutes (${lastSuccess ? "since its last success" : "since it was scheduled"}): ${latest ? `its last run ${latest.outcome === "ok" ? "succeeded" : describe(latest)}` : "it has not run at all"}`,
      code: latest?.errorCode ?? undefined,
      fix: latest?.fix ?? undefined,
    });
  }

  const recovered =
    findings.length === 0 &&
    done.length >= rules.recoveryThreshold &&
    done.slice(0, rules.recoveryThreshold).every((run) => run.outcome === "ok");
  return { findings, recovered };
}
