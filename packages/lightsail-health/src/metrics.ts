import type { Clock, Datapoint, LightsailApi, MetricName, MetricQuery } from "./types.js";

/** How each metric must be asked for: Lightsail rejects other units, and status checks are per minute. */
export const METRICS: Readonly<
  Record<MetricName, { unit: string; period: number; statistic: "Average" | "Maximum" | "Sum" }>
> = {
  CPUUtilization: { unit: "Percent", period: 300, statistic: "Average" },
  BurstCapacityPercentage: { unit: "Percent", period: 300, statistic: "Average" },
  BurstCapacityTime: { unit: "Seconds", period: 300, statistic: "Average" },
  NetworkIn: { unit: "Bytes", period: 300, statistic: "Sum" },
  NetworkOut: { unit: "Bytes", period: 300, statistic: "Sum" },
  StatusCheckFailed: { unit: "Count", period: 60, statistic: "Sum" },
  StatusCheckFailed_Instance: { unit: "Count", period: 60, statistic: "Sum" },
  StatusCheckFailed_System: { unit: "Count", period: 60, statistic: "Sum" },
};

/** One metric over the window. */
export interface MetricSummary {
  unit: string;
  period: number;
  statistic: string;
  avg: number | undefined;
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

/** Fetches all metrics of an instance over the last `windowMs`, in parallel, and summarizes them. */
export async function fetchMetrics(
  api: LightsailApi,
  instance: string,
  options: { windowMs: number; clock?: Clock },
): Promise<MetricsResult> {
  const end = new Date((options.clock ?? { now: () => Date.now() }).now());
  const start = new Date(end.getTime() - options.windowMs);
  const names = Object.keys(METRICS) as MetricName[];
  const settled = await Promise.allSettled(
    names.map((metric) => {
      const spec = METRICS[metric];
      const query: MetricQuery = {
        metric,
        start,
        end,
        period: spec.period,
        unit: spec.unit,
        statistics: [spec.statistic],
      };
      return api.getMetricData(instance, query);
    }),
  );
  const result: MetricsResult = { metrics: {}, unobserved: [] };
  settled.forEach((outcome, index) => {
    const metric = names[index] as MetricName;
    if (outcome.status === "rejected") {
      result.unobserved.push(
        `metric ${metric}: ${(outcome.reason as Error)?.message ?? String(outcome.reason)}`,
      );
      return;
    }
    result.metrics[metric] = summarize(METRICS[metric], outcome.value);
  });
  return result;
}

function summarize(spec: (typeof METRICS)[MetricName], points: Datapoint[]): MetricSummary {
  const key =
    spec.statistic === "Average" ? "average" : spec.statistic === "Maximum" ? "maximum" : "sum";
  const series = points
    .filter((point) => typeof point[key] === "number")
    .map((point) => [point.time, point[key] as number] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const values = series.map(([, value]) => value);
  return {
    unit: spec.unit,
    period: spec.period,
    statistic: spec.statistic,
    avg: values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : undefined,
    max: values.length ? Math.max(...values) : undefined,
    last: values.at(-1),
    series,
  };
}
