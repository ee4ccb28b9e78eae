// The worker loop with the real @anthropic-ai/sdk against the loopback Messages API, on SQLite.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { createAnthropicModel } from "../src/anthropic.js";
import { createSqliteTaskStore } from "../src/sqlite/sqlite-store.js";
import { type FakeReply, startMessagesFake } from "../src/testing/messages-fake.js";
import { createWorker } from "../src/worker.js";
import { watchedLogger } from "./watched-logger.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(play: () => Promise<FakeReply>, dailySessions = 50) {
  const fake = await startMessagesFake(play);
  const dir = await mkdtemp(join(tmpdir(), "jada-worker-"));
  const store = createSqliteTaskStore({ path: join(dir, "jada.db"), dailySessions });
  cleanups.push(async () => {
    await store.close();
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });
  const model = createAnthropicModel(
    new Anthropic({ apiKey: "sk-ant-test", baseURL: fake.baseURL, maxRetries: 0 }),
    { model: "claude-test" },
  );
  return { fake, store, model };
}

const complete: FakeReply = {
  content: [{ type: "tool_use", id: "toolu_done", name: "complete_task", input: { result: "ok" } }],
};

describe("the worker loop", () => {
  it("runs as many sessions at once as its concurrency, each under its own lease owner", async () => {
    let inFlight = 0;
    let most = 0;
    let bothArrived: () => void = () => {};
    const barrier = new Promise<void>((resolve) => {
      bothArrived = resolve;
    });
    const { store, model } = await setup(async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      // The first two calls wait for each other: with one session at a time this would hang.
      if (most >= 2) bothArrived();
      await barrier;
      inFlight--;
      return complete;
    });
    const tasks = await Promise.all(["a", "b", "c"].map((title) => store.add({ title })));
    const worker = createWorker({
      store,
      model,
      system: "s",
      workerId: "box",
      concurrency: 2,
      logger: watchedLogger(),
    });
    expect(await worker.runOnce()).toEqual({ sessions: 3, failed: 0, last: "idle" });
    expect(most).toBe(2);
    const owners = new Set<string>();
    for (const task of tasks) {
      expect((await store.get(task.id))?.status).toBe("done");
      for (const session of await store.sessions(task.id)) owners.add(session.workerId);
    }
    expect([...owners].sort()).toEqual(["box/1", "box/2"]);
  });

  it("shows the session it is running: the task, the turns taken, since when", async () => {
    let call = 0;
    let atSecondCall: () => void = () => {};
    const reachedSecond = new Promise<void>((resolve) => {
      atSecondCall = resolve;
    });
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { store, model } = await setup(async () => {
      call++;
      if (call === 1) return { content: [{ type: "text", text: "looking" }] };
      atSecondCall();
      await released;
      return complete;
    });
    const task = await store.add({ title: "Reconcile bookings" });
    const worker = createWorker({
      store,
      model,
      system: "s",
      workerId: "box",
      logger: watchedLogger(),
    });
    expect(worker.status()).toMatchObject({ running: [], lastPassAt: undefined });
    const pass = worker.runOnce();
    await reachedSecond;
    const [running] = worker.status().running;
    expect(running).toMatchObject({ taskId: task.id, title: "Reconcile bookings", turn: 1 });
    expect(Date.parse(running?.startedAt ?? "")).not.toBeNaN();
    release();
    await pass;
    expect(worker.status().running).toEqual([]);
  });

  it("wakes at once when told a task was added, rather than at the next poll", async () => {
    const { store, model } = await setup(async () => complete);
    const logger = watchedLogger();
    // The store, watched: the test adds the task only once the worker found the queue empty and
    // went to sleep for its (hour-long) poll, so only wake() can get the task done in time.
    let sawIdle: () => void = () => {};
    const idle = new Promise<void>((resolve) => {
      sawIdle = resolve;
    });
    const watched = {
      ...store,
      async claim(...args: Parameters<typeof store.claim>) {
        const claim = await store.claim(...args);
        if (claim.kind === "idle") sawIdle();
        return claim;
      },
    };
    const worker = createWorker({ store: watched, model, system: "s", pollMs: 3_600_000, logger });
    const running = worker.run();
    await idle;
    const task = await store.add({ title: "now" });
    worker.wake();
    await logger.when(/^session completed/);
    expect((await store.get(task.id))?.status).toBe("done");
    await worker.stop();
    await running;
    expect(logger.lines.map((line) => line.message)).toContain("worker stopped");
  });

  it("says when the day's quota is spent and when it resets", async () => {
    const { store, model } = await setup(async () => complete, 1);
    await store.add({ title: "one" });
    await store.add({ title: "two" });
    const logger = watchedLogger();
    const worker = createWorker({ store, model, system: "s", logger });
    expect(await worker.runOnce()).toEqual({ sessions: 1, failed: 0, last: "quota_exhausted" });
    const running = worker.run();
    await logger.when(/spent/);
    await worker.stop();
    await running;
    expect(logger.lines.map((line) => line.message)).toContainEqual(
      expect.stringMatching(/^the day's sessions are spent; waiting until \d{4}-\d\d-\d\dT/),
    );
  });

  it("refuses a concurrency that is not a whole number of at least 1", async () => {
    const { store, model } = await setup(async () => complete);
    expect(() =>
      createWorker({ store, model, system: "s", concurrency: 0, logger: watchedLogger() }),
    ).toThrow(/concurrency must be a whole number of at least 1, not 0/);
  });
});
