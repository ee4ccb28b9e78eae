import type { ProbeReport } from "../probe/report.js";
import type { Finding } from "../types.js";

/** Where warnings and criticals start. Every value has a default for a small Lightsail host. */
export interface Thresholds {
  /** Disk use (df's percent): warning at 80, critical at 90. */
  diskWarningPercent: number;
  diskCriticalPercent: number;
  /** Memory available (MemAvailable / MemTotal): warning under 15%, critical under 5%. */
  memoryWarningAvailablePercent: number;
  memoryCriticalAvailablePercent: number;
  /** 5-minute load per CPU: warning over 1.5, critical over 3. */
  loadWarningPerCpu: number;
  loadCriticalPerCpu: number;
  /** Lightsail burst capacity left: warning under 30%, critical under 10%. */
  burstWarningPercent: number;
  burstCriticalPercent: number;
  /** systemd restarts of the unit since boot: critical at 3. */
  restartsCritical: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  diskWarningPercent: 80,
  diskCriticalPercent: 90,
  memoryWarningAvailablePercent: 15,
  memoryCriticalAvailablePercent: 5,
  loadWarningPerCpu: 1.5,
  loadCriticalPerCpu: 3,
  burstWarningPercent: 30,
  burstCriticalPercent: 10,
  restartsCritical: 3,
};

/** The metric figures the thresholds look at (from the Lightsail API). */
export interface MetricFigures {
  /** BurstCapacityPercentage, the latest value. */
  burstCapacityPercent?: number | undefined;
  /** StatusCheckFailed (any), the maximum over the window. */
  statusCheckFailedMax?: number | undefined;
}

const GIB = 1024 ** 3;

/** Findings about the host and the service: state, restarts, disk, memory, load, burst, status checks. */
export function hostFindings(
  report: ProbeReport,
  metrics: MetricFigures = {},
  overrides: Partial<Thresholds> = {},
): Finding[] {
  const t = { ...DEFAULT_THRESHOLDS, ...overrides };
  const findings: Finding[] = [];
  const { service, unit } = report;

  if (service !== undefined && service.activeState !== "active") {
    findings.push({
      id: "service-down",
      severity: "critical",
      summary: `${unit} is ${service.activeState} (${service.subState}${service.execMainStatus ? `, exit status ${service.execMainStatus}` : ""})`,
      evidence: [
        `ActiveState=${service.activeState}`,
        `SubState=${service.subState}`,
        `ExecMainStatus=${service.execMainStatus ?? "-"}`,
      ],
      fix: `journalctl -u ${unit} -n 50 --no-pager (why it stopped), then: sudo systemctl restart ${unit}`,
    });
  }
  if (service !== undefined && service.restarts >= t.restartsCritical) {
    findings.push({
      id: "restart-loop",
      severity: "critical",
      summary: `${unit} was restarted ${service.restarts} times by systemd`,
      evidence: [
        `NRestarts=${service.restarts}`,
        `ActiveEnterTimestamp=${service.activeSince ?? "-"}`,
      ],
      count: service.restarts,
      fix: `journalctl -u ${unit} -n 100 --no-pager (why it exits)`,
    });
  }

  if (report.disk !== undefined) {
    const { usePercent, availableBytes, mount } = report.disk;
    const severity =
      usePercent >= t.diskCriticalPercent
        ? "critical"
        : usePercent >= t.diskWarningPercent
          ? "warning"
          : undefined;
    if (severity) {
      findings.push({
        id: "disk",
        severity,
        summary: `disk ${mount} is ${usePercent}% full (${(availableBytes / GIB).toFixed(1)} GiB left)`,
        evidence: [`df -B1 ${mount}: ${usePercent}% used`],
        fix: "sudo journalctl --vacuum-size=200M; then look for large files: sudo du -xh / | sort -h | tail",
      });
    }
  }

  if (report.memory !== undefined) {
    const available = (report.memory.availableBytes / report.memory.totalBytes) * 100;
    const severity =
      available < t.memoryCriticalAvailablePercent
        ? "critical"
        : available < t.memoryWarningAvailablePercent
          ? "warning"
          : undefined;
    if (severity) {
      findings.push({
        id: "memory",
        severity,
        summary: `only ${available.toFixed(0)}% of memory available (${(report.memory.availableBytes / 1024 ** 2).toFixed(0)} MiB of ${(report.memory.totalBytes / 1024 ** 2).toFixed(0)} MiB)`,
        evidence: [
          `MemAvailable=${report.memory.availableBytes}`,
          `MemTotal=${report.memory.totalBytes}`,
          ...(report.process ? [`${unit} RSS=${report.process.rssBytes}`] : []),
        ],
      });
    }
  }

  if (report.load !== undefined && report.cpus !== undefined) {
    const perCpu = report.load.five / report.cpus;
    const severity =
      perCpu > t.loadCriticalPerCpu
        ? "critical"
        : perCpu > t.loadWarningPerCpu
          ? "warning"
          : undefined;
    if (severity) {
      findings.push({
        id: "load",
        severity,
        summary: `5-minute load ${report.load.five} on ${report.cpus} CPU${report.cpus === 1 ? "" : "s"}`,
        evidence: [`loadavg ${report.load.one} ${report.load.five} ${report.load.fifteen}`],
      });
    }
  }

  if (metrics.burstCapacityPercent !== undefined) {
    const burst = metrics.burstCapacityPercent;
    const severity =
      burst < t.burstCriticalPercent
        ? "critical"
        : burst < t.burstWarningPercent
          ? "warning"
          : undefined;
    if (severity) {
      findings.push({
        id: "burst-capacity",
        severity,
        summary: `CPU burst capacity down to ${burst.toFixed(0)}%: the instance will be throttled to its baseline`,
        evidence: [`BurstCapacityPercentage last=${burst}`],
        fix: "find what keeps the CPU busy (ps -eo pcpu,cmd --sort=-pcpu | head), or move to a larger bundle",
      });
    }
  }
  if (metrics.statusCheckFailedMax !== undefined && metrics.statusCheckFailedMax > 0) {
    findings.push({
      id: "status-check",
      severity: "critical",
      summary: "Lightsail status checks failed in the window",
      evidence: [`StatusCheckFailed max=${metrics.statusCheckFailedMax}`],
      fix: "aws lightsail get-instance-state --instance-name <instance>; a failing system check may need a stop and start",
    });
  }
  return findings;
}
