/**
 * `@jada/lightsail-health`: the health of a Lightsail host in one command, with a verdict a
 * machine can act on: ephemeral SSH with pinned host keys, instance metrics, one probe script,
 * and findings (recurring errors with their period, known signatures with their fix,
 * thresholds). The Lightsail adapter is in `./aws`, real peers for tests in `./testing`.
 *
 * @packageDocumentation
 */
export { analyzeJournalText, type JournalAnalysis } from "./analyze.js";
export {
  type CheckHealthOptions,
  checkHealth,
  type HealthReport,
  normalizeSince,
} from "./check.js";
export { HealthError, type HealthErrorCode } from "./errors.js";
export {
  DEFAULT_THRESHOLDS,
  hostFindings,
  type MetricFigures,
  type Thresholds,
} from "./findings/host-findings.js";
export {
  describeRecurrence,
  type JournalFindingOptions,
  journalFindings,
} from "./findings/journal-findings.js";
export { normalizeMessage } from "./findings/normalize.js";
export { describeDuration, describeTime, inferPeriod } from "./findings/period.js";
export { verdictOf } from "./findings/verdict.js";
export { fetchMetrics, METRICS, type MetricSummary, type MetricsResult } from "./metrics.js";
export { type ParsedJournal, parseJournal } from "./probe/journal.js";
export {
  type DiskUsage,
  type LoadAverage,
  type Memory,
  type ProcessStats,
  parseCpus,
  parseDf,
  parseLoadavg,
  parseMeminfo,
  parseProcess,
  parseSystemctlShow,
  parseUptime,
  type ServiceState,
} from "./probe/parsers.js";
export { type ProbeReport, parseProbeOutput } from "./probe/report.js";
export { buildProbeScript, type ProbeOptions, shellQuote } from "./probe/script.js";
export { type Section, splitSections } from "./probe/sections.js";
export { createOpenSshShell, type OpenSshOptions } from "./ssh/openssh.js";
export { withPrivateDir } from "./ssh/private-dir.js";
export { openSshTunnel, type SshTunnel, type SshTunnelOptions } from "./ssh/tunnel.js";
export {
  type AccessDetails,
  type ExecResult,
  type Finding,
  type FindingRemedy,
  type JournalEntry,
  type LightsailApi,
  type RemoteShell,
  type RunOptions,
  type Severity,
  VERDICT_EXIT_CODES,
  type Verdict,
} from "./types.js";
