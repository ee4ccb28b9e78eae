// In-memory adapters of the deploy ports, for tests of deploy logic that need no S3 or CloudFront
// peer. They pass the same contract suites as the AWS adapters (./contract.ts), so what holds of
// them holds of the real thing; moto and the loopback CloudFront stay the real peers.
import { createHash, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { StaticDeployError } from "../errors.js";
import type {
  Cdn,
  InvalidationStatus,
  ObjectMetadata,
  ObjectStore,
  OriginPathState,
  RemoteObject,
  RemoteObjectDetails,
} from "../types.js";

/** An object as the memory store keeps it. */
export interface MemoryObject {
  body: Buffer;
  etag: string;
  lastModified: string;
  contentType: string | undefined;
  cacheControl: string | undefined;
  md5: string | undefined;
}

/** An {@link ObjectStore} in memory, with its objects open to inspection. */
export interface MemoryObjectStore extends ObjectStore {
  readonly objects: ReadonlyMap<string, MemoryObject>;
  /** How many writes (puts and copies) it took, by kind. */
  readonly writes: { putFile: number; putText: number; copy: number; delete: number };
}

/**
 * A bucket in memory. ETags are the MD5 of the content (as S3 gives for single-part uploads);
 * every write moves LastModified forward by a second (S3's resolution), so a rewrite is always
 * visible in a listing.
 */
export function createMemoryObjectStore(
  options: { start?: Date | undefined } = {},
): MemoryObjectStore {
  const objects = new Map<string, MemoryObject>();
  const writes = { putFile: 0, putText: 0, copy: 0, delete: 0 };
  let tick = (options.start ?? new Date("2026-11-30T10:00:00Z")).getTime();
  const stamp = () => {
    tick += 1000;
    return new Date(tick).toISOString().replace(/\.\d{3}Z$/, ".000Z");
  };
  const put = (key: string, body: Buffer, fields: Partial<MemoryObject>) => {
    objects.set(key, {
      body,
      etag: createHash("md5").update(body).digest("hex"),
      lastModified: stamp(),
      contentType: fields.contentType,
      cacheControl: fields.cacheControl,
      md5: fields.md5,
    });
  };
  return {
    objects,
    writes,
    async *list(prefix) {
      const keys = [...objects.keys()].filter((key) => key.startsWith(prefix)).sort();
      for (const key of keys) {
        const object = objects.get(key) as MemoryObject;
        const listed: RemoteObject = {
          key,
          size: object.body.length,
          etag: object.etag,
          lastModified: object.lastModified,
        };
        yield listed;
      }
    },
    async head(key) {
      const object = objects.get(key);
      if (object === undefined) return undefined;
      const details: RemoteObjectDetails = {
        contentType: object.contentType,
        cacheControl: object.cacheControl,
        md5: object.md5,
        etag: object.etag,
        lastModified: object.lastModified,
      };
      return details;
    },
    async putFile(key, file, size, metadata: ObjectMetadata) {
      const body = await readFile(file);
      if (body.length !== size)
        throw new StaticDeployError(
          "READ_FAILED",
          `${file} changed while it was uploaded (${size} bytes expected, ${body.length} read)`,
        );
      writes.putFile++;
      put(key, body, metadata);
    },
    async putText(key, text, contentType) {
      writes.putText++;
      put(key, Buffer.from(text, "utf8"), { contentType });
    },
    async getText(key) {
      return objects.get(key)?.body.toString("utf8");
    },
    async copy(sourceKey, key, metadata) {
      const source = objects.get(sourceKey);
      if (source === undefined)
        throw new StaticDeployError("REMOTE_FAILED", `copying ${sourceKey} failed: NoSuchKey`);
      writes.copy++;
      put(key, source.body, metadata);
    },
    async delete(keys) {
      writes.delete += keys.length;
      for (const key of keys) objects.delete(key);
    },
  };
}

/** A {@link Cdn} in memory, with its distributions and invalidations open to inspection. */
export interface MemoryCdn extends Cdn {
  readonly distributions: ReadonlyMap<string, { originPath: string; version: string }>;
  readonly invalidations: ReadonlyArray<{ distributionId: string; paths: string[]; id: string }>;
  /** Adds a distribution serving `originPath` (default `""`); returns its id. */
  addDistribution(originPath?: string): string;
}

/**
 * CloudFront in memory: origin paths guarded by a version (as `If-Match` guards them), and
 * invalidations that are idempotent by caller reference and complete after `pollsToComplete`
 * status reads (default 1), spelled `InProgress` / `Completed` as AWS does.
 */
export function createMemoryCdn(options: { pollsToComplete?: number | undefined } = {}): MemoryCdn {
  const distributions = new Map<string, { originPath: string; version: string }>();
  const invalidations: Array<{
    distributionId: string;
    paths: string[];
    id: string;
    callerReference: string;
    polls: number;
  }> = [];
  let versions = 0;
  const nextVersion = () => `E${(++versions).toString(36).toUpperCase().padStart(6, "0")}`;
  const distribution = (id: string) => {
    const found = distributions.get(id);
    if (found === undefined)
      throw new StaticDeployError(
        "REMOTE_FAILED",
        `reading distribution ${id} failed: NoSuchDistribution (HTTP 404)`,
      );
    return found;
  };
  const status = (entry: (typeof invalidations)[number]): InvalidationStatus => ({
    id: entry.id,
    status: entry.polls >= (options.pollsToComplete ?? 1) ? "Completed" : "InProgress",
  });
  return {
    distributions,
    invalidations,
    addDistribution(originPath = "") {
      const id = `E${randomUUID().replace(/-/g, "").slice(0, 12).toUpperCase()}`;
      distributions.set(id, { originPath, version: nextVersion() });
      return id;
    },
    async invalidate(distributionId, paths, callerReference) {
      distribution(distributionId);
      const again = invalidations.find(
        (entry) =>
          entry.distributionId === distributionId && entry.callerReference === callerReference,
      );
      if (again) return status(again);
      const entry = {
        distributionId,
        paths: [...paths],
        id: `I${randomUUID().replace(/-/g, "").slice(0, 13).toUpperCase()}`,
        callerReference,
        polls: 0,
      };
      invalidations.push(entry);
      return status(entry);
    },
    async getInvalidation(distributionId, invalidationId) {
      const entry = invalidations.find(
        (candidate) =>
          candidate.distributionId === distributionId && candidate.id === invalidationId,
      );
      if (entry === undefined)
        throw new StaticDeployError(
          "REMOTE_FAILED",
          `reading invalidation ${invalidationId} failed: NoSuchInvalidation (HTTP 404)`,
        );
      entry.polls++;
      return status(entry);
    },
    async getOriginPath(distributionId): Promise<OriginPathState> {
      const { originPath, version } = distribution(distributionId);
      return { originPath, version };
    },
    async setOriginPath(distributionId, originPath, expectedVersion) {
      const current = distribution(distributionId);
      if (current.version !== expectedVersion)
        throw new StaticDeployError(
          "CONFLICT",
          `distribution ${distributionId} changed since it was read (ETag ${expectedVersion} is now ${current.version}); run the command again`,
        );
      const next = { originPath, version: nextVersion() };
      distributions.set(distributionId, next);
      return { ...next };
    },
  };
}
