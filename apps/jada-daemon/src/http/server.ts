// The daemon's one HTTP server: the dashboard's pages, the JSON API under /api, live updates at
// /events, /metrics, /healthz and /readyz. node:http and nothing else: the footprint of an idle
// daemon matters more here than a framework's conveniences.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type JobRunEnded, type Logger, TASK_STATUSES, type TaskStatus } from "@jada/orchestrator";
import { CSS, SCRIPT } from "./assets.js";
import { createEventHub } from "./events.js";
import type { DaemonMetrics } from "./metrics.js";
import {
  alertsPage,
  errorPage,
  jobPage,
  jobsPage,
  layout,
  overviewPage,
  type Page,
  type PageContext,
  type TaskFilter,
  taskPage,
  tasksPage,
  tokensPage,
} from "./pages.js";
import { createSecurity, TOKEN_COOKIE } from "./security.js";
import type { DaemonView } from "./view.js";

/** Options of {@link createHttpServer}. */
export interface HttpServerOptions {
  view: DaemonView;
  /** Whether the listening address is loopback (then only loopback Host names are answered). */
  loopback: boolean;
  /** Needed unless the address is loopback. */
  token: string | undefined;
  readOnly: boolean;
  version: string;
  logger: Logger;
  /** Between looks for changes while a page is open (default 250 ms). */
  livePollMs?: number | undefined;
}

/** The server's handler, not listening: `http/listen.ts` hands it the connections. */
export interface HttpApp {
  server: Server;
  /** Give it to the scheduler's `onRunEnd`: job runs for /metrics. */
  jobRunEnded(end: JobRunEnded): void;
  /** Ends the event streams and every connection. */
  close(): Promise<void>;
}

/** Where a request went wrong: the status and what to tell the client. */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = "HttpError";
    this.status = status;
  }
}

/** The largest request body accepted (actions carry a CSRF token and little else). */
export const MAX_BODY_BYTES = 16 * 1024;

const PAGE_SIZE = 50;
const STATUSES = new Set<string>(TASK_STATUSES);

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
};

