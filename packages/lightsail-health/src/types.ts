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
  /** The exact command (or action) that fixes it, in words a person can follow. */
  fix?: string | undefined;
  /**
   * The fix as data, where the caller may want its own words (a command of its CLI): set on
   * findings whose fix is another tool's job, such as a Google account's consent.
   */
  remedy?: FindingRemedy | undefined;
}

/**
 * A fix that is another tool's job, as data: `google-reconsent`, the Google account (when the
 * log names it) must consent again.
 */
export type FindingRemedy = { action: "google-reconsent"; account?: string | undefined };

/** Port: the time (injected in tests to make certificates expire). */
export interface Clock {
  now(): number;
}

/** A host key of the instance, as the Lightsail API reports it (pinned, never learned). */
export interface HostKey {
  /** `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`. */
  algorithm: string;
  /** Base64 key blob. */
  publicKey: string;
}

/** Temporary SSH access to an instance: a key pair and a certificate valid for minutes. */
export interface AccessDetails {
  username: string;
  address: string;
  privateKey: string;
  /** The OpenSSH certificate of the key (`ssh-ed25519-cert-v01@openssh.com AAAA…`). */
  certificate: string;
  expiresAt: Date;
  hostKeys: HostKey[];
}

/** Lightsail's metric names this package knows, each with the unit and period it requires. */
export type MetricName =
  | "CPUUtilization"
  | "BurstCapacityPercentage"
  | "BurstCapacityTime"
  | "NetworkIn"
  | "NetworkOut"
  | "StatusCheckFailed"
  | "StatusCheckFailed_Instance"
  | "StatusCheckFailed_System";

/** One datapoint of a metric. */
export interface Datapoint {
  /** Epoch milliseconds. */
  time: number;
  average?: number | undefined;
  maximum?: number | undefined;
  sum?: number | undefined;
}

/** A request for one metric's data. */
export interface MetricQuery {
  metric: MetricName;
  start: Date;
  end: Date;
  /** Seconds. */
  period: number;
  unit: string;
  statistics: Array<"Average" | "Maximum" | "Sum" | "Minimum" | "SampleCount">;
}

/** Port: the Lightsail API. */
export interface LightsailApi {
  getAccessDetails(instanceName: string): Promise<AccessDetails>;
  getMetricData(instanceName: string, query: MetricQuery): Promise<Datapoint[]>;
}

/** What a remote command returned. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Port: a shell on the instance. */
/** Options of {@link RemoteShell.run}. */
export interface RunOptions {
  /** Stop the command after this long (default 60 s). */
  timeoutMs?: number | undefined;
  /** Bytes for the script's stdin (then the script travels as the remote command). */
  input?: string | Uint8Array | undefined;
}

export interface RemoteShell {
  /**
   * Runs a POSIX shell script. Without `input` the script is sent on stdin; with it, the script
   * is the remote command and `input` is its stdin: the way to hand the host a secret or a file
   * without it touching a command line, an environment variable or a log.
   */
  run(script: string, options?: RunOptions): Promise<ExecResult>;
}
