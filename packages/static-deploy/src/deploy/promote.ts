import { collect } from "../concurrency.js";
import { StaticDeployError } from "../errors.js";
import { lintPaths } from "../lint/lint-paths.js";
import type { Cdn, ObjectStore } from "../types.js";
import type { DeployProgress } from "./apply.js";
import type { CacheRule } from "./cache-control.js";
import {
  type DeployResult,
  type DeploySiteOptions,
  type DeployTarget,
  deploySite,
} from "./deploy.js";
import { invalidate, invalidationPaths } from "./invalidation.js";
import { normalizePrefix, releaseIdOf, releasePrefix, writeRecord } from "./releases.js";
import { readSiteFiles } from "./site-files.js";
import { smokeCheck } from "./smoke.js";

/** A stage of a site as promote sees it. */
export interface PromoteStage {
  target: DeployTarget;
  store: ObjectStore;
}

/** Options of {@link promoteSite}. */
export interface PromoteOptions {
  site: string;
  dir: string;
  mode: "sync" | "atomic";
  staging: PromoteStage & { url: string };
  production: PromoteStage;
  cdn?: Cdn | undefined;
  /** Limit the lint gate to a scope (see the lint's `scope`). */
  lintScope?: string | undefined;
  cacheRules?: readonly CacheRule[] | undefined;
  maxInvalidationPaths?: number | undefined;
  waitForInvalidation?: boolean | undefined;
  /** How long to wait for production's invalidation (default 15 minutes). */
  invalidationTimeoutMs?: number | undefined;
  /** Parallel S3 requests of a production deploy (default 16). */
  concurrency?: number | undefined;
  commit?: string | undefined;
  now?: (() => Date) | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
  fetch?: typeof fetch | undefined;
  onProgress?: ((progress: DeployProgress) => void) | undefined;
  /** Told before each gate and before production is touched. */
  onStep?: ((step: "lint" | "smoke" | "deploy", detail: string) => void) | undefined;
}

/** What a promote did: the production deploy, and the gates it passed. */
export interface PromoteResult extends DeployResult {
  gates: { lint: { files: number; warnings: number }; smoke: { pages: number; url: string } };
  /** Atomic mode, one bucket: production now serves the very release staging serves. */
  promotedRelease?: string | undefined;
}

/**
 * Promotes a site from staging to production behind two gates: the template-brace lint of the
 * local site (no errors), then a smoke check of the staging URL (every page 200, no unrendered
 * `{{`). A failed gate throws before production is touched. In atomic mode with staging and
 * production in one bucket, production is pointed at the very release staging serves,
 * uploading nothing; otherwise the site is deployed to production as usual.
 *
 * @throws {StaticDeployError} `GATE_FAILED` (with the reasons in the message; at the lint gate
 *   its `path` is the site that was linted).
 */
