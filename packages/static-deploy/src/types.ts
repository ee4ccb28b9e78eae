/** How serious a finding is. `error` fails a lint run; `warning` fails it only past `maxWarnings`. */
export type Severity = "error" | "warning";

/**
 * Rule ids of the template-brace lint. They are part of the public contract (scripts filter on
 * them, SARIF viewers group by them): a rule may be added, never renamed.
 */
export type LintRuleId =
  | "brace/unrendered-in-script"
  | "brace/in-script-string"
  | "brace/unrendered-in-markup"
  | "script/parse-error"
  | "json/parse-error";

/**
 * One problem found in one file. Positions are 1-based, in lines of the original file and
 * columns in UTF-16 code units (as editors, ESLint and SARIF count them); the end is exclusive.
 */
export interface LintFinding {
  /** The path as it was given or found (relative paths stay relative). */
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  ruleId: LintRuleId;
  severity: Severity;
  message: string;
  /** The source line the finding starts on; very long (minified) lines are cut around it. */
  snippet: string;
}

/** Why a file was not linted. Each one is reported; none is silent. */
export type SkipReason = "binary" | "invalid-utf8" | "unreadable";

/** A file that was found but not linted, and why. */
export interface SkippedFile {
  file: string;
  reason: SkipReason;
  /** A sentence for the user, e.g. `invalid UTF-8 at line 3 (byte 118)`. */
  message: string;
}

/**
 * Where to look. A name limits the lint to regions between `<!-- jada:scope NAME -->` and
 * `<!-- /jada:scope NAME -->`; `#id` limits it to the element with that id.
 */
export type LintScope = string;

/** Options of {@link lintHtml}. */
export interface LintHtmlOptions {
  /** Shown in findings; defaults to `"<input>"`. */
  file?: string;
  /** Limit the lint to a marked region or an element (see {@link LintScope}). */
  scope?: LintScope;
}

/** What {@link lintHtml} found in one document. */
export interface HtmlLintResult {
  findings: LintFinding[];
  /** Whether the scope (if one was given) occurs in this document. */
  scopeFound: boolean;
}

/** One in-place replacement in a document, by UTF-16 offsets. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** Result of {@link fixHtml} on one document. */
export interface HtmlFixResult {
  /** The fixed document (identical to the input when nothing was fixed or the fix was refused). */
  output: string;
  /** How many `brace/unrendered-in-script` occurrences were rewritten. */
  fixed: number;
  /**
   * Set when the fix was refused because a script it changed would still not parse; the
   * document is then left exactly as it was.
   */
  refused?: { line: number; column: number; message: string };
  scopeFound: boolean;
}

/** Options of {@link lintPaths}. */
export interface LintPathsOptions {
  /** File extensions to lint inside directories, with or without the dot. Default `html`, `htm`. */
  extensions?: readonly string[];
  /** Limit the lint to a marked region or an element; see {@link LintScope}. */
  scope?: LintScope;
  /** Rewrite `brace/unrendered-in-script` occurrences inside the scope (requires `scope`). */
  fix?: boolean;
  /** With `fix`: compute the fix and its diff, write nothing. */
  dryRun?: boolean;
  /** Directory that relative paths in diffs are shown against. Default `process.cwd()`. */
  cwd?: string;
  /** Called after each file is linted, for progress displays. */
  onFile?: (file: string, index: number, total: number) => void;
}

/** One file changed (or that would be changed) by `fix`. */
export interface FixedFile {
  file: string;
  occurrences: number;
  /** Unified diff of the change (always computed; shown for dry runs). */
  diff: string;
}

/** A file whose fix was refused because a changed script would still not parse. */
export interface RefusedFix {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** The outcome of a lint run over files and directories. */
export interface LintRunResult {
  /** How many files were scanned (skipped files are not counted). */
  files: number;
  findings: LintFinding[];
  errorCount: number;
  warningCount: number;
  skipped: SkippedFile[];
  /** Present when `fix` was asked for. */
  fix?: {
    dryRun: boolean;
    occurrences: number;
    files: FixedFile[];
    refused: RefusedFix[];
  };
}
