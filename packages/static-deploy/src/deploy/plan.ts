import { mapConcurrent } from "../concurrency.js";
import type { ObjectMetadata, ObjectStore, RemoteObject } from "../types.js";
import { contentTypeFor } from "./content-type.js";
import { knownEntry, type Manifest } from "./manifest.js";
import type { SiteFile } from "./site-files.js";

/** A file to upload, and why. */
export interface PlannedUpload {
  path: string;
  file: string;
  size: number;
  metadata: ObjectMetadata;
  reason: "new" | "changed";
}

/** A server-side copy: metadata drift in place, or an unchanged file carried into a new release. */
export interface PlannedCopy {
  path: string;
  /** Full key of the source object. */
  sourceKey: string;
  size: number;
  metadata: ObjectMetadata;
  reason: "metadata" | "previous-release";
}

/** What a deploy will do, computed before it does anything. */
export interface DeployPlan {
  uploads: PlannedUpload[];
  copies: PlannedCopy[];
  /** Remote paths (under the prefix) not in the site, deleted only when asked. */
  deletes: string[];
  /** Remote paths not in the site, kept because deletion was not asked for. */
  extraneous: string[];
  /** Paths whose content and metadata already match. */
  unchanged: string[];
}

/** Inputs of {@link planDeploy}. */
export interface PlanOptions {
  files: readonly SiteFile[];
  store: ObjectStore;
  /**
   * What is there now: the objects under `remotePrefix`. In place (`sync`), that is the target
   * prefix; for an atomic release, the previous release (or nothing).
   */
  remote: readonly RemoteObject[];
  remotePrefix: string;
  /** `sync`: change objects in place. `release`: build a new prefix, copying what is unchanged. */
  mode: "sync" | "release";
  cacheControl: (path: string) => string;
  deleteExtraneous: boolean;
  /** Parallel HEAD requests. */
  concurrency: number;
  /** Remote paths never touched (release records). */
  isReserved?: (path: string) => boolean;
  /** What the last deploy wrote: spares a HEAD for every object it still describes. */
  manifest?: Manifest | undefined;
}

// A plain (single-part, unencrypted or SSE-S3) ETag is the MD5 of the content.
const PLAIN_MD5 = /^[0-9a-f]{32}$/;

/**
 * Compares the site with the bucket by content, never by time: the remote MD5 is the ETag when
 * that is a plain MD5, else the `md5` metadata key jada writes with every upload (multipart and
 * SSE-KMS ETags are not MD5s). A fresh clone with new mtimes therefore uploads nothing, and a
 * same-size edit is always uploaded. In place, unchanged files whose Content-Type or
 * Cache-Control drifted are fixed with a server-side copy.
 */
export async function planDeploy(options: PlanOptions): Promise<DeployPlan> {
  const remoteByPath = new Map<string, RemoteObject>();
  for (const object of options.remote) {
    const path = object.key.slice(options.remotePrefix.length);
    if (options.isReserved?.(path)) continue;
    remoteByPath.set(path, object);
  }
  const plan: DeployPlan = { uploads: [], copies: [], deletes: [], extraneous: [], unchanged: [] };

  const decisions = await mapConcurrent(options.files, options.concurrency, async (file) => {
    const metadata: ObjectMetadata = {
      contentType: contentTypeFor(file.path),
      cacheControl: options.cacheControl(file.path),
      md5: file.md5,
    };
    const remote = remoteByPath.get(file.path);
    if (remote === undefined)
      return { kind: "upload" as const, reason: "new" as const, file, metadata };

    const etagMatches = PLAIN_MD5.test(remote.etag) && remote.etag === file.md5;
    // In a release, an unchanged file is copied with fresh metadata anyway: no need to look.
    if (etagMatches && options.mode === "release")
      return { kind: "carry" as const, file, metadata, remote };
    const known = options.manifest ? knownEntry(options.manifest, file.path, remote) : undefined;
    if (known !== undefined) {
      if (known.md5 !== file.md5)
        return { kind: "upload" as const, reason: "changed" as const, file, metadata };
      if (options.mode === "release") return { kind: "carry" as const, file, metadata, remote };
      const drifted =
        known.contentType !== metadata.contentType || known.cacheControl !== metadata.cacheControl;
      return drifted
        ? { kind: "fix" as const, file, metadata, remote }
        : { kind: "unchanged" as const, file };
    }
    if (!etagMatches && remote.size !== file.size) {
      return { kind: "upload" as const, reason: "changed" as const, file, metadata };
    }
    const details = await options.store.head(remote.key);
    const sameContent = etagMatches || details?.md5 === file.md5;
    if (!sameContent)
      return { kind: "upload" as const, reason: "changed" as const, file, metadata };
    if (options.mode === "release") return { kind: "carry" as const, file, metadata, remote };
    const drifted =
      details?.contentType !== metadata.contentType ||
      details?.cacheControl !== metadata.cacheControl;
    return drifted
      ? { kind: "fix" as const, file, metadata, remote }
      : { kind: "unchanged" as const, file };
  });

  for (const decision of decisions) {
    const { file } = decision;
    if (decision.kind === "upload") {
      plan.uploads.push({
        path: file.path,
        file: file.file,
        size: file.size,
        metadata: decision.metadata,
        reason: decision.reason,
      });
    } else if (decision.kind === "carry" || decision.kind === "fix") {
      plan.copies.push({
        path: file.path,
        sourceKey: decision.remote.key,
        size: file.size,
        metadata: decision.metadata,
        reason: decision.kind === "carry" ? "previous-release" : "metadata",
      });
    } else {
      plan.unchanged.push(file.path);
    }
  }

  if (options.mode === "sync") {
    const local = new Set(options.files.map((file) => file.path));
    for (const path of remoteByPath.keys()) {
      if (local.has(path)) continue;
      (options.deleteExtraneous ? plan.deletes : plan.extraneous).push(path);
    }
    plan.deletes.sort();
    plan.extraneous.sort();
  }
  return plan;
}
