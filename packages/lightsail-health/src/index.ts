/**
 * `@jada/lightsail-health`: the health of a Lightsail host in one command, with a verdict a
 * machine can act on. This release holds the findings engine (recurring errors with their
 * period, known signatures with their fix, the verdict) over journald exports; ephemeral SSH,
 * metrics and the live service probe follow.
 *
 * @packageDocumentation
 */
export { analyzeJournalText, type JournalAnalysis } from "./analyze.js";
export {
  describeRecurrence,
  type JournalFindingOptions,
  journalFindings,
} from "./findings/journal-findings.js";
export { normalizeMessage } from "./findings/normalize.js";
export { describeDuration, describeTime, inferPeriod } from "./findings/period.js";
export { verdictOf } from "./findings/verdict.js";
export { type ParsedJournal, parseJournal } from "./probe/journal.js";
export {
  type Finding,
  type JournalEntry,
  type Severity,
  VERDICT_EXIT_CODES,
  type Verdict,
} from "./types.js";