export async function promoteSite(options: PromoteOptions): Promise<PromoteResult> {
  const { site, dir, staging, production } = options;

  options.onStep?.("lint", dir);
  const lint = await lintPaths(
    [dir],
    options.lintScope === undefined ? {} : { scope: options.lintScope },
  );
  if (lint.errorCount > 0) {
    const first = lint.findings.filter((finding) => finding.severity === "error").slice(0, 5);
    throw new StaticDeployError(
      "GATE_FAILED",
      `promote of ${site} stopped at the lint gate: ${lint.errorCount} errors; production was not touched\n${first
        .map(
          (finding) =>
            `  ${finding.file}:${finding.line}:${finding.column} ${finding.ruleId}: ${finding.message}`,
        )
        .join("\n")}`,
      // The site linted: a caller names its own command for the whole report.
      { path: dir },
    );
  }

  const files = await readSiteFiles(dir);
  const pages = files.filter((file) => /\.html?$/i.test(file.path)).map((file) => file.path);
  options.onStep?.("smoke", staging.url);
  const failures = await smokeCheck({ baseUrl: staging.url, pages, fetch: options.fetch });
  if (failures.length > 0) {
    throw new StaticDeployError(
      "GATE_FAILED",
      `promote of ${site} stopped at the smoke check of ${staging.url}: ${failures.length} of ${pages.length} pages failed; production was not touched\n${failures
        .slice(0, 10)
        .map((failure) => `  ${failure.url}: ${failure.reason}`)
        .join("\n")}`,
    );
  }
  const gates = {
    lint: { files: lint.files, warnings: lint.warningCount },
    smoke: { pages: pages.length, url: staging.url },
  };

  options.onStep?.("deploy", "production");
  // Typed, so that a key deploySite does not take fails to compile rather than vanish.
  const common: Omit<DeploySiteOptions, "mode" | "target" | "store"> = {
    site,
    stage: "production",
    dir,
    cdn: options.cdn,
    cacheRules: options.cacheRules,
    maxInvalidationPaths: options.maxInvalidationPaths,
    waitForInvalidation: options.waitForInvalidation,
    invalidationTimeoutMs: options.invalidationTimeoutMs,
    concurrency: options.concurrency,
    commit: options.commit,
    now: options.now,
    sleep: options.sleep,
    onProgress: options.onProgress,
  };
  if (options.mode === "sync") {
    return {
      ...(await deploySite({
        ...common,
        mode: "sync",
        target: production.target,
        store: production.store,
      })),
      gates,
    };
  }

  const cdn = options.cdn;
  const stagingDistribution = staging.target.distributionId;
  const productionDistribution = production.target.distributionId;
  if (
    cdn === undefined ||
    stagingDistribution === undefined ||
    productionDistribution === undefined
  ) {
    throw new StaticDeployError(
      "INVALID_OPTION",
      `site ${site}: atomic promote needs a distribution for staging and for production`,
    );
  }
  const stagingPrefix = normalizePrefix(staging.target.prefix);
  const served = await cdn.getOriginPath(stagingDistribution);
  const release = releaseIdOf(served.originPath, stagingPrefix);
  if (release === undefined) {
    throw new StaticDeployError(
      "GATE_FAILED",
      `staging of ${site} serves no jada release (origin path "${served.originPath}"): deploy to staging first`,
    );
  }
  const stagedPrefix = releasePrefix(stagingPrefix, release);
  const stagedObjects = await collect(staging.store.list(stagedPrefix));
  const stagedByPath = new Map(
    stagedObjects.map((object) => [object.key.slice(stagedPrefix.length), object]),
  );

  const sameBucket =
    production.target.bucket === staging.target.bucket &&
    normalizePrefix(production.target.prefix) === stagingPrefix;
  if (!sameBucket) {
    // Deploy the local site, but only if it is exactly what staging serves.
    const differs = files.filter((file) => {
      const staged = stagedByPath.get(file.path);
      return staged === undefined || (staged.etag !== file.md5 && !staged.etag.includes("-"));
    });
    if (differs.length > 0 || stagedByPath.size !== files.length) {
      throw new StaticDeployError(
        "GATE_FAILED",
        `the local site differs from release ${release} that staging serves (${
          differs
            .slice(0, 3)
            .map((file) => file.path)
            .join(", ") || "file count"
        }): deploy to staging again first`,
      );
    }
    return {
      ...(await deploySite({
        ...common,
        mode: "atomic",
        target: production.target,
        store: production.store,
      })),
      gates,
    };
  }

  // One bucket: switch production to the staged release; upload nothing.
  const current = await cdn.getOriginPath(productionDistribution);
  const previous = releaseIdOf(current.originPath, stagingPrefix);
  const previousPrefix =
    previous === undefined ? undefined : releasePrefix(stagingPrefix, previous);
  const previousObjects =
    previousPrefix === undefined ? [] : await collect(production.store.list(previousPrefix));
  await cdn.setOriginPath(productionDistribution, served.originPath, current.version);

  let changed: string[];
  if (previousPrefix === undefined) changed = [...stagedByPath.keys()];
  else {
    const before = new Map(
      previousObjects.map((object) => [object.key.slice(previousPrefix.length), object.etag]),
    );
    changed = [...new Set([...before.keys(), ...stagedByPath.keys()])].filter(
      (path) => before.get(path) !== stagedByPath.get(path)?.etag,
    );
  }
  let invalidation: DeployResult["invalidation"] = null;
  if (changed.length > 0) {
    const paths = invalidationPaths(changed, options.maxInvalidationPaths ?? 100);
    const status = await invalidate({
      cdn,
      distributionId: productionDistribution,
      paths,
      callerReference: `jada-${site}-production-${release}-${Date.now()}`,
      wait: options.waitForInvalidation ?? true,
      timeoutMs: options.invalidationTimeoutMs,
      sleep: options.sleep,
    });
    invalidation = { id: status.id, status: status.status, paths };
  }
  const now = options.now ?? (() => new Date());
  await writeRecord(production.store, normalizePrefix(production.target.prefix), {
    id: release,
    site,
    stage: "production",
    mode: "atomic",
    createdAt: now().toISOString(),
    commit: options.commit,
    files: stagedObjects.length,
    bytes: stagedObjects.reduce((sum, object) => sum + object.size, 0),
    uploaded: 0,
    copied: 0,
    deleted: 0,
    invalidationId: invalidation?.id,
    originPath: served.originPath,
    previous,
    promotedFrom: "staging",
  });
  return {
    site,
    stage: "production",
    mode: "atomic",
    release,
    dryRun: false,
    uploaded: [],
    copied: [],
    deleted: [],
    extraneous: [],
    unchanged: stagedObjects.length,
    bytes: 0,
    invalidation,
    originPath: served.originPath,
    previousRelease: previous,
    gates,
    promotedRelease: release,
  };
}
