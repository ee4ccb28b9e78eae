import { StaticDeployError } from "../errors.js";
import type { Cdn, ObjectStore } from "../types.js";

/**
 * What jada keeps about each release, in the bucket under
 * `<prefix>.jada/releases/<stage>/<id>.json` (per stage: staging and production may share a
 * bucket, and a promoted release keeps its id).
 */
export interface ReleaseRecord {
  id: string;
  site: string;
  stage: string;
  mode: "sync" | "atomic";
  /** ISO 8601. */
  createdAt: string;
  /** The git commit of the site's checkout, when there is one. */
  commit?: string | undefined;
  /** Files in the site, and their bytes. */
  files: number;
  bytes: number;
  uploaded: number;
  copied: number;
  deleted: number;
  invalidationId?: string | undefined;
  /** Atomic mode: the origin path this release is served from. */
  originPath?: string | undefined;
  /** The release that was live before this one, if known. */
  previous?: string | undefined;
  /** Set on records of a promote: the stage the release came from. */
  promotedFrom?: string | undefined;
}

/** Folder (below the target prefix) of release records. Never deployed to, never deleted. */
export const RECORDS_DIR = ".jada/releases/";
/** Folder (below the target prefix) of atomic releases. */
export const RELEASES_DIR = "releases/";

/** A sortable, readable release id: `20261123T191000Z-3f9a2c1` (UTC time, then commit or random). */
export function newReleaseId(now: Date, commit?: string): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const suffix = commit
    ? commit.slice(0, 7)
    : Math.random().toString(16).slice(2, 9).padEnd(7, "0");
  return `${stamp}-${suffix}`;
}

/** Normalizes a target prefix: no leading slash, a trailing slash unless empty. */
export function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? "").replace(/^\/+/, "").replace(/\/+$/, "");
  return trimmed === "" ? "" : `${trimmed}/`;
}

/** The key prefix of an atomic release. */
export function releasePrefix(prefix: string, id: string): string {
  return `${prefix}${RELEASES_DIR}${id}/`;
}

/** The CloudFront origin path that serves an atomic release. */
export function releaseOriginPath(prefix: string, id: string): string {
  return `/${prefix}${RELEASES_DIR}${id}`;
}

/** The release id an origin path serves, if it is one of ours under `prefix`. */
export function releaseIdOf(originPath: string, prefix: string): string | undefined {
  const expected = `/${prefix}${RELEASES_DIR}`;
  if (!originPath.startsWith(expected)) return undefined;
  const id = originPath.slice(expected.length).replace(/\/+$/, "");
  return id !== "" && !id.includes("/") ? id : undefined;
}

/** Writes a release record. */
export async function writeRecord(
  store: ObjectStore,
  prefix: string,
  record: ReleaseRecord,
): Promise<void> {
  await store.putText(
    `${prefix}${RECORDS_DIR}${record.stage}/${record.id}.json`,
    `${JSON.stringify(record, null, 2)}\n`,
    "application/json",
  );
}

/** Every release record of a stage, newest first. Unreadable records are skipped, not fatal. */
export async function listReleases(
  store: ObjectStore,
  prefix: string,
  stage: string,
): Promise<ReleaseRecord[]> {
  const keys: string[] = [];
  for await (const object of store.list(`${prefix}${RECORDS_DIR}${stage}/`)) {
    if (object.key.endsWith(".json")) keys.push(object.key);
  }
  const records: ReleaseRecord[] = [];
  for (const key of keys) {
    const text = await store.getText(key);
    if (text === undefined) continue;
    try {
      records.push(JSON.parse(text) as ReleaseRecord);
    } catch {
      // A record someone edited by hand: leave it out rather than fail the listing.
    }
  }
  return records.sort((a, b) =>
    a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1,
  );
}

/** Options of {@link rollback}. */
export interface RollbackOptions {
  store: ObjectStore;
  cdn: Cdn;
  distributionId: string;
  prefix: string;
  /** The stage whose history is used (`production`). */
  stage: string;
  /** Release to go back to; default: the one before the live release. */
  to?: string | undefined;
}

/** What a rollback did. */
export interface RollbackResult {
  from: string | undefined;
  to: string;
  originPath: string;
}

/**
 * Points the distribution back at an earlier atomic release, in one `UpdateDistribution`
 * (with `If-Match`). Nothing is uploaded or deleted: the release is still in the bucket.
 *
 * @throws {StaticDeployError} `NO_RELEASE` when there is nothing to go back to, or the named
 *   release does not exist; `CONFLICT` when the distribution changed meanwhile.
 */
export async function rollback(options: RollbackOptions): Promise<RollbackResult> {
  const { store, cdn, distributionId, prefix } = options;
  const current = await cdn.getOriginPath(distributionId);
  const live = releaseIdOf(current.originPath, prefix);
  const records = (await listReleases(store, prefix, options.stage)).filter(
    (record) => record.mode === "atomic",
  );
  let target: string | undefined = options.to;
  if (target === undefined) {
    const index = records.findIndex((record) => record.id === live);
    target = index === -1 ? undefined : records[index + 1]?.id;
    if (target === undefined) {
      throw new StaticDeployError(
        "NO_RELEASE",
        live === undefined
          ? `distribution ${distributionId} does not serve a jada release (origin path "${current.originPath}")`
          : `no release before ${live} to roll back to`,
      );
    }
  }
  if (target === live)
    throw new StaticDeployError("NO_RELEASE", `release ${target} is already live`);
  let exists = false;
  for await (const _object of store.list(releasePrefix(prefix, target))) {
    exists = true;
    break;
  }
  if (!exists)
    throw new StaticDeployError("NO_RELEASE", `release ${target} does not exist in the bucket`);
  const originPath = releaseOriginPath(prefix, target);
  await cdn.setOriginPath(distributionId, originPath, current.version);
  return { from: live, to: target, originPath };
}
