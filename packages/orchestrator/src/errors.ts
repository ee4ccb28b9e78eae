/**
 * Machine-readable reason of an {@link OrchestratorError}.
 *
 * - `NOT_FOUND`: no such task or session.
 * - `LEASE_LOST`: the worker no longer holds the task's lease (it expired and was taken).
 * - `INVALID_STATE`: the task cannot go where it was asked to (retry a running task, say).
 * - `INVALID_INPUT`: a task or option is malformed.
 * - `STORE_FAILED`: the database failed.
 */
export type OrchestratorErrorCode =
  | "NOT_FOUND"
  | "LEASE_LOST"
  | "INVALID_STATE"
  | "INVALID_INPUT"
  | "STORE_FAILED";

/**
 * What fixes a store error, as data, for the caller to word: `migrate`, apply the schema's
 * migrations; `upgrade`, run a newer version of this package (the schema is ahead of it).
 */
export type StoreRemedy = "migrate" | "upgrade";

/** The one error type of `@jada/orchestrator`. */
export class OrchestratorError extends Error {
  override readonly name = "OrchestratorError";
  readonly code: OrchestratorErrorCode;
  readonly remedy: StoreRemedy | undefined;

  constructor(
    code: OrchestratorErrorCode,
    message: string,
    options: { cause?: unknown; remedy?: StoreRemedy | undefined } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.remedy = options.remedy;
  }
}
