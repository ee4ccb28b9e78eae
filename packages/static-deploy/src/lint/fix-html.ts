import { StaticDeployError } from "../errors.js";
import type { HtmlFixResult, TextEdit } from "../types.js";
import type { ScriptBlock } from "./html-scan.js";
import { LineIndex } from "./line-index.js";
import { analyzeHtml } from "./lint-html.js";
import { checkScriptSyntax } from "./script-syntax.js";

/**
 * Rewrites every `brace/unrendered-in-script` occurrence inside a scope: `{{ expr }}` becomes
 * `{expr}` and a lone doubled `{{` / `}}` becomes a single brace. Each script it changed is
 * parsed again; if one still would not parse, nothing is changed and `refused` says why.
 * Nothing outside the scope changes by a single byte.
 *
 * @throws {StaticDeployError} `FIX_NEEDS_SCOPE` when `scope` is empty: a fix is deliberately
 *   limited to a section someone has marked (for example, a booking widget).
 * @example
 * ```ts
 * const { output, fixed } = fixHtml(html, { scope: "booking" });
 * ```
 */
export function fixHtml(source: string, options: { scope: string }): HtmlFixResult {
  if (!options.scope) {
    throw new StaticDeployError("FIX_NEEDS_SCOPE", "a fix needs a scope (a marker name or #id)");
  }
  const analysis = analyzeHtml(source, options.scope);
  const editsByScript = new Map<ScriptBlock, TextEdit[]>();
  for (const finding of analysis.findings) {
    if (finding.fix === undefined || finding.script === undefined) continue;
    const edits = editsByScript.get(finding.script) ?? [];
    edits.push(finding.fix);
    editsByScript.set(finding.script, edits);
  }
  const unchanged: HtmlFixResult = { output: source, fixed: 0, scopeFound: analysis.scopeFound };
  if (editsByScript.size === 0) return unchanged;

  let fixed = 0;
  for (const [script, edits] of editsByScript) {
    const before = source.slice(script.contentStart, script.contentEnd);
    const relative = edits.map((edit) => ({
      ...edit,
      start: edit.start - script.contentStart,
      end: edit.end - script.contentStart,
    }));
    const after = applyEdits(before, relative);
    if (script.kind === "classic" || script.kind === "module") {
      const error = checkScriptSyntax(after, script.kind);
      if (error !== undefined) {
        const at = new LineIndex(source).position(script.contentStart);
        return {
          ...unchanged,
          refused: {
            ...at,
            message: `the script starting here would still not parse after the fix: ${error.message}`,
          },
        };
      }
    }
    fixed += edits.length;
  }
  const allEdits = [...editsByScript.values()].flat();
  return { output: applyEdits(source, allEdits), fixed, scopeFound: true };
}

/** Applies non-overlapping edits to a text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let output = "";
  let cursor = 0;
  for (const edit of sorted) {
    output += text.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
  }
  return output + text.slice(cursor);
}
