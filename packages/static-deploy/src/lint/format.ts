import { isAbsolute, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { LintFinding, LintRunResult } from "../types.js";
import { LINT_RULES } from "./rules.js";

/** Output formats of the lint. */
export type LintFormat = "stylish" | "json" | "sarif";

/** The formats, for validating user input. */
export const LINT_FORMATS: readonly LintFormat[] = ["stylish", "json", "sarif"];

/** Options of {@link formatStylish}. */
export interface StylishOptions {
  /** Use ANSI colors (the CLI decides: a TTY, and no `NO_COLOR`). */
  color?: boolean;
}

const ansi = {
  bold: (text: string) => `\u001b[1m${text}\u001b[22m`,
  dim: (text: string) => `\u001b[2m${text}\u001b[22m`,
  red: (text: string) => `\u001b[31m${text}\u001b[39m`,
  yellow: (text: string) => `\u001b[33m${text}\u001b[39m`,
  underline: (text: string) => `\u001b[4m${text}\u001b[24m`,
};
const plain = { bold: same, dim: same, red: same, yellow: same, underline: same };

function same(text: string): string {
  return text;
}

/**
 * Human-readable report in the style of ESLint's `stylish`: findings grouped by file, then a
 * summary line. Empty when there is nothing to report.
 */
export function formatStylish(result: LintRunResult, options: StylishOptions = {}): string {
  const style = options.color ? ansi : plain;
  const byFile = new Map<string, LintFinding[]>();
  for (const finding of result.findings) {
    const list = byFile.get(finding.file) ?? [];
    list.push(finding);
    byFile.set(finding.file, list);
  }
  const out: string[] = [];
  for (const [file, findings] of byFile) {
    out.push(style.underline(file));
    const rows = findings.map((f) => [`${f.line}:${f.column}`, f.severity, f.message, f.ruleId]);
    const widths = [0, 1, 2].map((column) =>
      Math.max(...rows.map((row) => (row[column] as string).length)),
    );
    for (const [position, severity, message, ruleId] of rows as string[][]) {
      const level =
        severity === "error"
          ? style.red(pad(severity as string, widths[1]))
          : style.yellow(pad(severity as string, widths[1]));
      out.push(
        `  ${style.dim(pad(position as string, widths[0]))}  ${level}  ${pad(message as string, widths[2])}  ${style.dim(ruleId as string)}`,
      );
    }
    out.push("");
  }
  const problems = result.errorCount + result.warningCount;
  if (problems > 0) {
    const summary = `✖ ${plural(problems, "problem")} (${plural(result.errorCount, "error")}, ${plural(result.warningCount, "warning")})`;
    out.push(style.bold(result.errorCount > 0 ? style.red(summary) : style.yellow(summary)));
    out.push("");
  }
  return out.join("\n");
}

/**
 * Machine-readable report: `{ files, findings, errorCount, warningCount, skipped, fix? }`,
 * `files` being the number of files scanned.
 */
export function formatJson(result: LintRunResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

/** Options of {@link formatSarif}. */
export interface SarifOptions {
  /** Paths are made relative to this directory (`%SRCROOT%`). Default `process.cwd()`. */
  cwd?: string;
  /** The version of the tool, shown by SARIF viewers. */
  toolVersion?: string;
}

/**
 * SARIF 2.1.0, as GitHub code scanning and other viewers read it. Skipped files are reported as
 * tool notifications, so nothing is lost in that format either.
 */
export function formatSarif(result: LintRunResult, options: SarifOptions = {}): string {
  const cwd = resolve(options.cwd ?? process.cwd());
  const ruleIndex = new Map(LINT_RULES.map((rule, index) => [rule.id, index]));
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "jada-lint",
            ...(options.toolVersion ? { version: options.toolVersion } : {}),
            rules: LINT_RULES.map((rule) => ({
              id: rule.id,
              shortDescription: { text: rule.summary },
              fullDescription: { text: rule.description },
              defaultConfiguration: { level: rule.severity },
            })),
          },
        },
        originalUriBaseIds: { "%SRCROOT%": { uri: pathToFileURL(`${cwd}${sep}`).href } },
        columnKind: "utf16CodeUnits",
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: result.skipped.map((skipped) => ({
              level: skipped.reason === "unreadable" ? "error" : "warning",
              message: { text: `skipped: ${skipped.message}` },
              locations: [
                { physicalLocation: { artifactLocation: artifactLocation(skipped.file, cwd) } },
              ],
            })),
          },
        ],
        results: result.findings.map((finding) => ({
          ruleId: finding.ruleId,
          ruleIndex: ruleIndex.get(finding.ruleId) ?? 0,
          level: finding.severity,
          message: { text: finding.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: artifactLocation(finding.file, cwd),
                region: {
                  startLine: finding.line,
                  startColumn: finding.column,
                  endLine: finding.endLine,
                  endColumn: finding.endColumn,
                  snippet: { text: finding.snippet },
                },
              },
            },
          ],
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function artifactLocation(file: string, cwd: string): { uri: string; uriBaseId?: string } {
  const absolute = resolve(cwd, file);
  const inside = relative(cwd, absolute);
  if (inside !== "" && !inside.startsWith("..") && !isAbsolute(inside)) {
    return { uri: inside.split(sep).map(encodeURIComponent).join("/"), uriBaseId: "%SRCROOT%" };
  }
  return { uri: pathToFileURL(absolute).href };
}

function pad(text: string, width: number | undefined): string {
  return text.padEnd(width ?? 0);
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}
