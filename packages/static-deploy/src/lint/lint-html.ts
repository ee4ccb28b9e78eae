import type {
  HtmlLintResult,
  LintFinding,
  LintHtmlOptions,
  LintRuleId,
  TextEdit,
} from "../types.js";
import { type BraceMatch, findBracePairs, findScriptBraces } from "./braces.js";
import { type Range, type ScannedHtml, type ScriptBlock, scanHtml } from "./html-scan.js";
import { scanJsRegions } from "./js-regions.js";
import { checkJsonSyntax } from "./json-syntax.js";
import { LineIndex } from "./line-index.js";
import { severityOf } from "./rules.js";
import { checkScriptSyntax } from "./script-syntax.js";

/** A finding by document offsets, before positions are computed; `fix` is its rewrite. */
export interface RawFinding {
  ruleId: LintRuleId;
  start: number;
  end: number;
  message: string;
  fix?: TextEdit;
  /** The script the finding is in, so a fix can re-parse exactly what it changed. */
  script?: ScriptBlock;
}

/** Everything the lint knows of one document: used by {@link lintHtml} and the fixer. */
export interface HtmlAnalysis {
  source: string;
  findings: RawFinding[];
  scanned: ScannedHtml | undefined;
  scopeFound: boolean;
}

/**
 * Lints one HTML document for template braces and broken inline scripts.
 *
 * @example
 * ```ts
 * const { findings } = lintHtml('<script>var data = {{ json }};</script>', { file: "index.html" });
 * findings[0]; // { ruleId: "brace/unrendered-in-script", line: 1, column: 19, ... }
 * ```
 */
export function lintHtml(source: string, options: LintHtmlOptions = {}): HtmlLintResult {
  const analysis = analyzeHtml(source, options.scope);
  return {
    findings: toFindings(analysis, options.file ?? "<input>"),
    scopeFound: analysis.scopeFound,
  };
}

/**
 * Finds the raw findings of a document, limited to a scope when one is given.
 * @internal
 */
export function analyzeHtml(source: string, scope?: string): HtmlAnalysis {
  const hasBraces = source.includes("{{");
  // Most pages of a site have neither: they cost one or two scans of memory, no tokenizing.
  if (scope === undefined && !hasBraces && !/<script/i.test(source)) {
    return { source, findings: [], scanned: undefined, scopeFound: false };
  }
  const scanned = scanHtml(source, { collectMarkup: hasBraces, scope });
  const scopeFound = scanned.scopeRanges.length > 0;
  if (scope !== undefined && !scopeFound) return { source, findings: [], scanned, scopeFound };

  const inScope = (start: number, end: number): boolean =>
    scope === undefined ||
    scanned.scopeRanges.some((range) => start >= range.start && end <= range.end);

  const findings: RawFinding[] = [];
  for (const script of scanned.scripts) {
    if (!inScope(script.contentStart, script.contentStart)) continue;
    lintScript(source, script, findings);
  }
  for (const text of scanned.texts) lintMarkup(source, text, "text", findings);
  for (const tag of scanned.tags) lintMarkup(source, tag, "attribute value", findings);

  const kept = scope === undefined ? findings : findings.filter((f) => inScope(f.start, f.end));
  kept.sort((a, b) => a.start - b.start || a.end - b.end);
  return { source, findings: kept, scanned, scopeFound };
}

/** Turns raw findings into the public, positioned form. */
export function toFindings(analysis: HtmlAnalysis, file: string): LintFinding[] {
  if (analysis.findings.length === 0) return [];
  const lines = new LineIndex(analysis.source);
  return analysis.findings.map((raw) => {
    const start = lines.position(raw.start);
    const end = lines.position(raw.end);
    return {
      file,
      line: start.line,
      column: start.column,
      endLine: end.line,
      endColumn: end.column,
      ruleId: raw.ruleId,
      severity: severityOf(raw.ruleId),
      message: raw.message,
      snippet: lines.snippet(start),
    };
  });
}

function lintScript(source: string, script: ScriptBlock, findings: RawFinding[]): void {
  if (script.kind === "inert" || script.contentEnd <= script.contentStart) return;
  const content = source.slice(script.contentStart, script.contentEnd);
  const base = script.contentStart;

  if (script.kind === "json") {
    if (content.trim() === "") return;
    const error = checkJsonSyntax(content);
    if (error !== undefined) {
      const message = `${script.type ?? "JSON"} script is not valid JSON: ${error.message}`;
      findings.push(syntaxFinding("json/parse-error", script, error.offset, message));
    }
    return;
  }

  const syntaxError = checkScriptSyntax(content, script.kind);
  if (syntaxError !== undefined) {
    const message = `Inline ${script.kind === "module" ? "module " : ""}script does not parse: ${syntaxError.message}`;
    findings.push(syntaxFinding("script/parse-error", script, syntaxError.offset, message));
  }

  if (!content.includes("{{")) return;
  const regions = scanJsRegions(content, script.kind === "classic");
  const braces = findScriptBraces(content, regions);
  for (const match of braces.code) {
    findings.push({
      ruleId: "brace/unrendered-in-script",
      start: base + match.start,
      end: base + match.end,
      message: codeBraceMessage(match, quote(source, base + match.start, base + match.end)),
      fix: { start: base + match.start, end: base + match.end, text: codeBraceFix(match) },
      script,
    });
  }
  for (const match of braces.strings) {
    findings.push({
      ruleId: "brace/in-script-string",
      start: base + match.start,
      end: base + match.end,
      message: `Template expression ${quote(source, base + match.start, base + match.end)} inside a string: an unrendered placeholder?`,
      script,
    });
  }
}

// A parser's complaint, one character wide, at an offset of the script's content.
function syntaxFinding(
  ruleId: LintRuleId,
  script: ScriptBlock,
  offset: number,
  message: string,
): RawFinding {
  const start = script.contentStart + offset;
  return { ruleId, start, end: Math.min(start + 1, script.contentEnd), message, script };
}

function lintMarkup(source: string, range: Range, where: string, findings: RawFinding[]): void {
  for (const match of findBracePairs(source, range.start, range.end)) {
    findings.push({
      ruleId: "brace/unrendered-in-markup",
      start: match.start,
      end: match.end,
      message: `Unrendered template expression ${quote(source, match.start, match.end)} in ${where}, visible to users`,
    });
  }
}

function codeBraceMessage(match: BraceMatch, quoted: string): string {
  switch (match.kind) {
    case "pair":
      return `Unrendered template expression ${quoted} in script code`;
    case "open":
      return "`{{` in script code: an unrendered template or a doubled brace";
    case "close":
      return "`}}` in script code that has doubled `{{`: a doubled brace";
  }
}

// `{{ expr }}` becomes `{expr}`; a lone doubled brace becomes a single one.
function codeBraceFix(match: BraceMatch): string {
  switch (match.kind) {
    case "pair":
      return `{${match.inner.trim()}}`;
    case "open":
      return "{";
    case "close":
      return "}";
  }
}

function quote(source: string, start: number, end: number): string {
  const oneLine = source.slice(start, end).replace(/\s+/g, " ");
  return `\`${oneLine.length > 60 ? `${oneLine.slice(0, 57)}…` : oneLine}\``;
}
