/**
 * `@jada/static-deploy/appsscript`: Apps Script projects deployed as a site is: lint first
 * (`.gs` parses, the manifest is what Apps Script requires), upload only a change, one version,
 * the one pinned deployment pointed at it, the content read back and compared; rollback and the
 * list of versions. The API port takes an access-token provider: the caller brings the token.
 *
 * @example
 * ```ts
 * const api = createAppsScriptApi({ getAccessToken: () => manager.getAccessToken(account) });
 * const result = await deployAppsScript({ api, scriptId, deploymentId, dir: "booking-automation" });
 * ```
 *
 * @packageDocumentation
 */
export {
  APPS_SCRIPT_SCOPES,
  type AppsScriptApi,
  type AppsScriptApiOptions,
  createAppsScriptApi,
  type ScriptVersion,
} from "./api.js";
export {
  type AppsScriptDeployResult,
  type AppsScriptTarget,
  appsScriptReleases,
  deployAppsScript,
  describeFindings,
  rollbackAppsScript,
} from "./deploy.js";
export {
  diffScriptProject,
  hashScriptProject,
  lintScriptProject,
  readScriptProject,
  type ScriptDiff,
  type ScriptFile,
  type ScriptFinding,
} from "./project.js";
