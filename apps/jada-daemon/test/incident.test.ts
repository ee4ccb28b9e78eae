// The incident that started jada, replayed on the daemon's own composition: the tokens-check job
// of `jada daemon` every 30 minutes (as the booking sync ran), the real google-auth-library and
// token store against the loopback Google, the scheduler on a manual clock, and every sink: the
// log, a webhook received by a loopback server, a needs_you task.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type GoogleFake, startGoogleFake } from "@jada/google-token/testing";
import { createScheduler } from "@jada/orchestrator";
import { createSqliteTaskStore } from "@jada/orchestrator/sqlite";
import { manualClock } from "@jada/orchestrator/testing";
import { afterEach, describe, expect, it } from "vitest";
import { alertSinks, daemonJobs } from "../src/compose/jobs.js";
import { createServices } from "../src/compose/services.js";
import { loadConfig } from "../src/config/load.js";
import { authorizeGoogle, startWebhook, writeGoogleSetup } from "./consent.js";

const MINUTE = 60_000;
const ACCOUNT = "ops@sailjada.com";
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function incident() {
  const root = await mkdtemp(join(tmpdir(), "jada-incident-"));
  const google: GoogleFake = await startGoogleFake();
  const hook = await startWebhook<{ event: string; fix: string | null; text: string }>();
  const posts = hook.received;
  cleanups.push(async () => {
    await hook.close();
    await google.close();
    await rm(root, { recursive: true, force: true });
  });
  // Every 30 minutes, as the booking sync that failed for days.
  await writeGoogleSetup(root, google, {
    extra: { jobs: { "tokens-check": { schedule: "30m" }, "self-check": { enabled: false } } },
  });
  const env = {
    JADA_DATA_DIR: join(root, "data"),
    JADA_ALERT_WEBHOOK_URL: hook.url,
  };
  const auth = await authorizeGoogle(ACCOUNT, { cwd: root, env });
  if (auth.code !== 0) throw new Error(auth.stderr);

  const io = { stdout: { write() {} }, stderr: { write() {} }, env, cwd: root };
  const services = createServices(await loadConfig({ env, cwd: root }), io);
  // The daemon's store file, on the test's clock (the scheduler and the store agree on time).
  const clock = manualClock(Date.parse("2026-12-01T08:00:00Z"));
  const dataDir = join(root, "data");
  await mkdir(dataDir, { recursive: true });
  const store = createSqliteTaskStore({ path: join(dataDir, "jada.db"), clock });
  cleanups.push(() => store.close());
  const lines: string[] = [];
  const logger = {
    info: (_: unknown, message: string) => void lines.push(message),
    warn: (_: unknown, message: string) => void lines.push(message),
    error: (_: unknown, message: string) => void lines.push(message),
  };
  const scheduler = createScheduler({
    store,
    jobs: daemonJobs({ services, store, dataDir }),
    sinks: alertSinks(services.config.alerts, env, store, logger),
    logger,
    now: clock.now,
  });
  const slot = async (n: number) => {
    clock.set(Date.parse("2026-12-01T08:00:00Z") + n * 30 * MINUTE);
    await scheduler.tick();
  };
  return { google, posts, store, slot, lines };
}

describe("the incident, replayed", () => {
  it("a revoked token alerts within its period, once, with the fix; the replaced token recovers", async () => {
    const { google, posts, store, slot, lines } = await incident();
    await slot(0); // registers
    await slot(1); // 08:30: fine
    expect(posts).toEqual([]);
    // T = 08:45: the refresh token is revoked. The 09:00 run is the first to fail; the runs up
    // to 15:00 (13 of them, one refresh each) fail too.
    google.queueRefresh(...Array(13).fill("invalid_grant"));
    await slot(2);
    expect(posts.map((post) => [post.event, post.fix])).toEqual([
      ["opened", `jada auth google --account ${ACCOUNT}`],
    ]);
    expect(lines.some((line) => line.startsWith("[jada] ALERT tokens-check:"))).toBe(true);
    // Failing every 30 minutes for 6 hours: one task, one reminder.
    for (let n = 3; n <= 14; n++) await slot(n);
    expect(posts.map((post) => post.event)).toEqual(["opened", "reminder"]);
    const tasks = await store.list({ status: "needs_you" });
    expect(tasks).toHaveLength(1);
    // The token is replaced (the fake answers again): the next run recovers, the task closes.
    await slot(15);
    expect(posts.map((post) => post.event)).toEqual(["opened", "reminder", "recovered"]);
    expect((await store.get(tasks[0]?.id as string))?.status).toBe("cancelled");
  });

  it("a transient failure (503) is quiet once, and alerts at the second within the hour", async () => {
    const { google, posts, slot } = await incident();
    await slot(0);
    await slot(1);
    // google-auth-library retries a 503 itself; four in a row make the check fail.
    google.queueRefresh("503", "503", "503", "503");
    await slot(2);
    expect(posts).toEqual([]);
    google.queueRefresh("503", "503", "503", "503");
    await slot(3);
    expect(posts.map((post) => post.event)).toEqual(["opened"]);
    expect(posts[0]?.text).toContain("failed 2 times within 60 minutes");
  });
});
