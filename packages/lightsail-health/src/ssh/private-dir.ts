import { mkdtempSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Directories holding key material right now, removed even if the process is interrupted.
const live = new Set<string>();
let hooked = false;

function removeAllNow(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

function hookProcess(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", removeAllNow);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      removeAllNow();
      // Then die of the signal as if we had not been listening.
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    });
  }
}

/**
 * Runs `work` with a private temporary directory (mode 0700) for key material, and removes it
 * afterwards: on success, on error, and on SIGINT/SIGTERM/SIGHUP or exit while it runs.
 */
export async function withPrivateDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  hookProcess();
  const dir = mkdtempSync(join(tmpdir(), "jada-ssh-"));
  live.add(dir);
  try {
    return await work(dir);
  } finally {
    live.delete(dir);
    await rm(dir, { recursive: true, force: true });
  }
}
