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

/** The one error type of `@jada/orchestrator`. */
export class OrchestratorError extends Error {
  override readonly name = "OrchestratorError";
  readonly code: OrchestratorErrorCode;

  constructor(code: OrchestratorErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
