// The dashboard's pages, rendered on the server. Each page is a static part (headings, filter
// forms) and a live part (`#live`) that the page's script swaps in place when the daemon says
// something changed: a person typing in a filter is never interrupted, and without JavaScript
// every page still works (a reload shows the news).
import {
  type JobAlert,
  type JobRun,
  type SessionRecord,
  TASK_STATUSES,
  type Task,
  type TaskStatus,
} from "@jada/orchestrator";
import { formatTime } from "../render/table.js";
import type { JobRow } from "../status/jobs.js";
import type { TaskDetail } from "../status/tasks.js";
import { Html, html } from "./html.js";
import type { Overview, TaskPage, TokenRow } from "./view.js";

/** What every page needs from the request. */
export interface PageContext {
  /** The CSRF token the forms carry. */
  csrf: string;
  /** Actions hidden (and refused by the server). */
  readOnly: boolean;
}

/** A rendered page: its title, static part and live part. */
export interface Page {
  title: string;
  nav: "overview" | "tasks" | "jobs" | "alerts" | "tokens";
  head?: Html | undefined;
  live: Html;
}

const NAV: ReadonlyArray<[Page["nav"], string, string]> = [
  ["overview", "/", "Overview"],
  ["tasks", "/tasks", "Tasks"],
  ["jobs", "/jobs", "Jobs"],
  ["alerts", "/alerts", "Alerts"],
  ["tokens", "/tokens", "Tokens"],
];

/** The whole document around a page. */
export function layout(page: Page, version: string): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · jada</title>
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
<p class="brand">jada <span class="version">${version}</span></p>
<nav aria-label="Sections"><ul>
${NAV.map(
  ([key, href, label]) =>
    html`<li><a href="${href}"${key === page.nav ? new Html(' aria-current="page"') : ""}>${label}</a></li>`,
)}
</ul></nav>
<p id="live-status" role="status" aria-live="polite">updates: off</p>
</header>
<main id="main" tabindex="-1">
<h1>${page.title}</h1>
${page.head}
<div id="live">${page.live}</div>
</main>
</body>
</html>
`;
}

const when = (iso: string | null | undefined) =>
  iso ? html`<time datetime="${iso}">${formatTime(iso)}</time>` : "-";

const duration = (seconds: number): string => {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
};

const statusBadge = (status: string) => html`<span class="badge s-${status}">${status}</span>`;

// A POST form with one button: the CSRF token rides along; read-only mode renders nothing.
function action(ctx: PageContext, path: string, label: string, name: string): Html | "" {
  if (ctx.readOnly) return "";
  return html`<form method="post" action="${path}" class="inline"><input type="hidden" name="csrf" value="${ctx.csrf}"><button type="submit" aria-label="${label} ${name}">${label}</button></form>`;
}

/** The overview: quota, what runs, what waits, what is broken. */
export function overviewPage(o: Overview): Page {
  const quota = o.quota;
  return {
    title: "Overview",
    nav: "overview",
    live: html`
