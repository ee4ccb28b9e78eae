import { collect, mapConcurrent } from "../concurrency.js";
import { StaticDeployError } from "../errors.js";
import type { Cdn, ObjectStore, RemoteObject } from "../types.js";
import { applyPlan, type DeployProgress } from "./apply.js";
import { type CacheRule, cacheControlResolver } from "./cache-control.js";
import { contentTypeFor } from "./content-type.js";
import { invalidate, invalidationPaths } from "./invalidation.js";
import {
  buildManifest,
  MANIFEST_PATH,
  type Manifest,
  readManifest,
  sameManifest,
} from "./manifest.js";
import { type DeployPlan, planDeploy } from "./plan.js";
import {
  newReleaseId,
  normalizePrefix,
  type ReleaseRecord,
  releaseIdOf,
  releaseOriginPath,
  releasePrefix,
  writeRecord,
} from "./releases.js";
import { readSiteFiles } from "./site-files.js";

/** Where a stage of a site is served from. */
export interface DeployTarget {
  /** The bucket (for messages; the store is already bound to it). */
  bucket: string;
  /** Key prefix in the bucket (`""` for the whole bucket). */
  prefix?: string | undefined;
  /** CloudFront distribution in front of it. Required in atomic mode. */
  distributionId?: string | undefined;
}

/** Options of {@link deploySite}. */
export interface DeploySiteOptions {
  /** Site name (for records and messages). */
  site: string;
  /** Stage name (`staging`, `production`). */
  stage: string;
  /** Local directory with the built site. */
  dir: string;
  /** `sync`: objects changed in place. `atomic`: a new release prefix, then one origin switch. */
  mode: "sync" | "atomic";
  target: DeployTarget;
  store: ObjectStore;
  cdn?: Cdn | undefined;
  cacheRules?: readonly CacheRule[] | undefined;
  /** Sync mode: delete remote files that are not in the site (after all uploads). */
  delete?: boolean | undefined;
  /** Compute and return the plan; change nothing. */
  dryRun?: boolean | undefined;
  /**
   * Sync mode: check every object's metadata with a HEAD instead of trusting the manifest of the
   * last deploy (which cannot see a change made within the same second as that deploy).
   */
  verify?: boolean | undefined;
  /** Parallel requests (default 16). */
  concurrency?: number | undefined;
  /** More changed paths than this are invalidated as `/*` (default 100). */
  maxInvalidationPaths?: number | undefined;
  /** Wait for the invalidation to complete (default true). */
  waitForInvalidation?: boolean | undefined;
  invalidationTimeoutMs?: number | undefined;
  /** The git commit being deployed, for the release record. */
  commit?: string | undefined;
  /** Clock (tests). */
  now?: (() => Date) | undefined;
  /** Injected sleep for invalidation polling (tests). */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  onProgress?: ((progress: DeployProgress) => void) | undefined;
}

/** What a deploy did (or, with `dryRun`, would do). */
export interface DeployResult {
  site: string;
  stage: string;
  mode: "sync" | "atomic";
  release: string;
  dryRun: boolean;
  uploaded: string[];
  copied: string[];
  deleted: string[];
  /** Remote files not in the site, kept because `delete` was not asked for. */
  extraneous: string[];
  unchanged: number;
  /** Bytes uploaded. */
  bytes: number;
  invalidation: { id: string; status: string; paths: string[] } | null;
  /** Atomic mode: the origin path now served, and the release it replaced. */
  originPath?: string | undefined;
  previousRelease?: string | undefined;
  /** Nothing differed from what is live: nothing was written, and `release` is the live one. */
  upToDate?: boolean | undefined;
}

/**
 * Deploys a site directory to one target: plans by content hash, uploads what changed, fixes
 * metadata drift with server-side copies, deletes (only when asked, and only after every
 * upload), invalidates exactly what changed, and keeps a release record.
 *
 * In atomic mode the release is built under `releases/<id>/` (unchanged files copied from the
 * previous release, server-side), then the distribution's origin path is switched in one
 * `UpdateDistribution` with `If-Match`: visitors see nothing change until that instant.
 *
 * @example
 * ```ts
 * const result = await deploySite({
 *   site: "sailjada", stage: "staging", dir: "dist", mode: "atomic",
 *   target: { bucket: "sailjada-site", distributionId: "E2ABC" },
 *   store: createS3ObjectStore(s3, "sailjada-site"), cdn: createCloudFrontCdn(cloudfront),
 * });
 * ```
 */
