// Benchmarks of the daemon's HTTP server and dashboard.
//
//   npm run build && node bench/dashboard/run.ts [--tasks 10000] [--sessions-per-task 5]
//     [--samples 10] [--idle-seconds 30] [--no-postgres]      (npm run bench:dashboard)
//
// 1. Page speed in Chromium (playwright-core, Debian's chromium) on a store of --tasks tasks with
//    --sessions-per-task sessions each: time to first byte and full load of the overview and the
//    task list, medians of --samples navigations, beside the anchor: /healthz, which reads
//    nothing, on the same server in the same run.
// 2. Live-update latency: from a task's add committing (what `jada task add` does) to its row
//    on the open task list; SQLite (the page's stream polls the store's fingerprint every 250 ms)
//    and PostgreSQL (LISTEN/NOTIFY wakes it at once).
// 3. The idle daemon's RSS and CPU with HTTP on: fresh (listening, never asked), after one
//    session, and after the dashboard was used (pages and a /metrics scrape), beside the anchor:
//    the same daemon with --no-http.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { TaskStore } from "@jada/orchestrator";
import { openPostgresTaskStore } from "@jada/orchestrator/postgres";
import { createSqliteTaskStore } from "@jada/orchestrator/sqlite";
import {
  dropTestSchema,
  postgresAvailable,
  startMessagesFake,
  TEST_DATABASE_URL,
  testSchemaName,
} from "@jada/orchestrator/testing";
import { chromium, type Page } from "playwright-core";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "10000" },
    "sessions-per-task": { type: "string", default: "5" },
    samples: { type: "string", default: "10" },
    "idle-seconds": { type: "string", default: "30" },
    "no-postgres": { type: "boolean", default: false },
  },
});
const taskCount = Number(values.tasks);
const perTask = Number(values["sessions-per-task"]);
const samples = Number(values.samples);
const idleSeconds = Number(values["idle-seconds"]);
const bin = fileURLToPath(new URL("../../apps/jada-daemon/dist/cli.js", import.meta.url));
const chromiumPath = process.env["JADA_CHROMIUM"] ?? "/usr/bin/chromium";
const dir = await mkdtemp(join(tmpdir(), "jada-bench-dashboard-"));
const rows: string[] = [];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (x: number) => `${x.toFixed(1)} ms`;

// Tasks with their sessions: each task runs out of turns (perTask - 1) times, then completes.
async function seed(store: TaskStore) {
  const usage = {
    inputTokens: 12_000,
    outputTokens: 900,
    cacheReadTokens: 8_000,
    cacheWriteTokens: 0,
  };
  for (let i = 0; i < taskCount; i++)
    await store.add({ title: `Reconcile bookings batch ${i}`, prompt: "Compare the sheet." });
  let sessions = 0;
  for (;;) {
    const claim = await store.claim("bench", 60_000);
    if (claim.kind !== "claimed") break;
    sessions++;
    const last = claim.task.attempts >= perTask;
    await store.finishSession(
      claim.sessionId,
      { turns: last ? 12 : 30, outcome: last ? "completed" : "max_turns", usage, costUsd: 0.05 },
      last
        ? { status: "done", result: { rows: 12 } }
        : { status: "pending", checkpoint: { done: claim.task.attempts } },
    );
  }
  return sessions;
}

