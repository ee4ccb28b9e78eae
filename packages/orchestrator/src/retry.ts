// The one retry loop of the package: a few tries with a doubling wait, for work that may meet a
// store in the middle of a restart.

/** Options of {@link retry}. */
export interface RetryOptions {
  /** Tries in all, the first included (default 5). */
  tries?: number | undefined;
  /** The first wait; each next one doubles (default 500 ms: 0.5, 1, 2, 4 s). */
  firstDelayMs?: number | undefined;
  /** Whether an error is worth another try (default: every error). */
  retryable?: ((error: unknown) => boolean) | undefined;
  /** Injected in tests. */
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` until it succeeds, an error is not `retryable`, or the tries are spent (then the
 * last error is thrown as it was).
 */
export async function retry<T>(work: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const tries = options.tries ?? 5;
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= tries || !(options.retryable?.(error) ?? true)) throw error;
      await sleep((options.firstDelayMs ?? 500) * 2 ** (attempt - 1));
    }
  }
}
