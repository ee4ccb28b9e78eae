// What a failed model call means for its task, and for the worker: when to try again.
import type { SessionError } from "./session-runner.js";

/** What becomes of a task whose session ended on a failed model call. */
export type AfterModelError =
  /** Back to the queue, not claimable for `afterSeconds` (the API asked, or backoff). */
  | { action: "retry"; afterSeconds: number }
  /**
   * The API refused the key: no session of any task can succeed until the key changes, so the
   * task goes back to the queue untouched and the worker pauses every session.
   */
  | { action: "pause" }
  /** The API refused the request itself: retrying sends the same request. A person looks. */
  | { action: "person"; message: string };

/** Options of {@link afterModelError}. */
export interface ModelBackoffOptions {
  /** The first wait after an overload or a network failure (default 30 s); doubles each time. */
  baseSeconds?: number | undefined;
  /** The longest wait (default 30 minutes). */
  capSeconds?: number | undefined;
  /** The first wait after a rate limit that did not say how long (default 60 s). */
  rateLimitSeconds?: number | undefined;
  /** In [0, 1): the jitter's source (tests pass a fixed one). */
  random?: (() => number) | undefined;
}

/**
 * Decides what a failed model call leads to. Every retry has a wait, so a dead endpoint or a
 * long outage is asked again at a pace that grows (30 s, 1 min, 2 min … up to 30 min, each with
 * up to half of it as jitter so that daemons do not retry in step), never at once.
 *
 * @param failuresInARow this failure included: 1 for the first, 2 for the second in a row, …
 */
export function afterModelError(
  error: SessionError,
  failuresInARow: number,
  options: ModelBackoffOptions = {},
): AfterModelError {
  if (error.kind === "auth") return { action: "pause" };
  if (error.kind === "invalid_request")
    return { action: "person", message: `the API refused the request: ${error.message}` };
  const base =
    error.kind === "rate_limited" ? (options.rateLimitSeconds ?? 60) : (options.baseSeconds ?? 30);
  const asked = error.retryAfterSeconds;
  if (asked !== undefined && asked > 0) return { action: "retry", afterSeconds: asked };
  return {
    action: "retry",
    afterSeconds: backoffSeconds(failuresInARow, base, options.capSeconds ?? 1800, options.random),
  };
}

/**
 * Exponential backoff with jitter: the n-th wait is `base * 2^(n-1)`, capped, of which the upper
 * half is random ("equal jitter": never shorter than half the step, so the pace still grows).
 */
export function backoffSeconds(
  attempt: number,
  baseSeconds: number,
  capSeconds: number,
  random: () => number = Math.random,
): number {
  const step = Math.min(capSeconds, baseSeconds * 2 ** Math.max(0, attempt - 1));
  return step / 2 + (step / 2) * random();
}