interface Daemon {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startDaemon(
  workDir: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<Daemon> {
  const child = spawn(process.execPath, [bin, "daemon", ...args], {
    cwd: workDir,
    env: { PATH: process.env["PATH"] ?? "", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let buffer = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk) => {
      buffer += chunk;
      for (const line of buffer.split("\n")) {
        if (!line.includes("started")) continue;
        const parsed = JSON.parse(line) as { http?: string };
        resolve(parsed.http ?? "");
      }
    });
    child.once("exit", (code) => reject(new Error(`the daemon exited ${code}`)));
  });
  child.stdout?.resume();
  return {
    url,
    child,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

function workspace(name: string, config: Record<string, unknown>): string {
  const workDir = join(dir, name);
  mkdirSync(workDir, { recursive: true });
  writeFileSync(
    join(workDir, "jada.config.json"),
    JSON.stringify({
      http: { port: 0 },
      jobs: { "tokens-check": { enabled: false }, "self-check": { enabled: false } },
      ...config,
    }),
  );
  return workDir;
}

async function navigationTimes(page: Page, url: string) {
  const ttfb: number[] = [];
  const load: number[] = [];
  for (let i = 0; i < samples; i++) {
    await page.goto(url, { waitUntil: "load" });
    const timing = await page.evaluate(() => {
      const entry = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      return { ttfb: entry.responseStart - entry.requestStart, load: entry.loadEventEnd };
    });
    ttfb.push(timing.ttfb);
    load.push(timing.load);
  }
  return { ttfb: median(ttfb), load: median(load) };
}

// From the add's commit to the row on the open task list, `samples` times.
async function liveLatency(page: Page, url: string, store: TaskStore): Promise<number[]> {
  await page.goto(`${url}/tasks`);
  await page.locator("#live-status", { hasText: "updates: live" }).waitFor();
  await page.evaluate(() => {
    const seen: Record<string, number> = {};
    (window as unknown as { seen: typeof seen }).seen = seen;
    new MutationObserver(() => {
      for (const link of document.querySelectorAll("#live tbody a"))
        if (link.textContent?.startsWith("live ") && !(link.textContent in seen))
          seen[link.textContent] = Date.now();
    }).observe(document.getElementById("live") as HTMLElement, { childList: true, subtree: true });
  });
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const title = `live ${i}`;
    const before = Date.now();
    await store.add({ title });
    const committed = Date.now();
    await page.waitForFunction(
      (t) => (window as unknown as { seen: Record<string, number> }).seen[t] !== undefined,
      title,
      { polling: 20, timeout: 10_000 },
    );
    const seenAt = await page.evaluate(
      (t) => (window as unknown as { seen: Record<string, number> }).seen[t] as number,
      title,
    );
    latencies.push(seenAt - committed);
    // Apart from each other: each sample is one add on a quiet page.
    await new Promise((resolve) => setTimeout(resolve, 300 + (before % 200)));
  }
  return latencies;
}

const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
try {
  // 1. Page speed on a big store.
  const big = workspace("big", {});
  const bigData = join(big, "data");
  mkdirSync(bigData, { recursive: true });
  const seeding = createSqliteTaskStore({ path: join(bigData, "jada.db"), dailySessions: 1e9 });
  const seedStart = performance.now();
  const sessions = await seed(seeding);
  await seeding.close();
  process.stderr.write(
    `seeded ${taskCount} tasks, ${sessions} sessions in ${((performance.now() - seedStart) / 1000).toFixed(1)} s\n`,
  );
  const daemon = await startDaemon(big, { JADA_DATA_DIR: bigData });
  const page = await browser.newPage();
  await page.goto(`${daemon.url}/healthz`); // loads the server: not part of any figure
  const anchor = await navigationTimes(page, `${daemon.url}/healthz`);
  const overview = await navigationTimes(page, `${daemon.url}/`);
  const tasks = await navigationTimes(page, `${daemon.url}/tasks`);
  const metricsStart = performance.now();
  for (let i = 0; i < samples; i++) await (await fetch(`${daemon.url}/metrics`)).text();
  const metricsMs = (performance.now() - metricsStart) / samples;
  rows.push(
    `| anchor: /healthz (reads nothing) | TTFB ${ms(anchor.ttfb)} | load ${ms(anchor.load)} | - |`,
    `| overview, ${taskCount} tasks, ${sessions} sessions | TTFB ${ms(overview.ttfb)} (${(overview.ttfb / anchor.ttfb).toFixed(1)}x the anchor) | load ${ms(overview.load)} | under 200 ms TTFB, under 1 s load |`,
    `| task list (newest 50), same store | TTFB ${ms(tasks.ttfb)} (${(tasks.ttfb / anchor.ttfb).toFixed(1)}x) | load ${ms(tasks.load)} | under 200 ms TTFB, under 1 s load |`,
    `| /metrics scrape, same store (mean of ${samples}) | ${ms(metricsMs)} | - | - |`,
  );

  // 2. Live updates, SQLite.
  const sqliteStore = createSqliteTaskStore({ path: join(bigData, "jada.db") });
  const sqliteLatency = await liveLatency(page, daemon.url, sqliteStore);
  await sqliteStore.close();
  await daemon.stop();
  rows.push(
    `| live update, SQLite (the stream polls every 250 ms) | median ${ms(median(sqliteLatency))}, max ${ms(Math.max(...sqliteLatency))} | ${samples} adds | under 1 s |`,
  );

  // 2b. Live updates, PostgreSQL.
  if (!values["no-postgres"] && (await postgresAvailable()).ok) {
    const schema = testSchemaName();
    const pgWork = workspace("pg", { database: { schema } });
    const pgStore = await openPostgresTaskStore({ connectionString: TEST_DATABASE_URL, schema });
    const pgDaemon = await startDaemon(pgWork, { JADA_DATABASE_URL: TEST_DATABASE_URL });
    try {
      const pgLatency = await liveLatency(page, pgDaemon.url, pgStore);
      rows.push(
        `| live update, PostgreSQL (LISTEN/NOTIFY) | median ${ms(median(pgLatency))}, max ${ms(Math.max(...pgLatency))} | ${samples} adds | under 500 ms |`,
      );
    } finally {
      await pgDaemon.stop();
      await pgStore.close();
      await dropTestSchema(schema);
    }
  }
  await page.close();

  // 3. The idle daemon with HTTP on.
  const fake = await startMessagesFake(() => ({
    content: [{ type: "tool_use", id: "toolu_1", name: "complete_task", input: { result: "ok" } }],
  }));
  let idleRuns = 0;
  const idle = async (
    label: string,
    args: string[],
    steps: {
      setup?: (data: string) => Promise<void>;
      use?: (d: Daemon, data: string) => Promise<void>;
    } = {},
  ) => {
    const work = workspace(`idle-${idleRuns++}`, { agent: { pollSeconds: 60 } });
    const data = join(work, "data");
    mkdirSync(data, { recursive: true });
    await steps.setup?.(data);
    const d = await startDaemon(
      work,
      { JADA_DATA_DIR: data, ANTHROPIC_API_KEY: "sk-ant-bench", ANTHROPIC_BASE_URL: fake.baseURL },
      args,
    );
    await steps.use?.(d, data);
    // Settled: the start's (or the work's) garbage released, the model process gone.
    await new Promise((resolve) => setTimeout(resolve, 35_000));
    const ticks = () => {
      const stat = readFileSync(`/proc/${d.child.pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return Number(fields[11]) + Number(fields[12]);
    };
    const rss = () =>
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${d.child.pid}/status`, "utf8"))?.[1] ?? 0) *
      1024;
    const ticksBefore = ticks();
    let maxRss = rss();
    const end = Date.now() + idleSeconds * 1000;
    while (Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      maxRss = Math.max(maxRss, rss());
    }
    const cpu = ((ticks() - ticksBefore) / 100 / idleSeconds) * 100;
    await d.stop();
    return { rss: maxRss, cpu, label };
  };
  const anchorIdle = await idle("anchor: --no-http, fresh", ["--no-http"]);
  const results = [
    await idle("HTTP on, fresh (listening, never asked)", []),
    await idle("HTTP on, after one session", [], {
      // Queued before the start: the worker claims it at once (its next poll is a minute away).
      setup: async (data) => {
        const store = createSqliteTaskStore({ path: join(data, "jada.db") });
        await store.add({ title: "one session before idling" });
        await store.close();
      },
      use: (_, data) => sessionDone(data),
    }),
    await idle("HTTP on, after the dashboard was used", [], {
      use: async (d) => {
        const used = await browser.newPage();
        for (const path of ["/", "/tasks", "/jobs", "/alerts", "/tokens"])
          await used.goto(`${d.url}${path}`);
        await (await fetch(`${d.url}/metrics`)).text();
        await used.close();
      },
    }),
  ];
  await fake.close();
  const mb = (bytes: number) =>
    `${(bytes / 1e6).toFixed(1)} MB (${(bytes / 1048576).toFixed(1)} MiB)`;
  rows.push(
    `| idle daemon, ${anchorIdle.label} | ${mb(anchorIdle.rss)} RSS, ${anchorIdle.cpu.toFixed(3)}% CPU | ${idleSeconds} s | - |`,
    ...results.map(
      (r) =>
        `| idle daemon, ${r.label} | ${mb(r.rss)} RSS (${(r.rss / anchorIdle.rss).toFixed(2)}x the anchor), ${r.cpu.toFixed(3)}% CPU | ${idleSeconds} s | under 80 MB, under 0.1% |`,
    ),
  );
} finally {
  await browser.close();
  await rm(dir, { recursive: true, force: true });
}

process.stdout.write(
  `\n${new Date().toISOString().slice(0, 10)}, Node ${process.version}, \`node bench/dashboard/run.ts ${process.argv.slice(2).join(" ")}\`:\n\n| what | figure | detail | target |\n|---|---|---|---|\n${rows.join("\n")}\n`,
);

// Waits until the daemon's one task is done (read from its store: asking its HTTP server would
// load it, and this figure is of a daemon nobody asked).
async function sessionDone(data: string): Promise<void> {
  const store = createSqliteTaskStore({ path: join(data, "jada.db") });
  try {
    while ((await store.counts()).done < 1)
      await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    await store.close();
  }
}
