/**
 * `@jada/orchestrator`: turn- and quota-aware agent sessions. The durable task store (port
 * `TaskStore`, SQLite adapter in `./sqlite`, contract suite in `./testing`) takes the day's
 * session slot in the same transaction as the claim; the session runner counts every turn,
 * nudges the agent to checkpoint before the limit, and the next session starts from that
 * checkpoint; the worker loop runs it all in the daemon. The scheduler runs background jobs
 * (`defineJob`), records every run, and raises alerts (log, webhook, a task) with their fix.
 *
 * @packageDocumentation
 */

export {
  type AlertEvent,
  type AlertSink,
  alertText,
  createLogAlertSink,
  createTaskAlertSink,
  createWebhookAlertSink,
  type WebhookAlertSinkOptions,
} from "./alert-sinks.js";
export {
  type AnthropicModelOptions,
  classifyAnthropicError,
  createAnthropicModel,
} from "./anthropic.js";
export { OrchestratorError, type OrchestratorErrorCode } from "./errors.js";
export {
  defineJob,
  describeJobError,
  type JobContext,
  type JobDefinition,
  JobError,
  type JobSpec,
  type MissedPolicy,
  type MonitorRules,
  type OverlapPolicy,
  parseSchedule,
  type Schedule,
} from "./job.js";
export {
  type AlertFinding,
  evaluateJob,
  failuresInARow,
  type JobVerdict,
  rulesWithDefaults,
} from "./job-monitor.js";
export {
  type AgentModel,
  type ContentBlock,
  type Message,
  ModelError,
  type ModelErrorKind,
  type ModelRequest,
  type ModelResponse,
  type ToolSpec,
  type Usage,
} from "./model.js";
export {
  type AfterModelError,
  afterModelError,
  backoffSeconds,
  type ModelBackoffOptions,
} from "./model-backoff.js";
export { DEFAULT_MODEL, MODEL_RETIREMENTS, modelRetirement } from "./models.js";
export {
  type QuotaLimits,
  quotaStatus,
  quotaWindow,
  spentLimit,
  totalTokens,
} from "./quota-window.js";
export {
  costOf,
  type ModelPrice,
  type RunNextTaskOptions,
  type RunNextTaskResult,
  runNextTask,
  type SessionProgress,
} from "./run-task.js";
export {
  createScheduler,
  type JobRunEnded,
  type Scheduler,
  type SchedulerOptions,
  type SchedulerStatus,
} from "./scheduler.js";
export {
  type Checkpoint,
  type RunSessionOptions,
  runSession,
  type SessionError,
  type SessionResult,
} from "./session-runner.js";
export {
  BUILT_IN,
  builtInTools,
  defineTool,
  type Tool,
  type ToolContext,
  toolSpec,
} from "./tools.js";
export type {
  AlertCause,
  ClaimResult,
  Clock,
  JobAlert,
  JobRun,
  JobRunEnd,
  JobRunOutcome,
  JobState,
  JobStore,
  NewTask,
  QuotaLimit,
  QuotaStatus,
  SessionEnd,
  SessionOutcome,
  SessionRecord,
  SessionTotals,
  Task,
  TaskCounts,
  TaskQuery,
  TaskStatus,
  TaskStore,
  TaskTransition,
} from "./types.js";
export { TASK_STATUSES } from "./types.js";
export {
  createWorker,
  type Logger,
  type RunOnceResult,
  type Worker,
  type WorkerOptions,
  type WorkerPause,
  type WorkerStatus,
} from "./worker.js";
