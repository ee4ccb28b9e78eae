// self-check: the daemon's own store answers, and its data directory's disk has room.
import { statfs } from "node:fs/promises";
import { JobError, type JobSpec } from "@jada/orchestrator";
import type { JobsContext } from "../compose/jobs.js";

/** The spec of `self-check` (every 15 minutes). */
export function selfCheck(context: JobsContext): JobSpec {
  return {
    name: "self-check",
    schedule: "15m",
    missed: "skip",
    async run() {
      await context.store.quota();
      if (context.dataDir === undefined) return;
      const disk = await statfs(context.dataDir);
      const free = disk.bavail * disk.bsize;
      const total = disk.blocks * disk.bsize;
      if (free < 200 * 1024 * 1024 || free / total < 0.05)
        throw new JobError(
          `the disk of ${context.dataDir} has ${Math.round(free / 1024 / 1024)} MiB free (${((free / total) * 100).toFixed(1)}%)`,
          {
            code: "DISK_LOW",
            fix: "sudo journalctl --vacuum-size=200M; then look for large files: sudo du -xh / | sort -h | tail",
            retryable: false,
          },
        );
    },
  };
}
