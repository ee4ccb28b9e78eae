import type { ObjectMetadata, ObjectStore, RemoteObject } from "../types.js";

/**
 * What jada knows of the objects it wrote, kept at `<prefix>.jada/manifest.json` in sync mode:
 * for each path, the ETag and LastModified the bucket reported after the deploy, and the
 * metadata jada set. While an object's ETag and LastModified still match (any write, even a
 * metadata-only copy, changes LastModified), its metadata is known without a HEAD request:
 * a redeploy of an unchanged site of 2,000 files is one listing, not 2,000 HEADs.
 */
export interface Manifest {
  version: 1;
  /** The release the objects belong to. */
  release?: string | undefined;
  objects: Record<string, ManifestEntry>;
}

/** One object of the {@link Manifest}. */
export interface ManifestEntry extends ObjectMetadata {
  etag: string;
  lastModified: string;
}

export const MANIFEST_PATH = ".jada/manifest.json";

/** Reads the manifest; a missing or unreadable one is an empty manifest (HEADs then decide). */
export async function readManifest(store: ObjectStore, prefix: string): Promise<Manifest> {
  const text = await store.getText(prefix + MANIFEST_PATH);
  if (text === undefined) return { version: 1, objects: {} };
  try {
    const parsed = JSON.parse(text) as Manifest;
    return parsed.version === 1 && typeof parsed.objects === "object"
      ? parsed
      : { version: 1, objects: {} };
  } catch {
    return { version: 1, objects: {} };
  }
}

/** The entry for a listed object, if the manifest still describes that very object. */
export function knownEntry(
  manifest: Manifest,
  path: string,
  remote: RemoteObject,
): ManifestEntry | undefined {
  const entry = manifest.objects[path];
  if (entry === undefined || remote.lastModified === undefined) return undefined;
  return entry.etag === remote.etag && entry.lastModified === remote.lastModified
    ? entry
    : undefined;
}

/** Builds the manifest of the site's paths from a listing made after the deploy. */
export function buildManifest(
  release: string,
  listing: readonly RemoteObject[],
  prefix: string,
  metadataByPath: ReadonlyMap<string, ObjectMetadata>,
): Manifest {
  const objects: Record<string, ManifestEntry> = {};
  for (const object of listing) {
    const path = object.key.slice(prefix.length);
    const metadata = metadataByPath.get(path);
    if (metadata === undefined || object.lastModified === undefined) continue;
    objects[path] = { ...metadata, etag: object.etag, lastModified: object.lastModified };
  }
  return { version: 1, release, objects };
}

/** Whether two manifests say the same (so an unchanged deploy writes nothing). */
export function sameManifest(a: Manifest, b: Manifest): boolean {
  const keys = Object.keys(a.objects);
  if (keys.length !== Object.keys(b.objects).length) return false;
  return keys.every((key) => JSON.stringify(a.objects[key]) === JSON.stringify(b.objects[key]));
}
