import { open, readFile, stat, unlink, utimes } from "node:fs/promises";
import { GoogleTokenError } from "./errors.js";

/** Options of {@link withFileLock}. */
export interface LockOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /**
   * A lock not refreshed for this long is broken (default 30 s). The holder refreshes it (its
   * mtime) every third of this while its work runs, so a slow holder keeps it; a lock whose
   * owner process is gone is broken at once.
   */
  staleMs?: number;
}

/**
 * Runs `work` while holding an exclusive lock file (`<path>.lock`, created with `O_EXCL`, which
 * every local file system makes atomic). Waiting is a short, jittered poll. While `work` runs the
 * lock is refreshed, so however long it takes, no one breaks it. A lock left by a process that
 * died is broken once its owner is gone, or once it has not been refreshed for `staleMs` (a hung
 * or remote owner), so a crash never wedges the store.
 *
 * @throws {GoogleTokenError} `STORE_LOCKED` after `timeoutMs`.
 */
export async function withFileLock<T>(
  path: string,
  work: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const lockPath = `${path}.lock`;
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const staleMs = options.staleMs ?? 30_000;
  while (true) {
    try {
      const handle = await open(lockPath, "wx", 0o600);
      await handle.writeFile(`${process.pid} ${Date.now()}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as { code?: unknown }).code !== "EEXIST") {
        throw new GoogleTokenError(
          "STORE_IO",
          `cannot create the lock ${lockPath}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      if (await isStale(lockPath, staleMs)) {
        await unlink(lockPath).catch(() => {});
        continue;
      }
      if (Date.now() > deadline) {
        throw new GoogleTokenError(
          "STORE_LOCKED",
          `the token store is locked by another process (${lockPath}); if no jada process is running, remove that file`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 10));
    }
  }
  const refresh = setInterval(
    () => {
      const now = new Date();
      void utimes(lockPath, now, now).catch(() => {});
    },
    Math.max(100, Math.floor(staleMs / 3)),
  );
  refresh.unref();
  try {
    return await work();
  } finally {
    clearInterval(refresh);
    await unlink(lockPath).catch(() => {});
  }
}

async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    const [content, stats] = await Promise.all([readFile(lockPath, "utf8"), stat(lockPath)]);
    const pid = Number(content.split(" ")[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
      try {
        process.kill(pid, 0);
      } catch (error) {
        if ((error as { code?: unknown }).code === "ESRCH") return true;
      }
    }
    return Date.now() - stats.mtimeMs > staleMs;
  } catch {
    // Gone (or half-written) meanwhile: try again.
    return false;
  }
}
