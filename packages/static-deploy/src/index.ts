/**
 * `@jada/static-deploy`: static sites on S3 + CloudFront, safely.
 *
 * This release holds the template-brace lint: it finds template syntax that was never
 * rendered (`{{ … }}`) and inline scripts that do not parse, before a deploy ships them.
 *
 * @packageDocumentation
 */

export { writeFileAtomic } from "./atomic-write.js";
export { isStaticDeployError, StaticDeployError, type StaticDeployErrorCode } from "./errors.js";
export { DEFAULT_EXTENSIONS } from "./lint/collect-files.js";
export { applyEdits, fixHtml } from "./lint/fix-html.js";
export {
  formatJson,
  formatSarif,
  formatStylish,
  LINT_FORMATS,
  type LintFormat,
  type SarifOptions,
  type StylishOptions,
} from "./lint/format.js";
export { lintHtml } from "./lint/lint-html.js";
export { lintPaths } from "./lint/lint-paths.js";
export { LINT_RULES, type LintRule } from "./lint/rules.js";
export type {
  FixedFile,
  HtmlFixResult,
  HtmlLintResult,
  LintFinding,
  LintHtmlOptions,
  LintPathsOptions,
  LintRuleId,
  LintRunResult,
  LintScope,
  RefusedFix,
  Severity,
  SkippedFile,
  SkipReason,
  TextEdit,
} from "./types.js";
