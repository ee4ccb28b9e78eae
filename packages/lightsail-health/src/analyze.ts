import { journalFindings } from "./findings/journal-findings.js";
import { verdictOf } from "./findings/verdict.js";
import { parseJournal } from "./probe/journal.js";
import type { Finding, Verdict } from "./types.js";

/** The result of analyzing a saved journal. */
export interface JournalAnalysis {
  verdict: Verdict;
  entries: number;
  /** Lines that were not journal entries (truncated, garbage). */
  malformed: number;
  findings: Finding[];
  /** What could not be judged (an empty journal, unreadable lines). */
  unobserved: string[];
}

/**
 * Runs the findings engine on a `journalctl -o json` export, offline: post-mortems and tests.
 *
 * @example
 * ```ts
 * const analysis = analyzeJournalText(readFileSync("agent.journal.json", "utf8"), { unit: "jada-agent.service" });
 * analysis.findings[0]?.remedy; // { action: "google-reconsent", account: "ops@sailjada.com" }
 * ```
 */
export function analyzeJournalText(text: string, options: { unit?: string } = {}): JournalAnalysis {
  const { entries, malformed } = parseJournal(text);
  const unobserved: string[] = [];
  if (entries.length === 0) unobserved.push("the journal has no entries");
  const findings = journalFindings(entries, options);
  if (malformed > 0) {
    findings.push({
      id: "journal-malformed",
      severity: "info",
      summary: `${malformed} line${malformed === 1 ? " was" : "s were"} not journal entries (truncated or not JSON) and were skipped`,
      evidence: [],
    });
  }
  return {
    verdict: verdictOf(findings, unobserved),
    entries: entries.length,
    malformed,
    findings,
    unobserved,
  };
}
