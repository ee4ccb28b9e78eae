import { createHash } from "node:crypto";
import { createReadStream, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { StaticDeployError } from "../errors.js";
import { describeIoError } from "../io-error.js";

/** A file of the site to deploy. */
export interface SiteFile {
  /** Path in the site, `/`-separated, no leading slash: the object key below the prefix. */
  path: string;
  /** Absolute path on disk. */
  file: string;
  size: number;
  /** Hex MD5 of the content. */
  md5: string;
}

// Never part of a site, whatever the build left behind.
const SKIPPED = new Set([".git", "node_modules", ".DS_Store", "Thumbs.db"]);
// Files larger than this are hashed as a stream rather than read whole.
const STREAM_THRESHOLD = 16 * 1024 * 1024;

/**
 * Lists and hashes (MD5, what S3 ETags are) every file of a site directory, sorted by path.
 * Symbolic links are followed while they stay inside the directory; one that leads outside is
 * refused, so a deploy can never publish `~/.ssh` by accident.
 *
 * @throws {StaticDeployError} `SITE_INVALID` for a missing or empty directory, or a link that
 *   leaves it.
 */
export async function readSiteFiles(dir: string): Promise<SiteFile[]> {
  let root: string;
  try {
    root = realpathSync(dir);
    if (!statSync(root).isDirectory())
      throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
  } catch (error) {
    throw new StaticDeployError(
      "SITE_INVALID",
      `site directory ${dir}: ${describeIoError(error)}`,
      {
        cause: error,
        path: dir,
      },
    );
  }
  const found: Array<{ path: string; file: string; size: number }> = [];
  // Synchronous on purpose, as the lint's reads: for a local tree of small files it is several
  // times faster than a promise per stat.
  const walk = (directory: string): void => {
    const entries = readdirSync(directory, { withFileTypes: true });
    for (const entry of entries) {
      if (SKIPPED.has(entry.name)) continue;
      const file = join(directory, entry.name);
      let target = file;
      if (entry.isSymbolicLink()) {
        try {
          target = realpathSync(file);
        } catch (error) {
          throw new StaticDeployError("SITE_INVALID", `broken symbolic link in the site: ${file}`, {
            cause: error,
            path: file,
          });
        }
        if (target !== root && !target.startsWith(root + sep)) {
          throw new StaticDeployError(
            "SITE_INVALID",
            `symbolic link leaves the site directory: ${relative(root, file)} -> ${target} (refused)`,
            { path: file },
          );
        }
      }
      const stats = statSync(target);
      if (stats.isDirectory()) walk(file);
      else if (stats.isFile())
        found.push({ path: relative(root, file).split(sep).join("/"), file, size: stats.size });
    }
  };
  walk(root);
  if (found.length === 0) {
    throw new StaticDeployError("SITE_INVALID", `site directory ${dir} has no files to deploy`, {
      path: dir,
    });
  }
  found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const files: SiteFile[] = [];
  for (const entry of found) files.push({ ...entry, md5: await md5Of(entry.file, entry.size) });
  return files;
}

/** Hex MD5 of a file, streamed when it is large. */
export async function md5Of(file: string, size: number): Promise<string> {
  if (size <= STREAM_THRESHOLD) return createHash("md5").update(readFileSync(file)).digest("hex");
  const hash = createHash("md5");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