<section aria-labelledby="h-agent"><h2 id="h-agent">Agent</h2>
<dl class="facts">
<div><dt>Sessions today</dt><dd><strong>${quota.used} of ${quota.limit}</strong>, resets ${when(quota.resetsAt)}</dd></div>
${quota.tokens ? html`<div><dt>Tokens today</dt><dd>${quota.tokens.used} of ${quota.tokens.limit}</dd></div>` : ""}
${quota.usd ? html`<div><dt>Spent today</dt><dd>$${quota.usd.used.toFixed(2)} of $${quota.usd.limit.toFixed(2)} (estimated)</dd></div>` : ""}
<div><dt>Queued</dt><dd><a href="/tasks?status=pending">${o.counts.pending} pending</a></dd></div>
<div><dt>Needs you</dt><dd><a href="/tasks?status=needs_you">${o.counts.needs_you} waiting for a person</a></dd></div>
<div><dt>Failed</dt><dd><a href="/tasks?status=failed">${o.counts.failed}</a></dd></div>
</dl>
${o.paused ? html`<p class="problem" role="alert"><strong>Sessions paused:</strong> ${o.paused.message.replace(/^sessions are paused: /, "").replace(/; fix: .*$/, "")}${o.paused.fix ? html`<br><span class="fix">fix: <code>${o.paused.fix}</code></span>` : ""}</p>` : ""}
${o.holdUntil ? html`<p class="warn">The API was unwell: no session starts before ${when(o.holdUntil)}.</p>` : ""}
<h3>Running now</h3>
${
  o.running.length === 0
    ? html`<p>No session is running.</p>`
    : html`<ul class="running">${o.running.map(
        (s) =>
          html`<li><a href="/tasks/${s.taskId}">${s.title}</a>: turn ${s.turn} of ${s.maxTurns}, for ${duration(s.elapsedSeconds)}</li>`,
      )}</ul>`
}
</section>
<section aria-labelledby="h-alerts"><h2 id="h-alerts">Open alerts</h2>
${o.openAlerts.length === 0 ? html`<p>None. ${o.jobs.total} jobs, ${o.jobs.failing} failing.</p>` : alertList(o.openAlerts)}
</section>
<section aria-labelledby="h-daemon"><h2 id="h-daemon">Daemon</h2>
<dl class="facts">
<div><dt>Version</dt><dd>${o.version}</dd></div>
<div><dt>Up since</dt><dd>${when(o.startedAt)} (${duration(o.uptimeSeconds)})</dd></div>
<div><dt>Store</dt><dd><code>${o.store}</code></dd></div>
</dl>
</section>`,
  };
}

function alertList(alerts: readonly JobAlert[], ctx?: PageContext): Html {
  return html`<ul class="alerts">${alerts.map(
    (alert) => html`<li class="${alert.closedAt ? "" : "problem"}">
<strong><a href="/jobs/${alert.job}">${alert.job}</a></strong>: ${alert.message}
${alert.fix ? html`<br><span class="fix">fix: <code>${alert.fix}</code></span>` : ""}
<br><small>opened ${when(alert.openedAt)}${alert.closedAt ? html`, closed ${when(alert.closedAt)}` : ""}${alert.ackedAt ? html`, acknowledged ${when(alert.ackedAt)}` : ""}${alert.taskId ? html`, task <a href="/tasks/${alert.taskId}">${alert.taskId.slice(0, 8)}</a>` : ""}</small>
${ctx && !alert.closedAt && !alert.ackedAt ? action(ctx, `/alerts/${alert.id}/ack`, "Acknowledge", `the alert of ${alert.job}`) : ""}
</li>`,
  )}</ul>`;
}

/** The filter of the task list, as it appears in the URL. */
export interface TaskFilter {
  status: TaskStatus | undefined;
  q: string;
  page: number;
}

/** Link to the task list with this filter (page 1 unless said). */
export function tasksHref(filter: Partial<TaskFilter>): string {
  const params = new URLSearchParams();
  if (filter.status) params.set("status", filter.status);
  if (filter.q) params.set("q", filter.q);
  if (filter.page && filter.page > 1) params.set("page", String(filter.page));
  const text = params.toString();
  return text === "" ? "/tasks" : `/tasks?${text}`;
}

/** Tasks, filtered by status and title, newest first, in pages. */
export function tasksPage(result: TaskPage, filter: TaskFilter, ctx: PageContext): Page {
  return {
    title: "Tasks",
    nav: "tasks",
    head: html`<form method="get" action="/tasks" class="filters" role="search">
<label for="f-status">Status</label>
<select id="f-status" name="status">
<option value="">any</option>
${TASK_STATUSES.map((status) => html`<option value="${status}"${status === filter.status ? new Html(" selected") : ""}>${status}</option>`)}
</select>
<label for="f-q">Title contains</label>
<input id="f-q" name="q" type="search" value="${filter.q}">
<button type="submit">Filter</button>
</form>`,
    live: html`<p class="counts">${TASK_STATUSES.map(
      (status) =>
        html`<a href="${tasksHref({ status, q: filter.q })}"${status === filter.status ? new Html(' aria-current="true"') : ""}>${status} ${result.counts[status]}</a> `,
    )}</p>
