// What a person asks of a site's releases: which one is live, and "go back", with what a
// rollback always needs (every path may differ between two releases: invalidate them all).

import type { Cdn, InvalidationStatus, ObjectStore } from "../types.js";
import { invalidate } from "./invalidation.js";
import {
  listReleases,
  type ReleaseRecord,
  type RollbackOptions,
  type RollbackResult,
  releaseIdOf,
  rollback,
} from "./releases.js";

/** Options of {@link listSiteReleases}. */
export interface ListSiteReleasesOptions {
  store: ObjectStore;
  prefix: string;
  stage: string;
  /** `atomic`: the live release is the one the distribution serves; `sync`: the newest. */
  mode: "atomic" | "sync";
  cdn?: Cdn | undefined;
  distributionId?: string | undefined;
}

/** A stage's releases, newest first, and the id of the one live now (when known). */
export interface SiteReleases {
  records: ReleaseRecord[];
  live: string | undefined;
}

/**
 * Lists a stage's releases and says which is live: in atomic mode the one the distribution's
 * origin path points at (asked of the CDN), in sync mode the newest record.
 */
export async function listSiteReleases(options: ListSiteReleasesOptions): Promise<SiteReleases> {
  const records = await listReleases(options.store, options.prefix, options.stage);
  if (options.mode === "atomic" && options.cdn && options.distributionId) {
    const origin = await options.cdn.getOriginPath(options.distributionId);
    return { records, live: releaseIdOf(origin.originPath, options.prefix) };
  }
  return { records, live: records[0]?.id };
}

/** Options of {@link rollbackSite}. */
export interface RollbackSiteOptions extends RollbackOptions {
  /** Site name, for the invalidation's caller reference. */
  site: string;
  /** Wait for the invalidation to complete (default true), at most `invalidationTimeoutMs`. */
  waitForInvalidation?: boolean | undefined;
  invalidationTimeoutMs?: number | undefined;
  now?: (() => number) | undefined;
}

/** What {@link rollbackSite} did: the switch, and the invalidation of every path. */
export interface RollbackSiteResult extends RollbackResult {
  invalidation: { id: string; status: InvalidationStatus["status"]; paths: string[] };
}

/**
 * Serves an earlier release again ({@link rollback}: one origin switch), then invalidates `/*`:
 * between two releases any path may differ, and a cached page of the newer one must not outlive
 * the switch.
 */
export async function rollbackSite(options: RollbackSiteOptions): Promise<RollbackSiteResult> {
  const now = options.now ?? Date.now;
  const switched = await rollback(options);
  const paths = ["/*"];
  const status = await invalidate({
    cdn: options.cdn,
    distributionId: options.distributionId,
    paths,
    callerReference: `jada-${options.site}-${options.stage}-rollback-${switched.to}-${now()}`,
    wait: options.waitForInvalidation ?? true,
    ...(options.invalidationTimeoutMs !== undefined
      ? { timeoutMs: options.invalidationTimeoutMs }
      : {}),
  });
  return { ...switched, invalidation: { id: status.id, status: status.status, paths } };
}
