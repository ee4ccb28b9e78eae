import type { Finding, JournalEntry } from "../types.js";
import { normalizeMessage } from "./normalize.js";
import { describeDuration, describeTime, inferPeriod } from "./period.js";

/** Options of {@link journalFindings}. */
export interface JournalFindingOptions {
  /** A message shape seen this often is a recurring error (default 3). */
  minRepeats?: number;
  /** The unit whose start lines reveal a restart loop (`jada-agent.service`). */
  unit?: string;
}

const ERROR_WORDS =
  /\b(error|errors|failed|failure|fatal|exception|traceback|panic|refused|denied)\b/i;
const GOOGLE_TOKEN = /token error: HTTP Error 400|invalid_grant|Token has been expired or revoked/i;
const MAX_TURNS = /\bmax[_ -]?turns\b|turn limit|maximum number of turns/i;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
const EVIDENCE_LINES = 3;

function isError(entry: JournalEntry): boolean {
  return (entry.priority !== undefined && entry.priority <= 3) || ERROR_WORDS.test(entry.message);
}

function line(entry: JournalEntry): string {
  return `${new Date(entry.time).toISOString()} ${entry.identifier ?? "?"}${entry.pid ? `[${entry.pid}]` : ""}: ${entry.message}`;
}

function span(entries: readonly JournalEntry[]): Pick<Finding, "firstSeen" | "lastSeen" | "count"> {
  return {
    firstSeen: new Date((entries[0] as JournalEntry).time).toISOString(),
    lastSeen: new Date((entries[entries.length - 1] as JournalEntry).time).toISOString(),
    count: entries.length,
  };
}

/** "every 30 min since 2026-05-13 15:00 UTC, 19 times", or "19 times since …" when irregular. */
export function describeRecurrence(entries: readonly JournalEntry[]): string {
  const times = entries.map((entry) => entry.time);
  const period = inferPeriod(times);
  const since = describeTime(times[0] as number);
  return period === undefined
    ? `${entries.length} times since ${since}`
    : `every ${describeDuration(period)} since ${since}, ${entries.length} times`;
}

/**
 * The findings of a journal: known signatures first (the Google token failure, agent sessions
 * ending on the turn limit, restart loops), then every other error message that recurs, grouped
 * by its normalized shape, with its period when it is regular.
 */
export function journalFindings(
  entries: readonly JournalEntry[],
  options: JournalFindingOptions = {},
): Finding[] {
  const findings: Finding[] = [];
  const claimed = new Set<JournalEntry>();

  const token = entries.filter((entry) => GOOGLE_TOKEN.test(entry.message));
  if (token.length > 0) {
    for (const entry of token) claimed.add(entry);
    const account = token.map((entry) => EMAIL.exec(entry.message)?.[0]).find(Boolean);
    findings.push({
      id: "google-token",
      severity: "critical",
      summary: `Google token refresh failing (revoked or expired refresh token): ${describeRecurrence(token)}`,
      evidence: token.slice(-EVIDENCE_LINES).map(line),
      ...span(token),
      remedy: { action: "google-reconsent", ...(account ? { account } : {}) },
      fix: account
        ? `consent again for the Google account ${account}, then restart the job`
        : "find the Google account whose refresh token fails (check the token store), consent again for it, then restart the job",
    });
  }

  const maxTurns = entries.filter((entry) => MAX_TURNS.test(entry.message));
  if (maxTurns.length > 0) {
    for (const entry of maxTurns) claimed.add(entry);
    findings.push({
      id: "max-turns",
      severity: "warning",
      summary: `agent sessions ended on the turn limit ${maxTurns.length} time${maxTurns.length === 1 ? "" : "s"}: their progress is lost unless they checkpoint`,
      evidence: maxTurns.slice(-EVIDENCE_LINES).map(line),
      ...span(maxTurns),
    });
  }

  if (options.unit) {
    const name = options.unit.replace(/\.service$/, "");
    const starts = entries.filter(
      (entry) =>
        entry.identifier === "systemd" &&
        new RegExp(`^Started .*${escapeRegExp(name)}`).test(entry.message),
    );
    if (starts.length >= 3) {
      findings.push({
        id: "restart-loop",
        severity: "critical",
        summary: `${options.unit} started ${starts.length} times: ${describeRecurrence(starts)}`,
        evidence: starts.slice(-EVIDENCE_LINES).map(line),
        ...span(starts),
        fix: `journalctl -u ${options.unit} -n 100 --no-pager (why it exits), then: systemctl status ${options.unit}`,
      });
    }
  }

  const groups = new Map<string, JournalEntry[]>();
  for (const entry of entries) {
    if (claimed.has(entry) || !isError(entry)) continue;
    const key = normalizeMessage(entry.message);
    const group = groups.get(key) ?? [];
    group.push(entry);
    groups.set(key, group);
  }
  const minRepeats = options.minRepeats ?? 3;
  const recurring = [...groups.entries()]
    .filter(([, group]) => group.length >= minRepeats)
    .sort((a, b) => b[1].length - a[1].length);
  for (const [shape, group] of recurring) {
    findings.push({
      id: "recurring-error",
      severity: "warning",
      summary: `"${shape.length > 100 ? `${shape.slice(0, 97)}…` : shape}": ${describeRecurrence(group)}`,
      evidence: group.slice(-EVIDENCE_LINES).map(line),
      ...span(group),
    });
  }
  return findings;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
