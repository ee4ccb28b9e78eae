import { StaticDeployError } from "../errors.js";
import type { Cdn, InvalidationStatus } from "../types.js";

/** CloudFront's limit of paths per invalidation (and in progress at once). */
export const MAX_INVALIDATION_PATHS = 3000;

/**
 * The CloudFront paths that serve the given site paths: each file's URL-encoded path, and for
 * an `index.html` also its directory (`/about/` as well as `/about/index.html`). Past
 * `maxPaths` (or CloudFront's 3,000), a single `/*`: one wildcard costs less than thousands
 * of paths and never hits the limit of 15 wildcards in progress.
 */
export function invalidationPaths(sitePaths: readonly string[], maxPaths: number): string[] {
  const paths = new Set<string>();
  for (const sitePath of sitePaths) {
    const encoded = `/${sitePath.split("/").map(encodeURIComponent).join("/")}`;
    paths.add(encoded);
    if (sitePath === "index.html" || sitePath.endsWith("/index.html")) {
      paths.add(encoded.slice(0, -"index.html".length));
    }
  }
  if (paths.size > Math.min(maxPaths, MAX_INVALIDATION_PATHS)) return ["/*"];
  return [...paths].sort();
}

/** Options of {@link invalidate}. */
export interface InvalidateOptions {
  cdn: Cdn;
  distributionId: string;
  paths: readonly string[];
  /** Makes a retried request idempotent: the release id. */
  callerReference: string;
  /** Wait for completion (default true), at most `timeoutMs` (default 15 minutes). */
  wait?: boolean;
  timeoutMs?: number;
  /** Poll interval while waiting (default 5 s). */
  pollMs?: number;
  /** How often to retry `TooManyInvalidationsInProgress` (default 8, backing off from 5 s to 60 s). */
  maxRetries?: number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  onWait?: (status: InvalidationStatus) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Submits an invalidation, retrying while CloudFront has too many in progress, and (unless
 * told not to) waits for it with a bounded poller. The status is compared case-insensitively
 * (AWS says `Completed`, moto `COMPLETED`), which is why the SDK's own waiter is not used.
 *
 * @throws {StaticDeployError} `TOO_MANY_INVALIDATIONS` after the retries, `INVALIDATION_FAILED`
 *   when waiting times out.
 */
export async function invalidate(
  options: InvalidateOptions,
): Promise<InvalidationStatus & { completed: boolean }> {
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const maxRetries = options.maxRetries ?? 8;
  let status: InvalidationStatus | undefined;
  for (let attempt = 0; status === undefined; attempt++) {
    try {
      status = await options.cdn.invalidate(
        options.distributionId,
        options.paths,
        options.callerReference,
      );
    } catch (error) {
      if (
        !(error instanceof StaticDeployError && error.code === "TOO_MANY_INVALIDATIONS") ||
        attempt >= maxRetries
      )
        throw error;
      await sleep(Math.min(60_000, 5_000 * 2 ** attempt));
    }
  }
  if (options.wait === false) return { ...status, completed: isCompleted(status) };

  const deadline = now() + (options.timeoutMs ?? 15 * 60_000);
  while (!isCompleted(status)) {
    if (now() >= deadline) {
      throw new StaticDeployError(
        "INVALIDATION_FAILED",
        `invalidation ${status.id} of ${options.distributionId} is still ${status.status || "pending"} after ${Math.round((options.timeoutMs ?? 900_000) / 1000)} s; it goes on at CloudFront, check it with: aws cloudfront get-invalidation --distribution-id ${options.distributionId} --id ${status.id}`,
      );
    }
    options.onWait?.(status);
    await sleep(options.pollMs ?? 5_000);
    status = await options.cdn.getInvalidation(options.distributionId, status.id);
  }
  return { ...status, completed: true };
}

function isCompleted(status: InvalidationStatus): boolean {
  return status.status.toLowerCase() === "completed";
}
