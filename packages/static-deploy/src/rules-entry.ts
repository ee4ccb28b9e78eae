/**
 * `@jada/static-deploy/rules`: the lint's rules and output formats alone, for a CLI's help
 * text, without loading the linter.
 *
 * @packageDocumentation
 */
export { LINT_FORMATS, type LintFormat } from "./lint/format.js";
export { LINT_RULES, type LintRule } from "./lint/rules.js";
