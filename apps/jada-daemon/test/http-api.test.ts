// The daemon's HTTP server, from outside: the built `jada daemon` with a real session against the
// loopback Messages API, then /metrics read with a Prometheus text-format parser and compared
// with the store, /readyz following the store's file, the JSON API, and what it refuses.
import { spawnSync } from "node:child_process";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteTaskStore } from "@jada/orchestrator/sqlite";
import {
  dropTestSchema,
  postgresAvailable,
  startMessagesFake,
  TEST_DATABASE_URL,
  testSchemaName,
} from "@jada/orchestrator/testing";
import { afterEach, describe, expect, it } from "vitest";
import { type DaemonProcess, startDaemon } from "./daemon-process.js";
import { type PromFamily, parsePrometheusText, sampleValue } from "./prometheus-text.js";
import { runJada } from "./run-jada.js";

const cleanups: Array<() => Promise<unknown>> = [];
const postgres = await postgresAvailable();
if (!postgres.ok) console.warn(`skipping /readyz on Postgres: ${postgres.reason}`);

// One SQL statement through psql (the PostgreSQL client beside the server).
function psql(sql: string): void {
  const result = spawnSync("psql", [TEST_DATABASE_URL, "-v", "ON_ERROR_STOP=1", "-qc", sql], {
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`psql: ${result.stderr || result.error?.message}`);
}
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function workspace(config: Record<string, unknown> = {}) {
  const dir = await mkdtemp(join(tmpdir(), "jada-http-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, "jada.config.json"),
    JSON.stringify({
      http: { port: 0 },
      agent: { pollSeconds: 1 },
      jobs: { "tokens-check": { enabled: false } },
      ...config,
    }),
  );
  const env = { JADA_DATA_DIR: join(dir, "data") };
  return { dir, env, db: join(dir, "data", "jada.db") };
}

async function daemon(dir: string, env: Record<string, string>): Promise<DaemonProcess> {
  const started = await startDaemon(dir, env);
  cleanups.push(() => started.stop());
  return started;
}

async function getJson(url: string, init: RequestInit = {}) {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function scrape(url: string): Promise<Map<string, PromFamily>> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4");
  return parsePrometheusText(await response.text());
}

describe("the daemon's HTTP server", () => {
  it("/metrics agrees with the store after a scripted session and a job run", async () => {
    let call = 0;
    // The second call waits until the test has seen the running session on the overview.
    let atSecond: () => void = () => {};
    const reachedSecond = new Promise<void>((resolve) => {
      atSecond = resolve;
    });
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fake = await startMessagesFake(async () => {
      call++;
      if (call === 2) {
        atSecond();
        await released;
      }
      return call === 1
        ? {
            content: [{ type: "text", text: "reading the sheet" }],
            usage: { input_tokens: 1200, output_tokens: 80, cache_read_input_tokens: 300 },
          }
        : {
            content: [
              { type: "tool_use", id: "toolu_1", name: "complete_task", input: { result: "ok" } },
            ],
            usage: { input_tokens: 1500, output_tokens: 40, cache_creation_input_tokens: 50 },
          };
    });
    cleanups.push(() => fake.close());
    const { dir, env, db } = await workspace({
      agent: { pollSeconds: 1, price: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } },
    });
    expect((await runJada(["task", "add", "Reconcile bookings"], { cwd: dir, env })).code).toBe(0);
    const jada = await daemon(dir, {
      ...env,
      ANTHROPIC_API_KEY: "sk-ant-test",
      ANTHROPIC_BASE_URL: fake.baseURL,
    });
    await reachedSecond;
    const during = await getJson(`${jada.url}/api/overview`);
    expect(during.body["running"]).toMatchObject([
      { title: "Reconcile bookings", turn: 1, maxTurns: 30 },
    ]);
    expect(during.body["counts"]).toMatchObject({ running: 1, pending: 0 });
    release();
    await jada.when(/^session completed/);
    expect((await getJson(`${jada.url}/api/overview`)).body["running"]).toEqual([]);

    // A job run, started through the API as the dashboard's button does.
    const { body: session } = await getJson(`${jada.url}/api/session`);
    const ran = await fetch(`${jada.url}/api/jobs/self-check/run`, {
      method: "POST",
      headers: { "x-csrf-token": String(session["csrf"]) },
    });
    expect(ran.status).toBe(200);
    await jada.when(/^job self-check ok/);

    const families = await scrape(jada.url);
    const value = (name: string, labels: Record<string, string> = {}) =>
      sampleValue(families, name, name, labels);
    const store = createSqliteTaskStore({ path: db });
    const totals = await store.sessionTotals();
    const quota = await store.quota();
    await store.close();
    expect(totals.byOutcome).toEqual({ completed: 1 });

    expect(families.get("jada_sessions_total")?.type).toBe("counter");
    expect(value("jada_sessions_total", { outcome: "completed" })).toBe(1);
    expect(value("jada_sessions_total", { outcome: "error" })).toBe(0);
    expect(families.get("jada_session_turns")?.type).toBe("histogram");
    const turns = (series: string, labels = {}) =>
      sampleValue(families, "jada_session_turns", `jada_session_turns${series}`, labels);
    expect([turns("_count"), turns("_sum")]).toEqual([1, 2]);
    expect([turns("_bucket", { le: "1" }), turns("_bucket", { le: "2" })]).toEqual([0, 1]);
    expect(turns("_bucket", { le: "+Inf" })).toBe(1);
    expect(value("jada_tokens_total", { kind: "input" })).toBe(totals.tokens.input);
    expect(totals.tokens.input).toBe(2700);
    expect(value("jada_tokens_total", { kind: "output" })).toBe(120);
    expect(value("jada_tokens_total", { kind: "cache_read" })).toBe(300);
    expect(value("jada_tokens_total", { kind: "cache_write" })).toBe(50);
    expect(value("jada_cost_usd_total")).toBeCloseTo(totals.costUsd, 9);
    expect(totals.costUsd).toBeGreaterThan(0);
    expect(value("jada_quota_sessions_used")).toBe(quota.used);
    expect(value("jada_quota_sessions_limit")).toBe(5);
    expect(value("jada_tasks", { status: "done" })).toBe(1);
    expect(value("jada_tasks", { status: "pending" })).toBe(0);
    expect(value("jada_job_runs_total", { job: "self-check", outcome: "ok" })).toBe(1);
    expect(value("jada_job_runs_total", { job: "self-check", outcome: "error" })).toBe(0);
    expect(
      sampleValue(families, "jada_job_duration_seconds", "jada_job_duration_seconds_count", {
        job: "self-check",
      }),
    ).toBe(1);
    expect(value("jada_job_consecutive_failures", { job: "self-check" })).toBe(0);
    expect(value("jada_job_last_success_timestamp_seconds", { job: "self-check" })).toBeGreaterThan(
      Date.now() / 1000 - 600,
    );
    // Default process metrics, and no label carries a task id.
    expect(families.has("process_resident_memory_bytes")).toBe(true);
    const [task] = (await getJson(`${jada.url}/api/tasks`)).body["tasks"] as Array<{ id: string }>;
    const text = await (await fetch(`${jada.url}/metrics`)).text();
    expect(text).not.toContain(task?.id);
  });

  it("/readyz turns 503 with the reason when the SQLite file goes, and 200 when it is back", async () => {
    const { dir, env, db } = await workspace();
    const jada = await daemon(dir, env);
    const ready = await getJson(`${jada.url}/readyz`);
    expect(ready).toEqual({
      status: 200,
      body: { ready: true, checks: { store: "ok", worker: "ok", scheduler: "ok" } },
    });
    await rename(db, `${db}.away`);
    const gone = await getJson(`${jada.url}/readyz`);
    expect(gone.status).toBe(503);
    expect(gone.body).toMatchObject({
      ready: false,
      checks: { store: `the SQLite file ${db} is gone` },
    });
    // Liveness is only "the process answers".
    expect((await getJson(`${jada.url}/healthz`)).status).toBe(200);
    await rename(`${db}.away`, db);
    expect((await getJson(`${jada.url}/readyz`)).status).toBe(200);
  });

  it.skipIf(!postgres.ok)(
    "/readyz turns 503 when the Postgres schema is gone, and 200 when it is back",
    async () => {
      const schema = testSchemaName();
      cleanups.push(() => dropTestSchema(schema));
      const { dir, env } = await workspace({ database: { schema } });
      const jada = await daemon(dir, { ...env, JADA_DATABASE_URL: TEST_DATABASE_URL });
      expect((await getJson(`${jada.url}/readyz`)).status).toBe(200);
      psql(`ALTER SCHEMA "${schema}" RENAME TO "${schema}_away"`);
      const gone = await getJson(`${jada.url}/readyz`);
      expect(gone.status).toBe(503);
      expect(String((gone.body["checks"] as { store: string }).store)).toMatch(
        /^the store does not answer: /,
      );
      psql(`ALTER SCHEMA "${schema}_away" RENAME TO "${schema}"`);
      expect((await getJson(`${jada.url}/readyz`)).status).toBe(200);
    },
  );

  it("answers the JSON API in the CLI's shapes", async () => {
    const { dir, env } = await workspace();
    const parent = await runJada(["task", "add", "Update the three sites", "--json"], {
      cwd: dir,
      env,
    });
    const jada = await daemon(dir, env);
    const { id } = JSON.parse(parent.stdout) as { id: string };
    const overview = await getJson(`${jada.url}/api/overview`);
    expect(overview.body).toMatchObject({
      quota: { used: 0, limit: 5 },
      counts: { pending: 1, done: 0 },
      running: [],
      paused: { reason: "no_model" },
      jobs: { total: 1, failing: 0 },
    });
    expect(String(overview.body["store"])).toMatch(/^sqlite \(/);
    const cli = await runJada(["task", "show", id, "--json"], { cwd: dir, env });
    const api = await getJson(`${jada.url}/api/tasks/${id}`);
    expect(api.body).toEqual(JSON.parse(cli.stdout));
    const jobsCli = await runJada(["jobs", "list", "--json"], { cwd: dir, env });
    const jobsApi = await getJson(`${jada.url}/api/jobs`);
    expect(jobsApi.body).toEqual(JSON.parse(jobsCli.stdout));
    const filtered = await getJson(`${jada.url}/api/tasks?status=pending&q=THREE`);
    expect((filtered.body["tasks"] as unknown[]).length).toBe(1);
    const none = await getJson(`${jada.url}/api/tasks?status=done`);
    expect(none.body).toMatchObject({ tasks: [], more: false });
  });

  it("refuses bad requests with a status and a reason, never a stack", async () => {
    const { dir, env } = await workspace();
    const jada = await daemon(dir, env);
    const { body: session } = await getJson(`${jada.url}/api/session`);
    const csrf = String(session["csrf"]);
    const post = (path: string, init: RequestInit = {}) =>
      fetch(`${jada.url}${path}`, { method: "POST", ...init });

    expect(await getJson(`${jada.url}/nope`)).toEqual({
      status: 404,
      body: { status: 404, error: "no page /nope" },
    });
    expect((await getJson(`${jada.url}/api/nope`)).status).toBe(404);
    expect((await getJson(`${jada.url}/api/tasks?status=bogus`)).status).toBe(400);
    expect((await getJson(`${jada.url}/api/tasks?limit=-1`)).status).toBe(400);
    expect((await getJson(`${jada.url}/tasks/nope`)).body).toMatchObject({ error: "no task nope" });
    // Path traversal: assets are served by name from memory, never from a path.
    for (const path of [
      "/assets/../../../../etc/passwd",
      "/assets/..%2f..%2f..%2fetc%2fpasswd",
      "/assets/%2e%2e/%2e%2e/etc/passwd",
      "/tasks/..%2F..%2Fetc%2Fpasswd",
    ]) {
      const response = await rawGet(jada.url, path);
      expect(response.status, path).toBe(404);
      expect(response.body, path).not.toContain("root:");
    }
    expect((await rawGet(jada.url, "/tasks/%E0%A4%A")).status).toBe(400);
    // Actions: method, CSRF, body size and shape.
    expect((await fetch(`${jada.url}/tasks`, { method: "PUT" })).status).toBe(405);
    expect((await post("/api/tasks/x/retry")).status).toBe(403);
    expect(
      (await post("/api/tasks/x/retry", { headers: { "x-csrf-token": "wrong" } })).status,
    ).toBe(403);
    const huge = await post("/api/tasks/x/retry", {
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify({ pad: "x".repeat(64 * 1024) }),
    });
    expect(huge.status).toBe(413);
    const malformed = await post("/api/tasks/x/retry", {
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: "{ not json",
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/^malformed JSON body/);
    const missing = await post("/api/tasks/nope/retry", { headers: { "x-csrf-token": csrf } });
    expect(missing.status).toBe(404);
    expect((await post("/api/jobs/nope/run", { headers: { "x-csrf-token": csrf } })).status).toBe(
      404,
    );
    expect((await post("/api/tasks/x/explode", { headers: { "x-csrf-token": csrf } })).status).toBe(
      404,
    );
    // Another site's page cannot act, even with the token; nor can another Host read.
    const crossOrigin = await post("/api/tasks/x/retry", {
      headers: { "x-csrf-token": csrf, origin: "http://evil.example" },
    });
    expect(crossOrigin.status).toBe(403);
    expect((await rawGet(jada.url, "/api/overview", { host: "evil.example" })).status).toBe(421);
    // The daemon is still well.
    expect((await getJson(`${jada.url}/readyz`)).status).toBe(200);
    expect(jada.lines.filter((line) => line.level >= 50)).toEqual([]);
  });

  it("off the loopback address it needs a token; a public address without one does not start", async () => {
    const { dir, env } = await workspace({ http: { port: 0, host: "0.0.0.0" } });
    const refused = await runJada(["daemon"], { cwd: dir, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/http.host 0.0.0.0 is not loopback: set http.token/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);

    const token = "t0ken-for-the-dashboard-1234";
    const jada = await daemon(dir, { ...env, JADA_HTTP_TOKEN: token });
    const url = jada.url.replace("0.0.0.0", "127.0.0.1");
    expect((await fetch(`${url}/api/overview`)).status).toBe(401);
    expect(
      (await fetch(`${url}/api/overview`, { headers: { authorization: "Bearer wrong" } })).status,
    ).toBe(401);
    expect(
      (await fetch(`${url}/api/overview`, { headers: { authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(200);
    // ?token= once: a cookie, and the token out of the address.
    const once = await fetch(`${url}/tasks?status=pending&token=${token}`, { redirect: "manual" });
    expect(once.status).toBe(303);
    expect(once.headers.get("location")).toBe("/tasks?status=pending");
    const cookie = once.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    const withCookie = await fetch(`${url}/api/overview`, {
      headers: { cookie: cookie.split(";")[0] ?? "" },
    });
    expect(withCookie.status).toBe(200);
    // The token is in no log line.
    expect(JSON.stringify(jada.lines)).not.toContain(token);
  });
});

// A GET with the path as written (fetch would normalise `..`), and any Host.
function rawGet(
  base: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, path, headers }, (response) => {
      let body = "";
      response.on("data", (chunk) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject);
    request.end();
  });
}
