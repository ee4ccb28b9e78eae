import type { Dirent } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { StaticDeployError } from "../errors.js";
import { describeIoError } from "../io-error.js";
import type { SkippedFile } from "../types.js";

/** Directories never descended into. */
const IGNORED_DIRECTORIES = new Set(["node_modules", ".git"]);

/** Default extensions linted inside directories. */
export const DEFAULT_EXTENSIONS: readonly string[] = ["html", "htm"];

/** Files found under the given paths, and directories that could not be read. */
export interface CollectedFiles {
  files: string[];
  skipped: SkippedFile[];
}

/**
 * Expands files and directories into the list of files to lint, sorted and without
 * duplicates. A file named explicitly is linted whatever its extension; inside directories
 * only `extensions` are, recursively, skipping `node_modules` and `.git`. Symbolic links are
 * followed, once (a link back up the tree is not a loop). Relative paths are taken from `cwd`,
 * and the files are listed in the form the paths were given in.
 *
 * @throws {StaticDeployError} `PATH_NOT_FOUND` for a path that does not exist, and
 *   `READ_FAILED` for a path that cannot be examined.
 */
export async function collectFiles(
  paths: readonly string[],
  extensions: readonly string[] = DEFAULT_EXTENSIONS,
  cwd: string = process.cwd(),
): Promise<CollectedFiles> {
  // Relative paths are relative to `cwd`; the files keep the form they were named in.
  const at = (path: string) => resolve(cwd, path);
  const wanted = new Set(extensions.map((ext) => `.${ext.replace(/^\./, "").toLowerCase()}`));
  const files = new Set<string>();
  const skipped: SkippedFile[] = [];
  const visited = new Set<string>();

  const walk = async (directory: string): Promise<void> => {
    const real = await realpath(at(directory));
    if (visited.has(real)) return;
    visited.add(real);
    let entries: Dirent[];
    try {
      entries = await readdir(at(directory), { withFileTypes: true });
    } catch (error) {
      skipped.push({
        file: directory,
        reason: "unreadable",
        message: `cannot read directory: ${describeIoError(error)}`,
      });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(directory, entry.name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await stat(at(path)).catch(() => undefined);
        if (target === undefined) {
          if (wanted.has(extensionOf(entry.name))) {
            skipped.push({
              file: path,
              reason: "unreadable",
              message: "cannot read: broken symbolic link",
            });
          }
          continue;
        }
        isDirectory = target.isDirectory();
        isFile = target.isFile();
      }
      if (isDirectory) {
        if (!IGNORED_DIRECTORIES.has(entry.name)) await walk(path);
      } else if (isFile && wanted.has(extensionOf(entry.name))) {
        files.add(path);
      }
    }
  };

  for (const path of paths) {
    let stats: Awaited<ReturnType<typeof stat>>;
    try {
      stats = await stat(at(path));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === "ENOENT" || code === "ENOTDIR") {
        throw new StaticDeployError("PATH_NOT_FOUND", `no such file or directory: ${path}`, {
          path,
          cause: error,
        });
      }
      throw new StaticDeployError("READ_FAILED", `cannot read ${path}: ${describeIoError(error)}`, {
        path,
        cause: error,
      });
    }
    if (stats.isDirectory()) await walk(path);
    else files.add(path);
  }
  return { files: [...files], skipped };
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? "" : name.slice(dot).toLowerCase();
}
