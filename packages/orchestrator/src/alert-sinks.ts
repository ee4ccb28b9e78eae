// Where alerts go: the log, a webhook (Slack-compatible), a task for a person.
import { OrchestratorError } from "./errors.js";
import { retry } from "./retry.js";
import type { JobAlert, TaskStore } from "./types.js";
import type { Logger } from "./worker.js";

/** What a sink is told: an alert opened, a reminder while it stays open, or the recovery. */
export interface AlertEvent {
  kind: "opened" | "reminder" | "recovered";
  alert: JobAlert;
  /** One line for people (a Slack message): what broke and the command that fixes it. */
  text: string;
}

/** Port: somewhere an alert is delivered. A sink that fails is logged, never fatal. */
export interface AlertSink {
  readonly name: string;
  send(event: AlertEvent): Promise<void>;
}

/** The text of an alert event, as every sink shows it. */
export function alertText(event: Omit<AlertEvent, "text">): string {
  const { alert } = event;
  if (event.kind === "recovered")
    return `[jada] RECOVERED ${alert.job}: it succeeds again (alert of ${alert.openedAt}: ${alert.message})`;
  const head = event.kind === "reminder" ? "STILL FAILING" : "ALERT";
  return `[jada] ${head} ${alert.job}: ${alert.message}${alert.fix ? `\nfix: ${alert.fix}` : ""}`;
}

/** Alerts as log lines: level error while failing (with `job`, `code`, `fix`), info on recovery. */
export function createLogAlertSink(logger: Logger): AlertSink {
  return {
    name: "log",
    async send(event) {
      const fields = {
        alert: event.kind,
        alertId: event.alert.id,
        job: event.alert.job,
        cause: event.alert.cause,
        code: event.alert.code,
        fix: event.alert.fix,
      };
      if (event.kind === "recovered") logger.info(fields, event.text);
      else logger.error(fields, event.text);
    },
  };
}

/** Options of {@link createWebhookAlertSink}. */
export interface WebhookAlertSinkOptions {
  url: string;
  /** Sent with every POST (an authorization header, say). Never logged. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Per attempt (default 10 s). */
  timeoutMs?: number | undefined;
  /** Attempts in all (default 4: 0.5, 1, 2 s apart). */
  tries?: number | undefined;
  fetch?: typeof fetch | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

/**
 * Alerts as a JSON POST: `text` (so a Slack incoming webhook takes it as it is), and `event`,
 * `job`, `cause`, `message`, `code`, `fix`, `alertId`, `openedAt` for programs. 5xx, 429 and
 * network failures are retried; a 4xx is not (the request itself is wrong).
 */
export function createWebhookAlertSink(options: WebhookAlertSinkOptions): AlertSink {
  const post = options.fetch ?? fetch;
  // The URL may carry a secret (Slack's do): only its origin is ever said.
  const where = (() => {
    try {
      return new URL(options.url).origin;
    } catch {
      throw new OrchestratorError("INVALID_INPUT", "the alert webhook URL is not a URL");
    }
  })();
  return {
    name: `webhook ${where}`,
    async send(event) {
      const body = JSON.stringify({
        text: event.text,
        event: event.kind,
        job: event.alert.job,
        cause: event.alert.cause,
        message: event.alert.message,
        code: event.alert.code,
        fix: event.alert.fix,
        alertId: event.alert.id,
        openedAt: event.alert.openedAt,
      });
      await retry(
        async () => {
          const response = await post(options.url, {
            method: "POST",
            headers: { "content-type": "application/json", ...options.headers },
            body,
            signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
          });
          if (!response.ok) {
            const error = new Error(`the webhook at ${where} answered ${response.status}`);
            (error as Error & { status: number }).status = response.status;
            throw error;
          }
        },
        {
          tries: options.tries ?? 4,
          sleep: options.sleep,
          retryable: (error) => {
            const status = (error as { status?: number }).status;
            return status === undefined || status === 429 || status >= 500;
          },
        },
      );
    },
  };
}

/**
 * Alerts as tasks for a person: an opened alert opens a `needs_you` task (one per alert, so one
 * per job and cause however many runs fail), and the recovery cancels it.
 */
export function createTaskAlertSink(
  store: Pick<TaskStore, "add" | "cancel" | "get">,
  onTaskOpened: (alertId: string, taskId: string) => Promise<void>,
): AlertSink {
  return {
    name: "task",
    async send(event) {
      if (event.kind === "opened") {
        const task = await store.add({
          title: `${event.alert.job} is failing`,
          prompt: event.text,
          needsYou: `${event.alert.message}${event.alert.fix ? `; fix: ${event.alert.fix}` : ""}`,
        });
        await onTaskOpened(event.alert.id, task.id);
      } else if (event.kind === "recovered" && event.alert.taskId) {
        const task = await store.get(event.alert.taskId);
        if (task && task.status !== "done" && task.status !== "cancelled")
          await store.cancel(event.alert.taskId);
      }
    },
  };
}
