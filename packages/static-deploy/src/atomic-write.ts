import { randomBytes } from "node:crypto";
import { open, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { StaticDeployError } from "./errors.js";
import { describeIoError } from "./io-error.js";

/**
 * Replaces a file's content so that readers see either the old or the new file, never a
 * half-written one, even if the process dies: write a temporary file in the same directory
 * (same file system), fsync it, keep the original's mode, then rename it over the original.
 *
 * @throws {StaticDeployError} `WRITE_FAILED`, with the original file untouched.
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const mode = await stat(path).then(
      (stats) => stats.mode & 0o7777,
      () => 0o644,
    );
    const handle = await open(temporary, "wx", mode);
    try {
      await handle.writeFile(data, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw new StaticDeployError(
      "WRITE_FAILED",
      `could not write ${path}: ${describeIoError(error)}`,
      {
        cause: error,
        path,
      },
    );
  }
}
