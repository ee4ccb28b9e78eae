// Deploying an Apps Script project the way a person should but rarely does by hand: lint first,
// upload only when something changed, one new version, the one pinned deployment pointed at it
// (never a new deployment: Apps Script caps them at 20), and the live content read back and
// compared by hash. A rollback points the deployment at the version before.
import { StaticDeployError } from "../errors.js";
import type { AppsScriptApi, ScriptVersion } from "./api.js";
import {
  diffScriptProject,
  hashScriptProject,
  lintScriptProject,
  readScriptProject,
  type ScriptDiff,
  type ScriptFinding,
} from "./project.js";

/** Where the project is, and where it goes. */
export interface AppsScriptTarget {
  api: AppsScriptApi;
  scriptId: string;
  /** The deployment that serves the project (the web app's URL stays the same). */
  deploymentId: string;
}

/** What a deploy did (or, with `dryRun`, would do). */
export interface AppsScriptDeployResult {
  scriptId: string;
  deploymentId: string;
  dryRun: boolean;
  /** True when the live content already equals the local one: no upload, no version. */
  unchanged: boolean;
  diff: ScriptDiff;
  /** The version the deployment serves now (before, on a dry run or unchanged). */
  versionNumber: number | undefined;
  previousVersion: number | undefined;
  /** The content's hash, as read back after the upload. */
  hash: string;
}

/**
 * Lints and deploys the project in `dir`.
 *
 * @throws {StaticDeployError} `GATE_FAILED` when the lint finds problems (nothing is sent),
 *   `CONFLICT` when the content read back differs from what was uploaded, and the API's codes.
 */
export async function deployAppsScript(
  target: AppsScriptTarget & {
    dir: string;
    dryRun?: boolean | undefined;
    description?: string | undefined;
  },
): Promise<AppsScriptDeployResult> {
  const { api, scriptId, deploymentId } = target;
  const files = await readScriptProject(target.dir);
  const findings = lintScriptProject(files);
  if (findings.length > 0)
    throw new StaticDeployError(
      "GATE_FAILED",
      `the Apps Script sources in ${target.dir} have problems; nothing was uploaded:\n${describeFindings(findings)}`,
    );
  const [live, previousVersion] = await Promise.all([
    api.getContent(scriptId),
    api.deploymentVersion(scriptId, deploymentId),
  ]);
  const diff = diffScriptProject(files, live);
  const hash = hashScriptProject(files);
  const unchanged = hashScriptProject(live) === hash;
  // An unchanged project whose deployment already serves a version makes no version.
  if (target.dryRun || (unchanged && previousVersion !== undefined))
    return {
      scriptId,
      deploymentId,
      dryRun: target.dryRun === true,
      unchanged,
      diff,
      versionNumber: previousVersion,
      previousVersion,
      hash,
    };
  if (!unchanged) await api.updateContent(scriptId, files);
  const readBack = hashScriptProject(await api.getContent(scriptId));
  if (readBack !== hash)
    throw new StaticDeployError(
      "CONFLICT",
      `script ${scriptId}: the content read back differs from what was uploaded (someone else pushed at the same time?); the deployment still serves version ${previousVersion ?? "HEAD"}`,
    );
  const description = target.description ?? `jada deploy ${new Date().toISOString()}`;
  const version = await api.createVersion(scriptId, description);
  await api.pointDeployment(scriptId, deploymentId, version.versionNumber, description);
  return {
    scriptId,
    deploymentId,
    dryRun: false,
    unchanged: false,
    diff,
    versionNumber: version.versionNumber,
    previousVersion,
    hash: readBack,
  };
}

/**
 * Points the deployment at the version before the one it serves (or at `to`).
 *
 * @throws {StaticDeployError} `NO_RELEASE` when there is no earlier version (or `to` is none).
 */
export async function rollbackAppsScript(
  target: AppsScriptTarget & { to?: number | undefined },
): Promise<{ from: number | undefined; to: number }> {
  const { api, scriptId, deploymentId } = target;
  const [current, versions] = await Promise.all([
    api.deploymentVersion(scriptId, deploymentId),
    api.listVersions(scriptId),
  ]);
  const destination =
    target.to !== undefined
      ? versions.find((version) => version.versionNumber === target.to)
      : versions.find((version) => current !== undefined && version.versionNumber < current);
  if (destination === undefined)
    throw new StaticDeployError(
      "NO_RELEASE",
      target.to !== undefined
        ? `script ${scriptId} has no version ${target.to} (versions: ${versions.map((v) => v.versionNumber).join(", ") || "none"})`
        : `script ${scriptId} has no version before ${current ?? "HEAD"} to roll back to`,
    );
  await api.pointDeployment(
    scriptId,
    deploymentId,
    destination.versionNumber,
    `jada rollback to version ${destination.versionNumber}`,
  );
  return { from: current, to: destination.versionNumber };
}

/** The project's versions, newest first, the one the deployment serves marked. */
export async function appsScriptReleases(
  target: AppsScriptTarget,
): Promise<Array<ScriptVersion & { live: boolean }>> {
  const [current, versions] = await Promise.all([
    target.api.deploymentVersion(target.scriptId, target.deploymentId),
    target.api.listVersions(target.scriptId),
  ]);
  return versions.map((version) => ({ ...version, live: version.versionNumber === current }));
}

/** Findings as `file:line:col message` lines. */
export function describeFindings(findings: readonly ScriptFinding[]): string {
  return findings
    .map(
      (finding) =>
        `  ${finding.file}${finding.line ? `:${finding.line}${finding.column ? `:${finding.column}` : ""}` : ""} ${finding.message}`,
    )
    .join("\n");
}
