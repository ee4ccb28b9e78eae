/** How bad a finding is. */
export type Severity = "info" | "warning" | "critical";

/** The overall verdict, Nagios-style. */
export type Verdict = "OK" | "WARNING" | "CRITICAL" | "UNKNOWN";

/** Nagios plugin exit codes of each verdict. */
export const VERDICT_EXIT_CODES: Readonly<Record<Verdict, number>> = {
  OK: 0,
  WARNING: 1,
  CRITICAL: 2,
  UNKNOWN: 3,
};

/** One line of the journal (`journalctl -o json`), typed. */
export interface JournalEntry {
  /** Epoch milliseconds (from `__REALTIME_TIMESTAMP`). */
  time: number;
  message: string;
  /** syslog priority: 0 emerg … 3 err, 4 warning … 7 debug. */
  priority: number | undefined;
  /** `SYSLOG_IDENTIFIER` or `_COMM`. */
  identifier: string | undefined;
  pid: number | undefined;
}

/** Something the engine found, with what shows it and, where known, the fix. */
export interface Finding {
  /** Stable id: `recurring-error`, `google-token`, `max-turns`, `restart-loop`, `disk`, ... */
  id: string;
  severity: Severity;
  summary: string;
  /** Log lines or figures that show it (a few, not all). */
  evidence: string[];
  /** ISO 8601. */
  firstSeen?: string | undefined;
  lastSeen?: string | undefined;
  count?: number | undefined;
  /** The exact command (or action) that fixes it. */
  fix?: string | undefined;
}