${
  result.tasks.length === 0
    ? html`<p>No task matches.</p>`
    : html`<table><caption>Tasks${filter.status ? ` ${filter.status}` : ""}${filter.q ? ` matching "${filter.q}"` : ""}, newest first</caption>
<thead><tr><th scope="col">Title</th><th scope="col">Status</th><th scope="col">Sessions</th><th scope="col">Updated</th><th scope="col">Actions</th></tr></thead>
<tbody>${result.tasks.map(
        (task) => html`<tr>
<td><a href="/tasks/${task.id}">${task.title}</a>${task.needsYou ? html`<br><small>${task.needsYou}</small>` : ""}</td>
<td>${statusBadge(task.status)}</td><td>${task.attempts}/${task.maxAttempts}</td><td>${when(task.updatedAt)}</td>
<td>${taskActions(task, ctx)}</td></tr>`,
      )}</tbody></table>`
}
<nav aria-label="Pages" class="pages">
${filter.page > 1 ? html`<a href="${tasksHref({ ...filter, page: filter.page - 1 })}" rel="prev">Newer</a>` : ""}
${result.more ? html`<a href="${tasksHref({ ...filter, page: filter.page + 1 })}" rel="next">Older</a>` : ""}
</nav>`,
  };
}

function taskActions(task: Task, ctx: PageContext): Html {
  const retryable =
    task.status === "failed" || task.status === "cancelled" || task.status === "needs_you";
  const cancellable =
    task.status === "pending" || task.status === "running" || task.status === "needs_you";
  return html`${retryable ? action(ctx, `/tasks/${task.id}/retry`, "Retry", task.title) : ""}${cancellable ? action(ctx, `/tasks/${task.id}/cancel`, "Cancel", task.title) : ""}`;
}

const usageTokens = (session: SessionRecord): number =>
  session.usage
    ? session.usage.inputTokens +
      session.usage.outputTokens +
      session.usage.cacheReadTokens +
      session.usage.cacheWriteTokens
    : 0;

/** One task: its sessions, checkpoint, result, parent and children. */
export function taskPage(task: TaskDetail, ctx: PageContext): Page {
  const link = (t: { id: string; title: string; status: string }) =>
    html`<a href="/tasks/${t.id}">${t.title}</a> ${statusBadge(t.status)}`;
  return {
    title: task.title,
    nav: "tasks",
    live: html`<dl class="facts">
<div><dt>Status</dt><dd>${statusBadge(task.status)}</dd></div>
<div><dt>Id</dt><dd><code>${task.id}</code></dd></div>
<div><dt>Sessions</dt><dd>${task.attempts} of ${task.maxAttempts}</dd></div>
<div><dt>Spent</dt><dd>${task.totals.turns} turns, ${task.totals.tokens} tokens, $${task.totals.costUsd.toFixed(4)}</dd></div>
${task.parent ? html`<div><dt>Part of</dt><dd>${link(task.parent)}</dd></div>` : ""}
${task.notBefore ? html`<div><dt>Not before</dt><dd>${when(task.notBefore)}</dd></div>` : ""}
</dl>
${task.needsYou ? html`<p class="problem"><strong>Needs you:</strong> ${task.needsYou}</p>` : ""}
<p>${taskActions(task, ctx)}</p>
${task.children.length > 0 ? html`<h2>Split into</h2><ol>${task.children.map((child) => html`<li>${link(child)}</li>`)}</ol>` : ""}
<h2>Sessions</h2>
${
  task.sessions.length === 0
    ? html`<p>No session yet.</p>`
    : html`<table><caption>Sessions of this task, oldest first</caption>
<thead><tr><th scope="col">Started</th><th scope="col">Outcome</th><th scope="col">Turns</th><th scope="col">Tokens</th><th scope="col">Cost</th><th scope="col">Took</th></tr></thead>
<tbody>${task.sessions.map(
        (s) =>
          html`<tr><td>${when(s.startedAt)}</td><td>${s.outcome ?? "running"}${s.error ? html`<br><small>${s.error}</small>` : ""}</td><td>${s.turns}</td><td>${usageTokens(s)}</td><td>${s.costUsd === null ? "-" : `$${s.costUsd.toFixed(4)}`}</td><td>${s.endedAt ? duration(Math.round((Date.parse(s.endedAt) - Date.parse(s.startedAt)) / 1000)) : "-"}</td></tr>`,
      )}</tbody></table>`
}
<h2>Checkpoint</h2>
${task.checkpoint === null ? html`<p>None saved.</p>` : html`<pre>${JSON.stringify(task.checkpoint, null, 2)}</pre>`}
${task.result !== null ? html`<h2>Result</h2><pre>${JSON.stringify(task.result, null, 2)}</pre>` : ""}`,
  };
}

/** The jobs: schedule, last and next run, failures in a row, the open alert with its fix. */
export function jobsPage(jobs: readonly JobRow[], ctx: PageContext): Page {
  return {
    title: "Jobs",
    nav: "jobs",
    live:
      jobs.length === 0
        ? html`<p>No job is configured.</p>`
        : html`<table><caption>The daemon's jobs</caption>
