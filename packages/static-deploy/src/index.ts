/**
 * `@jada/static-deploy`: static sites on S3 + CloudFront, safely.
 *
 * - the template-brace lint: template syntax that was never rendered (`{{ … }}`) and inline
 *   scripts that do not parse, found before a deploy ships them;
 * - deploys: content-hash sync to S3, exact CloudFront invalidations, atomic releases with
 *   one-call rollback, and a gated promote from staging to production.
 *
 * The AWS adapters of the `ObjectStore` and `Cdn` ports are in `@jada/static-deploy/aws`.
 *
 * @packageDocumentation
 */

export { writeFileAtomic } from "./atomic-write.js";
export { collect, mapConcurrent } from "./concurrency.js";
export { type ApplyOptions, applyPlan, type DeployProgress } from "./deploy/apply.js";
export {
  type CacheRule,
  cacheControlResolver,
  defaultCacheControl,
  IMMUTABLE,
  REVALIDATE,
  SHORT,
} from "./deploy/cache-control.js";
export { contentTypeFor } from "./deploy/content-type.js";
export {
  type DeployResult,
  type DeploySiteOptions,
  type DeployTarget,
  deploySite,
} from "./deploy/deploy.js";
export {
  type InvalidateOptions,
  invalidate,
  invalidationPaths,
  MAX_INVALIDATION_PATHS,
} from "./deploy/invalidation.js";
export {
  type DeployPlan,
  type PlannedCopy,
  type PlannedUpload,
  type PlanOptions,
  planDeploy,
} from "./deploy/plan.js";
export {
  type PromoteOptions,
  type PromoteResult,
  type PromoteStage,
  promoteSite,
} from "./deploy/promote.js";
export {
  listReleases,
  newReleaseId,
  normalizePrefix,
  type ReleaseRecord,
  type RollbackOptions,
  type RollbackResult,
  releaseIdOf,
  releaseOriginPath,
  releasePrefix,
  rollback,
} from "./deploy/releases.js";
export { md5Of, readSiteFiles, type SiteFile } from "./deploy/site-files.js";
export {
  type ListSiteReleasesOptions,
  listSiteReleases,
  type RollbackSiteOptions,
  type RollbackSiteResult,
  rollbackSite,
  type SiteReleases,
} from "./deploy/site-releases.js";
export { pageUrl, type SmokeCheckOptions, type SmokeFailure, smokeCheck } from "./deploy/smoke.js";
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
  Cdn,
  FixedFile,
  HtmlFixResult,
  HtmlLintResult,
  InvalidationStatus,
  LintFinding,
  LintHtmlOptions,
  LintPathsOptions,
  LintRuleId,
  LintRunResult,
  LintScope,
  ObjectMetadata,
  ObjectStore,
  OriginPathState,
  RefusedFix,
  RemoteObject,
  RemoteObjectDetails,
  Severity,
  SkippedFile,
  SkipReason,
  TextEdit,
} from "./types.js";