/** The dashboard, the JSON API, /events, /metrics, /healthz and /readyz, as one handler. */
export function createHttpServer(options: HttpServerOptions): HttpApp {
  const { view, logger } = options;
  const security = createSecurity({ token: options.token, loopback: options.loopback });
  const hub = createEventHub({
    fingerprint: () => view.fingerprint(),
    onTaskAdded: (notify) => view.onTaskAdded(notify),
    pollMs: options.livePollMs,
  });
  // prom-client loads on the first scrape; runs that end before it are kept for it.
  const endedRuns: JobRunEnded[] = [];
  let metrics: Promise<DaemonMetrics> | undefined;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message =
        error instanceof HttpError ? error.message : "internal error (the daemon's log has it)";
      if (status === 500)
        logger.error(
          { path: request.url?.split("?")[0], error: (error as Error)?.message },
          `http: ${request.method} failed`,
        );
      if (response.headersSent) {
        response.destroy();
        return;
      }
      reply(request, response, status, message);
    });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(request.url ?? "/", "http://localhost");
    } catch {
      throw new HttpError(400, "malformed request URL");
    }
    const path = url.pathname;
    const host = security.checkHost(request);
    if (!host.ok) throw new HttpError(host.status, host.reason);
    // Liveness: the process answers. Nothing else is asked, so nothing else can fail it.
    if (path === "/healthz") return json(response, 200, { status: "ok" });
    if (path === "/readyz") {
      const readiness = await view.readiness();
      return json(response, readiness.ready ? 200 : 503, readiness);
    }
    const auth = security.checkToken(request, url);
    if (!auth.ok) throw new HttpError(auth.status, auth.reason);
    if (auth.fromQuery) {
      // The token goes into an HttpOnly cookie, and out of the address bar and history.
      url.searchParams.delete("token");
      response.writeHead(303, {
        location: url.pathname + url.search,
        "set-cookie": `${TOKEN_COOKIE}=${encodeURIComponent(options.token ?? "")}; HttpOnly; SameSite=Strict; Path=/`,
      });
      response.end();
      return;
    }
    if (request.method === "POST") return act(request, response, path);
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.setHeader("allow", "GET, HEAD, POST");
      throw new HttpError(405, `${request.method} is not allowed here`);
    }
    if (path === "/assets/app.css") return asset(response, "text/css", CSS);
    if (path === "/assets/app.js") return asset(response, "text/javascript", SCRIPT);
    if (path === "/events") return hub.attach(response);
    if (path === "/metrics") {
      metrics ??= import("./metrics.js").then((m) => m.createDaemonMetrics(view, endedRuns));
      const { registry } = await metrics;
      const text = await registry.metrics();
      response.writeHead(200, {
        "content-type": registry.contentType,
        "cache-control": "no-store",
      });
      response.end(text);
      return;
    }
    if (path.startsWith("/api/")) return json(response, 200, await api(path, url));
    const page = await pageAt(path, url);
    const body =
      request.headers["x-jada-partial"] === "live" ? page.live : layout(page, options.version);
    return send(response, 200, "text/html; charset=utf-8", String(body));
  }

  const pageContext = (): PageContext => ({ csrf: security.csrf, readOnly: options.readOnly });

  async function pageAt(path: string, url: URL): Promise<Page> {
    const ctx = pageContext();
    if (path === "/") return overviewPage(await view.overview());
    if (path === "/tasks") {
      const filter = taskFilter(url);
      const result = await view.tasks({
        status: filter.status,
        titleContains: filter.q,
        newestFirst: true,
        limit: PAGE_SIZE,
        offset: (filter.page - 1) * PAGE_SIZE,
      });
      return tasksPage(result, filter, ctx);
    }
    let match = /^\/tasks\/([^/]+)$/.exec(path);
    if (match) {
      const task = await view.task(decode(match[1]));
      if (task === undefined) throw new HttpError(404, `no task ${decode(match[1])}`);
      return taskPage(task, ctx);
    }
    if (path === "/jobs") return jobsPage(await view.jobs(), ctx);
    match = /^\/jobs\/([^/]+)$/.exec(path);
    if (match) {
      const name = decode(match[1]);
      const job = (await view.jobs()).find((row) => row.name === name);
      if (job === undefined) throw new HttpError(404, `no job ${name}`);
      return jobPage(job, await view.jobRuns(name, 50), ctx);
    }
    if (path === "/alerts") return alertsPage(await view.alerts(), ctx);
    if (path === "/tokens") return tokensPage(await view.tokens());
    throw new HttpError(404, `no page ${path}`);
  }

  async function api(path: string, url: URL): Promise<unknown> {
    if (path === "/api/overview") return view.overview();
    if (path === "/api/session") return { csrf: security.csrf, readOnly: options.readOnly };
    if (path === "/api/tasks") {
      const filter = taskFilter(url);
      const limit = numberParam(url, "limit", PAGE_SIZE, 1, 1000);
      const offset = numberParam(url, "offset", 0, 0, Number.MAX_SAFE_INTEGER);
      return view.tasks({
        status: filter.status,
        titleContains: filter.q,
        newestFirst: url.searchParams.get("order") !== "oldest",
        limit,
        offset,
      });
    }
    let match = /^\/api\/tasks\/([^/]+)$/.exec(path);
    if (match) {
      const task = await view.task(decode(match[1]));
      if (task === undefined) throw new HttpError(404, `no task ${decode(match[1])}`);
      return task;
    }
    if (path === "/api/jobs") return view.jobs();
    match = /^\/api\/jobs\/([^/]+)$/.exec(path);
    if (match) {
      const name = decode(match[1]);
      const job = (await view.jobs()).find((row) => row.name === name);
      if (job === undefined) throw new HttpError(404, `no job ${name}`);
      return { ...job, runs: await view.jobRuns(name, numberParam(url, "limit", 50, 1, 500)) };
    }
    if (path === "/api/alerts") return view.alerts();
    if (path === "/api/tokens") return view.tokens();
    if (path === "/api/readiness") return view.readiness();
    throw new HttpError(404, `no API ${path}`);
  }

  // POST /tasks/:id/{retry,cancel}, /jobs/:name/run, /alerts/:id/ack, and the same under /api.
  async function act(request: IncomingMessage, response: ServerResponse, path: string) {
    const match = /^(\/api)?\/(tasks|jobs|alerts)\/([^/]+)\/(retry|cancel|run|ack)$/.exec(path);
    const known =
      match &&
      ((match[2] === "tasks" && (match[4] === "retry" || match[4] === "cancel")) ||
        (match[2] === "jobs" && match[4] === "run") ||
        (match[2] === "alerts" && match[4] === "ack"));
    if (!match || !known) throw new HttpError(404, `no action ${path}`);
    if (options.readOnly)
      throw new HttpError(403, "this dashboard is read-only (http.readOnly): actions are off");
    const body = await readBody(request);
    const presented =
      (typeof body["csrf"] === "string" ? body["csrf"] : undefined) ??
      headerValue(request.headers["x-csrf-token"]);
    const verdict = security.checkAction(request, presented);
    if (!verdict.ok) throw new HttpError(verdict.status, verdict.reason);
    const [, isApi, kind, rawId, verb] = match;
    const id = decode(rawId);
    let result: unknown;
    let back: string;
    try {
      if (kind === "tasks") {
        result = verb === "retry" ? await view.retry(id) : await view.cancel(id);
        back = `/tasks/${encodeURIComponent(id)}`;
      } else if (kind === "jobs") {
        if (!view.jobNames.includes(id)) throw new HttpError(404, `no job ${id}`);
        await view.runJob(id);
        result = { job: id, started: true };
        back = `/jobs/${encodeURIComponent(id)}`;
      } else {
        result = await view.ack(id);
        back = "/alerts";
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === "NOT_FOUND") throw new HttpError(404, (error as Error).message);
      if (code === "INVALID_STATE" || code === "INVALID_INPUT")
        throw new HttpError(409, (error as Error).message);
      throw error;
    }
    logger.info({ action: `${kind}/${verb}`, id }, `http: ${verb} ${kind?.slice(0, -1)} ${id}`);
    if (isApi) return json(response, 200, result);
    response.writeHead(303, { location: back });
    response.end();
  }

  function reply(
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    message: string,
  ) {
    const path = request.url ?? "/";
    const wantsJson =
      path.startsWith("/api/") ||
      path.startsWith("/metrics") ||
      path.startsWith("/events") ||
      !(request.headers.accept ?? "").includes("text/html");
    if (wantsJson) return json(response, status, { error: message, status });
    const title =
      status === 404
        ? "Not found"
        : status === 401
          ? "Token needed"
          : status === 403
            ? "Refused"
            : "Error";
    send(
      response,
      status,
      "text/html; charset=utf-8",
      String(layout(errorPage(title, message), options.version)),
    );
  }

  return {
    server,
    jobRunEnded(end) {
      if (metrics === undefined) endedRuns.push(end);
      else void metrics.then((m) => m.jobRunEnded(end));
    },
    async close() {
      hub.close();
      server.closeAllConnections();
    },
  };
}

