/**
 * `@jada/orchestrator`: turn- and quota-aware agent sessions. This release holds the durable
 * task store (port `TaskStore`, SQLite adapter in `./sqlite`, contract suite in `./testing`)
 * with the daily session quota taken in the same transaction as the claim; the session runner,
 * tools, jobs and the worker loop follow.
 *
 * @packageDocumentation
 */
export { OrchestratorError, type OrchestratorErrorCode } from "./errors.js";
export { quotaWindow } from "./quota-window.js";
export type {
  ClaimResult,
  Clock,
  NewTask,
  QuotaStatus,
  SessionEnd,
  SessionOutcome,
  SessionRecord,
  Task,
  TaskStatus,
  TaskStore,
  TaskTransition,
} from "./types.js";
