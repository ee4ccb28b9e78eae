import type { LintRuleId, Severity } from "../types.js";

/** What a rule checks, for `--help`, SARIF `rules[]` and documentation. */
export interface LintRule {
  id: LintRuleId;
  severity: Severity;
  /** One sentence. */
  summary: string;
  /** Why it matters and what to do. */
  description: string;
}

/** Every rule of the template-brace lint, in a stable order (SARIF `ruleIndex` follows it). */
export const LINT_RULES: readonly LintRule[] = [
  {
    id: "brace/unrendered-in-script",
    severity: "error",
    summary: "Template braces in executable script code.",
    description:
      "`{{ … }}` (or a doubled `{{`) outside strings and comments of a script the browser runs is " +
      "template syntax that was never rendered: the script is broken or does the wrong thing. " +
      "Render the template, or fix it with `jada lint --scope NAME --fix`.",
  },
  {
    id: "brace/in-script-string",
    severity: "warning",
    summary: "Template braces inside a string of an executable script.",
    description:
      "`{{ … }}` inside a string or template literal is often a placeholder that was never " +
      "rendered, and sometimes intentional client-side templating. Check it.",
  },
  {
    id: "brace/unrendered-in-markup",
    severity: "warning",
    summary: "Template braces in text or attribute values, visible to users.",
    description:
      "`{{ … }}` in a text node or an attribute value shows up on the page as is: the template " +
      "was not rendered.",
  },
  {
    id: "script/parse-error",
    severity: "error",
    summary: "An inline script does not parse.",
    description:
      "The browser will not run any of this script. The message and position are the parser's " +
      "(acorn, latest ECMAScript, `script` or `module` by the `type` attribute).",
  },
  {
    id: "json/parse-error",
    severity: "error",
    summary: "A JSON script (`application/ld+json`, `application/json`, import maps) is not JSON.",
    description:
      "Search engines ignore invalid structured data, and code that reads the block fails.",
  },
];

const severityById = new Map(LINT_RULES.map((rule) => [rule.id, rule.severity]));

/** The severity a rule reports with. */
export function severityOf(ruleId: LintRuleId): Severity {
  return severityById.get(ruleId) ?? "error";
}