<thead><tr><th scope="col">Job</th><th scope="col">Schedule</th><th scope="col">Last run</th><th scope="col">Next run</th><th scope="col">Failing</th><th scope="col">Actions</th></tr></thead>
<tbody>${jobs.map(
            (job) => html`<tr class="${job.openAlert ? "problem" : ""}">
<td><a href="/jobs/${job.name}">${job.name}</a>${job.openAlert ? html`<br><span class="fix">${job.openAlert.message}${job.openAlert.fix ? html`<br>fix: <code>${job.openAlert.fix}</code>` : ""}</span>` : ""}</td>
<td><code>${job.schedule}</code></td>
<td>${job.lastRun ? html`${when(job.lastRun.startedAt)} ${statusBadge(job.lastRun.outcome)}` : "never"}</td>
<td>${when(job.nextRunAt)}</td>
<td>${job.consecutiveFailures > 0 ? html`<strong>${job.consecutiveFailures} in a row</strong>` : "0"}</td>
<td>${action(ctx, `/jobs/${job.name}/run`, "Run now", job.name)}</td></tr>`,
          )}</tbody></table>`,
  };
}

/** One job and its latest runs. */
export function jobPage(job: JobRow, runs: readonly JobRun[], ctx: PageContext): Page {
  return {
    title: `Job ${job.name}`,
    nav: "jobs",
    live: html`<dl class="facts">
<div><dt>Schedule</dt><dd><code>${job.schedule}</code></dd></div>
<div><dt>Next run</dt><dd>${when(job.nextRunAt)}</dd></div>
<div><dt>Last success</dt><dd>${when(job.lastSuccess?.startedAt)}</dd></div>
<div><dt>Failures in a row</dt><dd>${job.consecutiveFailures}</dd></div>
</dl>
${job.openAlert ? alertList([job.openAlert], ctx) : ""}
<p>${action(ctx, `/jobs/${job.name}/run`, "Run now", job.name)}</p>
<h2>Runs</h2>
${
  runs.length === 0
    ? html`<p>No run yet.</p>`
    : html`<table><caption>Latest runs, newest first</caption>
<thead><tr><th scope="col">Started</th><th scope="col">Outcome</th><th scope="col">Took</th><th scope="col">Error</th></tr></thead>
<tbody>${runs.map(
        (
          run,
        ) => html`<tr><td>${when(run.startedAt)}${run.manual ? " (manual)" : ""}</td><td>${statusBadge(run.outcome)}</td>
<td>${run.endedAt ? `${((Date.parse(run.endedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1)} s` : "-"}</td>
<td>${run.errorMessage ?? ""}${run.fix ? html`<br><span class="fix">fix: <code>${run.fix}</code></span>` : ""}</td></tr>`,
      )}</tbody></table>`
}`,
  };
}

/** Open and recently closed alerts. */
export function alertsPage(
  alerts: { open: JobAlert[]; recent: JobAlert[] },
  ctx: PageContext,
): Page {
  return {
    title: "Alerts",
    nav: "alerts",
    live: html`<h2>Open</h2>
${alerts.open.length === 0 ? html`<p>No open alert.</p>` : alertList(alerts.open, ctx)}
<h2>Recently closed</h2>
${alerts.recent.length === 0 ? html`<p>None.</p>` : alertList(alerts.recent, ctx)}`,
  };
}

/** Each Google account's token: status and fix; never a secret. */
export function tokensPage(tokens: readonly TokenRow[]): Page {
  return {
    title: "Tokens",
    nav: "tokens",
    live:
      tokens.length === 0
        ? html`<p>No Google account is stored. Add one: <code>jada auth google --account EMAIL</code></p>`
        : html`<table><caption>Google accounts (as of their last refresh; <code>jada tokens check</code> refreshes)</caption>
<thead><tr><th scope="col">Account</th><th scope="col">Status</th><th scope="col">Last refresh</th><th scope="col">Why, and the fix</th></tr></thead>
<tbody>${tokens.map(
            (
              token,
            ) => html`<tr class="${token.status === "ok" ? "" : "problem"}"><td>${token.account}</td><td>${statusBadge(token.status)}</td><td>${when(token.lastRefreshOk)}</td>
<td>${[...token.reasons, ...token.warnings].join("; ")}${token.fix ? html`<br><span class="fix">fix: <code>${token.fix}</code></span>` : ""}</td></tr>`,
          )}</tbody></table>`,
  };
}

/** A page for a mistake (404, 400, 403): what went wrong and a way back. */
export function errorPage(title: string, message: string): Page {
  return {
    title,
    nav: "overview",
    live: html`<p>${message}</p><p><a href="/">Back to the overview</a></p>`,
  };
}