function taskFilter(url: URL): TaskFilter {
  const status = url.searchParams.get("status") ?? "";
  if (status !== "" && !STATUSES.has(status))
    throw new HttpError(400, `no task status "${status}" (one of ${[...STATUSES].join(", ")})`);
  return {
    status: status === "" ? undefined : (status as TaskStatus),
    q: (url.searchParams.get("q") ?? "").slice(0, 200),
    page: numberParam(url, "page", 1, 1, 100_000),
  };
}

function numberParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const text = url.searchParams.get(name);
  if (text === null || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new HttpError(400, `${name} must be a whole number from ${min} to ${max}`);
  return value;
}

function decode(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? "");
  } catch {
    throw new HttpError(400, "malformed path");
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

// The body of an action: a form or JSON, at most MAX_BODY_BYTES.
async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge(request);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw tooLarge(request);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  const type = (request.headers["content-type"] ?? "").split(";")[0]?.trim();
  if (type === "application/json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new HttpError(400, `malformed JSON body: ${(error as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new HttpError(400, "the JSON body must be an object");
    return parsed as Record<string, unknown>;
  }
  if (type === "application/x-www-form-urlencoded")
    return Object.fromEntries(new URLSearchParams(text));
  throw new HttpError(415, `a body of ${type || "no type"}: send a form or application/json`);
}

function tooLarge(request: IncomingMessage): HttpError {
  // Stop reading: the rest of a huge body is not worth receiving.
  request.resume();
  return new HttpError(413, `the body is larger than ${MAX_BODY_BYTES} bytes`);
}

function send(response: ServerResponse, status: number, type: string, body: string) {
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    "content-type": type,
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(body),
  });
  response.end(response.req.method === "HEAD" ? undefined : body);
}

function json(response: ServerResponse, status: number, value: unknown) {
  send(response, status, "application/json; charset=utf-8", `${JSON.stringify(value)}\n`);
}

function asset(response: ServerResponse, type: string, text: string) {
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    "content-type": `${type}; charset=utf-8`,
    "cache-control": "public, max-age=300",
    "content-length": Buffer.byteLength(text),
  });
  response.end(response.req.method === "HEAD" ? undefined : text);
}
