import { mapConcurrent } from "../concurrency.js";
import type { ObjectStore } from "../types.js";
import type { DeployPlan } from "./plan.js";

/** One step of applying a plan, for progress displays. */
export interface DeployProgress {
  action: "upload" | "copy" | "delete";
  path: string;
  /** Steps finished so far, and in all. */
  done: number;
  total: number;
  /** Bytes uploaded or copied so far, and in all. */
  bytesDone: number;
  bytesTotal: number;
}

/** Options of {@link applyPlan}. */
export interface ApplyOptions {
  store: ObjectStore;
  /** Prefix the plan's paths are written under (the target prefix, or the new release's). */
  prefix: string;
  concurrency: number;
  onProgress?: (progress: DeployProgress) => void;
}

/**
 * Carries out a plan: uploads and copies with bounded concurrency, then, only when all of
 * them succeeded, the deletions (so a visitor never meets a page whose assets are gone).
 * Retries of throttling and 5xx are the store's (the AWS SDK client's) job.
 */
export async function applyPlan(plan: DeployPlan, options: ApplyOptions): Promise<void> {
  const { store, prefix } = options;
  const total = plan.uploads.length + plan.copies.length + plan.deletes.length;
  const bytesTotal =
    plan.uploads.reduce((sum, upload) => sum + upload.size, 0) +
    plan.copies.reduce((sum, copy) => sum + copy.size, 0);
  let done = 0;
  let bytesDone = 0;
  const report = (action: DeployProgress["action"], path: string, bytes: number): void => {
    done++;
    bytesDone += bytes;
    options.onProgress?.({ action, path, done, total, bytesDone, bytesTotal });
  };

  type Step = {
    run: () => Promise<void>;
    action: DeployProgress["action"];
    path: string;
    bytes: number;
  };
  const steps: Step[] = [
    // Large files first: they take longest, and starting them early keeps every slot busy.
    ...[...plan.uploads]
      .sort((a, b) => b.size - a.size)
      .map((upload) => ({
        run: () => store.putFile(prefix + upload.path, upload.file, upload.size, upload.metadata),
        action: "upload" as const,
        path: upload.path,
        bytes: upload.size,
      })),
    ...plan.copies.map((copy) => ({
      run: () => store.copy(copy.sourceKey, prefix + copy.path, copy.metadata),
      action: "copy" as const,
      path: copy.path,
      bytes: copy.size,
    })),
  ];
  await mapConcurrent(steps, options.concurrency, async (step) => {
    await step.run();
    report(step.action, step.path, step.bytes);
  });

  if (plan.deletes.length > 0) {
    await store.delete(plan.deletes.map((path) => prefix + path));
    for (const path of plan.deletes) report("delete", path, 0);
  }
}
