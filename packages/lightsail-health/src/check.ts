import { hostFindings, type Thresholds } from "./findings/host-findings.js";
import { journalFindings } from "./findings/journal-findings.js";
import { verdictOf } from "./findings/verdict.js";
import { fetchMetrics, type MetricsResult } from "./metrics.js";
import { type ProbeReport, parseProbeOutput } from "./probe/report.js";
import { buildProbeScript } from "./probe/script.js";
import type { Clock, Finding, LightsailApi, RemoteShell, Verdict } from "./types.js";

/** Options of {@link checkHealth}. */
export interface CheckHealthOptions {
  instance: string;
  api: LightsailApi;
  shell: RemoteShell;
  /** Default `jada-agent.service`. */
  unit?: string | undefined;
  /** journalctl `--since` (default `-2h`); the metrics window follows it when it is `-Nh`/`-Nm`. */
  since?: string | undefined;
  logs?: Readonly<Record<string, string>> | undefined;
  thresholds?: Partial<Thresholds> | undefined;
  /** For the probe over SSH (default 60 s). */
  timeoutMs?: number | undefined;
  clock?: Clock | undefined;
}

/** The whole picture of a host, and what to do. */
export interface HealthReport {
  instance: string;
  verdict: Verdict;
  probe: ProbeReport | undefined;
  metrics: MetricsResult["metrics"];
  findings: Finding[];
  /** Everything that could not be observed; any makes the verdict at least UNKNOWN. */
  unobserved: string[];
  /** ISO time of the check. */
  checkedAt: string;
}

/**
 * Checks a host in one go: the metrics (all in parallel) while one SSH command runs the probe
 * script; then the findings and the verdict. A failure of either side is reported as not
 * observed (the verdict is then at least UNKNOWN), never hidden.
 */
export async function checkHealth(options: CheckHealthOptions): Promise<HealthReport> {
  const clock = options.clock ?? { now: () => Date.now() };
  const unit = options.unit ?? "jada-agent.service";
  const since = normalizeSince(options.since ?? "-2h");
  const script = buildProbeScript({ unit, since, logs: options.logs });
  const windowMs = windowOf(since);

  const [probeOutcome, metricsOutcome] = await Promise.allSettled([
    options.shell.run(script, { timeoutMs: options.timeoutMs ?? 60_000 }),
    fetchMetrics(options.api, options.instance, { windowMs, clock }),
  ]);

  let unobserved: string[] = [];
  let probe: ProbeReport | undefined;
  const probeFailure =
    probeOutcome.status === "rejected"
      ? ((probeOutcome.reason as Error)?.message ?? String(probeOutcome.reason))
      : undefined;
  if (probeOutcome.status === "fulfilled") {
    probe = parseProbeOutput(probeOutcome.value.stdout, { unit, logs: options.logs ?? {} });
    unobserved.push(...probe.unobserved);
  } else {
    unobserved.push(`ssh: ${probeFailure}`);
  }
  const metrics = metricsOutcome.status === "fulfilled" ? metricsOutcome.value.metrics : {};
  if (metricsOutcome.status === "fulfilled") unobserved.push(...metricsOutcome.value.unobserved);
  else
    unobserved.push(
      `metrics: ${(metricsOutcome.reason as Error)?.message ?? String(metricsOutcome.reason)}`,
    );
  // Nothing observed, for one reason (an instance Lightsail does not know, access refused):
  // that reason, once, rather than the same failure said by every request.
  const metricsReason = unobserved.length === 2 ? unobserved[1]?.replace(/^metrics: /, "") : "";
  if (probeFailure !== undefined && metricsReason && probeFailure.includes(metricsReason))
    unobserved = [probeFailure];

  const findings: Finding[] = [];
  if (probe !== undefined) {
    findings.push(
      ...hostFindings(
        probe,
        {
          burstCapacityPercent: metrics.BurstCapacityPercentage?.last,
          statusCheckFailedMax: metrics.StatusCheckFailed?.max,
        },
        options.thresholds,
      ),
    );
    if (probe.journal) findings.push(...journalFindings(probe.journal, { unit }));
  }
  // Two sources may see the same restart loop; keep the first of each id and severity.
  const seen = new Set<string>();
  const unique = findings.filter((finding) => {
    const key = `${finding.id}:${finding.severity}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    instance: options.instance,
    verdict: verdictOf(unique, unobserved),
    probe,
    metrics,
    findings: unique,
    unobserved,
    checkedAt: new Date(clock.now()).toISOString(),
  };
}

// `-2h` -> 2 hours, `-30m` -> 30 minutes; anything else: 2 hours.
function windowOf(since: string): number {
  const match = /^-(\d+)\s*([hmd])$/.exec(since.trim());
  if (!match) return 2 * 3_600_000;
  const unitMs = match[2] === "h" ? 3_600_000 : match[2] === "m" ? 60_000 : 86_400_000;
  return Number(match[1]) * unitMs;
}

/** `2h` means two hours back, as `-2h` does for journalctl; other forms pass through. */
export function normalizeSince(since: string): string {
  const trimmed = since.trim();
  return /^\d+\s*[smhd]$/.test(trimmed) ? `-${trimmed}` : trimmed;
}
