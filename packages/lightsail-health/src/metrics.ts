import type { Clock, Datapoint, LightsailApi, MetricName, MetricQuery } from "./types.js";

/**
 * How each metric must be asked for: Lightsail rejects other units, and status checks are per
 * minute. `maximum`: the highest value in each period is asked for too, so that a report's "max"
 * is a peak, not the highest average.
 */
export const METRICS: Readonly<
  Record<
    MetricName,
    {
      unit: string;
      period: number;
      statistic: "Average" | "Maximum" | "Sum";
      maximum?: true;
    }
  >
> = {
  CPUUtilization: { unit: "Percent", period: 300, statistic: "Average", maximum: true },
  BurstCapacityPercentage: { unit: "Percent", period: 300, statistic: "Average" },
  BurstCapacityTime: { unit: "Seconds", period: 300, statistic: "Average" },
  NetworkIn: { unit: "Bytes", period: 300, statistic: "Sum" },
  NetworkOut: { unit: "Bytes", period: 300, statistic: "Sum" },
  StatusCheckFailed: { unit: "Count", period: 60, statistic: "Sum" },
  StatusCheckFailed_Instance: { unit: "Count", period: 60, statistic: "Sum" },
  StatusCheckFailed_System: { unit: "Count", period: 60, statistic: "Sum" },
};

/** The most data points one GetInstanceMetricData request may return (CloudWatch's limit). */
export const MAX_POINTS_PER_REQUEST = 1440;

/** One metric over the window. */
export interface MetricSummary {
  unit: string;
  period: number;
  statistic: string;
  avg: number | undefined;
  /** The peak: of the `Maximum` statistic where it is asked for, else of the main statistic. */
  max: number | undefined;
  last: number | undefined;
  /** `[epoch ms, value]`, oldest first. */
  series: Array<[number, number]>;
}

/** Every metric's summary, and the metrics that could not be read (with why). */
export interface MetricsResult {
  metrics: Partial<Record<MetricName, MetricSummary>>;
  unobserved: string[];
}

/**
 * Fetches all metrics of an instance over the last `windowMs`, in parallel, and summarizes them.
 * A window longer than 1,440 periods (a day of per-minute status checks) is asked in pieces of
 * at most that, at the period the metric requires, and put back together. When every metric
 * fails for one reason (an unknown instance, no access), that reason is said once.
 */
export async function fetchMetrics(
  api: LightsailApi,
  instance: string,
  options: { windowMs: number; clock?: Clock },
): Promise<MetricsResult> {
  const end = new Date((options.clock ?? { now: () => Date.now() }).now());
  const start = new Date(end.getTime() - options.windowMs);
  const names = Object.keys(METRICS) as MetricName[];
  const settled = await Promise.allSettled(
    names.map(async (metric) => {
      const spec = METRICS[metric];
      const pieces = windowPieces(start, end, spec.period * 1000 * MAX_POINTS_PER_REQUEST);
      const points = await Promise.all(
        pieces.map(([from, to]) => {
          const query: MetricQuery = {
            metric,
            start: from,
            end: to,
            period: spec.period,
            unit: spec.unit,
            statistics: spec.maximum ? [spec.statistic, "Maximum"] : [spec.statistic],
          };
          return api.getMetricData(instance, query);
        }),
      );
      // Pieces meet at their edges: a point on an edge may come twice.
      const byTime = new Map(points.flat().map((point) => [point.time, point]));
      return [...byTime.values()];
    }),
  );
  const result: MetricsResult = { metrics: {}, unobserved: [] };
  const failures: Array<[MetricName, string]> = [];
  settled.forEach((outcome, index) => {
    const metric = names[index] as MetricName;
    if (outcome.status === "rejected") {
      const message = (outcome.reason as Error)?.message ?? String(outcome.reason);
      failures.push([
        metric,
        message.startsWith(`${metric}: `) ? message.slice(metric.length + 2) : message,
      ]);
      return;
    }
    result.metrics[metric] = summarize(METRICS[metric], outcome.value);
  });
  const reasons = new Set(failures.map(([, reason]) => reason));
  if (failures.length === names.length && reasons.size === 1)
    result.unobserved.push(`metrics: ${[...reasons][0]}`);
  else
    for (const [metric, reason] of failures) result.unobserved.push(`metric ${metric}: ${reason}`);
  return result;
}

// [start, end] cut into consecutive pieces no longer than `spanMs`.
function windowPieces(start: Date, end: Date, spanMs: number): Array<[Date, Date]> {
  const pieces: Array<[Date, Date]> = [];
  for (let from = start.getTime(); from < end.getTime(); from += spanMs)
    pieces.push([new Date(from), new Date(Math.min(end.getTime(), from + spanMs))]);
  return pieces.length > 0 ? pieces : [[start, end]];
}

function summarize(spec: (typeof METRICS)[MetricName], points: Datapoint[]): MetricSummary {
  const key =
    spec.statistic === "Average" ? "average" : spec.statistic === "Maximum" ? "maximum" : "sum";
  const series = points
    .filter((point) => typeof point[key] === "number")
    .map((point) => [point.time, point[key] as number] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const values = series.map(([, value]) => value);
  const peaks = spec.maximum
    ? points.map((point) => point.maximum).filter((value) => typeof value === "number")
    : values;
  return {
    unit: spec.unit,
    period: spec.period,
    statistic: spec.statistic,
    avg: values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : undefined,
    max: peaks.length ? Math.max(...peaks) : undefined,
    last: values.at(-1),
    series,
  };
}