export async function deploySite(options: DeploySiteOptions): Promise<DeployResult> {
  const prefix = normalizePrefix(options.target.prefix);
  const now = options.now ?? (() => new Date());
  const concurrency = options.concurrency ?? 16;
  const release = newReleaseId(now(), options.commit);
  const files = await readSiteFiles(options.dir);
  const cacheControl = cacheControlResolver(options.cacheRules);
  const { distributionId } = options.target;

  let plan: DeployPlan;
  let writePrefix: string;
  let previousRelease: string | undefined;
  let previousObjects: RemoteObject[] = [];
  let originVersion: string | undefined;
  let manifest: Manifest | undefined;
  let remote: RemoteObject[] = [];
  let removed: string[] = [];

  if (options.mode === "atomic") {
    if (options.cdn === undefined || distributionId === undefined) {
      throw new StaticDeployError(
        "INVALID_OPTION",
        `site ${options.site}: atomic mode needs a CloudFront distribution for ${options.stage}`,
      );
    }
    const current = await options.cdn.getOriginPath(distributionId);
    originVersion = current.version;
    previousRelease = releaseIdOf(current.originPath, prefix);
    if (previousRelease !== undefined)
      previousObjects = await collect(options.store.list(releasePrefix(prefix, previousRelease)));
    writePrefix = releasePrefix(prefix, release);
    plan = await planDeploy({
      files,
      store: options.store,
      remote: previousObjects,
      remotePrefix:
        previousRelease === undefined ? writePrefix : releasePrefix(prefix, previousRelease),
      mode: "release",
      cacheControl,
      deleteExtraneous: false,
      concurrency,
    });
    const local = new Set(files.map((file) => file.path));
    const previousPrefix =
      previousRelease === undefined ? "" : releasePrefix(prefix, previousRelease);
    removed = previousObjects
      .map((object) => object.key.slice(previousPrefix.length))
      .filter((path) => !local.has(path));
  } else {
    writePrefix = prefix;
    manifest = await readManifest(options.store, prefix);
    remote = await collect(options.store.list(prefix));
    plan = await planDeploy({
      files,
      store: options.store,
      remote,
      remotePrefix: prefix,
      mode: "sync",
      cacheControl,
      deleteExtraneous: options.delete ?? false,
      concurrency,
      // Release records, and in a shared bucket atomic releases, are not part of the site.
      isReserved: (path) => path.startsWith(".jada/"),
      manifest: options.verify ? undefined : manifest,
    });
  }

  const result: DeployResult = {
    site: options.site,
    stage: options.stage,
    mode: options.mode,
    release,
    dryRun: options.dryRun ?? false,
    uploaded: plan.uploads.map((upload) => upload.path),
    copied: plan.copies.map((copy) => copy.path),
    deleted: plan.deletes,
    extraneous: plan.extraneous,
    unchanged: plan.unchanged.length,
    bytes: plan.uploads.reduce((sum, upload) => sum + upload.size, 0),
    invalidation: null,
    previousRelease,
  };
  // Nothing differs from what is live: no new release, no record, no invalidation, no PUT.
  const nothingChanged =
    plan.uploads.length === 0 &&
    plan.deletes.length === 0 &&
    (options.mode === "atomic"
      ? previousRelease !== undefined && removed.length === 0
      : plan.copies.length === 0);
  if (nothingChanged) {
    const live = options.mode === "atomic" ? previousRelease : manifest?.release;
    Object.assign(result, {
      upToDate: true,
      copied: [],
      unchanged: files.length,
      release: live ?? release,
    });
    if (options.mode === "sync" && !options.dryRun) await refreshManifest();
    return result;
  }
  if (options.dryRun) return result;

  await applyPlan(plan, {
    store: options.store,
    prefix: writePrefix,
    concurrency,
    onProgress: options.onProgress,
  });

  // What visitors may have cached that is now different.
  let changed: string[];
  if (options.mode === "atomic") {
    const cdn = options.cdn as Cdn;
    const originPath = releaseOriginPath(prefix, release);
    await cdn.setOriginPath(distributionId as string, originPath, originVersion as string);
    result.originPath = originPath;
    changed = [...result.uploaded, ...removed];
  } else {
    changed = [...result.uploaded, ...plan.copies.map((copy) => copy.path), ...result.deleted];
    await refreshManifest();
  }

  if (options.cdn !== undefined && distributionId !== undefined && changed.length > 0) {
    const paths = invalidationPaths(changed, options.maxInvalidationPaths ?? 100);
    const status = await invalidate({
      cdn: options.cdn,
      distributionId,
      paths,
      callerReference: `jada-${options.site}-${options.stage}-${release}`,
      wait: options.waitForInvalidation ?? true,
      timeoutMs: options.invalidationTimeoutMs,
      sleep: options.sleep,
    });
    result.invalidation = { id: status.id, status: status.status, paths };
  }

  const record: ReleaseRecord = {
    id: release,
    site: options.site,
    stage: options.stage,
    mode: options.mode,
    createdAt: now().toISOString(),
    commit: options.commit,
    files: files.length,
    bytes: files.reduce((sum, file) => sum + file.size, 0),
    uploaded: result.uploaded.length,
    copied: result.copied.length,
    deleted: result.deleted.length,
    invalidationId: result.invalidation?.id,
    originPath: result.originPath,
    previous: previousRelease,
  };
  await writeRecord(options.store, prefix, record);
  return result;

  // Sync mode: record what the bucket now holds, so the next deploy needs no HEAD per file.
  // Written only when it differs from the manifest read at the start.
  async function refreshManifest(): Promise<void> {
    const md5ByPath = new Map(files.map((file) => [file.path, file.md5]));
    const metadataByPath = new Map(
      [...plan.uploads, ...plan.copies].map((step) => [step.path, step.metadata] as const),
    );
    for (const path of plan.unchanged) {
      metadataByPath.set(path, {
        contentType: contentTypeFor(path),
        cacheControl: cacheControl(path),
        md5: md5ByPath.get(path) ?? "",
      });
    }
    // Unchanged objects are as the first listing saw them; written ones need a fresh look:
    // a HEAD each when they are few, one listing when they are many.
    const written = [...plan.uploads, ...plan.copies].map((step) => step.path);
    const writtenSet = new Set(written);
    let listing = remote.filter((object) => !writtenSet.has(object.key.slice(prefix.length)));
    if (written.length > 64) {
      listing = await collect(options.store.list(prefix));
    } else {
      const fresh = await mapConcurrent(written, concurrency, async (path) => {
        const details = await options.store.head(prefix + path);
        return {
          key: prefix + path,
          size: 0,
          etag: details?.etag ?? "",
          lastModified: details?.lastModified,
        };
      });
      listing = [...listing, ...fresh];
    }
    const next = buildManifest(result.release, listing, prefix, metadataByPath);
    if (manifest?.release !== undefined && sameManifest(manifest, next)) return;
    await options.store.putText(
      prefix + MANIFEST_PATH,
      `${JSON.stringify(next)}\n`,
      "application/json",
    );
  }
}
