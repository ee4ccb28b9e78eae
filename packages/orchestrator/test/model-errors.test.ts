// A failing Messages API must never turn the worker into a request storm: every requeue waits,
// a refused key pauses every session, and the pause ends when the key works again. The real
// @anthropic-ai/sdk talks to the loopback Messages API of ./testing; the store is SQLite.
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { createAnthropicModel } from "../src/anthropic.js";
import type { AgentModel } from "../src/model.js";
import { afterModelError, backoffSeconds } from "../src/model-backoff.js";
import { runNextTask } from "../src/run-task.js";
import { createSqliteTaskStore } from "../src/sqlite/sqlite-store.js";
import { manualClock } from "../src/testing/contract.js";
import { type FakeReply, startMessagesFake } from "../src/testing/messages-fake.js";
import { createWorker } from "../src/worker.js";
import { watchedLogger } from "./watched-logger.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const complete: FakeReply = {
  content: [{ type: "tool_use", id: "toolu_done", name: "complete_task", input: { result: "ok" } }],
};
const refused: FakeReply = {
  error: { status: 401, type: "authentication_error", message: "invalid x-api-key" },
};
const overloaded: FakeReply = {
  error: { status: 529, type: "overloaded_error", message: "Overloaded" },
};

async function openStore(clock?: ReturnType<typeof manualClock>) {
  const dir = await mkdtemp(join(tmpdir(), "jada-model-errors-"));
  const store = createSqliteTaskStore({ path: join(dir, "jada.db"), dailySessions: 50, clock });
  cleanups.push(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return store;
}

async function fakeApi(play: () => FakeReply) {
  const fake = await startMessagesFake(play);
  cleanups.push(() => fake.close());
  const model = createAnthropicModel(
    new Anthropic({ apiKey: "sk-ant-test", baseURL: fake.baseURL, maxRetries: 0 }),
    { model: "claude-test" },
  );
  return { fake, model };
}

describe("a refused key", () => {
  it("pauses every session after one request, says so once at level error, and probes slowly", async () => {
    const { fake, model } = await fakeApi(() => refused);
    const store = await openStore();
    for (const title of ["one", "two", "three"]) await store.add({ title });
    const logger = watchedLogger();
    const probeMs = 300;
    const worker = createWorker({
      store,
      model,
      system: "s",
      pollMs: 3_600_000,
      pausedProbeMs: probeMs,
      fixes: { refusedKey: "set a valid key, then reload" },
      logger,
    });
    const started = Date.now();
    const running = worker.run();
    await logger.when(/^sessions still paused/, 2);
    await worker.stop();
    await running;
    const elapsed = Date.now() - started;

    // One request, then one per probe interval: never the next task at once. (Counted, not
    // fixed: a loaded machine may fit a third probe in before the worker stops.)
    const probes = logger.lines.filter((line) =>
      line.message.startsWith("sessions still paused"),
    ).length;
    expect(probes).toBeGreaterThanOrEqual(2);
    expect(fake.requests.length).toBe(1 + probes);
    expect(elapsed).toBeGreaterThanOrEqual(probes * probeMs);
    const pauses = logger.lines.filter((line) => line.message.startsWith("sessions paused"));
    expect(pauses).toHaveLength(1);
    expect(pauses[0]).toMatchObject({
      level: "error",
      message:
        "sessions paused: the API refused the key (401 authentication_error); fix: set a valid key, then reload",
    });
    // Every session row is a real request; the tasks are untouched and queued.
    const sessions = (
      await Promise.all((await store.list()).map((task) => store.sessions(task.id)))
    )
      .flat()
      .filter((session) => session.outcome !== null);
    expect(sessions).toHaveLength(1 + probes);
    expect(await store.list({ status: "pending" })).toHaveLength(3);
    expect((await store.quota()).used).toBe(0);
  });

  it("resumes at once when told the key changed, and runs the queue", async () => {
    let keyWorks = false;
    const { fake, model } = await fakeApi(() => (keyWorks ? complete : refused));
    const store = await openStore();
    await store.add({ title: "one" });
    await store.add({ title: "two" });
    const logger = watchedLogger();
    const worker = createWorker({ store, model, system: "s", pollMs: 3_600_000, logger });
    const running = worker.run();
    await logger.when(/^sessions paused/);
    expect(worker.status().paused).toMatchObject({ reason: "auth" });
    keyWorks = true;
    worker.resume();
    await logger.when(/^session completed/, 2);
    expect(worker.status().paused).toBeUndefined();
    await worker.stop();
    await running;
    expect(fake.requests.length).toBe(3);
    expect((await store.list({ status: "done" })).length).toBe(2);
    expect(logger.lines.map((line) => line.message)).toContain(
      "sessions resumed: trying the key again now",
    );
  });

  it("ends a --once pass after the first refusal, with the failure counted", async () => {
    const { fake, model } = await fakeApi(() => refused);
    const store = await openStore();
    for (const title of ["one", "two"]) await store.add({ title });
    const worker = createWorker({ store, model, system: "s", logger: watchedLogger() });
    const result = await worker.runOnce();
    expect(result).toMatchObject({ sessions: 1, failed: 1, last: "paused" });
    expect(result.paused?.reason).toBe("auth");
    expect(fake.requests.length).toBe(1);
  });
});

describe("an unwell API", () => {
  const START = Date.parse("2026-11-30T10:00:00Z");

  // Runs the claim-and-session pass once a simulated second on a manual clock, as a worker that
  // ignored every backoff would: a task due at once would be asked every second.
  async function simulate(
    seconds: number,
    makeModel: (clock: ReturnType<typeof manualClock>) => Promise<AgentModel>,
  ) {
    const clock = manualClock(START);
    const store = await openStore(clock);
    const { id } = await store.add({ title: "reconcile" });
    const model = await makeModel(clock);
    const attempts: number[] = [];
    for (let second = 0; second < seconds; second++) {
      const result = await runNextTask({
        store,
        model,
        system: "s",
        workerId: "w",
        now: clock.now,
      });
      if (result.kind === "ran") attempts.push((clock.now() - START) / 1000);
      if (result.kind === "ran" && result.task.status === "done") break;
      clock.advance(1000);
    }
    return { store, task: await store.get(id), attempts, sessions: await store.sessions(id) };
  }

  it("529 for two minutes, then success: requests spaced by the backoff, the quota counted once", async () => {
    const { store, task, attempts } = await simulate(600, async (clock) => {
      const { model } = await fakeApi(() =>
        clock.now() - START < 120_000 ? overloaded : complete,
      );
      return model;
    });
    expect(task?.status).toBe("done");
    // 0 s, then waits of at least 15, 30, 60, 120 s (half of each step): 4 to 6 requests.
    expect(attempts.length).toBeGreaterThanOrEqual(4);
    expect(attempts.length).toBeLessThanOrEqual(6);
    for (let index = 1; index < attempts.length; index++) {
      const gap = (attempts[index] as number) - (attempts[index - 1] as number);
      expect(gap).toBeGreaterThanOrEqual(15 * 2 ** (index - 1));
    }
    expect(attempts.at(-1)).toBeGreaterThanOrEqual(120);
    expect((await store.quota()).used).toBe(1);
  });

  it("a refused connection: a handful of attempts in ten minutes, the task kept", async () => {
    const port = await closedPort();
    const { task, attempts, sessions } = await simulate(600, async () =>
      createAnthropicModel(
        new Anthropic({
          apiKey: "sk-ant-test",
          baseURL: `http://127.0.0.1:${port}`,
          maxRetries: 0,
        }),
        { model: "claude-test" },
      ),
    );
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(attempts.length).toBeLessThanOrEqual(6);
    expect(sessions).toHaveLength(attempts.length);
    expect(sessions.every((session) => session.error?.startsWith("network"))).toBe(true);
    expect(task).toMatchObject({ status: "pending", attempts: 0 });
  });
});

describe("the backoff", () => {
  it("grows from 30 s, doubles, caps at 30 minutes, and never drops below half a step", () => {
    expect(backoffSeconds(1, 30, 1800, () => 0)).toBe(15);
    expect(backoffSeconds(1, 30, 1800, () => 0.999999)).toBeCloseTo(30, 3);
    expect(backoffSeconds(3, 30, 1800, () => 0)).toBe(60);
    expect(backoffSeconds(20, 30, 1800, () => 0.999999)).toBeCloseTo(1800, 2);
  });

  it("honours retry-after, pauses on a refused key, and sends a refused request to a person", () => {
    expect(
      afterModelError({ kind: "rate_limited", message: "m", retryAfterSeconds: 7 }, 1),
    ).toEqual({ action: "retry", afterSeconds: 7 });
    expect(afterModelError({ kind: "auth", message: "m" }, 1)).toEqual({ action: "pause" });
    expect(afterModelError({ kind: "invalid_request", message: "too long" }, 1)).toMatchObject({
      action: "person",
    });
    const network = afterModelError({ kind: "network", message: "ECONNREFUSED" }, 4, {
      random: () => 0,
    });
    expect(network).toEqual({ action: "retry", afterSeconds: 120 });
  });
});

// A port nothing listens on: connections are refused.
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  server.close();
  await once(server, "close");
  return address.port;
}
