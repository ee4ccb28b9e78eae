// A scheduled background job: what it runs, when, and what its failures mean.
import { Cron } from "croner";
import { OrchestratorError } from "./errors.js";
import type { Logger } from "./worker.js";

/** When a job runs: its next time after a moment, and its (typical) period. */
export interface Schedule {
  /** The first run time strictly after `after` (epoch ms). */
  next(after: number): number;
  /** The interval, or for a cron expression the gap between its next two runs. */
  readonly periodMs: number;
  /** As written: `30m`, `0 9 * * 1-5 (Europe/London)`. */
  readonly text: string;
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Parses a schedule: an interval (`30s`, `30m`, `6h`, `1d`; runs fall on multiples of it since
 * the epoch, so every daemon agrees on the slots) or a cron expression with an optional time zone
 * (croner's syntax: five fields, or six with seconds).
 *
 * @throws {OrchestratorError} `INVALID_INPUT`, naming what is wrong.
 */
export function parseSchedule(text: string, timezone?: string | undefined): Schedule {
  const interval = /^\s*(\d+)\s*([smhd])\s*$/.exec(text);
  if (interval) {
    const periodMs = Number(interval[1]) * UNIT_MS[interval[2] as keyof typeof UNIT_MS];
    if (periodMs < 1000)
      throw new OrchestratorError("INVALID_INPUT", `schedule "${text}": at least 1s`);
    return {
      text,
      periodMs,
      next: (after) => (Math.floor(after / periodMs) + 1) * periodMs,
    };
  }
  let cron: Cron;
  try {
    cron = new Cron(text, { paused: true, ...(timezone ? { timezone } : {}) });
  } catch (error) {
    throw new OrchestratorError(
      "INVALID_INPUT",
      `schedule "${text}" is neither an interval (30m, 6h) nor a cron expression: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const next = (after: number) => {
    const at = cron.nextRun(new Date(after));
    if (at === null)
      throw new OrchestratorError("INVALID_INPUT", `schedule "${text}" never runs again`);
    return at.getTime();
  };
  const first = next(Date.now());
  return { text: timezone ? `${text} (${timezone})` : text, periodMs: next(first) - first, next };
}

/** What a job's run gets. */
export interface JobContext {
  /** Aborted when the run passes its timeout, or the daemon stops. */
  signal: AbortSignal;
  logger: Logger;
  /** The scheduler's clock. */
  now(): number;
  /** The slot this run is for; undefined for a manual run. */
  scheduledFor: Date | undefined;
  manual: boolean;
}

/** When two runs of a job would overlap (in one daemon): skip the new one, or queue it. */
export type OverlapPolicy = "skip" | "queue";

/**
 * What happens to runs missed while no daemon ran: `skip` records them and waits for the next
 * slot; `once` records them and runs once now; `all` runs each (at most `maxCatchUp`).
 */
export type MissedPolicy = "skip" | "once" | "all";

/** When a job's failures raise an alert (see {@link evaluateJob}). */
export interface MonitorRules {
  /** `count` failures within the window: an alert (default 2 within 60 minutes or 2 periods). */
  failures?: { count: number; withinMinutes: number } | undefined;
  /** This many failures in a row: an alert (default off). */
  consecutive?: number | undefined;
  /** No success for this long: an alert, even if the job never ran (default 2 periods + grace). */
  noSuccessForMs?: number | undefined;
  /** Added to the default dead-man window (default 5 minutes). */
  graceMs?: number | undefined;
  /** While an alert stays open it is sent again this often (default 6 hours). */
  realertMs?: number | undefined;
  /** Successes in a row that close the job's alerts and announce the recovery (default 1). */
  recoveryThreshold?: number | undefined;
}

/** A background job, as {@link defineJob} checks it. */
export interface JobDefinition {
  name: string;
  schedule: Schedule;
  run(context: JobContext): Promise<void> | void;
  /** A run past this is aborted and recorded `timed_out` (default 10 minutes). */
  timeoutMs: number;
  overlap: OverlapPolicy;
  missed: MissedPolicy;
  /** With `missed: "all"`, the most missed runs caught up at once (default 10). */
  maxCatchUp: number;
  rules: MonitorRules;
}

/** What {@link defineJob} takes. */
export interface JobSpec {
  /** Letters, digits and `.:_-` (`tokens-check`, `sheets-sync:bookings`). */
  name: string;
  /** An interval (`30m`) or a cron expression. */
  schedule: string;
  /** The cron expression's time zone (IANA, `America/Los_Angeles`); default UTC. */
  timezone?: string | undefined;
  run(context: JobContext): Promise<void> | void;
  timeoutMs?: number | undefined;
  overlap?: OverlapPolicy | undefined;
  missed?: MissedPolicy | undefined;
  maxCatchUp?: number | undefined;
  rules?: MonitorRules | undefined;
}

/**
 * Defines a scheduled job, checked at once (a bad name or schedule fails at start-up, not at
 * the first run).
 *
 * @example
 * ```ts
 * const sync = defineJob({
 *   name: "sheets-sync:bookings",
 *   schedule: "30m",
 *   async run({ signal }) { await syncBookings({ signal }); },
 * });
 * ```
 */
export function defineJob(spec: JobSpec): JobDefinition {
  if (!/^[A-Za-z0-9][A-Za-z0-9.:_-]{0,99}$/.test(spec.name))
    throw new OrchestratorError(
      "INVALID_INPUT",
      `job name "${spec.name}": letters, digits and . : _ - (at most 100)`,
    );
  const timeoutMs = spec.timeoutMs ?? 10 * 60_000;
  if (!(timeoutMs > 0))
    throw new OrchestratorError("INVALID_INPUT", `job ${spec.name}: timeoutMs must be positive`);
  return {
    name: spec.name,
    schedule: parseSchedule(spec.schedule, spec.timezone),
    run: spec.run,
    timeoutMs,
    overlap: spec.overlap ?? "skip",
    missed: spec.missed ?? "once",
    maxCatchUp: spec.maxCatchUp ?? 10,
    rules: spec.rules ?? {},
  };
}

/**
 * An error a job throws to say what it means: a `code` for programs, the `fix` (the command that
 * fixes it) for people, and whether waiting can help (`retryable`, default true). A
 * non-retryable error (a revoked token) alerts on its first occurrence.
 */
export class JobError extends Error {
  override readonly name = "JobError";
  readonly code: string | undefined;
  readonly fix: string | undefined;
  readonly retryable: boolean;

  constructor(
    message: string,
    options: {
      code?: string | undefined;
      fix?: string | undefined;
      retryable?: boolean | undefined;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.fix = options.fix;
    this.retryable = options.retryable ?? true;
  }
}

/** What a failed run says of itself: read from any error's `code`, `fix` and `retryable`. */
export function describeJobError(error: unknown): {
  message: string;
  code: string | undefined;
  fix: string | undefined;
  retryable: boolean;
} {
  const fields = (error ?? {}) as { code?: unknown; fix?: unknown; retryable?: unknown };
  return {
    message: (error as Error)?.message ?? String(error),
    code: typeof fields.code === "string" ? fields.code : undefined,
    fix: typeof fields.fix === "string" && fields.fix !== "" ? fields.fix : undefined,
    retryable: fields.retryable !== false,
  };
}
